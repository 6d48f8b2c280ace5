"""The actions of interface §10 but search and the HTTP request: tickets, ticket types and states, Send a message,
the untag actions and List teams, over real HTTP (one devserver for the module, tests/actions/conftest.py) against
the simulator: each action end to end, then its 400s, 404s and Intercom's failures."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from intercom_sim import Simulator
from tests.actions.support import TOKEN, WRONG_TOKEN, email, error_fields
from tests.models.test_tickets import TICKET_KEYS

ME, ADA = "991267001", "991267002"
SUPPORT, BILLING = "5001", "5002"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, *fields: str) -> None:
    assert response.status_code == status, response.text
    assert sorted(error_fields(response)) == sorted(fields), response.text


@pytest.fixture(scope="module")
def types(msim: Simulator) -> dict[str, dict[str, Any]]:
    """The simulator's seeded ticket types by name: Bug report (Customer; Platform, a required list), Internal task
    (Back-office), Outage (Tracker)."""
    return {t["name"]: t for t in msim.ticket_types()}


def state_id(sim: Simulator, type_id: str, label: str) -> str:
    return str(next(s["id"] for s in sim.ticket_states(type_id) if s["internal_label"] == label))


def new_bug(http: httpx.Client, types: dict[str, dict[str, Any]], contact_id: str, **fields: Any) -> Any:
    body = {
        "ticket_type_id": types["Bug report"]["id"],
        "contact_id": contact_id,
        "title": "Checkout crashes",
        "ticket_attributes": {"Platform": "opt-web"},
        **fields,
    }
    return ok(http.post("/api/tickets", json=body), 201)


def new_task(http: httpx.Client, types: dict[str, dict[str, Any]], contact_id: str) -> Any:
    body = {"ticket_type_id": types["Internal task"]["id"], "contact_id": contact_id, "title": "Follow up"}
    return ok(http.post("/api/tickets", json=body), 201)


# -- tickets ----------------------------------------------------------------------------------------------------------


def test_create_get_and_the_ticket_shape(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    user = sim.add_contact("user", email=email())
    company = sim.add_company("Ticketed Ltd")
    ticket = new_bug(
        http,
        types,
        user["id"],
        description="On Safari",
        ticket_attributes={"Platform": "opt-ios", "Severity": 2, "Reproducible": True},
        company_id=company["id"],
        admin_assignee_id=ADA,
        team_assignee_id=SUPPORT,
    )
    assert set(ticket) == TICKET_KEYS
    assert ticket["id"] != ticket["ticket_id"], "the API id and the Inbox number are kept apart"
    assert (ticket["title"], ticket["description"], ticket["category"]) == ("Checkout crashes", "On Safari", "Customer")
    assert ticket["ticket_type"] == {"id": types["Bug report"]["id"], "name": "Bug report"}
    assert ticket["ticket_state"]["category"] == "submitted"
    assert ticket["ticket_attributes"] == {"Platform": "opt-ios", "Severity": 2, "Reproducible": True}
    assert ticket["contacts"] == [{"id": user["id"]}]
    assert (ticket["company_id"], ticket["admin_assignee_id"], ticket["team_assignee_id"]) == (
        company["id"],
        ADA,
        SUPPORT,
    )
    assert (ticket["open"], ticket["snoozed_until"]) == (True, None)
    assert ticket["created_at"].endswith("Z")
    sent = sim.requests()[-1].json
    assert sent["ticket_attributes"]["_default_title_"] == "Checkout crashes"
    assert sent["assignment"] == {"admin_assignee_id": ADA, "team_assignee_id": SUPPORT}
    assert ok(http.get(f"/api/tickets/{ticket['id']}")) == ticket
    refused(http.get(f"/api/tickets/{ticket['ticket_id']}"), 404, "id")


def test_create_by_email_makes_a_lead(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    address = email()
    body = {"ticket_type_id": types["Internal task"]["id"], "email": address, "title": "Call back"}
    ticket = ok(http.post("/api/tickets", json=body), 201)
    lead = next(c for c in sim.contacts() if c["email"] == address)
    assert ticket["contacts"] == [{"id": lead["id"]}]
    assert ticket["category"] == "Back-office"


def test_create_links_a_conversation(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    user = sim.add_contact("user", email=email())
    conversation = sim.add_conversation(user["id"], index=False)
    body = {
        "ticket_type_id": types["Internal task"]["id"],
        "contact_id": user["id"],
        "title": "Refund",
        "conversation_to_link_id": conversation["id"],
    }
    ticket = ok(http.post("/api/tickets", json=body), 201)
    assert sim.requests()[-1].json["conversation_to_link_id"] == conversation["id"]
    linked = sim.tickets()[-1]["linked_objects"]["data"]
    assert [(o["type"], o["id"]) for o in linked] == [("conversation", conversation["id"])]
    assert ticket["id"] == sim.tickets()[-1]["id"]


def test_update_state_title_attributes_assignee_snooze_and_close(
    http: httpx.Client, sim: Simulator, types: dict[str, Any]
) -> None:
    user = sim.add_contact("user", email=email())
    ticket = new_bug(http, types, user["id"])
    path = f"/api/tickets/{ticket['id']}"
    engineering = state_id(sim, types["Bug report"]["id"], "With engineering")
    until = int(time.time()) + 86_400
    updated = ok(
        http.put(
            path,
            json={
                "ticket_state_id": engineering,
                "title": "Checkout crashes on iOS",
                "ticket_attributes": {"Severity": 3},
                "assignee_id": SUPPORT,
                "snoozed_until": until,
            },
        )
    )
    assert sim.requests()[-1].json["admin_id"] == int(ME), "admin_id defaults to the token's admin"
    assert updated["ticket_state"] == {
        "id": engineering,
        "category": "in_progress",
        "internal_label": "With engineering",
        "external_label": "In progress",
    }
    assert (updated["title"], updated["ticket_attributes"]["Severity"]) == ("Checkout crashes on iOS", 3)
    assert (updated["team_assignee_id"], updated["admin_assignee_id"]) == (SUPPORT, None)
    assert updated["snoozed_until"] == time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(until))
    assert ok(http.put(path, json={"assignee_id": ADA, "admin_id": ADA}))["admin_assignee_id"] == ADA
    unassigned = ok(http.put(path, json={"assignee_id": "0"}))
    assert (unassigned["admin_assignee_id"], unassigned["team_assignee_id"]) == (None, None)
    closed = ok(http.put(path, json={"open": False, "description": "Fixed in 4.2"}))
    assert (closed["open"], closed["snoozed_until"], closed["description"]) == (False, None, "Fixed in 4.2")
    assert ok(http.get(path)) == closed


def test_reply_as_admin_and_as_the_contact(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    user = sim.add_contact("user", email=email())
    ticket = new_bug(http, types, user["id"])
    path = f"/api/tickets/{ticket['id']}/reply"
    noted = ok(http.post(path, json={"body": "<p>Repro on 4.1</p>", "message_type": "note"}))
    sent = sim.requests()[-2].json
    assert (sent["type"], sent["admin_id"], sent["message_type"]) == ("admin", ME, "note")
    assert noted["id"] == ticket["id"]
    assert noted["updated_at"] >= ticket["updated_at"]
    ok(http.post(path, json={"body": "Still broken", "contact_id": user["id"]}))
    assert [r.path for r in sim.requests()[-3:]] == [
        f"/tickets/{ticket['id']}",
        f"/tickets/{ticket['id']}/reply",
        f"/tickets/{ticket['id']}",
    ]
    part = sim.requests()[-2].json
    assert (part["type"], part["intercom_user_id"], part["message_type"]) == ("user", user["id"], "comment")
    parts = sim.tickets()
    mine = next(t for t in parts if t["id"] == ticket["id"])
    assert [p["part_type"] for p in mine["ticket_parts"]["ticket_parts"]][-2:] == ["note", "comment"]


def test_ticket_types_and_states(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    listed = {t["name"]: t for t in ok(http.get("/api/ticket-types"))["value"]}
    bug = listed["Bug report"]
    assert (bug["id"], bug["category"]) == (types["Bug report"]["id"], "Customer")
    assert [a["name"] for a in bug["attributes"]] == ["Platform", "Severity", "Reproducible"]
    platform = bug["attributes"][0]
    assert (platform["data_type"], platform["required"]) == ("list", True)
    assert [o["id"] for o in platform["options"]] == ["opt-web", "opt-ios", "opt-android"]
    every = ok(http.get("/api/ticket-states"))["value"]
    assert {s["internal_label"] for s in every} >= {"Submitted", "With engineering", "Resolved"}
    of_bug = ok(http.get("/api/ticket-states", params={"ticket_type_id": bug["id"]}))["value"]
    assert {s["id"] for s in of_bug} == {s["id"] for s in sim.ticket_states(bug["id"])}
    task = listed["Internal task"]["id"]
    of_task = ok(http.get("/api/ticket-states", params={"ticket_type_id": task}))["value"]
    assert "With engineering" not in [s["internal_label"] for s in of_task]
    assert "waiting_on_customer" not in [s["category"] for s in of_task]
    assert set(of_task[0]) == {"id", "category", "internal_label", "external_label"}
    refused(http.get("/api/ticket-states", params={"ticket_type_id": "999999"}), 404, "ticket_type_id")
    refused(http.get("/api/ticket-states", params={"ticket_type_id": "a b"}), 400, "ticket_type_id")


def test_the_designer_lists_of_a_ticket(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    """Update ticket's designer (its body names no type): the states and the attributes of the ticket's type."""
    user = sim.add_contact("user", email=email())
    bug, task = new_bug(http, types, user["id"]), new_task(http, types, user["id"])
    for ticket, type_name in ((bug, "Bug report"), (task, "Internal task")):
        states = ok(http.get(f"/api/tickets/{ticket['id']}/ticket-states"))["value"]
        of_type = ok(http.get("/api/ticket-states", params={"ticket_type_id": types[type_name]["id"]}))["value"]
        assert states == of_type, type_name
    assert "With engineering" in [
        s["internal_label"] for s in ok(http.get(f"/api/tickets/{bug['id']}/ticket-states"))["value"]
    ]
    schema = ok(http.get(f"/api/tickets/{bug['id']}/attributes-schema"))["schema"]
    by_type = ok(http.get(f"/api/ticket-types/{types['Bug report']['id']}/attributes-schema"))["schema"]
    assert schema["properties"] == by_type["properties"]
    assert list(schema["properties"]) == ["Platform", "Severity", "Reproducible"]
    assert by_type["required"] == ["Platform"]
    assert "required" not in schema, "an update requires no attribute"
    task_schema = ok(http.get(f"/api/tickets/{task['id']}/attributes-schema"))["schema"]
    assert task_schema["properties"]["Due at"]["type"] == "integer"
    for route in ("ticket-states", "attributes-schema"):
        refused(http.get(f"/api/tickets/999999/{route}"), 404, "id")
        refused(http.get(f"/api/tickets/a%20b/{route}"), 400, "id")


def test_search_tickets_with_filters_and_pages(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    user = sim.add_contact("user", email=email())
    before = int(time.time()) - 1
    first = new_bug(http, types, user["id"], title="Search me: login")
    second = new_bug(http, types, user["id"], title="Search me: logout")
    task = new_task(http, types, user["id"])
    resolved = state_id(sim, types["Bug report"]["id"], "Resolved")
    ok(http.put(f"/api/tickets/{second['id']}", json={"ticket_state_id": resolved, "open": False}))
    mine = {"field": "contact_ids", "operator": "=", "value": user["id"]}

    def ids(filters: list[dict[str, Any]], **extra: Any) -> list[str]:
        found = ok(http.post("/api/tickets/search", json={"filters": filters, "per_page": 150, **extra}))
        assert "nextLink" not in found
        return [t["id"] for t in found["value"]]

    assert ids([mine]) == [first["id"], second["id"], task["id"]], "oldest first"
    assert ids([mine, {"field": "title", "operator": "~", "value": "Search me"}]) == [first["id"], second["id"]]
    assert ids([mine, {"field": "title", "operator": "$", "value": "logout"}]) == [second["id"]]
    assert ids([mine, {"field": "category", "operator": "=", "value": "Back-office"}]) == [task["id"]]
    assert ids([mine, {"field": "category", "operator": "IN", "value": ["customer", "tracker"]}]) == [
        first["id"],
        second["id"],
    ]
    assert ids([mine, {"field": "category", "operator": "NIN", "value": "Back-office, tracker"}]) == [
        first["id"],
        second["id"],
    ], "the designer's comma-separated text"
    assert ids([mine, {"field": "open", "operator": "=", "value": False}]) == [second["id"]]
    assert ids([mine, {"field": "open", "operator": "!=", "value": "false"}]) == [first["id"], task["id"]]
    assert ids([mine, {"field": "state", "operator": "=", "value": "resolved"}]) == [second["id"]]
    assert ids([mine, {"field": "ticket_type_id", "operator": "=", "value": types["Internal task"]["id"]}]) == [
        task["id"]
    ]
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(before))
    assert ids([mine, {"field": "created_at", "operator": ">", "value": since}]) == [
        first["id"],
        second["id"],
        task["id"],
    ]
    assert ids([mine, {"field": "created_at", "operator": "<", "value": before}]) == []
    either = [
        {"field": "title", "operator": "^", "value": "Search me: login"},
        {"field": "ticket_type_id", "operator": "=", "value": types["Internal task"]["id"]},
    ]
    assert set(ids(either, match="any")) >= {first["id"], task["id"]}
    assert second["id"] not in ids(either, match="any")
    sent = sim.requests()[-1].json
    assert sent["query"]["operator"] == "OR"

    page = ok(http.post("/api/tickets/search?code=fn-key", json={"filters": [mine], "per_page": 2}))
    assert [t["id"] for t in page["value"]] == [first["id"], second["id"]]
    assert set(page["value"][0]) == TICKET_KEYS
    link = page["nextLink"]
    assert parse_qs(urlsplit(link).query)["code"] == ["fn-key"]
    rest = ok(http.get(link))
    assert [t["id"] for t in rest["value"]] == [task["id"]]
    assert "nextLink" not in rest


def test_search_refusals_name_the_filter(http: httpx.Client, sim: Simulator) -> None:
    good = {"field": "open", "operator": "=", "value": True}
    cases: list[tuple[Any, str]] = [
        ([{"field": "priority", "operator": "=", "value": "high"}], "filters[0].field"),
        ([good, {"field": "open", "operator": "~", "value": "t"}], "filters[1].operator"),
        ([good, {"field": "title", "operator": "LIKE", "value": "t"}], "filters[1].operator"),
        ([{"field": "title", "operator": "IN", "value": []}], "filters[0].value"),
        ([{"field": "title", "operator": "NIN", "value": " , "}], "filters[0].value"),
        ([{"field": "title", "operator": "=", "value": ["t"]}], "filters[0].value"),
        ([{"field": "open", "operator": "=", "value": "yes"}], "filters[0].value"),
        ([{"field": "created_at", "operator": ">", "value": "yesterday"}], "filters[0].value"),
        ([{"field": "category", "operator": "=", "value": "Bug"}], "filters[0].value"),
        ([{"field": "state", "operator": "=", "value": "closed"}], "filters[0].value"),
        ([{"field": "ticket_type_id", "operator": "=", "value": "a b"}], "filters[0].value"),
        ([{"field": "title", "operator": "="}], "filters[0].value"),
        ([{"field": "title", "operator": "=", "value": "t", "extra": 1}], "filters[0].extra"),
        (["title = t"], "filters[0]"),
        ([good] * 16, "filters"),
        ("open", "filters"),
    ]
    for filters, field in cases:
        refused(http.post("/api/tickets/search", json={"filters": filters}), 400, field)
    two = [{"field": "nope", "operator": "=", "value": 1}, good, {"field": "open", "operator": "<", "value": 1}]
    refused(http.post("/api/tickets/search", json={"filters": two}), 400, "filters[0].field", "filters[2].operator")
    refused(http.post("/api/tickets/search", json={"match": "some"}), 400, "match")
    refused(http.post("/api/tickets/search", json={"per_page": 151}), 400, "per_page")
    refused(http.get("/api/tickets/search", params={"cursor": "forged.cursor"}), 400, "cursor")
    refused(http.get("/api/tickets/search"), 400, "cursor")
    for _ in range(2):
        sim.add_contact("lead", email=email(), index=False)
    lead_link = ok(http.get("/api/leads", params={"per_page": 1}))["nextLink"]
    cursor = parse_qs(urlsplit(lead_link).query)["cursor"][0]
    refused(http.get("/api/tickets/search", params={"cursor": cursor}), 400, "cursor")


# -- messages, teams, untagging ---------------------------------------------------------------------------------------


def test_send_in_app_and_email_messages(http: httpx.Client, sim: Simulator) -> None:
    lead = sim.add_contact("lead", email=email())
    sent = ok(http.post("/api/messages", json={"contact_id": lead["id"], "body": "Hello!"}), 201)
    assert set(sent) == {"id", "message_type", "created_at", "conversation_id"}
    assert (sent["message_type"], sent["conversation_id"]) == ("inapp", None)
    wire = sim.requests()[-1].json
    assert wire["from"] == {"type": "admin", "id": int(ME)}
    assert wire["to"] == {"type": "lead", "id": lead["id"]}
    assert "template" not in wire
    user = sim.add_contact("user", email=email())
    mail = {"contact_id": user["id"], "body": "Your invoice", "message_type": "email", "subject": "Invoice"}
    sent_mail = ok(http.post("/api/messages", json={**mail, "template": "personal", "admin_id": ADA}), 201)
    assert sent_mail["message_type"] == "email"
    wire = sim.requests()[-1].json
    assert (wire["subject"], wire["template"], wire["from"]["id"], wire["to"]["type"]) == (
        "Invoice",
        "personal",
        int(ADA),
        "user",
    )
    assert [m["id"] for m in sim.messages()][-2:] == [sent["id"], sent_mail["id"]]


def test_list_teams(http: httpx.Client) -> None:
    teams = ok(http.get("/api/teams"))["value"]
    assert {"id": SUPPORT, "name": "Support", "admin_ids": [ME, ADA]} in teams
    assert {"id": BILLING, "name": "Billing", "admin_ids": []} in teams


def test_untag_a_company(http: httpx.Client, sim: Simulator) -> None:
    company = sim.add_company("Untag Co")
    tag = ok(http.post(f"/api/companies/{company['id']}/tags", json={"name": "Churn risk"}))
    other = ok(http.post(f"/api/companies/{company['id']}/tags", json={"name": "VIP"}))
    response = http.delete(f"/api/companies/{company['id']}/tags/{tag['id']}")
    assert response.status_code == 204, response.text
    assert sim.requests()[-1].json == {"name": "Churn risk", "companies": [{"id": company["id"], "untag": True}]}
    assert ok(http.get(f"/api/companies/{company['id']}"))["tags"]["tags"] == [other]
    refused(http.delete(f"/api/companies/{company['id']}/tags/{tag['id']}"), 404, "tag_id")
    refused(http.delete(f"/api/companies/ffff0000ffff/tags/{tag['id']}"), 404, "id")
    refused(http.delete(f"/api/companies/{company['id']}/tags/a.b"), 400, "tag_id")


def test_untag_a_conversation(http: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email=email())
    conversation = sim.add_conversation(user["id"], index=False)
    base = f"/api/conversations/{conversation['id']}/tags"
    tag = ok(http.post(base, json={"name": "Billing question"}))
    response = http.delete(f"{base}/{tag['id']}")
    assert response.status_code == 204, response.text
    assert sim.requests()[-1].json == {"admin_id": ME}
    assert ok(http.get(f"/api/conversations/{conversation['id']}"))["tags"]["tags"] == []
    ok(http.post(base, json={"name": "Billing question"}))
    assert http.delete(f"{base}/{tag['id']}", params={"admin_id": ADA}).status_code == 204
    assert sim.requests()[-1].json == {"admin_id": ADA}
    refused(http.delete(f"{base}/{tag['id']}"), 404, "tag_id")
    ok(http.post(base, json={"name": "Billing question"}))
    refused(http.delete(f"{base}/{tag['id']}", params={"admin_id": "123"}), 404, "admin_id")
    refused(http.delete(f"/api/conversations/999999/tags/{tag['id']}"), 404, "id")


# -- bad input, missing objects, Intercom's failures ------------------------------------------------------------------

BAD: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("POST", "/api/tickets", {"contact_id": "abc"}, ("ticket_type_id",)),
    ("POST", "/api/tickets", {"ticket_type_id": "1"}, ("contact_id", "email")),
    ("POST", "/api/tickets", {"ticket_type_id": "1", "contact_id": "a", "email": "a@b.io"}, ("contact_id", "email")),
    ("POST", "/api/tickets", {"ticket_type_id": "1", "email": "not-an-address"}, ("email",)),
    ("POST", "/api/tickets", {"ticket_type_id": "1", "contact_id": "a", "title": 5}, ("title",)),
    (
        "POST",
        "/api/tickets",
        {"ticket_type_id": "1", "contact_id": "a", "ticket_attributes": []},
        ("ticket_attributes",),
    ),
    (
        "POST",
        "/api/tickets",
        {"ticket_type_id": "1", "contact_id": "a", "ticket_attributes": {"_default_title_": "x"}},
        ("ticket_attributes",),
    ),
    (
        "POST",
        "/api/tickets",
        {"ticket_type_id": "1", "contact_id": "a", "ticket_attributes": {"a": {"b": 1}}},
        ("ticket_attributes",),
    ),
    ("POST", "/api/tickets", {"ticket_type_id": "1", "contact_id": "a", "state": "open"}, ("state",)),
    ("GET", "/api/tickets/a.b", None, ("id",)),
    ("PUT", "/api/tickets/123", {}, ("body",)),
    ("PUT", "/api/tickets/123", {"admin_id": ME}, ("body",)),
    ("PUT", "/api/tickets/123", {"open": "no"}, ("open",)),
    ("PUT", "/api/tickets/123", {"snoozed_until": "2001-01-01T00:00:00Z"}, ("snoozed_until",)),
    ("PUT", "/api/tickets/123", {"snoozed_until": "tomorrow"}, ("snoozed_until",)),
    ("PUT", "/api/tickets/123", {"ticket_state_id": "x y"}, ("ticket_state_id",)),
    ("PUT", "/api/tickets/123", {"state": "resolved"}, ("state",)),
    ("POST", "/api/tickets/123/reply", {}, ("body",)),
    ("POST", "/api/tickets/123/reply", {"body": "x", "message_type": "quick_reply"}, ("message_type",)),
    ("POST", "/api/tickets/123/reply", {"body": "x", "admin_id": ME, "contact_id": "c"}, ("admin_id", "contact_id")),
    ("POST", "/api/tickets/123/reply", {"body": "x", "contact_id": "c", "message_type": "note"}, ("message_type",)),
    ("POST", "/api/messages", {"body": "x"}, ("contact_id",)),
    ("POST", "/api/messages", {"contact_id": "c"}, ("body",)),
    ("POST", "/api/messages", {"contact_id": "c", "body": "x", "message_type": "email"}, ("subject",)),
    ("POST", "/api/messages", {"contact_id": "c", "body": "x", "message_type": "sms"}, ("message_type",)),
    ("POST", "/api/messages", {"contact_id": "c", "body": "x", "template": "fancy"}, ("template",)),
    ("DELETE", "/api/conversations/123/tags/1001?admin_id=a%20b", None, ("admin_id",)),
]


@pytest.mark.parametrize(("method", "path", "body", "fields"), BAD)
def test_bad_input_is_400_naming_the_field(
    http: httpx.Client, method: str, path: str, body: Any, fields: tuple[str, ...]
) -> None:
    content = None if body is None else json.dumps(body).encode()
    response = http.request(method, path, content=content, headers={"Content-Type": "application/json"})
    refused(response, 400, *fields)


def test_create_refusals_name_the_field(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    user = sim.add_contact("user", email=email())
    bug, task = types["Bug report"]["id"], types["Internal task"]["id"]
    conversation = sim.add_conversation(user["id"], index=False)
    base = {"ticket_type_id": bug, "contact_id": user["id"], "title": "t", "ticket_attributes": {"Platform": "opt-web"}}
    cases: list[tuple[dict[str, Any], int, tuple[str, ...]]] = [
        ({"ticket_type_id": "999999"}, 400, ("ticket_type_id",)),
        ({"ticket_attributes": {}}, 400, ("ticket_attributes",)),
        ({"title": None}, 400, ("title",)),
        ({"ticket_attributes": {"Platform": "opt-web", "Severity": "high"}}, 400, ("ticket_attributes",)),
        ({"contact_id": "ffff0000ffff"}, 404, ("contact_id",)),
        ({"company_id": "ffff0000ffff"}, 404, ("company_id",)),
        ({"admin_assignee_id": "123"}, 400, ("admin_assignee_id",)),
        ({"conversation_to_link_id": conversation["id"]}, 400, ("conversation_to_link_id",)),
        (
            {"ticket_type_id": task, "ticket_attributes": {}, "conversation_to_link_id": "999999"},
            404,
            ("conversation_to_link_id",),
        ),
    ]
    count = len(sim.tickets())
    for change, status, fields in cases:
        refused(http.post("/api/tickets", json={**base, **change}), status, *fields)
    assert len(sim.tickets()) == count, "nothing was created"


def test_update_refusals_name_the_field(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    user = sim.add_contact("user", email=email())
    ticket = new_bug(http, types, user["id"])
    path = f"/api/tickets/{ticket['id']}"
    other_types_state = state_id(sim, types["Internal task"]["id"], "Submitted")
    not_of_the_task = state_id(sim, types["Bug report"]["id"], "With engineering")
    assert other_types_state != not_of_the_task
    refused(http.put(path, json={"ticket_state_id": "999999"}), 400, "ticket_state_id")
    refused(http.put(path, json={"assignee_id": "777"}), 400, "assignee_id")
    refused(http.put(path, json={"title": "x", "admin_id": "123"}), 404, "admin_id")
    refused(http.put(path, json={"ticket_attributes": {"Nope": 1}}), 400, "ticket_attributes")
    refused(http.put("/api/tickets/999999", json={"title": "x"}), 404, "id")
    assert ok(http.get(path)) == ticket, "nothing changed"
    task = new_task(http, types, user["id"])
    refused(http.put(f"/api/tickets/{task['id']}", json={"ticket_state_id": not_of_the_task}), 400, "ticket_state_id")


def test_reply_refusals_name_the_field(http: httpx.Client, sim: Simulator, types: dict[str, Any]) -> None:
    user = sim.add_contact("user", email=email())
    stranger = sim.add_contact("user", email=email())
    ticket = new_bug(http, types, user["id"])
    task = new_task(http, types, user["id"])
    refused(http.post("/api/tickets/999999/reply", json={"body": "x"}), 404, "id")
    refused(http.post(f"/api/tickets/{ticket['id']}/reply", json={"body": "x", "admin_id": "123"}), 404, "admin_id")
    as_stranger = {"body": "x", "contact_id": stranger["id"]}
    refused(http.post(f"/api/tickets/{ticket['id']}/reply", json=as_stranger), 404, "contact_id")
    on_task = {"body": "x", "contact_id": user["id"]}
    refused(http.post(f"/api/tickets/{task['id']}/reply", json=on_task), 400, "contact_id")


def test_message_refusals_name_the_field(http: httpx.Client, sim: Simulator) -> None:
    lead = sim.add_contact("lead", email=email())
    refused(http.post("/api/messages", json={"contact_id": "ffff0000ffff", "body": "x"}), 404, "contact_id")
    refused(
        http.post("/api/messages", json={"contact_id": lead["id"], "body": "x", "admin_id": "123"}), 404, "admin_id"
    )


@pytest.mark.parametrize(("kind", "status"), [("500", 502), ("timeout", 503)])
def test_a_failed_create_or_message_is_sent_once(
    http: httpx.Client, sim: Simulator, types: dict[str, Any], kind: str, status: int
) -> None:
    user = sim.add_contact("user", email=email())
    http.get("/api/admins")  # the token's admin is cached by now (GET /me)
    body = {"ticket_type_id": types["Internal task"]["id"], "contact_id": user["id"], "title": "Once"}
    message = {"contact_id": user["id"], "body": "once", "admin_id": ME}
    http.get(f"/api/users/{user['id']}")
    sim.clear_requests()
    sim.configure(fault_rate=1.0, fault_kinds=(kind,), fault_methods={"POST"}, timeout_seconds=0.2)
    created = http.post("/api/tickets", json=body)
    assert created.status_code == status, created.text
    sent = http.post("/api/messages", json=message)
    assert sent.status_code == status, sent.text
    assert [r.path for r in sim.requests() if r.method == "POST"] == ["/tickets", "/messages"]


def test_wrong_token_is_401(http: httpx.Client, conn_name: str, types: dict[str, Any]) -> None:
    headers = {"X-Intercom-Connection": conn_name + "bad"}
    for method, path, body in (
        ("GET", "/api/ticket-types", None),
        ("GET", "/api/ticket-states", None),
        ("GET", "/api/teams", None),
        ("GET", "/api/tickets/1", None),
        ("POST", "/api/tickets", {"ticket_type_id": types["Bug report"]["id"], "email": "a@b.io"}),
    ):
        response = http.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, response.text


def test_no_token_in_any_response(seen_bodies: list[str]) -> None:
    assert seen_bodies
    assert not [text for text in seen_bodies if TOKEN in text or WRONG_TOKEN in text]
