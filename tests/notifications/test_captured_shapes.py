"""Every shape of fact sheet A2 (the 2026 captures of real notifications) through the app over HTTP (devserver,
Azurite, the simulator): each notification is signed as Intercom signs it, answered 200, and its event is logged
under the poll's key exactly once, although it is sent twice in the 2026 shape and once more in the older one (Unix
timestamps, `contact_tag` with `created_at`). `ping` (id null) is answered 200, ignored; every other topic is at least
an intercom-notification event."""

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
from intercom_sim.shapes import shape_item
from shared.notifications import inbox, unreadable
from shared.triggers.eventlog import EventLog
from shared.triggers.registry import TRIGGERS, Rule
from tests.notifications.support import INTAKE, SECRET, app_env, as_captured, envelope, signed
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


def older_conversation(sim: Simulator, email: str) -> dict[str, Any]:
    """A conversation started a minute ago (its lifecycle writes come later than its opening message)."""
    user = sim.add_contact("user", email=email)
    return sim.add_conversation(user["id"], body="<p>hi</p>", created_at=int(sim.now()) - 60)


def conversation_write(
    topic: str, trigger: str, write: Callable[[Simulator, str], dict[str, Any]]
) -> Callable[[Simulator], Case]:
    """A lifecycle write on a conversation and its topic; the key is what `trigger`'s registry entry keys."""

    def build(sim: Simulator) -> Case:
        conversation = older_conversation(sim, f"{trigger}@example.com")
        after = write(sim, conversation["id"])
        spec = TRIGGERS[trigger]
        version = stamp(after, spec.version or spec.field) if spec.rule is Rule.VERSION else None
        key = after["id"] if version is None else f"{after['id']}:{version}"
        part = {"type": "conversation_part", "id": "p1", "part_type": "comment", "created_at": after["updated_at"]}
        return Case(topic, only_part(after, part), {trigger: key})

    return build


def conversation_tagged(sim: Simulator) -> Case:
    conversation = older_conversation(sim, "conversation-tagged@example.com")
    tag = sim.add_tag("conversation-vip")
    sim.tag_conversation(conversation["id"], tag["id"])
    after = next(c for c in sim.conversations() if c["id"] == conversation["id"])
    item = {**only_part(after, None), "tags_added": {"type": "tag.list", "tags": [tag]}}
    return Case("conversation_part.tag.created", item, {"conversation-tagged": f"{after['id']}:{tag['id']}"})


def lead_updated(sim: Simulator) -> Case:
    lead = sim.add_contact("lead", name="Will change")
    updated = sim.update_contact(lead["id"], at=lead["updated_at"] + 2, name="Changed")
    return Case("contact.lead.updated", updated, {"lead-updated": version(updated)})


def contact_deleted(sim: Simulator) -> Case:
    lead = sim.add_contact("lead", name="Leaving")
    return Case("contact.deleted", sim.delete_contact(lead["id"]), {"contact-deleted": lead["id"]})


def ticket_written(sim: Simulator, state: str | None) -> Case:
    user = sim.add_contact("user", email=f"ticket-{state}@example.com")
    ticket = sim.add_ticket("2001", user["id"], title="Crash", attributes={"Platform": "opt-web"})
    if state is None:
        return Case("ticket.created", ticket, {"ticket-created": ticket["id"]})
    moved = sim.set_ticket_state(ticket["id"], state)
    return Case("ticket.state.updated", moved, {"ticket-state-changed": f"{ticket['id']}:{state}:1"})


def stamp(item: dict[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


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
    "contact replied": conversation_write(
        "conversation.user.replied", "conversation-contact-replied", lambda sim, c: sim.reply_as_contact(c)
    ),
    "teammate replied": conversation_write(
        "conversation.admin.replied", "conversation-admin-replied", lambda sim, c: sim.reply_as_admin(c)
    ),
    "assigned": conversation_write(
        "conversation.admin.assigned", "conversation-assigned", lambda sim, c: sim.assign_conversation(c, "991267002")
    ),
    "snoozed": conversation_write(
        "conversation.admin.snoozed",
        "conversation-snoozed",
        lambda sim, c: sim.snooze_conversation(c, until=int(sim.now()) + 3600),
    ),
    "rated": conversation_write(
        "conversation.rating.added", "conversation-rated", lambda sim, c: sim.rate_conversation(c, 5, remark="Great")
    ),
    "conversation tagged (tags_added)": conversation_tagged,
    "lead updated": lead_updated,
    "contact deleted (minimal item)": contact_deleted,
    "ticket created": lambda sim: ticket_written(sim, None),
    "ticket state changed": lambda sim: ticket_written(sim, "8322"),
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
    item = as_captured(case.item) if case.item.get("type") != "ticket" else shape_item(case.item, "2026")
    captured = envelope(case.topic, item)
    if case.topic != "contact.deleted":  # its minimal item is the same in both shapes
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


def test_ping_is_taken_and_ignored(http: httpx.Client) -> None:
    payload = envelope("ping", None)
    assert payload["id"] is None
    answer = signed(http, payload)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ignored", "topic": "ping"}


@pytest.mark.parametrize("shapes", ["2026", "classic"])
def test_the_simulators_own_notifications_in_either_shape_log_each_event_once(
    http: httpx.Client, sim: Simulator, name: str, azurite: Azurite, shapes: str
) -> None:
    """The simulator sends what its writes fire (each notification twice, as Intercom may) in the given shapes."""
    sim.configure(
        webhook_url=f"{http.base_url}{INTAKE}",
        webhook_secret=SECRET,
        webhook_shapes=shapes,
        webhook_duplicate_rate=1.0,
        webhook_retry_delay_seconds=0.5,
    )
    api = httpx.Client(base_url=sim.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False)
    try:
        lead = api.post("/contacts", json={"role": "lead", "name": None}).json()
        user = api.post("/contacts", json={"role": "user", "email": f"sim-{shapes}@example.com"}).json()
        tag = sim.add_tag(f"sim-{shapes}")
        sim.tag_contact(lead["id"], tag["id"])
        company = sim.add_company(None, company_id=f"sim-{shapes}")  # type: ignore[arg-type]
        conversation = sim.add_conversation(user["id"], body="<p>hi</p>")
        closed = sim.close_conversation(conversation["id"])
        sim.update_contact(user["id"], unsubscribed_from_emails=True)
        assert sim.flush_webhooks(timeout=30)
    finally:
        api.close()
        sim.configure(webhook_url=None, webhook_duplicate_rate=0.0)
    expected = {
        "lead-created": lead["id"],
        "user-created": user["id"],
        "contact-tagged": f"{lead['id']}:{tag['id']}",
        "company-created": company["id"],
        "conversation-started": conversation["id"],
        "conversation-closed": f"{closed['id']}:{closed['statistics']['last_close_at']}",
        "contact-unsubscribed": user["id"],
    }
    assert all(a.status == 200 for d in sim.webhook_deliveries() for a in d.attempts if a.status is not None)
    assert wait_until(lambda: all(key in keys(azurite, name, t) for t, key in expected.items()), 15)
    assert wait_until(lambda: drained(azurite), 15)
    for trigger, key in expected.items():
        assert keys(azurite, name, trigger).count(key) == 1, trigger
    assert unreadable.listing(azurite.connection_string, name) == ([], 0)
