# ruff: noqa: PT018
"""Tickets over real HTTP: types and states, create / get / update / reply with their refusals, the API id kept
apart from the Inbox number, search (second precision, `>`/`<` inclusive, index lag) and the ticket topics."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from intercom_sim import Simulator
from tests.simulator.receiver import Receiver
from tests.simulator.test_webhook_payloads import notifications

ME, ADA = "991267001", "991267002"


@pytest.fixture
def world(sim: Simulator) -> dict[str, Any]:
    types = {t["name"]: t for t in sim.ticket_types()}
    user = sim.add_contact("user", email="tix@x.io", external_id="ext-tix")
    return {"bug": types["Bug report"], "task": types["Internal task"], "user": user}


def create(api: httpx.Client, type_id: str, contact: dict[str, Any], **attributes: Any) -> httpx.Response:
    body = {"ticket_type_id": type_id, "contacts": [contact], "ticket_attributes": attributes}
    return api.post("/tickets", json=body)


def error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["errors"][0]["code"]


def test_types_and_states(api: httpx.Client, world: dict[str, Any]) -> None:
    bug = api.get(f"/ticket_types/{world['bug']['id']}").json()
    names = [a["name"] for a in bug["ticket_type_attributes"]["data"]]
    assert names[:2] == ["_default_title_", "_default_description_"] and "Platform" in names
    platform = next(a for a in bug["ticket_type_attributes"]["data"] if a["name"] == "Platform")
    assert (platform["data_type"], platform["required_to_create"]) == ("list", True)
    bug_states = {s["internal_label"] for s in bug["ticket_states"]["data"]}
    task_states = {s["category"] for s in world["task"]["ticket_states"]["data"]}
    assert "With engineering" in bug_states and "waiting_on_customer" not in task_states
    states = api.get("/ticket_states").json()["data"]
    engineering = next(s for s in states if s["internal_label"] == "With engineering")
    assert [t["id"] for t in engineering["ticket_types"]["data"]] == [bug["id"]]
    assert error(api.get("/ticket_types/999")) == (404, "not_found")


def test_create_and_refusals(api: httpx.Client, sim: Simulator, world: dict[str, Any]) -> None:
    bug, user = world["bug"]["id"], world["user"]
    made = create(api, bug, {"id": user["id"]}, _default_title_="Crash", Platform="opt-web", Severity=2)
    assert made.status_code == 200, made.text
    ticket = made.json()
    assert ticket["id"] != ticket["ticket_id"] and ticket["ticket_state"]["category"] == "submitted"
    assert ticket["contacts"]["contacts"] == [{"type": "contact", "id": user["id"], "external_id": "ext-tix"}]
    assert (ticket["open"], ticket["category"], ticket["admin_assignee_id"]) == (True, "Customer", 0)
    assert api.get(f"/tickets/{ticket['id']}").json() == ticket
    assert error(api.get(f"/tickets/{ticket['ticket_id']}")) == (404, "ticket_not_found")
    by_external = create(api, bug, {"external_id": "ext-tix"}, _default_title_="t", Platform="opt-ios")
    assert by_external.json()["contacts"]["contacts"][0]["id"] == user["id"]
    new_lead = create(api, world["task"]["id"], {"email": "new@x.io"}, _default_title_="Follow up")
    assert new_lead.status_code == 200
    lead = next(c for c in sim.contacts() if c["email"] == "new@x.io")
    assert lead["role"] == "lead", "an unknown email makes a contact"
    conv = sim.add_conversation(user["id"])
    linked = api.post(
        "/tickets",
        json={
            "ticket_type_id": world["task"]["id"],
            "contacts": [{"id": user["id"]}],
            "ticket_attributes": {"_default_title_": "Linked"},
            "conversation_to_link_id": conv["id"],
            "assignment": {"admin_assignee_id": ADA, "team_assignee_id": "5001"},
        },
    ).json()
    assert linked["linked_objects"]["data"] == [{"type": "conversation", "id": conv["id"], "category": None}]
    assert (linked["admin_assignee_id"], linked["team_assignee_id"]) == (int(ADA), 5001)
    assert api.get(f"/conversations/{conv['id']}").json()["linked_objects"]["data"][0]["id"] == linked["id"]
    count = len(sim.tickets())
    refusals = [
        (create(api, "999", {"id": user["id"]}, _default_title_="x"), (400, "parameter_invalid")),
        (create(api, bug, {"id": user["id"]}, _default_title_="x"), (400, "parameter_invalid")),  # no Platform
        (create(api, bug, {"id": user["id"]}, _default_title_="x", Platform="opt-tv"), (400, "parameter_invalid")),
        (
            create(api, bug, {"id": user["id"]}, _default_title_="x", Platform="opt-web", Nope=1),
            (400, "parameter_invalid"),
        ),
        (
            create(api, bug, {"id": user["id"]}, _default_title_="x", Platform="opt-web", Severity="high"),
            (400, "parameter_invalid"),
        ),
        (create(api, bug, {"id": "nobody"}, _default_title_="x", Platform="opt-web"), (404, "not_found")),
        (api.post("/tickets", json={"contacts": [{"id": user["id"]}]}), (400, "parameter_not_found")),
        (
            api.post(
                "/tickets",
                json={
                    "ticket_type_id": bug,
                    "contacts": [{"id": user["id"]}],
                    "ticket_attributes": {"_default_title_": "x", "Platform": "opt-web"},
                    "conversation_to_link_id": conv["id"],
                },
            ),
            (400, "invalid_ticket_type"),
        ),
    ]
    for response, expected in refusals:
        assert error(response) == expected, response.text
    assert len(sim.tickets()) == count, "a refused ticket is not made"


def test_update_state_assignment_snooze_close(api: httpx.Client, sim: Simulator, world: dict[str, Any]) -> None:
    bug, task = world["bug"], world["task"]
    ticket = sim.add_ticket(bug["id"], world["user"]["id"], attributes={"Platform": "opt-web"})
    tid = ticket["id"]
    states = {s["internal_label"]: s["id"] for s in bug["ticket_states"]["data"]}
    sim.configure(clock_offset=30)
    moved = api.put(f"/tickets/{tid}", json={"ticket_state_id": states["With engineering"], "admin_id": int(ME)})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["ticket_state"]["internal_label"] == "With engineering"
    assert body["previous_ticket_state_id"] == ticket["ticket_state"]["id"]
    assert body["updated_at"] >= ticket["updated_at"] + 29
    last = body["ticket_parts"]["ticket_parts"][-1]
    assert (last["part_type"], last["ticket_state"], last["previous_ticket_state"]) == (
        "ticket_state_updated_by_admin",
        "in_progress",
        "submitted",
    )
    other = sim.add_ticket_state("in_progress", "Task queue", ticket_type_ids=[task["id"]])
    assert error(api.put(f"/tickets/{tid}", json={"ticket_state_id": other["id"]})) == (400, "ticket_state_id_invalid")
    assert error(api.put(f"/tickets/{tid}", json={"state": "in_progress"})) == (400, "parameter_invalid")
    assert error(api.put(f"/tickets/{tid}", json={"assignee_id": "123"})) == (404, "assignee_not_found")
    assert error(api.put(f"/tickets/{tid}", json={"ticket_attributes": {"Severity": "x"}})) == (
        400,
        "parameter_invalid",
    )
    assert error(api.put("/tickets/1", json={"open": False})) == (404, "ticket_not_found")
    assert api.get(f"/tickets/{tid}").json()["ticket_state"]["internal_label"] == "With engineering", "unchanged"
    team = api.put(f"/tickets/{tid}", json={"assignee_id": "5001"}).json()
    admin = api.put(f"/tickets/{tid}", json={"assignee_id": ADA}).json()
    assert (team["team_assignee_id"], admin["admin_assignee_id"], admin["team_assignee_id"]) == (5001, int(ADA), 5001)
    none = api.put(f"/tickets/{tid}", json={"assignee_id": "0"}).json()
    assert (none["admin_assignee_id"], none["team_assignee_id"]) == (0, 0)
    until = int(sim.now()) + 3600
    snoozed = api.put(f"/tickets/{tid}", json={"snoozed_until": until}).json()
    assert snoozed["snoozed_until"] == until and snoozed["open"]
    closed = api.put(f"/tickets/{tid}", json={"open": False}).json()
    assert closed["open"] is False and "snoozed_until" not in closed, "closing unsnoozes"
    resolved = sim.set_ticket_state(tid, states["Resolved"])
    assert resolved["open"] is False
    reopened = sim.set_ticket_state(tid, states["In progress"])
    assert reopened["open"] is True, "leaving resolved reopens (ticket_resolved_closes)"


def test_replies(api: httpx.Client, sim: Simulator, world: dict[str, Any]) -> None:
    user = world["user"]
    ticket = sim.add_ticket(world["bug"]["id"], user["id"], attributes={"Platform": "opt-web"})
    task = sim.add_ticket(world["task"]["id"], user["id"])
    comment = api.post(
        f"/tickets/{ticket['id']}/reply",
        json={"type": "admin", "admin_id": ME, "message_type": "comment", "body": "Hi"},
    ).json()
    assert (comment["type"], comment["part_type"], comment["author"]["id"]) == ("ticket_part", "comment", ME)
    mine = {"type": "user", "message_type": "comment", "intercom_user_id": user["id"], "body": "ok"}
    assert api.post(f"/tickets/{ticket['id']}/reply", json=mine).json()["author"]["type"] == "user"
    assert error(api.post(f"/tickets/{task['id']}/reply", json=mine)) == (400, "parameter_mismatch")
    stranger = sim.add_contact("user", email="s@x.io")
    theirs = {**mine, "intercom_user_id": stranger["id"]}
    assert error(api.post(f"/tickets/{ticket['id']}/reply", json=theirs)) == (404, "not_found")
    no_body = {"type": "admin", "admin_id": ME, "message_type": "note"}
    assert error(api.post(f"/tickets/{ticket['id']}/reply", json=no_body)) == (400, "parameter_not_found")
    assert len(api.get(f"/tickets/{ticket['id']}").json()["ticket_parts"]["ticket_parts"]) == 3


def test_search_fields_precision_and_lag(api: httpx.Client, sim: Simulator, world: dict[str, Any]) -> None:
    user = world["user"]
    sim.configure(clock_offset=-5000)
    first = sim.add_ticket(world["bug"]["id"], user["id"], title="Login broken", attributes={"Platform": "opt-ios"})
    second = sim.add_ticket(world["task"]["id"], user["id"], title="Call back")

    def ids(field: str, op: str, value: Any) -> list[str]:
        r = api.post("/tickets/search", json={"query": {"field": field, "operator": op, "value": value}})
        assert r.status_code == 200, r.text
        return [t["id"] for t in r.json()["tickets"]]

    platform = next(a for a in world["bug"]["ticket_type_attributes"]["data"] if a["name"] == "Platform")
    assert ids("title", "~", "login") == [first["id"]]
    assert ids("category", "=", "task") == [second["id"]]
    assert ids("state", "=", "submitted") == [first["id"], second["id"]]
    assert ids("contact_ids", "=", user["id"]) == [first["id"], second["id"]]
    assert ids(f"ticket_attribute.{platform['id']}", "=", "opt-ios") == [first["id"]]
    assert ids("created_at", ">", first["created_at"]) == [first["id"], second["id"]], "> includes equality"
    assert ids("created_at", "<", first["created_at"] - 1) == []
    assert ids("open", "=", True) == [first["id"], second["id"]]
    for bad in (
        {"field": "title", "operator": ">", "value": 1},
        {"field": "created_at", "operator": "~", "value": "x"},
    ):
        assert api.post("/tickets/search", json={"query": bad}).status_code == 400
    sim.configure(ticket_search_precision="day")
    assert ids("created_at", ">", first["created_at"]) == [], "by day, > starts the next day"
    sim.configure(ticket_search_precision="second", index_delay=(30, 30))
    later = sim.update_ticket(first["id"], ticket_attributes={"_default_title_": "Renamed"})
    assert ids("title", "=", "Renamed") == [] and later["ticket_attributes"]["_default_title_"] == "Renamed"


def test_ticket_topics(hooked: Simulator, receiver: Receiver, world: dict[str, Any]) -> None:
    user = world["user"]
    states = {s["internal_label"]: s["id"] for s in world["bug"]["ticket_states"]["data"]}
    ticket = hooked.add_ticket(world["bug"]["id"], user["id"], attributes={"Platform": "opt-web"})
    tid = ticket["id"]
    hooked.set_ticket_state(tid, states["In progress"])
    hooked.update_ticket(tid, ticket_attributes={"Severity": 3})
    hooked.update_ticket(tid, assignee_id=ADA)
    hooked.update_ticket(tid, assignee_id="5002")
    hooked.reply_to_ticket(tid, "<p>Fixed?</p>")
    hooked.reply_to_ticket(tid, "<p>internal</p>", message_type="note")
    hooked.reply_to_ticket(tid, "<p>yes</p>", contact_id=user["id"])
    hooked.update_ticket(tid, snoozed_until=int(hooked.now()) + 60)
    hooked.update_ticket(tid, open=True)
    hooked.update_ticket(tid, open=False)
    notes = [n for n in notifications(hooked, receiver) if n["topic"].startswith("ticket")]
    assert [n["topic"] for n in notes] == [
        "ticket.created",
        "ticket.state.updated",
        "ticket.attribute.updated",
        "ticket.admin.assigned",
        "ticket.team.assigned",
        "ticket.admin.replied",
        "ticket.note.created",
        "ticket.contact.replied",
        "ticket.admin.snoozed",
        "ticket.admin.unsnoozed",
        "ticket.closed",
    ]
    created, moved = notes[0]["data"]["item"], notes[1]["data"]["item"]
    assert created["id"] == tid and created["ticket_state"]["category"] == "submitted"
    assert moved["ticket_state"] == {
        "type": "ticket_state",
        "id": states["In progress"],
        "category": "in_progress",
        "internal_label": "In progress",
        "external_label": "In progress",
    }
    assert moved["ticket_parts"]["total_count"] == 2, "ticket items carry all their parts"
