"""Every shape of fact sheet A2 (the 2026 captures of real notifications) through the app over HTTP (devserver,
Azurite, the simulator): each notification is signed as Intercom signs it, answered 200, and its event is logged
under the poll's key exactly once, although it is sent twice in the 2026 shape and once more in the older one (Unix
timestamps, `contact_tag` with `created_at`). `ping` (id null) and topics no trigger uses are answered 200, ignored."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from intercom_sim.notifications import contact_tag_item
from shared.notifications import inbox, unreadable
from shared.triggers.eventlog import EventLog
from tests.notifications.support import app_env, as_captured, envelope, signed
from tests.triggers.support import read_all, wait_until

TOKEN = "sim-captured-token-0123456789"


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(token=TOKEN) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def name() -> str:
    return "wc" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def http(azurite: Azurite, sim: Simulator, name: str) -> Iterator[httpx.Client]:
    server = DevServerProcess(app_env(azurite, sim, name))
    with server, httpx.Client(base_url=server.base_url, timeout=30, trust_env=False) as client:
        yield client


@dataclass(frozen=True)
class Case:
    """A notification (`item` in the REST shape, which is also the pre-2026 one) and the events it must log:
    {trigger: key}."""

    topic: str
    item: dict[str, Any]
    events: dict[str, str]


def user_created(sim: Simulator) -> Case:
    user = sim.add_contact("user", email="new@example.com", name=None)
    return Case("contact.user.created", user, {"user-created": user["id"], "user-updated": version(user)})


def lead_created(sim: Simulator) -> Case:
    lead = sim.add_contact("lead", name="Lead")
    return Case("contact.lead.created", lead, {"lead-created": lead["id"]})


def user_updated(sim: Simulator) -> Case:
    user = sim.add_contact("user", email="upd@example.com")
    updated = sim.update_contact(user["id"], at=user["updated_at"] + 3, name="Updated")
    return Case("contact.user.updated", updated, {"user-updated": version(updated)})


def lead_signed_up(sim: Simulator) -> Case:
    lead = sim.add_contact("lead", email="conv@example.com")
    user = sim.update_contact(lead["id"], at=lead["updated_at"] + 2, role="user")
    events = {"user-created": user["id"], "user-updated": version(user), "lead-converted": user["id"]}
    return Case("contact.lead.signed_up", user, events)


def lead_added_email(sim: Simulator) -> Case:
    lead = sim.add_contact("lead", name="No email yet")
    emailed = sim.update_contact(lead["id"], at=lead["updated_at"] + 2, email="now@example.com")
    return Case("contact.lead.added_email", emailed, {"lead-email-added": lead["id"]})


def tagging(role: str) -> Callable[[Simulator], Case]:
    def build(sim: Simulator) -> Case:
        contact = sim.add_contact(role, email=f"tagged-{role}@example.com")
        tag = sim.add_tag(f"vip-{role}")
        sim.tag_contact(contact["id"], tag["id"])
        now = next(c for c in sim.contacts() if c["id"] == contact["id"])
        item = contact_tag_item(tag, now, int(sim.now()))
        return Case(f"contact.{role}.tag.created", item, {"contact-tagged": f"{contact['id']}:{tag['id']}"})

    return build


def unsubscribed(sim: Simulator) -> Case:
    user = sim.add_contact("user", email="leaving@example.com")
    gone = sim.update_contact(user["id"], at=user["updated_at"] + 2, unsubscribed_from_emails=True)
    item = {
        "type": "contact_unsubscribe",
        "contact": gone,
        "subscription_types": {"type": "list", "data": []},
        "created_at": int(sim.now()),
    }
    return Case("contact.unsubscribed", item, {"contact-unsubscribed": user["id"]})


def conversation_started(sim: Simulator) -> Case:
    user = sim.add_contact("user", email="talks@example.com")
    conversation = sim.add_conversation(user["id"], body="<p>hello</p>")
    return Case(
        "conversation.user.created", only_part(conversation, None), {"conversation-started": conversation["id"]}
    )


def conversation_closed(sim: Simulator) -> Case:
    user = sim.add_contact("user", email="closed@example.com")
    conversation = sim.add_conversation(user["id"], body="<p>help</p>")
    closed = sim.close_conversation(conversation["id"])
    key = f"{closed['id']}:{closed['statistics']['last_close_at']}"
    part = {"type": "conversation_part", "id": "p1", "part_type": "close", "created_at": closed["updated_at"]}
    return Case("conversation.admin.closed", only_part(closed, part), {"conversation-closed": key})


def company_without_name(sim: Simulator) -> Case:
    company = sim.add_company(None, company_id="nameless" + uuid.uuid4().hex[:8])  # type: ignore[arg-type]
    assert company["name"] is None
    return Case("company.created", company, {"company-created": company["id"]})


def only_part(conversation: dict[str, Any], part: dict[str, Any] | None) -> dict[str, Any]:
    """A conversation as its topics carry it: `conversation_parts` holds only the part the event added."""
    parts = [] if part is None else [part]
    listed = {"type": "conversation_part.list", "conversation_parts": parts, "total_count": len(parts)}
    return {**conversation, "conversation_parts": listed}


def version(contact: dict[str, Any]) -> str:
    return f"{contact['id']}:{contact['updated_at']}"


CASES = {
    "user created": user_created,
    "lead created": lead_created,
    "user updated": user_updated,
    "lead signed up": lead_signed_up,
    "lead added email": lead_added_email,
    "user tagged": tagging("user"),
    "lead tagged, contact_tag without created_at": tagging("lead"),
    "unsubscribed (contact_unsubscribe)": unsubscribed,
    "conversation started (one part)": conversation_started,
    "conversation closed (statistics .000Z)": conversation_closed,
    "company created, name null": company_without_name,
}


def drained(azurite: Azurite) -> bool:
    """The worker has processed every stored notification (a message is deleted once processed)."""
    queue = inbox.queue_client(azurite.connection_string)
    return queue.get_queue_properties().approximate_message_count == 0


def keys(azurite: Azurite, name: str, trigger: str) -> list[str]:
    return [event.key for event in read_all(EventLog(azurite.connection_string, name, trigger))]


def send(http: httpx.Client, azurite: Azurite, name: str, case: Case) -> dict[str, int]:
    """Send the case's notification twice in the 2026 shape, wait until its events are logged, then once more in the
    older shape; wait until the worker has processed them all. How many keys each trigger's log had before."""
    before = {trigger: len(keys(azurite, name, trigger)) for trigger in case.events}
    captured = envelope(case.topic, as_captured(case.item))
    assert captured["data"]["item"] != case.item  # the 2026 shape differs from REST's
    for payload in (captured, captured):
        queued(http, payload)
    assert wait_until(lambda: all(key in keys(azurite, name, t) for t, key in case.events.items()), 15)
    queued(http, envelope(case.topic, case.item))
    assert wait_until(lambda: drained(azurite), 15)
    assert unreadable.listing(azurite.connection_string, name) == ([], 0)
    return before


