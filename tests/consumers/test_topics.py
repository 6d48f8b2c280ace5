"""intercom-notification's `topics` filter (interface §9): the patterns, the polling trigger's pages (the cursor moves
past what is filtered out), and webhook subscriptions that take only their topics."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from shared.consumers.delivery import deliver_pending
from shared.consumers.feed import IDLE_RETRY_AFTER, poll_page
from shared.consumers.subscriptions import SubscriptionStore, subscribe
from shared.consumers.topics import parse_topics
from shared.errors import BadRequest
from shared.intercom.deadline import Deadline
from shared.settings import Settings
from shared.triggers.eventlog import EventLog, NewEvent
from tests.consumers.support import Receiver

TRIGGER = "intercom-notification"


def notified(storage_conn: str, connection: str, topics: Sequence[str]) -> None:
    """Log one notification per topic, as the worker appends them (ids n0, n1, ...)."""
    log = EventLog(storage_conn, connection, TRIGGER)
    checkpoint = log.checkpoint() or log.begin(1_700_000_000)
    first = checkpoint.seq
    events = [
        NewEvent(f"n{first + i}", f"n{first + i}", 1_700_000_000, {"id": f"n{first + i}", "topic": t, "item": {}})
        for i, t in enumerate(topics)
    ]
    log.commit(checkpoint, events, watermark=checkpoint.watermark)


def test_patterns() -> None:
    wanted = parse_topics(" conversation.* , ticket.created,contact.*.tag.created ")
    assert wanted is not None
    assert wanted.text == "conversation.*,ticket.created,contact.*.tag.created"
    assert wanted.matches("conversation.admin.replied")
    assert not wanted.matches("conversation_part.tag.created")
    assert wanted.matches("ticket.created")
    assert not wanted.matches("ticket.created.x")
    assert wanted.matches("contact.lead.tag.created")
    assert parse_topics(None) is None
    assert parse_topics(" , ") is None
    for bad in ("conversation.?", "a b", "x" * 101, 5):
        with pytest.raises(BadRequest) as refused:
            parse_topics(bad)
        assert refused.value.details == [{"field": "topics", "message": refused.value.details[0]["message"]}]


def test_the_polling_trigger_hands_out_only_its_topics(settings: Settings, storage_conn: str, unique_name: str) -> None:
    def page(cursor: str | None, topics: str | None = "conversation.*") -> tuple[int, list[str], str, int]:
        got = poll_page(settings, TRIGGER, header=unique_name, cursor=cursor, topics=topics)
        return got.status, [e["topic"] for e in got.events], got.cursor, got.retry_after

    status, _, head, _ = page(None)
    assert status == 202
    notified(
        storage_conn, unique_name, ["conversation.user.replied", "contact.user.created", "conversation.admin.closed"]
    )
    status, topics, after, _ = page(head)
    assert (status, topics) == (200, ["conversation.user.replied", "conversation.admin.closed"])
    notified(storage_conn, unique_name, ["contact.user.created"])
    status, topics, past, retry = page(after)
    assert (status, topics, retry) == (202, [], IDLE_RETRY_AFTER)
    assert past != after  # the cursor moved past what was filtered out
    notified(storage_conn, unique_name, ["conversation.admin.snoozed"])
    assert page(past)[:2] == (200, ["conversation.admin.snoozed"])
    assert page(head, None)[1] == [
        "conversation.user.replied",
        "contact.user.created",
        "conversation.admin.closed",
        "contact.user.created",
        "conversation.admin.snoozed",
    ]
    for trigger, topics_value in ((TRIGGER, "bad topic"), ("lead-created", "conversation.*")):
        with pytest.raises(BadRequest) as refused:
            poll_page(settings, trigger, header=unique_name, cursor=None, topics=topics_value)
        assert refused.value.details[0]["field"] == "topics"


def test_a_subscription_takes_only_its_topics(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    connection = settings.connection(unique_name)
    url = receiver.url()
    sub, created = subscribe(settings, connection, TRIGGER, {"callbackUrl": url, "topics": "ticket.*"})
    assert created
    assert sub.public()["topics"] == "ticket.*"
    notified(storage_conn, unique_name, ["contact.user.created", "ticket.created", "contact.user.updated"])
    assert deliver_pending(settings, unique_name, TRIGGER, Deadline.after(30)) == 1
    assert [r.body["topic"] for r in receiver.accepted()] == ["ticket.created"]
    stored = SubscriptionStore(storage_conn, unique_name).get(TRIGGER, sub.id)
    assert stored is not None
    assert stored.cursor == 3  # past the two it does not take
    again, created = subscribe(settings, connection, TRIGGER, {"callbackUrl": url, "topics": "contact.*"})
    assert (again.id, created, again.topics) == (sub.id, False, "contact.*")  # the workflow saved with new topics
    notified(storage_conn, unique_name, ["ticket.state.updated", "contact.deleted"])
    assert deliver_pending(settings, unique_name, TRIGGER, Deadline.after(30)) == 1
    assert [r.body["topic"] for r in receiver.accepted()] == ["ticket.created", "contact.deleted"]
    with pytest.raises(BadRequest) as refused:
        subscribe(settings, connection, "lead-created", {"callbackUrl": url, "topics": "contact.*"})
    assert refused.value.details[0]["field"] == "topics"
