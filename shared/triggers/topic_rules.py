"""How a webhook notification is a trigger's event, under the key a poll gives it (interface §6, §9).

A trigger's `Webhook` declarations (shared/triggers/registry.py) name the topic, the subject the item is to it
(`Form`), the key paths, the time path (`at`), the role the contact must have and where the object is. These
functions read a notification with them: the subjects (the objects the events are about, as the trigger's body
builder takes them), each one's identity, and what the notification lacks for them. `data.item` is the object as
Intercom's REST API shows it, timestamps as Unix seconds or ISO-8601 strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.triggers.registry import EVERY_TOPIC, Form, Webhook

PING = "ping"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_SECONDS = 253_402_300_800  # 10000-01-01: anything later is no timestamp (e.g. milliseconds sent as seconds)
_NUMBER = re.compile(r"^\d{1,12}(\.\d+)?$")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_SECONDS = 253_402_300_800  # 10000-01-01: anything later is no timestamp (e.g. milliseconds sent as seconds)
_NUMBER = re.compile(r"^\d{1,12}(\.\d+)?$")


def unix_seconds(value: Any) -> int | None:
    """Unix seconds (floored) from what items carry: a number, or a string of one, or ISO-8601 with an offset (`Z`,
    `+00:00`, `+05:45`; seconds with or without a fraction, as 2026 payloads carry them); else None. Times before
    1970 or after 9999, NaN, infinities, booleans and ISO-8601 without an offset (ambiguous) are None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.match(text):
            value = float(text) if "." in text else int(text)
        else:
            return _iso_seconds(text)
    if isinstance(value, int):
        return value if 0 <= value < MAX_SECONDS else None
    if isinstance(value, float):
        return math.floor(value) if math.isfinite(value) and 0 <= value < MAX_SECONDS else None
    return None


def _iso_seconds(text: str) -> int | None:
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    try:
        seconds = (moment - EPOCH) // timedelta(seconds=1)
    except OverflowError:
        return None
    return seconds if 0 <= seconds < MAX_SECONDS else None


@dataclass(frozen=True)
class Found:
    """An event's identity: its log key, the object's id, and when it occurred (Intercom's Unix seconds)."""

    key: str
    object_id: str
    occurred_at: int


@dataclass(frozen=True)
class Notification:
    """What the rules read of a notification: its envelope's `id`, `topic`, `created_at`, its `data.item` (`item`:
    timestamps as the REST API gives them, or as sent; `raw`: exactly as sent)."""

    id: Any
    topic: str
    created_at: Any
    item: Mapping[str, Any]
    raw: Mapping[str, Any]

    @classmethod
    def of(cls, envelope: Mapping[str, Any], item: Mapping[str, Any] | None = None) -> Notification:
        data = envelope.get("data")
        raw = data.get("item") if isinstance(data, Mapping) else None
        raw = raw if isinstance(raw, Mapping) else {}
        return cls(envelope.get("id"), str(envelope.get("topic")), envelope.get("created_at"), item or raw, raw)


def feeds(webhook: Webhook, topic: str) -> bool:
    """Whether the webhook takes this topic (`*`: every topic but `ping`)."""
    return topic == webhook.topic or (webhook.topic == EVERY_TOPIC and topic != PING)


def _dig(item: Mapping[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Intercom's ids; anything else could not be a log key


def _object_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value) if _ID.match(str(value)) else None


def is_stamp_name(name: str) -> bool:
    """Whether a field holds a timestamp (Unix seconds in REST, ISO-8601 in some notifications)."""
    return name.endswith("_at") or name == "snoozed_until"


def _key_part(path: str, value: Any) -> str | None:
    """A part of a key: a timestamp as Unix seconds (a field named as one), else an Intercom id."""
    if is_stamp_name(path.rsplit(".", 1)[-1]):
        stamp = unix_seconds(value)
        return None if stamp is None else str(stamp)
    return _object_id(value)


def _tags_added(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The tags a `conversation_part.tag.created` adds: `tags_added` on the conversation, else on its parts."""
    holders = [item]
    parts = _dig(item, "conversation_parts.conversation_parts")
    holders += [p for p in parts if isinstance(p, Mapping)] if isinstance(parts, list) else []
    for holder in holders:
        tags = _dig(holder, "tags_added.tags")
        if isinstance(tags, list) and tags:
            return [tag for tag in tags if isinstance(tag, Mapping)]
    return []


def subjects(webhook: Webhook, sent: Notification) -> list[Mapping[str, Any]]:
    """What the events of this notification are about, as the trigger's body builder takes them."""
    item = sent.item
    if webhook.form is Form.TAGS_ADDED:
        return [{"tag": tag, "conversation": item} for tag in _tags_added(item)]
    if webhook.form is Form.DELETED:
        return [{"id": item.get("id"), "external_id": item.get("external_id"), "deleted_at": sent.created_at}]
    if webhook.form is Form.NOTIFICATION:
        return [{"id": sent.id, "topic": sent.topic, "created_at": sent.created_at, "item": sent.raw}]
    # A wrapper's object is also taken when the item is that object itself (`contact.unsubscribed` is documented as
    # carrying a Subscription, captured as a `contact_unsubscribe` around the contact: a bare contact would do too).
    if webhook.within is None or item.get("type") == webhook.within:
        return [item]
    inner = item.get(webhook.within)
    return [inner] if isinstance(inner, Mapping) else []


def _at(webhook: Webhook, subject: Mapping[str, Any], sent: Notification) -> int | None:
    return unix_seconds(_dig(subject, webhook.at))


def identify(webhook: Webhook, subject: Mapping[str, Any], sent: Notification) -> Found | None:
    """The event this subject is on the webhook's trigger, or None (another role: not its event; a part missing)."""
    if webhook.role is not None and subject.get("role") != webhook.role:
        return None
    parts = [_key_part(path, _dig(subject, path)) for path in webhook.key]
    stamp = _at(webhook, subject, sent)
    if stamp is None or any(part is None for part in parts):
        return None
    return Found(":".join(str(part) for part in parts), str(parts[0]), stamp)


def _field(webhook: Webhook, path: str) -> str:
    """The notification's field that a subject path comes from (for a 400's details)."""
    if webhook.form is Form.NOTIFICATION:
        return "id" if path == "id" else "created_at"
    if webhook.form is Form.DELETED:
        return "created_at" if path == "deleted_at" else f"data.item.{path}"
    if webhook.form is Form.TAGS_ADDED:
        return "data.item.tags_added" if path.startswith("tag.") else f"data.item.{path.removeprefix('conversation.')}"
    return "data.item" + ("" if webhook.within is None else f".{webhook.within}") + f".{path}"


def problem(webhook: Webhook, sent: Notification) -> tuple[str, str] | None:
    """(field, problem) when the notification lacks what this webhook's key needs."""
    found = subjects(webhook, sent)
    if not found:
        if webhook.form is Form.TAGS_ADDED:
            return "data.item.tags_added", "must list the tags added"
        return "data.item" + ("" if webhook.within is None else f".{webhook.within}"), "must be an object"
    stamp_problem = "must be Unix seconds or an ISO-8601 timestamp with an offset"
    for subject in found:
        for path in webhook.key:
            if _key_part(path, _dig(subject, path)) is None:
                if is_stamp_name(path.rsplit(".", 1)[-1]):
                    return _field(webhook, path), stamp_problem
                return _field(webhook, path), "must be an Intercom id (1-64 letters, digits, '_' or '-')"
        if _at(webhook, subject, sent) is None:
            return _field(webhook, webhook.at), stamp_problem
    return None