def queued(http: httpx.Client, payload: dict[str, Any]) -> None:
    answer = signed(http, payload)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "queued", "topic": payload["topic"]}


@pytest.mark.parametrize("build", CASES.values(), ids=CASES.keys())
def test_each_captured_shape_logs_its_event_once(
    http: httpx.Client, sim: Simulator, name: str, azurite: Azurite, build: Callable[[Simulator], Case]
) -> None:
    case = build(sim)
    before = send(http, azurite, name, case)
    for trigger, key in case.events.items():
        assert keys(azurite, name, trigger)[before[trigger] :] == [key], trigger


def body(azurite: Azurite, name: str, trigger: str, key: str) -> dict[str, Any]:
    [found] = [e.body for e in read_all(EventLog(azurite.connection_string, name, trigger)) if e.key == key]
    return found


def test_the_bodies_of_captured_shapes(http: httpx.Client, sim: Simulator, name: str, azurite: Azurite) -> None:
    """A null company or contact name stays null, a null tag name is read from Intercom, timestamps are the poll's
    whole seconds."""
    company, tagged, user = company_without_name(sim), tagging("lead")(sim), user_created(sim)
    tag_name = tagged.item["tag"]["name"]
    tagged.item["tag"]["name"] = None  # read from GET /tags then
    for case in (company, tagged, user):
        send(http, azurite, name, case)
    made = body(azurite, name, "company-created", company.events["company-created"])
    assert (made["name"], made["company_id"]) == (None, company.item["company_id"])
    assert made["created_at"].endswith(".000Z")
    tag = body(azurite, name, "contact-tagged", tagged.events["contact-tagged"])
    assert tag["tag"] == {"id": tagged.item["tag"]["id"], "name": tag_name}
    assert tag["contact"]["type"] == "lead"
    created = body(azurite, name, "user-created", user.events["user-created"])
    assert created["name"] is None
    assert created["email"] == user.item["email"]
    assert created["created_at"].endswith(".000Z")


@pytest.mark.parametrize(
    ("topic", "item"),
    [
        ("ping", None),
        ("contact.deleted", {"type": "contact", "id": "6a1f", "external_id": None, "deleted": True}),
        ("contact.lead.updated", {"type": "contact", "id": "x", "updated_at": "2026-01-10T04:22:28.240+00:00"}),
    ],
)
def test_ping_and_topics_no_trigger_uses_are_taken_and_ignored(
    http: httpx.Client, topic: str, item: dict[str, Any] | None
) -> None:
    payload = envelope(topic, item)
    assert (payload["id"] is None) == (topic == "ping")
    answer = signed(http, payload)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ignored", "topic": topic}
