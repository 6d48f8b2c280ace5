"""Find contacts, Search conversations, List data attributes and List search fields over real HTTP: one devserver
for the module (tests/actions/conftest.py) in front of the simulator. Each action end to end, its nextLink (a GET
whose cursor carries the filters), and its 400s."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from intercom_sim import Simulator
from tests.actions.support import email, error_fields


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def where(*filters: tuple[str, str, Any], **more: Any) -> dict[str, Any]:
    return {"filters": [{"field": f, "operator": o, "value": v} for f, o, v in filters], **more}


def test_find_contacts_by_their_fields(http: httpx.Client, sim: Simulator) -> None:
    name = "Zed" + uuid.uuid4().hex[:6]
    lead = sim.add_contact("lead", email=email(), name=f"{name} Lead")
    user = sim.add_contact("user", email=email(), name=f"{name} User", external_id="ext-" + name)
    both = ok(http.post("/api/contacts/search", json=where(("name", "^", name))))
    assert sorted((c["id"], c["type"]) for c in both["value"]) == sorted([(lead["id"], "lead"), (user["id"], "user")])
    assert "nextLink" not in both
    leads = ok(http.post("/api/contacts/search", json=where(("name", "^", name), ("role", "=", "lead"))))
    assert [c["id"] for c in leads["value"]] == [lead["id"]]
    either = where(("email", "=", lead["email"]), ("external_id", "=", "ext-" + name), match="any")
    assert {c["id"] for c in ok(http.post("/api/contacts/search", json=either))["value"]} == {lead["id"], user["id"]}
    nobody = ok(http.post("/api/contacts/search", json=where(("email", "=", email()))))
    assert nobody == {"value": []}
    everybody = ok(http.post("/api/contacts/search", json={"per_page": 150}))
    assert {lead["id"], user["id"]} <= {c["id"] for c in everybody["value"]}, "no filter finds every contact"


def test_contact_times_match_by_the_workspace_day(http: httpx.Client, sim: Simulator) -> None:
    name = "Day" + uuid.uuid4().hex[:6]
    noon = 1_767_355_200  # 2026-01-02T12:00:00Z (the simulator's workspace runs on UTC)
    sim.add_contact("user", email=email(), name=name, created_at=noon)
    same_day = where(("name", "=", name), ("created_at", "=", "2026-01-02T23:59:00Z"))
    assert len(ok(http.post("/api/contacts/search", json=same_day))["value"]) == 1
    after_that_day = where(("name", "=", name), ("created_at", ">", "2026-01-02T00:00:00Z"))
    assert ok(http.post("/api/contacts/search", json=after_that_day))["value"] == [], "> means after that day"


def test_a_nextlink_is_a_get_whose_cursor_carries_the_filters(http: httpx.Client, sim: Simulator) -> None:
    name = "Page" + uuid.uuid4().hex[:6]
    ids = {sim.add_contact("lead", email=email(), name=name)["id"] for _ in range(3)}
    first = ok(http.post("/api/contacts/search?code=fn-key", json={**where(("name", "=", name)), "per_page": 2}))
    link = first["nextLink"]
    query = parse_qs(urlsplit(link).query)
    assert (query["code"], query["per_page"]) == (["fn-key"], ["2"]), "the nextLink keeps the function key"
    second = ok(http.get(link))
    assert {c["id"] for c in first["value"] + second["value"]} == ids
    assert len(first["value"]) == 2
    assert "nextLink" not in second
    cursor = query["cursor"][0]
    same = ok(http.post("/api/contacts/search", json={**where(("name", "=", name)), "cursor": cursor}))
    assert same["value"] == second["value"], "a POST may continue its own search with the cursor"
    other = http.post("/api/contacts/search", json={**where(("name", "=", "else")), "cursor": cursor})
    assert (other.status_code, error_fields(other)) == (400, ["cursor"])
    foreign = http.get("/api/conversations/search", params={"cursor": cursor})
    assert (foreign.status_code, error_fields(foreign)) == (400, ["cursor"]), "a contact cursor is no conversation's"
    altered = http.get("/api/contacts/search", params={"cursor": cursor[:-2] + "xx"})
    assert (altered.status_code, error_fields(altered)) == (400, ["cursor"])
    missing = http.get("/api/contacts/search")
    assert (missing.status_code, error_fields(missing)) == (400, ["cursor"])


def test_search_conversations(http: httpx.Client, sim: Simulator) -> None:
    lead = sim.add_contact("lead", email=email())
    started = sim.add_conversation(lead["id"], created_at=1_767_355_200)
    closed = sim.add_conversation(lead["id"], created_at=1_767_355_260)
    sim.update_conversation(closed["id"], state="closed")
    mine = ("contact_ids", "=", lead["id"])
    found = ok(http.post("/api/conversations/search", json=where(mine, ("state", "=", "open"))))
    assert [c["id"] for c in found["value"]] == [started["id"]]
    equal_included = where(mine, ("created_at", ">", "2026-01-02T12:01:00Z"))
    assert [c["id"] for c in ok(http.post("/api/conversations/search", json=equal_included))["value"]] == [
        closed["id"]
    ], "a conversation's > includes equality"
    paged = ok(http.post("/api/conversations/search", json={**where(mine), "per_page": 1}))
    assert [c["id"] for c in paged["value"]] == [started["id"]]
    assert [c["id"] for c in ok(http.get(paged["nextLink"]))["value"]] == [closed["id"]]


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/api/contacts/search", where(("colour", "=", "red")), ["filters[0].field"]),
        ("/api/contacts/search", where(("email", "=", "a"), ("email", "<", "b")), ["filters[1].operator"]),
        ("/api/contacts/search", where(("email", "IN", " , ")), ["filters[0].value"]),
        ("/api/contacts/search", where(("created_at", ">", "last week")), ["filters[0].value"]),
        ("/api/contacts/search", where(*[("email", "=", "a")] * 16), ["filters"]),
        ("/api/contacts/search", {"filters": {}}, ["filters"]),
        ("/api/contacts/search", {"filters": [{"field": "email", "operator": "="}]}, ["filters[0].value"]),
        ("/api/contacts/search", {**where(("email", "=", "a")), "match": "most"}, ["match"]),
        ("/api/conversations/search", where(("state", "=", "pending")), ["filters[0].value"]),
        ("/api/conversations/search", where(("admin_assignee_id", "IN", ["x"])), ["filters[0].value"]),
        ("/api/conversations/search", where(("email", "=", "a@b.io")), ["filters[0].field"]),
    ],
)
def test_bad_searches_are_400s_naming_the_filter(
    http: httpx.Client, path: str, body: dict[str, Any], named: list[str]
) -> None:
    response = http.post(path, json=body)
    assert (response.status_code, error_fields(response)) == (400, named), response.text


def test_list_search_fields(http: httpx.Client) -> None:
    fields = ok(http.get("/api/search-fields", params={"object": "conversations"}))["value"]
    assert {"name": "state", "label": "State (open, closed, snoozed)", "kind": "choice"} in fields
    assert "statistics.last_close_at" in {f["name"] for f in fields}
    tickets = ok(http.get("/api/search-fields", params={"object": "tickets"}))["value"]
    assert [f["name"] for f in tickets] == [
        "title",
        "description",
        "category",
        "ticket_type_id",
        "contact_ids",
        "admin_assignee_id",
        "team_assignee_id",
        "open",
        "state",
        "created_at",
        "updated_at",
    ], "the ticket fields of interface §10, no custom attributes"
    assert {"name": "category", "label": "Category (Customer, Back-office, Tracker)", "kind": "choice"} in tickets
    bad = http.get("/api/search-fields", params={"object": "planets"})
    assert (bad.status_code, error_fields(bad)) == (400, ["object"])


def test_list_assignees_is_the_admins_then_the_teams(http: httpx.Client) -> None:
    assignees = ok(http.get("/api/assignees"))["value"]
    admins = [a["id"] for a in ok(http.get("/api/admins"))["value"]]
    assert [a["id"] for a in assignees if a["kind"] == "admin"] == admins
    teams = [a for a in assignees if a["kind"] == "team"]
    assert teams, "the simulator has teams"
    assert all(team["name"].startswith("Team: ") for team in teams)
    assert assignees == [a for a in assignees if a["kind"] == "admin"] + teams


def test_create_user_and_lead_set_custom_attributes(http: httpx.Client, sim: Simulator) -> None:
    user = ok(http.post("/api/users", json={"email": email(), "custom_attributes": {"plan_tier": "pro"}}), 201)
    lead = ok(http.post("/api/leads", json={"email": email(), "custom_attributes": {"seats": 3}}), 201)
    stored = {c["id"]: c for c in sim.contacts()}
    assert stored[user["id"]]["custom_attributes"] == {"plan_tier": "pro"}
    assert stored[lead["id"]]["custom_attributes"] == {"seats": 3}
    nested = http.post("/api/leads", json={"email": email(), "custom_attributes": {"a": {"b": 1}}})
    assert (nested.status_code, error_fields(nested)) == (400, ["custom_attributes"])


# -- data attributes: the simulator's /data_attributes (seeded plan_tier, trial_ends_at, seats, ...) -----------------


def test_list_data_attributes(http: httpx.Client) -> None:
    contact = ok(http.get("/api/data-attributes"))["value"]
    names = {a["name"]: a for a in contact}
    assert names["plan_tier"]["custom"] is True
    assert names["plan_tier"]["options"] == ["free", "pro", "enterprise"]
    assert names["email"]["custom"] is False
    assert "legacy_score" not in names, "archived ones are left out"
    archived = ok(http.get("/api/data-attributes", params={"include_archived": "true"}))["value"]
    assert "legacy_score" in {a["name"] for a in archived}
    company = ok(http.get("/api/data-attributes", params={"model": "company"}))["value"]
    assert "tier" in {a["name"] for a in company}
    bad = http.get("/api/data-attributes", params={"model": "conversation"})
    assert (bad.status_code, error_fields(bad)) == (400, ["model"])


def test_custom_attributes_schema_types_each_writable_custom_attribute(http: httpx.Client) -> None:
    schema = ok(http.get("/api/data-attributes/schema", params={"model": "contact"}))["schema"]
    props = schema["properties"]
    assert props["plan_tier"] == {"type": "string", "x-ms-summary": "Plan tier", "enum": ["free", "pro", "enterprise"]}
    assert props["seats"]["type"] == "integer"
    assert props["beta_tester"]["type"] == "boolean"
    assert props["trial_ends_at"]["type"] == "integer", "a date as Unix seconds"
    assert "legacy_score" not in props, "not archived"
    assert "email" not in props, "custom ones only"
    company = ok(http.get("/api/data-attributes/schema", params={"model": "company"}))["schema"]["properties"]
    assert company["tier"]["enum"] == ["gold", "silver", "bronze"]


def test_find_contacts_by_a_custom_attribute(http: httpx.Client, sim: Simulator) -> None:
    tier = "enterprise"
    wanted = ok(http.post("/api/users", json={"email": email(), "custom_attributes": {"plan_tier": tier}}), 201)
    found = ok(http.post("/api/contacts/search", json=where(("custom_attributes.plan_tier", "=", tier))))
    assert wanted["id"] in {c["id"] for c in found["value"]}
    fields = ok(http.get("/api/search-fields", params={"object": "contacts"}))["value"]
    assert {"name": "custom_attributes.plan_tier", "label": "Plan tier (custom)", "kind": "text"} in fields
    for body, named in (
        (where(("custom_attributes.no_such", "=", "x")), ["filters[0].field"]),
        (where(("custom_attributes.seats", "=", "many")), ["filters[0].value"]),
        (where(("custom_attributes.plan_tier", ">", "x")), ["filters[0].operator"]),
    ):
        response = http.post("/api/contacts/search", json=body)
        assert (response.status_code, error_fields(response)) == (400, named), response.text


def test_find_contacts_by_tag(http: httpx.Client, sim: Simulator) -> None:
    tagged = sim.add_contact("lead", email=email())
    other = sim.add_contact("lead", email=email())
    tag = ok(http.post(f"/api/contacts/{tagged['id']}/tags", json={"name": "Search " + uuid.uuid4().hex[:6]}))
    found = ok(http.post("/api/contacts/search", json=where(("tag_id", "=", tag["id"]))))
    assert [c["id"] for c in found["value"]] == [tagged["id"]]
    assert found["value"][0]["tags"]["tags"] == [tag]
    untagged = where(("tag_id", "!=", tag["id"]), ("email", "IN", [tagged["email"], other["email"]]))
    assert [c["id"] for c in ok(http.post("/api/contacts/search", json=untagged))["value"]] == [other["id"]]


def test_ticket_attributes_schema_types_a_types_own_attributes(http: httpx.Client, sim: Simulator) -> None:
    types = {t["name"]: t["id"] for t in sim.ticket_types()}
    bug = ok(http.get(f"/api/ticket-types/{types['Bug report']}/attributes-schema"))["schema"]
    assert bug["properties"]["Platform"] == {
        "type": "string",
        "x-ms-summary": "Platform",
        "enum": ["opt-web", "opt-ios", "opt-android"],
        "x-ms-enum-values": [
            {"value": "opt-web", "displayName": "Web"},
            {"value": "opt-ios", "displayName": "iOS"},
            {"value": "opt-android", "displayName": "Android"},
        ],
    }
    assert (bug["properties"]["Severity"]["type"], bug["properties"]["Reproducible"]["type"]) == ("integer", "boolean")
    assert bug["required"] == ["Platform"]
    assert not {"_default_title_", "_default_description_"} & set(bug["properties"]), "title and description apart"
    task = ok(http.get(f"/api/ticket-types/{types['Internal task']}/attributes-schema"))["schema"]
    assert task["properties"]["Due at"]["type"] == "integer", "a datetime as Unix seconds"
    missing = http.get("/api/ticket-types/999999/attributes-schema")
    assert (missing.status_code, error_fields(missing)) == (404, ["ticket_type_id"])
    bad = http.get("/api/ticket-types/a%20b/attributes-schema")
    assert (bad.status_code, error_fields(bad)) == (400, ["ticket_type_id"])
