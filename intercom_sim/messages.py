"""`POST /messages`: an admin-initiated in-app or email message to one contact, and the contact's reply to it (the
Python API), which starts the conversation whose `source.id` is the message's id."""

from __future__ import annotations

from typing import Any

from intercom_sim.admins import ADMINS, admin_ids
from intercom_sim.errors import ApiError
from intercom_sim.workspace import Workspace

MESSAGE_TYPES = {"in_app": "inapp", "inapp": "inapp", "email": "email"}


def create_message(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    """The `admin_message` answer; `conversation_id` only when a conversation exists at once (see the docs)."""
    kind = MESSAGE_TYPES.get(str(body.get("message_type", "")))
    if kind is None:
        raise ApiError(400, "parameter_invalid", "message_type must be in_app or email")
    sender, recipient = body.get("from"), body.get("to")
    if not isinstance(sender, dict) or sender.get("type") != "admin":
        raise ApiError(400, "parameter_invalid", "from must be {type: admin, id}")
    admin_id = str(sender.get("id"))
    if admin_id not in admin_ids():
        raise ApiError(404, "admin_not_found", "Admin not found")
    if isinstance(recipient, list) and len(recipient) == 1:
        recipient = recipient[0]
    if not isinstance(recipient, dict) or recipient.get("type") not in ("user", "lead"):
        raise ApiError(400, "parameter_invalid", "to must be one {type: user|lead, id}")
    contact = ws.contact_or_error(str(recipient.get("id")))
    if contact["role"] != recipient["type"]:
        raise ApiError(404, "not_found", "User Not Found")
    text, subject = body.get("body"), body.get("subject")
    if not isinstance(text, str) or not text:
        raise ApiError(400, "parameter_invalid", "Body is required")
    if kind == "email":
        if not isinstance(subject, str) or not subject:
            raise ApiError(422, "parameter_not_found", "No subject supplied for email message")
        if body.get("template") not in ("plain", "personal"):
            raise ApiError(400, "parameter_invalid", "template must be plain or personal")
    now = ws.stamp()
    message = {
        "id": str(19 + len(ws.messages)),
        "created_at": now,
        "subject": subject if isinstance(subject, str) else "",
        "body": text,
        "message_type": kind,
        "admin_id": admin_id,
        "contact_id": contact["id"],
        "conversation_id": None,
    }
    ws.messages.append(message)
    if body.get("create_conversation_without_contact_reply") is True or ws.config.message_opens_conversation:
        message["conversation_id"] = _open_conversation(ws, message)
    return render_admin_message(message)


def render_admin_message(m: dict[str, Any]) -> dict[str, Any]:
    admin = next(a for a in ADMINS if a["id"] == m["admin_id"])
    rendered = {
        "type": "admin_message",
        "id": m["id"],
        "created_at": m["created_at"],
        "subject": m["subject"],
        "body": m["body"],
        "message_type": m["message_type"],
        "owner": {
            "type": "admin",
            "id": admin["id"],
            "name": admin["name"],
            "email": admin["email"],
            "away_mode_enabled": admin["away"],
            "away_mode_reassign": False,
        },
    }
    if m["conversation_id"] is not None:
        rendered["conversation_id"] = m["conversation_id"]
    return rendered


def _open_conversation(ws: Workspace, message: dict[str, Any]) -> str:
    contact = ws.contact_or_error(message["contact_id"])
    record = ws.new_conversation(contact, message["body"], message["created_at"], author_type="admin")
    record |= {
        "author_id": message["admin_id"],
        "source_id": message["id"],
        "subject": message["subject"] or None,
    }
    ws.insert_conversation(record, delayed=True)
    return str(record["id"])


def reply_to_message(ws: Workspace, message_id: str, body: str) -> dict[str, Any]:
    """The contact answers an admin's message: the conversation (made now, unless it exists) gets the reply."""
    message = next((m for m in ws.messages if m["id"] == message_id), None)
    if message is None:
        raise ApiError(404, "not_found", "Message not found")
    if message["conversation_id"] is None:
        message["conversation_id"] = _open_conversation(ws, message)
    contact = ws.contact_or_error(message["contact_id"])
    return ws.reply_to_conversation(
        message["conversation_id"], author_type=contact["role"], author_id=contact["id"], body=body
    )
