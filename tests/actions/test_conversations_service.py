"""shared/actions/conversations/service.py against the simulator: start as a contact, get, list by state with
sealed cursors,
reply (admin, note, contact), close / open / snooze / assign, tag; admin_id defaulting to the token's admin; each
request rule; and Intercom's 404s named by field."""

from __future__ import annotations

import time
from typing import Any

import pytest

from intercom_sim import Simulator
from shared.actions.conversations import service as conv
from shared.actions.conversations.requests import (
    AssignConversation,
    CloseConversation,
    ListConversations,
    OpenConversation,
    ReplyToConversation,
    SnoozeConversation,
    StartConversation,
    TagConversation,
)
from shared.actions.parsing import parse
from shared.errors import BadRequest, NotFound
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.me import reset_me_cache

KEY = b"v" * 32
ME = "991267001"  # the simulator's token owner


def deadline() -> Deadline:
    return Deadline.after(5)


@pytest.fixture(autouse=True)
def _fresh_me() -> None:
    reset_me_cache()


def start(client: IntercomClient, contact_id: str, body: str = "Help!") -> Any:
    return conv.start_conversation(
        client, parse(StartConversation, {"contact_id": contact_id, "body": body}), deadline()
    )


def test_start_as_a_lead_and_as_a_user(intercom: Simulator, client: IntercomClient) -> None:
    for role in ("lead", "user"):
        contact = intercom.add_contact(role, email=f"{role}@x.io")
        started = start(client, contact["id"], f"<p>from a {role}</p>")
        assert started.user.id == contact["id"]
        assert started.conversation_message.author.type == role
        assert started.conversation_message.body == f"<p>from a {role}</p>"
        assert (started.state, started.open, started.tags.tags) == ("open", True, [])
        assert started.statistics.last_close_at is None
    merged = intercom.add_contact("lead", email="merged@x.io")
    intercom.merge_contact(merged["id"], intercom.add_contact("user", email="kept@x.io")["id"])
    for gone in ("ffff0000ffff0000ffff0000", merged["id"]):  # Intercom's 404, and its 410 for a merged contact
        with pytest.raises(NotFound) as missing:
            start(client, gone)
        assert missing.value.details[0]["field"] == "contact_id"
    assert len([r for r in intercom.requests() if r.method == "POST" and r.path == "/conversations"]) == 2


def test_a_started_conversation_is_answered_even_when_it_cannot_be_read(
    intercom: Simulator, client: IntercomClient
) -> None:
    """The message is written once Intercom accepted it: an error reading the conversation back must not invite the
    caller to send it again. Intercom's limit (2 calls per 10-second window) refuses the read-back."""
    lead = intercom.add_contact("lead", email="once@x.io")
    time.sleep(10 - time.time() % 10 + 0.05)  # the three calls fall in one window of Intercom's limit
    intercom.configure(rate_limit_per_10s=2)
    request = parse(StartConversation, {"contact_id": lead["id"], "body": "Hello?"})
    started = conv.start_conversation(client, request, Deadline.after(3))
    intercom.configure(rate_limit_per_10s=None)
    stored = intercom.conversations()[-1]
    calls = [(r.method, r.path, r.status) for r in intercom.requests()]
    assert [c for c in calls if c[0] == "POST"] == [("POST", "/conversations", 200)]
    assert ("GET", f"/conversations/{stored['id']}", 200) not in calls, "the read-back was refused"
    assert (started.id, started.user.id, started.state) == (stored["id"], lead["id"], "open")
    assert started.conversation_message.body == "Hello?"
    assert started.conversation_message.author.type == "lead"


def test_admin_actions_default_to_the_tokens_admin(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="u@x.io")
    conversation_id = start(client, user["id"]).id
    closed = conv.close(client, conversation_id, parse(CloseConversation, {"body": "Bye"}), deadline())
    assert (closed.state, closed.open) == ("closed", False)
    assert closed.statistics.last_close_at is not None
    part = intercom.requests()[-1]
    assert (part.path, part.json["admin_id"], part.json["body"]) == (
        f"/conversations/{conversation_id}/parts",
        ME,
        "Bye",
    )
    reopened = conv.reopen(client, conversation_id, parse(OpenConversation, {"admin_id": "991267002"}), deadline())
    assert reopened.state == "open"
    assert intercom.requests()[-1].json["admin_id"] == "991267002"
    assert sum(1 for r in intercom.requests() if r.path == "/me") == 1


def test_reply_as_admin_note_and_as_contact(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="r@x.io")
    conversation_id = start(client, user["id"]).id
    conv.reply(client, conversation_id, parse(ReplyToConversation, {"body": "Hello"}), deadline())
    assert intercom.requests()[-1].json == {"message_type": "comment", "body": "Hello", "type": "admin", "admin_id": ME}
    conv.reply(
        client, conversation_id, parse(ReplyToConversation, {"body": "psst", "message_type": "note"}), deadline()
    )
    as_contact = parse(ReplyToConversation, {"body": "Thanks", "contact_id": user["id"]})
    conv.reply(client, conversation_id, as_contact, deadline())
    assert intercom.requests()[-1].json["intercom_user_id"] == user["id"]
    parts = client.get(f"/conversations/{conversation_id}", deadline=deadline())["conversation_parts"]
    assert [p["part_type"] for p in parts["conversation_parts"]] == ["comment", "note", "comment"]
    for body, fields in (
        ({"body": "x", "contact_id": user["id"], "admin_id": ME}, ["admin_id", "contact_id"]),
        ({"body": "x", "contact_id": user["id"], "message_type": "note"}, ["message_type"]),
    ):
        with pytest.raises(BadRequest) as refused:
            conv.reply(client, conversation_id, parse(ReplyToConversation, body), deadline())
        assert [d["field"] for d in refused.value.details] == fields


