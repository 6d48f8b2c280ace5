"""The rules of the triggers of interface §9 one case at a time, on Intercom-shaped items (no simulator): versions keyed
by another field than the time, events only after creation, tags of conversations against those seen, and ticket
state changes numbered from what is logged, whether a poll or a notification sees them first."""

from __future__ import annotations

from typing import Any

from shared.triggers.eventlog import EventLog, NewEvent
from shared.triggers.markers import Markers
from shared.triggers.registry import TRIGGERS
from shared.triggers.rules import RULES, RuleContext, Selection, eligible, notified
from shared.triggers.topic_rules import Found

CUTOFF = 1_000


def select(trigger: str, items: list[dict[str, Any]], storage: str = "", connection: str = "") -> Selection:
    spec = TRIGGERS[trigger]
    log = EventLog(storage, connection, trigger) if storage else None
    markers = Markers(storage, connection, trigger) if storage and spec.markers else None
    context = RuleContext(CUTOFF, spec.field, markers, spec.version, log)
    return RULES[spec.rule](context, [item for item in items if eligible(spec, item)])


def keys(selection: Selection) -> list[str]:
    return [c.key for c in selection.candidates]


def conversation(**fields: Any) -> dict[str, Any]:
    return {"id": "7", "created_at": 900, "updated_at": 1_100, "state": "open", **fields}


def test_a_snooze_is_keyed_by_its_end_and_found_by_the_update() -> None:
    snoozed = conversation(state="snoozed", snoozed_until=9_000)
    selection = select("conversation-snoozed", [snoozed, conversation(id="8"), conversation(id="9", state="snoozed")])
    assert [(c.key, c.occurred_at) for c in selection.candidates] == [("7:9000", 1_100)]
    old = conversation(state="snoozed", snoozed_until=9_000, updated_at=999)  # updated before the window
    assert keys(select("conversation-snoozed", [old])) == []


def test_replies_assignments_and_ratings_by_their_own_times() -> None:
    replied = conversation(statistics={"last_contact_reply_at": 1_050, "last_admin_reply_at": 1_060})
    opening = conversation(id="8", created_at=1_010, statistics={"last_contact_reply_at": 1_010})  # no reply
    assert keys(select("conversation-contact-replied", [replied, opening])) == ["7:1050"]
    assert keys(select("conversation-admin-replied", [replied, opening])) == ["7:1060"]
    assigned = conversation(statistics={"last_assignment_at": 1_070})
    assert keys(select("conversation-assigned", [assigned, conversation(id="8")])) == ["7:1070"]
    rated = conversation(conversation_rating={"rating": 5, "created_at": 950, "updated_at": 1_080})
    assert [(c.key, c.occurred_at) for c in select("conversation-rated", [rated]).candidates] == [("7", 1_080)]
    assert keys(select("conversation-rated", [conversation(conversation_rating=None)])) == []


def test_a_lead_update_is_not_its_creation() -> None:
    lead = {"id": "l1", "role": "lead", "created_at": 1_000, "updated_at": 1_000}
    updated = {**lead, "id": "l2", "updated_at": 1_040}
    user = {**updated, "id": "u1", "role": "user"}
    assert keys(select("lead-updated", [lead, updated, user])) == ["l2:1040"]


def test_a_conversation_tag_fires_once_when_new_to_a_conversation_a_poll_saw(
    storage_conn: str, unique_name: str
) -> None:
    def tagged(conv_id: str, *tags: str, created_at: int = 900, updated_at: int = 1_100) -> dict[str, Any]:
        inline = {"type": "tag.list", "tags": [{"id": t, "name": f"name {t}"} for t in tags]}
        return conversation(id=conv_id, created_at=created_at, updated_at=updated_at, tags=inline)

    first = select(
        "conversation-tagged", [tagged("1", "a"), tagged("2", "b", created_at=1_050)], storage_conn, unique_name
    )
    assert keys(first) == ["2:b"]  # created in the window: its tags; seen first: its tags are recorded
    assert first.candidates[0].item["tag"] == {"id": "b", "name": "name b"}
    assert first.settle is not None
    first.settle({"2:b"})
    again = select("conversation-tagged", [tagged("1", "a", "c", updated_at=1_200)], storage_conn, unique_name)
    assert keys(again) == ["1:c"]
    assert set(again.candidates[0].item) == {"tag", "conversation"}


def ticket(state: str, updated_at: int, **fields: Any) -> dict[str, Any]:
    return {"id": "t1", "created_at": 900, "updated_at": updated_at, "ticket_state": {"id": state}, **fields}


def log_change(storage: str, connection: str, key: str, at: int) -> None:
    log = EventLog(storage, connection, "ticket-state-changed")
    checkpoint = log.checkpoint() or log.begin(0)
    log.commit(checkpoint, [NewEvent(key, key.split(":")[0], at, {})], watermark=checkpoint.watermark)


def test_ticket_state_changes_are_numbered_from_the_log(storage_conn: str, unique_name: str) -> None:
    def changes(*items: dict[str, Any]) -> list[str]:
        return keys(select("ticket-state-changed", list(items), storage_conn, unique_name))

    assert changes(ticket("submitted", 1_010)) == []  # first sight: the state it is compared with
    assert changes(ticket("submitted", 1_020)) == []  # seen again unchanged
    assert changes(ticket("open", 1_030)) == ["t1:open:1"]
    log_change(storage_conn, unique_name, "t1:open:1", 1_030)
    assert changes(ticket("open", 1_040)) == []  # logged: no second event for the same change
    assert changes(ticket("submitted", 1_050)) == ["t1:submitted:2"]  # back: a change of its own
    log_change(storage_conn, unique_name, "t1:submitted:2", 1_050)
    assert changes(ticket("open", 1_045)) == []  # an older version than the last change logged
    assert changes({**ticket("resolved", 1_060), "ticket_state": "resolved"}) == ["t1:resolved:3"]  # a flat state


def test_a_notified_state_change_takes_the_key_a_poll_gives(storage_conn: str, unique_name: str) -> None:
    spec = TRIGGERS["ticket-state-changed"]
    log = EventLog(storage_conn, unique_name, spec.name)

    def key(state: str, at: int) -> str | None:
        found = notified(spec, log, ticket(state, at), Found("t1", "t1", at))
        return None if found is None else found.key

    assert key("open", 1_030) == "t1:open:1"  # nothing logged: a notification says a change happened
    log_change(storage_conn, unique_name, "t1:open:1", 1_030)
    assert key("open", 1_030) is None  # the same change again (a duplicate, or the poll logged it)
    assert key("submitted", 1_020) is None  # older than the change logged
    assert key("resolved", 1_040) == "t1:resolved:2"
    lead = TRIGGERS["lead-updated"]
    created = {"id": "l1", "role": "lead", "created_at": 1_000, "updated_at": 1_000}
    assert notified(lead, log, created, Found("l1:1000", "l1", 1_000)) is None  # a creation is no update
    updated = {**created, "updated_at": 1_001}
    assert notified(lead, log, updated, Found("l1:1001", "l1", 1_001)) == Found("l1:1001", "l1", 1_001)
