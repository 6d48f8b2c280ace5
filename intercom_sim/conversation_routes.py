"""The `/conversations` endpoints: list, search, get (with its parts), start one from a contact, reply, parts
(close / open / snoozed / assignment) and tags (add, remove)."""

from __future__ import annotations

from typing import Any

from intercom_sim.errors import ApiError
from intercom_sim.paging import list_by_seq, pages, query_per_page
from intercom_sim.render import render_message, render_part
from intercom_sim.search import search
from intercom_sim.workspace import Workspace


def conversations_route(
    ws: Workspace, method: str, seg: list[str], query: dict[str, list[str]], body: dict[str, Any]
) -> tuple[int, Any]:
    if len(seg) == 1 and method == "GET":
        ids, nxt, total = list_by_seq(ws.conversation_seq, query, 20)
        return 200, {
            "type": "conversation.list",
            "conversations": [ws.conversation_json(ws.store.conversations[i]) for i in ids],
            "total_count": total,
            "pages": pages(query_per_page(query, 20), total, nxt),
        }
    if len(seg) == 1 and method == "POST":
        return 200, _start(ws, body)
    if seg[1:] == ["search"] and method == "POST":
        return 200, search(ws, body, kind="conversations")
    if len(seg) == 2 and method == "GET":
        return 200, _full(ws, ws.conversation_or_error(seg[1]))
    if len(seg) == 3 and method == "POST":
        if seg[2] == "reply":
            return 200, _full(ws, _reply(ws, seg[1], body))
        if seg[2] == "parts":
            fields = {k: body[k] for k in ("body", "snoozed_until", "type", "assignee_id") if k in body}
            record = ws.change_conversation(seg[1], _text(body, "message_type"), _text(body, "admin_id"), **fields)
            return 200, _full(ws, record)
        if seg[2] == "tags":
            return 200, ws.tag_conversation(seg[1], _text(body, "id"), _text(body, "admin_id"))
    if len(seg) == 4 and seg[2] == "tags" and method == "DELETE":
        return 200, ws.untag_conversation(seg[1], seg[3], _text(body, "admin_id"))
    raise ApiError(404, "not_found", "Resource Not Found")


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ApiError(400, "parameter_not_found", f"{key} is required")
    return value


def _start(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    sender = body.get("from")
    if not isinstance(sender, dict):
        raise ApiError(400, "parameter_not_found", "from is required")
    record = ws.start_conversation(_text(sender, "id"), _text(body, "body"), role=_text(sender, "type"))
    return render_message(record)


def _reply(ws: Workspace, conv_id: str, body: dict[str, Any]) -> dict[str, Any]:
    message_type = _text(body, "message_type")
    if body.get("type") == "admin":
        if message_type not in ("comment", "note"):
            raise ApiError(400, "parameter_invalid", "message_type must be comment or note")
        return ws.reply_to_conversation(
            conv_id,
            author_type="admin",
            author_id=_text(body, "admin_id"),
            body=_text(body, "body"),
            note=message_type == "note",
        )
    if body.get("type") == "user":
        if message_type != "comment":
            raise ApiError(400, "parameter_invalid", "a contact's reply is a comment")
        contact = _replying_contact(ws, body)
        return ws.reply_to_conversation(
            conv_id, author_type=contact["role"], author_id=contact["id"], body=_text(body, "body")
        )
    raise ApiError(400, "parameter_invalid", "type must be admin or user")


def _replying_contact(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    """The contact a `type: user` reply names: `intercom_user_id`, else `email`, else `user_id` (external id)."""
    if isinstance(body.get("intercom_user_id"), str):
        return ws.contact_or_error(body["intercom_user_id"])
    for key, field in (("email", "email"), ("user_id", "external_id")):
        value = body.get(key)
        if isinstance(value, str) and value:
            for contact in ws.store.contacts.values():
                if str(contact.get(field) or "").lower() == value.lower():
                    return contact
            raise ApiError(404, "not_found", "User Not Found")
    raise ApiError(400, "parameter_not_found", "intercom_user_id, email or user_id is required")


def _full(ws: Workspace, record: dict[str, Any]) -> dict[str, Any]:
    """A conversation as `GET /conversations/{id}` answers it: with its parts."""
    rendered = ws.conversation_json(record)
    parts = record.get("parts", [])
    rendered["conversation_parts"] = {
        "type": "conversation_part.list",
        "conversation_parts": [render_part(p) for p in parts],
        "total_count": len(parts),
    }
    return rendered
