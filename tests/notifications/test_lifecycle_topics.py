"""The topics of interface §9 as Intercom sends them (no I/O): which triggers each feeds, under which key, and the 400 a
notification gets when it lacks what its key needs."""

from __future__ import annotations

from typing import Any

from shared.notifications.topics import notification_problem, read, routes
from shared.triggers.topic_rules import Found, Notification

CONVERSATION = {"type": "conversation", "id": "77", "created_at": 1_000, "updated_at": 1_300, "state": "open"}


def envelope(topic: str, item: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
    return {
        "type": "notification_event",
        "id": "notif_0e4a1c2b-5d6f-4a8b-9c0d-1e2f3a4b5c6d",
        "topic": topic,
        "app_id": "app1",
        "created_at": 1_400,
        "data": {"type": "notification_event_data", "item": item},
        **fields,
    }


def events(sent: dict[str, Any]) -> dict[str, list[Found]]:
    """{trigger: its events} as the worker finds them (before a rule keyed by the log numbers them)."""
    notification = read(sent)
    found: dict[str, list[Found]] = {}
    for route in routes(notification.topic):
        for subject in route.subjects(notification):
            event = route.event(subject, notification)
            if event is not None:
                found.setdefault(route.trigger, []).append(event)
    return found


NOTIFIED = [Found("notif_0e4a1c2b-5d6f-4a8b-9c0d-1e2f3a4b5c6d", "notif_0e4a1c2b-5d6f-4a8b-9c0d-1e2f3a4b5c6d", 1_400)]


def test_conversation_topics_key_as_the_polls_do() -> None:
    statistics = {
        "last_contact_reply_at": "1970-01-01T00:20:00.000Z",  # 1200, as 2026 captures write statistics
        "last_admin_reply_at": 1_250,
        "last_assignment_at": 1_260,
    }
    item = {**CONVERSATION, "statistics": statistics, "snoozed_until": "1970-01-01T01:00:00Z"}
    assert events(envelope("conversation.user.replied", item)) == {
        "conversation-contact-replied": [Found("77:1200", "77", 1_200)],
        "intercom-notification": NOTIFIED,
    }
    assert events(envelope("conversation.admin.replied", item))["conversation-admin-replied"] == [
        Found("77:1250", "77", 1_250)
    ]
    for topic in ("conversation.admin.assigned", "conversation.admin.open.assigned"):
        assert events(envelope(topic, item))["conversation-assigned"] == [Found("77:1260", "77", 1_260)]
    assert events(envelope("conversation.admin.snoozed", item))["conversation-snoozed"] == [
        Found("77:3600", "77", 1_300)
    ]
    rated = {**CONVERSATION, "conversation_rating": {"rating": 4, "created_at": 1_100, "updated_at": 1_280}}
    assert events(envelope("conversation.rating.added", rated))["conversation-rated"] == [Found("77", "77", 1_280)]


def test_a_conversation_tagging_is_one_event_per_tag_added_wherever_intercom_puts_it() -> None:
    tags = {"type": "tag.list", "tags": [{"type": "tag", "id": "5", "name": "vip"}, {"id": "6", "name": "urgent"}]}
    on_item = {**CONVERSATION, "tags_added": tags}
    part = {"type": "conversation_part", "id": "p1", "tags_added": tags}
    on_part = {**CONVERSATION, "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [part]}}
    for item in (on_item, on_part):
        found = events(envelope("conversation_part.tag.created", item))["conversation-tagged"]
        assert found == [Found("77:5", "77", 1_300), Found("77:6", "77", 1_300)]
    subjects = routes("conversation_part.tag.created")[0].subjects(Notification.of(envelope("x", on_item)))
    assert [s["tag"]["name"] for s in subjects] == ["vip", "urgent"]
    assert all(s["conversation"]["id"] == "77" for s in subjects)
    assert notification_problem(read(envelope("conversation_part.tag.created", CONVERSATION))) == (
        "data.item.tags_added",
        "must list the tags added",
    )


def test_tickets_leads_and_deletions() -> None:
    ticket = {
        "type": "ticket",
        "id": "6000001",
        "created_at": 1_000,
        "updated_at": 1_350,
        "ticket_state": {"id": "8322"},
    }
    assert events(envelope("ticket.created", ticket))["ticket-created"] == [Found("6000001", "6000001", 1_000)]
    assert events(envelope("ticket.state.updated", ticket))["ticket-state-changed"] == [
        Found("6000001", "6000001", 1_350)  # numbered by the worker from the log (tests/triggers)
    ]
    lead = {"type": "contact", "role": "lead", "id": "l1", "created_at": 1_000, "updated_at": "1970-01-01T00:22:30Z"}
    assert events(envelope("contact.lead.updated", lead))["lead-updated"] == [Found("l1:1350", "l1", 1_350)]
    assert "lead-updated" not in events(envelope("contact.lead.updated", {**lead, "role": "user"}))
    deleted = {"type": "contact", "id": "c9", "external_id": "ext-9", "deleted": True}
    assert events(envelope("contact.deleted", deleted))["contact-deleted"] == [Found("c9", "c9", 1_400)]
    (subject,) = routes("contact.deleted")[0].subjects(Notification.of(envelope("contact.deleted", deleted)))
    assert subject == {"id": "c9", "external_id": "ext-9", "deleted_at": 1_400}
    assert notification_problem(read(envelope("contact.deleted", {"type": "contact"}))) == (
        "data.item.id",
        "must be an Intercom id (1-64 letters, digits, '_' or '-')",
    )


def test_a_contact_tag_without_its_own_time_takes_the_notifications() -> None:
    tagging = {"type": "contact_tag", "tag": {"id": "5", "name": "vip"}, "contact": {"id": "c1", "role": "user"}}
    assert events(envelope("contact.user.tag.created", tagging))["contact-tagged"] == [Found("c1:5", "c1", 1_400)]


def test_every_topic_but_ping_is_an_intercom_notification_keyed_by_its_id() -> None:
    assert events(envelope("event.created", {"type": "event", "id": "e1"})) == {"intercom-notification": NOTIFIED}
    assert routes("ping") == ()
    (subject,) = routes("event.created")[0].subjects(Notification.of(envelope("event.created", {"id": "e1"})))
    assert subject == {"id": NOTIFIED[0].key, "topic": "event.created", "created_at": 1_400, "item": {"id": "e1"}}
    assert notification_problem(read(envelope("event.created", {}, id=None))) == (
        "id",
        "must be an Intercom id (1-64 letters, digits, '_' or '-')",
    )
    assert notification_problem(read(envelope("event.created", {}, created_at="soon"))) == (
        "created_at",
        "must be Unix seconds or an ISO-8601 timestamp with an offset",
    )
