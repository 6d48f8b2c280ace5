"""The conversation actions (interface §7): start one as a contact, get, list, reply, close / open / snooze / assign,
tag.

Each function takes the connection's IntercomClient, a validated request (shared/actions/conversations/requests.py)
and the caller's Deadline, and returns the connector's Conversation (shared/models/conversations.py). An action that
acts as an admin defaults `admin_id` to the token's own admin (`GET /me`, cached). Writes that are not idempotent (a
new conversation, a reply, a state change) are never sent twice; the decisions are written up in docs/actions.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

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
from shared.actions.paging import Page, next_search_cursor, search_page, search_position
from shared.actions.refusals import is_about, not_found
from shared.actions.tagging import tag_by_name
from shared.actions.workspace import acting_admin, assignee_kind
from shared.errors import BadRequest, ConnectorError, NotFound, UpstreamFailed
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomNotFound
from shared.models.conversations import Conversation, conversation_to_model
from shared.models.tags import Tag

log = logging.getLogger("shared.actions.conversations.service")

CURSOR_PURPOSE = "list-conversations"
STATES = ("open", "closed", "snoozed")


def start_conversation(client: IntercomClient, request: StartConversation, deadline: Deadline) -> Conversation:
    """The contact writes `body` (`POST /conversations`); Intercom answers the message, so the new conversation is
    read once it names it. The contact is read first: Intercom's `from.type` is its role, and a missing contact is a
    404 naming `contact_id` before anything is written."""
    try:
        contact = client.get(f"/contacts/{request.contact_id}", deadline=deadline)
    except IntercomNotFound:  # 410 (merged) included
        raise not_found("contact", request.contact_id, "contact_id") from None
    role = contact.get("role") if isinstance(contact, dict) else None
    sender = {"type": role if role in ("user", "lead") else "contact", "id": request.contact_id}
    message = client.post("/conversations", {"from": sender, "body": request.body}, deadline=deadline)
    conversation_id = message.get("conversation_id") if isinstance(message, dict) else None
    if not conversation_id:
        raise UpstreamFailed("Intercom sent the message but did not say which conversation it started")
    try:
        return get_conversation(client, str(conversation_id), deadline)
    except ConnectorError as error:
        # The message is written: failing now would invite a retry that writes it twice. Answer what is known.
        log.warning("conversation %s not read after it started: %s", conversation_id, error.code)
        return conversation_to_model(
            {
                "id": conversation_id,
                "created_at": message.get("created_at"),
                "updated_at": message.get("created_at"),
                "state": "open",
                "open": True,
                "source": {"body": request.body, "author": sender},
                "contacts": {"contacts": [{"type": "contact", "id": request.contact_id}]},
            }
        )


def get_conversation(client: IntercomClient, conversation_id: str, deadline: Deadline) -> Conversation:
    try:
        answer = client.get(f"/conversations/{conversation_id}", deadline=deadline)
    except IntercomNotFound:
        raise not_found("conversation", conversation_id) from None
    return _model(answer)


def list_conversations(
    client: IntercomClient, query: ListConversations, cursor_key: bytes, deadline: Deadline
) -> Page[Conversation]:
    """One page of Intercom's conversation search, oldest first, optionally in one `state`; the next cursor is sealed.

    Search is what filters by state; like every Intercom search it shows a new conversation after a short delay."""
    connection = client.connection.name
    after = search_position(cursor_key, CURSOR_PURPOSE, connection, query.cursor, s=query.state)
    where = {"field": "state", "operator": "IN", "value": [query.state] if query.state else list(STATES)}
    found = search_page(client, "/conversations/search", where, query.per_page, after, deadline)
    items = found.get("conversations") if isinstance(found, dict) else None
    value = [_model(c) for c in items or [] if isinstance(c, dict) and c.get("id") is not None]
    cursor = next_search_cursor(cursor_key, CURSOR_PURPOSE, connection, found, s=query.state)
    return Page(value, cursor)


def reply(
    client: IntercomClient, conversation_id: str, request: ReplyToConversation, deadline: Deadline
) -> Conversation:
    """An admin's comment or note, or the contact's comment (`POST /conversations/{id}/reply`)."""
    request.check()
    body: dict[str, Any] = {"message_type": request.message_type, "body": request.body}
    if request.contact_id is not None:
        body |= {"type": "user", "intercom_user_id": request.contact_id}
    else:
        body |= {"type": "admin", "admin_id": acting_admin(client, request.admin_id, deadline)}
    return _write(client, conversation_id, "reply", body, deadline)


def close(client: IntercomClient, conversation_id: str, request: CloseConversation, deadline: Deadline) -> Conversation:
    body: dict[str, Any] = {"message_type": "close", "type": "admin"}
    if request.body is not None:
        body["body"] = request.body
    return _part(client, conversation_id, body, request.admin_id, deadline)


def reopen(client: IntercomClient, conversation_id: str, request: OpenConversation, deadline: Deadline) -> Conversation:
    return _part(client, conversation_id, {"message_type": "open"}, request.admin_id, deadline)


def snooze(
    client: IntercomClient,
    conversation_id: str,
    request: SnoozeConversation,
    deadline: Deadline,
    *,
    clock: Callable[[], float] = time.time,
) -> Conversation:
    if request.snoozed_until <= clock():
        raise BadRequest.field("snoozed_until", "must lie in the future")
    body = {"message_type": "snoozed", "snoozed_until": request.snoozed_until}
    return _part(client, conversation_id, body, request.admin_id, deadline)


def assign(
    client: IntercomClient, conversation_id: str, request: AssignConversation, deadline: Deadline
) -> Conversation:
    """Assign to an admin or a team (which one the id is, Intercom's admin and team lists tell); `0` unassigns."""
    kind = assignee_kind(client, request.assignee_id, deadline)
    body: dict[str, Any] = {"message_type": "assignment", "type": kind, "assignee_id": request.assignee_id}
    if request.body is not None:
        body["body"] = request.body
    return _part(client, conversation_id, body, request.admin_id, deadline)


def tag(client: IntercomClient, conversation_id: str, request: TagConversation, deadline: Deadline) -> Tag:
    """Tag the conversation, creating the tag when missing (`POST /tags`, then `POST /conversations/{id}/tags`;
    both leave the same state when repeated, so both are safe to retry)."""
    admin_id = acting_admin(client, request.admin_id, deadline)
    found = tag_by_name(client, request.name, deadline)
    try:
        client.request(
            "POST",
            f"/conversations/{conversation_id}/tags",
            json={"id": found.id, "admin_id": admin_id},
            deadline=deadline,
            idempotent=True,
        )
    except IntercomNotFound as error:
        raise _admin_or_conversation(error, conversation_id, request.admin_id) from None
    return found


def untag(client: IntercomClient, conversation_id: str, tag_id: str, admin_id: str | None, deadline: Deadline) -> None:
    """Remove the tag from the conversation (`DELETE /conversations/{id}/tags/{tag_id}` with `admin_id`); a 404
    naming `tag_id` when the conversation does not carry it. Never repeated blindly (a repeat would meet a 404)."""
    acting = acting_admin(client, admin_id, deadline)
    try:
        client.request(
            "DELETE",
            f"/conversations/{conversation_id}/tags/{tag_id}",
            json={"admin_id": acting},
            deadline=deadline,
            idempotent=False,
        )
    except IntercomNotFound as error:
        if is_about(error, "tag"):
            raise NotFound(
                f"conversation {conversation_id} has no tag with id {tag_id}",
                details=[{"field": "tag_id", "message": "no such tag on this conversation"}],
            ) from None
        raise _admin_or_conversation(error, conversation_id, admin_id) from None


def _part(
    client: IntercomClient, conversation_id: str, body: dict[str, Any], admin_id: str | None, deadline: Deadline
) -> Conversation:
    return _write(
        client, conversation_id, "parts", {**body, "admin_id": acting_admin(client, admin_id, deadline)}, deadline
    )


def _write(
    client: IntercomClient, conversation_id: str, kind: str, body: dict[str, Any], deadline: Deadline
) -> Conversation:
    try:
        answer = client.post(f"/conversations/{conversation_id}/{kind}", body, deadline=deadline)
    except IntercomNotFound as error:
        raise _admin_or_conversation(
            error, conversation_id, body.get("admin_id"), body.get("intercom_user_id")
        ) from None
    return _model(answer)


def _admin_or_conversation(
    error: IntercomNotFound, conversation_id: str, admin_id: Any, contact_id: Any = None
) -> NotFound:
    """Intercom's 404 names what it did not find in its code or message: an admin, a contact, or the conversation."""
    said = f"{error.intercom_code or ''} {error.message}".lower()
    if admin_id and "admin" in said:
        return not_found("admin", str(admin_id), "admin_id")
    if contact_id and ("user" in said or "contact" in said):
        return not_found("contact", str(contact_id), "contact_id")
    return not_found("conversation", conversation_id)


def _model(answer: Any) -> Conversation:
    if not isinstance(answer, dict) or answer.get("id") is None:
        raise UpstreamFailed("Intercom answered a conversation without an id")
    return conversation_to_model(answer)
