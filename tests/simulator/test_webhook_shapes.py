# ruff: noqa: PT018
"""Webhook item shapes: the 2026 shapes by default (what the captured 2026 notifications look like), the classic
REST shapes on request; `contact.deleted` and `contact.lead.updated`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx

from intercom_sim import Simulator
from tests.simulator.conftest import SECRET
from tests.simulator.receiver import Receiver
from tests.simulator.test_webhook_payloads import notifications

ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$")


def unix(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def run(sim: Simulator, api: httpx.Client, receiver: Receiver) -> dict[str, dict[str, Any]]:
    """A tagged lead, an assigned conversation, a ticket and a company; the item of each topic, by topic."""
    lead = sim.add_contact("lead", email="shape@x.io")
    tag = sim.add_tag("Hot")
    sim.tag_contact(lead["id"], tag["id"])
    conv = sim.add_conversation(lead["id"])
    sim.assign_conversation(conv["id"], "991267002")
    sim.close_conversation(conv["id"])
    bug = next(t for t in sim.ticket_types() if t["name"] == "Bug report")
    sim.add_ticket(bug["id"], lead["id"], attributes={"Platform": "opt-web"})
    api.post("/companies", json={"company_id": "nameless"})
    return {n["topic"]: n for n in notifications(sim, receiver)}


def test_2026_shapes_are_the_default(sim: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    sim.configure(webhook_url=receiver.url, webhook_secret=SECRET)
    got = run(sim, api, receiver)
    tagging = got["contact.lead.tag.created"]
    item = tagging["data"]["item"]
    assert item["type"] == "contact_tag" and "created_at" not in item, "no created_at: take the envelope's"
    assert isinstance(tagging["created_at"], int)
    contact = item["contact"]
    assert ISO_MILLIS.match(contact["created_at"]) and ISO_MILLIS.match(contact["updated_at"])
    assert unix(contact["created_at"]) == api.get(f"/contacts/{contact['id']}").json()["created_at"]
    assert contact["last_seen_at"] is None
    conversation = got["conversation.admin.closed"]["data"]["item"]
    stats = conversation["statistics"]
    assert ISO_Z.match(stats["last_close_at"]) and ISO_Z.match(stats["last_assignment_at"])
    assert stats["first_admin_reply_at"] is None and stats["time_to_admin_reply"] is None, "present, null"
    assert isinstance(conversation["created_at"], int) and isinstance(conversation["updated_at"], int)
    assert (conversation["team_assignee_id"], conversation["admin_assignee_id"]) == (None, 991267002)
    assert (conversation["title"], conversation["priority"]) == ("", "not_priority")
    part = conversation["conversation_parts"]["conversation_parts"][0]
    assert isinstance(part["created_at"], int)
    ticket = got["ticket.created"]["data"]["item"]
    assert (ticket["admin_assignee_id"], ticket["team_assignee_id"]) == ("0", "0")
    assert ticket["snoozed_until"] is None and ticket["company_id"] is None and isinstance(ticket["created_at"], int)
    company = got["company.created"]["data"]["item"]
    assert company["name"] is None and ISO_MILLIS.match(company["created_at"])


def test_classic_shapes_are_the_rest_json(sim: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    sim.configure(webhook_url=receiver.url, webhook_secret=SECRET, webhook_shapes="classic")
    got = run(sim, api, receiver)
    item = got["contact.lead.tag.created"]["data"]["item"]
    assert isinstance(item["created_at"], int)
    assert item["contact"] == api.get(f"/contacts/{item['contact']['id']}").json()
    conversation = got["conversation.admin.closed"]["data"]["item"]
    rest = api.get(f"/conversations/{conversation['id']}").json()
    assert {k: v for k, v in conversation.items() if k != "conversation_parts"} == {
        k: v for k, v in rest.items() if k != "conversation_parts"
    }
    ticket = got["ticket.created"]["data"]["item"]
    assert ticket["admin_assignee_id"] == 0 and "snoozed_until" not in ticket


def test_deleting_a_contact_and_updating_a_lead(hooked: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    lead = hooked.add_contact("lead", email="bye@x.io", external_id="ext-bye")
    api.put(f"/contacts/{lead['id']}", json={"name": "Leaving"})
    api.delete(f"/contacts/{lead['id']}")
    user = hooked.add_contact("user", email="u@x.io")
    hooked.delete_contact(user["id"])
    notes = notifications(hooked, receiver)
    assert [n["topic"] for n in notes] == [
        "contact.lead.created",
        "contact.lead.updated",
        "contact.deleted",
        "contact.user.created",
        "contact.deleted",
    ]
    assert notes[1]["data"]["item"]["name"] == "Leaving"
    assert notes[1]["data"]["item"]["updated_at"] >= notes[1]["data"]["item"]["created_at"]
    assert notes[2]["data"]["item"] == {"id": lead["id"], "external_id": "ext-bye", "type": "contact", "deleted": True}
    assert notes[4]["data"]["item"] == {"id": user["id"], "external_id": None, "type": "contact", "deleted": True}
    assert api.get(f"/contacts/{user['id']}").status_code == 404


def test_shape_settings_are_checked(sim: Simulator) -> None:
    for name, bad in (("webhook_shapes", "2019"), ("webhook_tags_added_on", "both"), ("note_counts_as_admin_reply", 1)):
        try:
            sim.configure(**{name: bad})
        except ValueError:
            continue
        raise AssertionError(f"{name}={bad!r} was accepted")
    with httpx.Client(base_url=sim.base_url) as c:
        shown = c.post("/_sim/config", json={"webhook_shapes": "classic", "ticket_search_precision": "day"}).json()
    assert (shown["webhook_shapes"], shown["ticket_search_precision"]) == ("classic", "day")
