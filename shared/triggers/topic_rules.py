"""How a webhook notification's item is a trigger's event, under the key a poll gives it (interface §6).

A trigger's `Webhook` declarations (shared/triggers/registry.py) name the topic, the key rule (`Key`), the item's
time field (`at`), the role the contact must have and where the object is. These functions read `data.item` (the
object as Intercom's REST API shows it, timestamps as Unix seconds or ISO-8601 strings) with them: the object the
event is about, its identity, and what the item lacks for them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.triggers.registry import Key, Webhook

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


def _ids(webhook: Webhook) -> tuple[str, ...]:
    """The paths of the ids the key is made of."""
    return ("contact.id", "tag.id") if webhook.key is Key.TAGGING else ("id",)


def subject(webhook: Webhook, item: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """What the event is about, as the trigger's body builder takes it: the item, or the object a wrapper item holds.
    A wrapper's object is also taken when the item is that object itself (`contact.unsubscribed` is documented as
    carrying a Subscription, captured as a `contact_unsubscribe` around the contact: a bare contact would do too)."""
    if webhook.within is None or item.get("type") == webhook.within:
        return item
    inner = item.get(webhook.within)
    return inner if isinstance(inner, Mapping) else None


def identify(webhook: Webhook, obj: Mapping[str, Any]) -> Found | None:
    """The event this object (`subject(webhook, item)`) is on the webhook's trigger, or None (another role: not its
    event; or a field missing)."""
    if webhook.role is not None and obj.get("role") != webhook.role:
        return None
    ids = [_object_id(_dig(obj, path)) for path in _ids(webhook)]
    stamp = unix_seconds(_dig(obj, webhook.at))
    if None in ids or stamp is None:
        return None
    object_id = str(ids[0])
    if webhook.key is Key.ID:
        return Found(object_id, object_id, stamp)
    if webhook.key is Key.VERSION:
        return Found(f"{object_id}:{stamp}", object_id, stamp)
    return Found(":".join(str(i) for i in ids), object_id, stamp)  # TAGGING: contact id:tag id


def problem(webhook: Webhook, item: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, problem) when the item lacks what this webhook's key needs."""
    where = "data.item" if webhook.within is None else f"data.item.{webhook.within}"
    obj = subject(webhook, item)
    if obj is None:
        return where, "must be an object"
    for path in _ids(webhook):
        if _object_id(_dig(obj, path)) is None:
            return f"{where}.{path}", "must be an Intercom id (1-64 letters, digits, '_' or '-')"
    if unix_seconds(_dig(obj, webhook.at)) is None:
        return f"{where}.{webhook.at}", "must be Unix seconds or an ISO-8601 timestamp with an offset"
    return None
