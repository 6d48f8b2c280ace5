"""Intercom's webhook notifications: which topics a write fires, the `data.item` of each, the envelope, the signature.

Pure functions over the REST JSON of `render.py`; `webhooks.py` delivers what these build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from intercom_sim.render import ADMIN_ID, APP_ID

# Objects whose `*_at` fields real payloads carry as ISO-8601 strings, and the form of each (ZU captures, 2026-01).
ISO_FORMS = {
    "contact": "%Y-%m-%dT%H:%M:%S.000+00:00",
    "company": "%Y-%m-%dT%H:%M:%S.000+00:00",
    "conversation_statistics": "%Y-%m-%dT%H:%M:%S.000Z",
}
LINKED = ("tags", "companies", "notes")
PING_ITEM = {"type": "ping", "message": "something something interzen"}


def contact_notices(
    before: dict[str, Any] | None, after: dict[str, Any], at: int, *, signed_up: bool
) -> list[tuple[str, dict[str, Any]]]:
    """(topic, item) of each notification a contact write fires, from its REST JSON before (None: new) and after."""
    return [(topic, _contact_item(topic, after, at)) for topic in _contact_topics(before, after, signed_up)]


def _contact_topics(before: dict[str, Any] | None, after: dict[str, Any], signed_up: bool) -> list[str]:
    role = after["role"]
    if before is None:
        return [f"contact.{role}.created"]
    topics = []
    if before["role"] == "lead" and role == "user" and signed_up:
        topics.append("contact.lead.signed_up")
    if _attributes(before) != _attributes(after):
        topics.append(f"contact.{role}.updated")
    if role == "lead" and not before["email"] and after["email"]:
        topics.append("contact.lead.added_email")
    if after["unsubscribed_from_emails"] and not before["unsubscribed_from_emails"]:
        topics.append("contact.unsubscribed")
    return topics


def _attributes(contact: dict[str, Any]) -> dict[str, Any]:
    """What an update changes: everything but the linked lists (tagging or attaching a company is no update, and
    leaves `updated_at` alone); a change within the same second as the last one still counts."""
    return {k: v for k, v in contact.items() if k not in LINKED}


def _contact_item(topic: str, contact: dict[str, Any], at: int) -> dict[str, Any]:
    """The contact itself, or for `contact.unsubscribed` the captured `contact_unsubscribe` wrapper around it."""
    if topic == "contact.unsubscribed":
        return {
            "type": "contact_unsubscribe",
            "contact": contact,
            "subscription_types": {"type": "list", "data": []},
            "created_at": at,
        }
    return contact


def conversation_notices(
    before: dict[str, Any] | None, after: dict[str, Any], part_id: str
) -> list[tuple[str, dict[str, Any]]]:
    """(topic, item) of the notifications a conversation write that names none fires (the Python API's
    `add_conversation` / `update_conversation`): started by a contact, or closed. The writes of
    `conversation_writes.py` name their topics and parts themselves."""
    if before is None and after["source"]["author"]["type"] != "admin":
        return [("conversation.user.created", conversation_item(after, None))]
    if before is not None and after["state"] == "closed" and before["state"] != "closed":
        return [("conversation.admin.closed", conversation_item(after, _close_part(part_id, after["updated_at"])))]
    return []


def contact_tag_item(tag: dict[str, Any], contact: dict[str, Any], at: int) -> dict[str, Any]:
    return {"type": "contact_tag", "created_at": at, "tag": tag, "contact": contact}


def conversation_item(
    conversation: dict[str, Any], part: dict[str, Any] | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The conversation with only the triggering part (none for a new conversation: its source is the message),
    plus `extra` keys (`tags_added` of a tagging)."""
    parts = [] if part is None else [part]
    listed = {"type": "conversation_part.list", "conversation_parts": parts, "total_count": len(parts)}
    return {**conversation, **(extra or {}), "conversation_parts": listed}


def deleted_contact_item(contact: dict[str, Any]) -> dict[str, Any]:
    """`contact.deleted`: the minimal identification payload (2026 capture; "*.deleted topics")."""
    return {"id": contact["id"], "external_id": contact.get("external_id"), "type": "contact", "deleted": True}


def _close_part(part_id: str, at: int) -> dict[str, Any]:
    """The `close` part an admin's close adds (author: the token's admin of `GET /me`)."""
    return {
        "type": "conversation_part",
        "id": part_id,
        "part_type": "close",
        "body": None,
        "created_at": at,
        "updated_at": at,
        "notified_at": at,
        "assigned_to": None,
        "author": {"type": "admin", "id": ADMIN_ID, "name": "Simulated Admin", "email": "admin@example.com"},
        "attachments": [],
        "external_id": None,
        "redacted": False,
    }


def webhook_item(value: Any, *, iso: bool) -> Any:
    """A deep copy of an item; with `iso`, the Unix `*_at` fields of contacts, companies and conversation statistics
    become ISO-8601 strings (a conversation's own and its parts' timestamps stay Unix, as captured)."""
    if isinstance(value, list):
        return [webhook_item(v, iso=iso) for v in value]
    if not isinstance(value, dict):
        return value
    form = ISO_FORMS.get(value.get("type", "")) if iso else None
    out = {}
    for key, v in value.items():
        if form and key.endswith("_at") and isinstance(v, int) and not isinstance(v, bool):
            out[key] = dt.datetime.fromtimestamp(v, dt.UTC).strftime(form)
        else:
            out[key] = webhook_item(v, iso=iso)
    return out


def envelope(
    notif_id: str | None, topic: str, item: dict[str, Any], created_at: int, attempts: int, first_sent_at: int
) -> dict[str, Any]:
    """The `notification_event` around an item, as one delivery attempt sends it."""
    return {
        "type": "notification_event",
        "app_id": APP_ID,
        "data": {"type": "notification_event_data", "item": item},
        "links": {},
        "id": notif_id,
        "topic": topic,
        "delivery_status": None if topic == "ping" else "pending",
        "delivery_attempts": attempts,
        "delivered_at": 0,
        "first_sent_at": first_sent_at,
        "created_at": created_at,
        "self": None,
    }


def signature(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature` value: `sha1=` and the hex HMAC-SHA1 of the raw body under the app's client secret."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