def test_snooze_in_the_future_any_offset(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="s@x.io")
    conversation_id = start(client, user["id"]).id
    request = parse(SnoozeConversation, {"snoozed_until": "2100-01-01T02:00:00+02:00"})
    assert request.snoozed_until == 4102444800
    snoozed = conv.snooze(client, conversation_id, request, deadline())
    assert (snoozed.state, snoozed.open) == ("snoozed", False)
    with pytest.raises(BadRequest) as past:
        conv.snooze(client, conversation_id, parse(SnoozeConversation, {"snoozed_until": 1000}), deadline())
    assert past.value.details[0]["field"] == "snoozed_until"


def test_assign_to_admin_team_and_nobody(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="a@x.io")
    conversation_id = start(client, user["id"]).id
    assigned = conv.assign(client, conversation_id, parse(AssignConversation, {"assignee_id": "991267002"}), deadline())
    assert assigned.assignee.id == "991267002"
    conv.assign(client, conversation_id, parse(AssignConversation, {"assignee_id": "5001"}), deadline())
    assert intercom.requests()[-1].json["type"] == "team"
    unassigned = conv.assign(client, conversation_id, parse(AssignConversation, {"assignee_id": "0"}), deadline())
    assert unassigned.assignee.id is None


def test_tag_creates_the_tag_and_shows_on_the_conversation(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="t@x.io")
    conversation_id = start(client, user["id"]).id
    tag = conv.tag(client, conversation_id, parse(TagConversation, {"name": "Urgent"}), deadline())
    assert tag == conv.tag(client, conversation_id, parse(TagConversation, {"name": "Urgent"}), deadline())
    got = conv.get_conversation(client, conversation_id, deadline())
    assert [(t.id, t.name) for t in got.tags.tags] == [(tag.id, "Urgent")]


def test_404s_name_the_conversation_or_the_admin(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="n@x.io")
    conversation_id = start(client, user["id"]).id
    cases: list[tuple[str, Any, str]] = [
        ("999", parse(CloseConversation, {}), "id"),
        (conversation_id, parse(CloseConversation, {"admin_id": "424242"}), "admin_id"),
    ]
    for target, request, field in cases:
        with pytest.raises(NotFound) as missing:
            conv.close(client, target, request, deadline())
        assert missing.value.details[0]["field"] == field
    with pytest.raises(NotFound):
        conv.get_conversation(client, "999", deadline())
    with pytest.raises(NotFound) as untagged:
        conv.tag(client, "999", parse(TagConversation, {"name": "X"}), deadline())
    assert untagged.value.details[0]["field"] == "id"


def test_list_by_state_pages_with_sealed_cursors(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="l@x.io")
    ids = [intercom.add_conversation(user["id"], created_at=1_700_000_000 + i, index=False)["id"] for i in range(5)]
    for conversation_id in ids[:2]:
        intercom.update_conversation(conversation_id, state="closed")
    intercom.configure(index_delay=(0, 0))

    def every(**query: Any) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            page = conv.list_conversations(
                client, parse(ListConversations, {**query, **({"cursor": cursor} if cursor else {})}), KEY, deadline()
            )
            seen += [c.id for c in page.value]
            cursor = page.next_cursor
            if cursor is None:
                return seen

    assert every(per_page="2") == ids
    assert every(per_page="1", state="closed") == ids[:2]
    assert every(state="open") == ids[2:]
    assert every(state="snoozed") == []
    first = conv.list_conversations(client, parse(ListConversations, {"per_page": "1"}), KEY, deadline())
    assert first.next_cursor is not None
    with pytest.raises(BadRequest) as other_list:
        conv.list_conversations(
            client, parse(ListConversations, {"cursor": first.next_cursor, "state": "open"}), KEY, deadline()
        )
    assert other_list.value.details[0]["field"] == "cursor"


BAD: list[tuple[type[Any], dict[str, Any], str]] = [
    (StartConversation, {"body": "x"}, "contact_id"),
    (StartConversation, {"contact_id": "a/b", "body": "x"}, "contact_id"),
    (StartConversation, {"contact_id": "abc", "body": ""}, "body"),
    (StartConversation, {"contact_id": "abc", "body": "x" * 20_001}, "body"),
    (ReplyToConversation, {"body": "x", "message_type": "quick_reply"}, "message_type"),
    (ReplyToConversation, {"body": "x", "admin_id": 5}, "admin_id"),
    (ReplyToConversation, {"body": "x", "admin_id": "../me"}, "admin_id"),
    (SnoozeConversation, {}, "snoozed_until"),
    (SnoozeConversation, {"snoozed_until": "tomorrow"}, "snoozed_until"),
    (SnoozeConversation, {"snoozed_until": "2030-01-01T00:00:00"}, "snoozed_until"),
    (SnoozeConversation, {"snoozed_until": True}, "snoozed_until"),
    (AssignConversation, {}, "assignee_id"),
    (CloseConversation, {"body": "x" * 20_001}, "body"),
    (TagConversation, {"name": ""}, "name"),
    (TagConversation, {"name": "x", "colour": "red"}, "colour"),
    (ListConversations, {"state": "pending"}, "state"),
    (ListConversations, {"per_page": "0"}, "per_page"),
]


def test_blank_optional_messages_are_not_given() -> None:
    assert parse(CloseConversation, {"body": ""}).body is None
    assert parse(AssignConversation, {"assignee_id": "0", "body": "  "}).body is None


@pytest.mark.parametrize(("model", "data", "field"), BAD)
def test_bad_input_names_the_field(model: type[Any], data: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse(model, data)
    assert field in [d["field"] for d in refused.value.details]
