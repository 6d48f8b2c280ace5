"""Notifications the worker cannot turn into events, against Azurite and the simulator: each is kept once with its
reason and its raw body (a large one too), counted as unreadable, and its message is done; a failure on the host's
last attempt and a poisoned message are kept the same way; nothing the worker can read is kept."""

from __future__ import annotations

import json

import pytest

from intercom_sim import Simulator
from shared.intercom.errors import IntercomError
from shared.notifications import inbox, tally, unreadable
from shared.notifications.worker import MAX_ATTEMPTS, UnknownConnection, poisoned, process
from shared.settings import Settings
from tests.notifications.support import envelope, message, settings_for


@pytest.fixture
def settings(sim: Simulator, storage_conn: str, unique_name: str) -> Settings:
    return settings_for(sim, storage_conn, unique_name)


def kept(settings: Settings) -> list[unreadable.Unreadable]:
    storage = settings.storage_connection_string.get_secret_value()
    return unreadable.listing(storage, next(iter(settings.connections)))[0]


def unreadable_count(settings: Settings) -> int:
    storage = settings.storage_connection_string.get_secret_value()
    return tally.webhook_counts(storage, next(iter(settings.connections)))["unreadable"]


@pytest.mark.parametrize(
    ("topic", "item", "reason"),
    [
        ("contact.lead.created", {"type": "contact", "role": "lead", "created_at": 1}, "data.item.id: must be an"),
        ("contact.lead.created", {"type": "contact", "id": "a/b", "created_at": 1}, "data.item.id: must be an"),
        ("contact.user.updated", {"type": "contact", "id": "u1", "role": "user"}, "data.item.updated_at: must be"),
        ("contact.lead.tag.created", {"type": "contact_tag", "contact": {"id": "c1"}}, "data.item.tag.id: must be"),
        ("contact.unsubscribed", {"type": "contact_unsubscribe"}, "data.item.contact: must be an object"),
        (
            "conversation.admin.closed",
            {"type": "conversation", "id": "5", "statistics": {"last_close_at": "yesterday"}},
            "data.item.statistics.last_close_at: must be Unix seconds or an ISO-8601",
        ),
        (
            "conversation.user.created",
            {"type": "conversation", "id": "9", "created_at": 2_000_000_000, "contacts": {"contacts": 5}},
            "its conversation-started event cannot be built: TypeError",
        ),
    ],
)
def test_an_item_the_worker_cannot_read_is_kept_once_with_its_reason(
    settings: Settings, topic: str, item: dict[str, object], reason: str
) -> None:
    name = next(iter(settings.connections))
    text = message(name, topic, item)
    assert process(settings, text) == {}
    assert process(settings, text) == {}  # Intercom resends the same notification: one record, counted once
    [record] = kept(settings)
    assert record.reason.startswith(reason), record.reason
    assert (record.topic, record.connection, record.verified) == (topic, name, True)
    assert record.notification_id == json.loads(json.loads(text)["body"])["id"] == record.key
    storage = settings.storage_connection_string.get_secret_value()
    full = unreadable.get(storage, name, record.key)
    assert full is not None
    assert full.body == json.loads(text)["body"]
    assert unreadable_count(settings) == 1


def test_a_large_notification_is_kept_whole(settings: Settings, storage_conn: str) -> None:
    name = next(iter(settings.connections))
    item = {"type": "contact", "role": "lead", "name": "é" * 200_000, "created_at": 1}  # no id
    body = json.dumps(envelope("contact.lead.created", item), ensure_ascii=False)
    inbox.enqueue(storage_conn, inbox.Notification(name, True, 1.0, body))
    text = next(
        m.content
        for m in inbox.queue_client(storage_conn).receive_messages(max_messages=32)
        if json.loads(m.content)["connection"] == name
    )
    assert "ref" in json.loads(text)  # the claim check
    assert process(settings, text) == {}
    [record] = kept(settings)
    full = unreadable.get(storage_conn, name, record.key)
    assert full is not None
    assert full.body == body
    with pytest.raises(ValueError, match="gone"):  # the inbox's copy is released
        inbox.decode(storage_conn, text)


def test_a_readable_notification_is_not_kept(settings: Settings, sim: Simulator) -> None:
    lead = sim.add_contact("lead", email="fine@example.com")
    process(settings, message(next(iter(settings.connections)), "contact.lead.created", lead))
    assert kept(settings) == []
    assert unreadable_count(settings) == 0


def test_a_failure_on_the_last_attempt_is_kept_with_the_failure_as_its_reason(
    settings: Settings, sim: Simulator
) -> None:
    name = next(iter(settings.connections))
    lead = sim.add_contact("lead", email="down@example.com")
    text = message(name, "contact.lead.created", lead, verified=False)  # the worker must ask GET /me
    sim.configure(fault_rate=1.0, fault_kinds=("503",))
    with pytest.raises(IntercomError, match="503"):
        process(settings, text)
    assert kept(settings) == []  # not the last attempt: the host retries it
    assert process(settings, text, final_attempt=True) == {}
    [record] = kept(settings)
    assert record.reason.startswith(f"failed on every one of {MAX_ATTEMPTS} attempts: intercom_")
    assert sim.token not in record.reason


def test_a_notification_for_a_connection_no_longer_configured_is_kept_on_the_last_attempt(
    settings: Settings, storage_conn: str, unique_name: str
) -> None:
    gone = unique_name + "x"
    text = message(gone, "contact.lead.created", {"type": "contact", "id": "1", "role": "lead", "created_at": 1})
    with pytest.raises(UnknownConnection):
        process(settings, text)
    process(settings, text, final_attempt=True)
    [record] = unreadable.listing(storage_conn, gone)[0]
    assert record.reason == f"failed on every one of {MAX_ATTEMPTS} attempts: UnknownConnection"


def test_a_poisoned_message_is_kept(settings: Settings, sim: Simulator) -> None:
    lead = sim.add_contact("lead", email="poison@example.com")
    poisoned(settings, message(next(iter(settings.connections)), "contact.lead.created", lead))
    [record] = kept(settings)
    assert "poison" in record.reason
    poisoned(settings, "not an inbox message")  # nothing to attribute it to: logged, not raised


def test_a_notification_from_another_workspace_is_kept(settings: Settings, sim: Simulator) -> None:
    lead = sim.add_contact("lead", email="foreign@example.com")
    text = message(next(iter(settings.connections)), "contact.lead.created", lead, verified=False, app_id="other1")
    assert process(settings, text) == {}
    [record] = kept(settings)
    assert record.reason.startswith("sent by workspace other1, which is not connection")


def test_max_attempts_is_the_hosts_max_dequeue_count() -> None:
    from pathlib import Path

    host = json.loads((Path(__file__).resolve().parents[2] / "host.json").read_text())
    assert host["extensions"]["queues"]["maxDequeueCount"] == MAX_ATTEMPTS
