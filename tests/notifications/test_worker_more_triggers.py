"""The notification worker for the six triggers of interface §8: items as Intercom sends them (ISO-8601 timestamps,
the `contact_tag` and `contact_unsubscribe` wrappers, a closed conversation's statistics) are logged under the key a
poll gives the same event, with the trigger's body; the poll after them adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from intercom_sim import Simulator
from intercom_sim.notifications import contact_tag_item, webhook_item
from shared.notifications.topics import notification_problem, read
from shared.notifications.worker import process
from shared.triggers.eventlog import EventLog
from tests.notifications.support import message, settings_for
from tests.triggers.scenario import SIX
from tests.triggers.support import Harness, read_all

EVERY = "intercom-notification"  # every notification is also its event


@pytest.fixture
def h(sim: Simulator, storage_conn: str) -> Harness:
    harness = Harness(sim, storage_conn, lookback=30, triggers=SIX)
    harness.poll_all()  # every trigger starts now
    return harness


def sent(value: dict[str, Any]) -> dict[str, Any]:
    """An item as a notification carries it: ISO-8601 timestamps in contacts, companies, conversation statistics."""
    item = webhook_item(value, iso=True)
    assert isinstance(item, dict)
    return item


def contact(sim: Simulator, contact_id: str) -> dict[str, Any]:
    return next(c for c in sim.contacts() if c["id"] == contact_id)


def bodies(h: Harness, trigger: str) -> dict[str, dict[str, Any]]:
    return {e.key: e.body for e in read_all(EventLog(h.storage_conn, h.name, trigger))}


def test_a_contact_tag_notification_logs_the_tagging_once_with_tag_and_contact(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    user = h.sim.add_contact("user", email="tagged@example.com", index=False)
    tag = h.sim.add_tag("vip")
    h.sim.tag_contact(user["id"], tag["id"])
    item = sent(contact_tag_item(tag, contact(h.sim, user["id"]), int(h.sim.now())))
    assert isinstance(item["contact"]["updated_at"], str)
    assert process(settings, message(h.name, "contact.user.tag.created", item)) == {
        "contact-tagged": 1,
        EVERY: 1,
    }
    assert process(settings, message(h.name, "contact.user.tag.created", item)) == {
        "contact-tagged": 0,
        EVERY: 1,
    }
    h.sim.update_contact(user["id"], name="Seen by the poll")
    h.poll_all()
    logged = bodies(h, "contact-tagged")
    assert list(logged) == [f"{user['id']}:{tag['id']}"]
    body = logged[f"{user['id']}:{tag['id']}"]
    assert body["tag"] == {"id": tag["id"], "name": "vip"}
    assert (body["contact"]["type"], body["contact"]["email"]) == ("user", "tagged@example.com")
    assert body["contact"]["tags"] == {"tags": [{"id": tag["id"], "name": "vip"}]}


def test_the_other_notifications_use_the_polls_keys(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    sim = h.sim
    lead = sim.add_contact("lead", name="No email yet", index=False)
    user = sim.add_contact("user", email="leaving@example.com", index=False)
    conversation = sim.add_conversation(user["id"], index=False)
    h.poll_all()  # the lead is seen without an email
    emailed = sim.update_contact(lead["id"], email="now@example.com")
    unsubscribed = sim.update_contact(user["id"], unsubscribed_from_emails=True)
    closed = sim.close_conversation(conversation["id"])
    company = sim.add_company("Acme", company_id="acme")
    wrapper = {"type": "contact_unsubscribe", "contact": unsubscribed, "created_at": int(sim.now())}
    notifications = [
        ("contact.lead.added_email", sent(emailed), "lead-email-added", lead["id"]),
        ("contact.unsubscribed", sent(wrapper), "contact-unsubscribed", user["id"]),
        (
            "conversation.admin.closed",
            sent(closed),
            "conversation-closed",
            f"{conversation['id']}:{closed['statistics']['last_close_at']}",
        ),
        ("company.created", sent(company), "company-created", company["id"]),
    ]
    assert isinstance(sent(closed)["statistics"]["last_close_at"], str)
    for topic, item, trigger, _ in notifications:
        assert process(settings, message(h.name, topic, item)) == {trigger: 1, EVERY: 1}
    h.poll_all()
    for _, _, trigger, key in notifications:
        assert list(bodies(h, trigger)) == [key], trigger
    assert bodies(h, "company-created")[company["id"]]["name"] == "Acme"
    assert bodies(h, "contact-unsubscribed")[user["id"]]["unsubscribed_from_emails"] is True
    assert bodies(h, "conversation-closed")[f"{conversation['id']}:{closed['statistics']['last_close_at']}"]["state"]


def item_problem(topic: str, item: dict[str, Any]) -> tuple[str, str] | None:
    return notification_problem(read({"id": "notif_1", "topic": topic, "created_at": 1, "data": {"item": item}}))


def test_an_unsubscription_carried_as_a_bare_contact_is_logged_too(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    user = h.sim.add_contact("user", email="bare@example.com", index=False)
    unsubscribed = h.sim.update_contact(user["id"], unsubscribed_from_emails=True)
    assert item_problem("contact.unsubscribed", sent(unsubscribed)) is None
    logged = process(settings, message(h.name, "contact.unsubscribed", sent(unsubscribed)))
    assert logged == {"contact-unsubscribed": 1, EVERY: 1}
    assert list(bodies(h, "contact-unsubscribed")) == [user["id"]]


def test_a_wrapper_item_without_its_object_is_refused_naming_the_field() -> None:
    assert item_problem("contact.unsubscribed", {"type": "contact_unsubscribe"}) == (
        "data.item.contact",
        "must be an object",
    )
    assert item_problem("contact.user.tag.created", {"type": "contact_tag", "contact": {"id": "1"}}) == (
        "data.item.tag.id",
        "must be an Intercom id (1-64 letters, digits, '_' or '-')",
    )
    closed = {"id": "5", "statistics": {"last_close_at": "yesterday"}}
    assert item_problem("conversation.admin.closed", closed) == (
        "data.item.statistics.last_close_at",
        "must be Unix seconds or an ISO-8601 timestamp with an offset",
    )
