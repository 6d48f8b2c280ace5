"""Which trigger events a webhook notification is, keyed exactly as the polls key them (interface §6).

A topic maps to one or more routes; a route names its trigger and the rule that gives the event's identity from
`data.item` (the object as Intercom's REST API shows it, timestamps as Unix seconds or ISO-8601 strings):

| topic | trigger: key (occurred at) |
|---|---|
| contact.user.created | user-created: id (created_at); user-updated: id:updated_at |
| contact.lead.created | lead-created: id (created_at) |
| contact.user.updated | user-updated: id:updated_at |
| contact.lead.signed_up | user-created: id (updated_at); user-updated: id:updated_at; lead-converted: id (updated_at) |
| conversation.user.created | conversation-started: id (created_at) |
| contact.lead.added_email | lead-email-added: id (updated_at) |
| contact.{user,lead}.tag.created | contact-tagged: contact id:tag id (its created_at, else the envelope's) |
| conversation.admin.closed | conversation-closed: id:statistics.last_close_at |
| company.created | company-created: id (created_at) |
| contact.unsubscribed | contact-unsubscribed: the `contact_unsubscribe`'s contact id (its updated_at) |

A created user is also a user-updated event because a poll of user-updated logs it as one (role user, updated in the
window); a converted lead is a user-created event as the lead markers make it for polls. A route may take its object
from a wrapper item (`within`: `contact_unsubscribe` holds the contact); contact-tagged keeps the whole `contact_tag`
item, which is also the shape its body is built from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# -- timestamps ----------------------------------------------------------------------------------------------------

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


def _is_stamp_name(name: str) -> bool:
    return name.endswith("_at") or name == "snoozed_until"


def normalized(value: Any) -> Any:
    """A copy of a webhook object with every `*_at` timestamp as whole Unix seconds, as the REST API gives them
    (a value that is no timestamp, e.g. null or "never", is kept as it is)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, inner in value.items():
            if isinstance(name, str) and _is_stamp_name(name) and isinstance(inner, str | int | float):
                stamp = unix_seconds(inner)
                out[name] = inner if stamp is None else stamp
            else:
                out[name] = normalized(inner)
        return out
    if isinstance(value, list):
        return [normalized(inner) for inner in value]
    return value


def notification_item(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """The envelope's `data.item`, normalized, with the envelope's `created_at` standing for the item's when a
    `contact_tag` has none (captured so in 2026: the tagging happened when the notification was made)."""
    data = envelope.get("data")
    item = data.get("item") if isinstance(data, Mapping) else None
    out: dict[str, Any] = normalized(item) if isinstance(item, dict) else {}
    if out.get("type") == "contact_tag" and unix_seconds(out.get("created_at")) is None:
        stamp = unix_seconds(envelope.get("created_at"))
        if stamp is not None:
            out["created_at"] = stamp
    return out


# -- routes --------------------------------------------------------------------------------------------------------


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


Identify = Callable[[Mapping[str, Any]], Found | None]


def _by_id(field: str) -> Identify:
    def rule(item: Mapping[str, Any]) -> Found | None:
        object_id, stamp = _object_id(item), unix_seconds(_dig(item, field))
        return None if object_id is None or stamp is None else Found(object_id, object_id, stamp)

    return rule


def _by_version(field: str) -> Identify:
    def rule(item: Mapping[str, Any]) -> Found | None:
        object_id, stamp = _object_id(item), unix_seconds(_dig(item, field))
        return None if object_id is None or stamp is None else Found(f"{object_id}:{stamp}", object_id, stamp)

    return rule


def _tagging(item: Mapping[str, Any]) -> Found | None:
    """A `contact_tag`: (contact id, tag id), when the tag was applied."""
    contact, tag = _object_id(item.get("contact")), _object_id(item.get("tag"))
    stamp = unix_seconds(item.get("created_at"))
    if contact is None or tag is None or stamp is None:
        return None
    return Found(f"{contact}:{tag}", contact, stamp)


@dataclass(frozen=True)
class Route:
    """One trigger a topic feeds: the rule for the event's identity, the fields it needs (`ids`, `stamps`: dotted
    paths in the object), the role the contact must have (if any), and where the object is in `data.item` (`within`:
    a field of a wrapper item; None: the item itself)."""

    trigger: str
    identify: Identify
    stamps: tuple[str, ...]
    role: str | None = None
    within: str | None = None
    ids: tuple[str, ...] = ("id",)

    def object(self, item: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """What the event is about, as the trigger's body builder takes it. A wrapper's object is also taken when the
        item is that object itself (`contact.unsubscribed` is documented as carrying a Subscription, captured as a
        `contact_unsubscribe` around the contact: a bare contact would do as well)."""
        if self.within is None or item.get("type") == self.within:
            return item
        inner = item.get(self.within)
        return inner if isinstance(inner, Mapping) else None

    def event(self, obj: Mapping[str, Any]) -> Found | None:
        """The event this object (`object(item)`) is on this trigger, or None (another role: not its event)."""
        if self.role is not None and obj.get("role") != self.role:
            return None
        return self.identify(obj)

    def problem(self, item: Mapping[str, Any]) -> tuple[str, str] | None:
        """(field, problem) when the item lacks what this route needs."""
        where = "data.item" if self.within is None else f"data.item.{self.within}"
        obj = self.object(item)
        if obj is None:
            return where, "must be an object"
        for path in self.ids:
            if _object_id(_dig(obj, path)) is None:
                return f"{where}.{path}", "must be an Intercom id (1-64 letters, digits, '_' or '-')"
        for path in self.stamps:
            if unix_seconds(_dig(obj, path)) is None:
                return f"{where}.{path}", "must be Unix seconds or an ISO-8601 timestamp with an offset"
        return None


_USER_UPDATED = Route("user-updated", _by_version("updated_at"), ("updated_at",), "user")
_TAGGED = Route("contact-tagged", _tagging, ("created_at",), ids=("contact.id", "tag.id"))

ROUTES: dict[str, tuple[Route, ...]] = {
    "contact.user.created": (Route("user-created", _by_id("created_at"), ("created_at",), "user"), _USER_UPDATED),
    "contact.lead.created": (Route("lead-created", _by_id("created_at"), ("created_at",), "lead"),),
    "contact.user.updated": (_USER_UPDATED,),
    "contact.lead.signed_up": (
        Route("user-created", _by_id("updated_at"), ("updated_at",), "user"),
        _USER_UPDATED,
        Route("lead-converted", _by_id("updated_at"), ("updated_at",), "user"),
    ),
    "conversation.user.created": (Route("conversation-started", _by_id("created_at"), ("created_at",)),),
    "contact.lead.added_email": (Route("lead-email-added", _by_id("updated_at"), ("updated_at",), "lead"),),
    "contact.user.tag.created": (_TAGGED,),
    "contact.lead.tag.created": (_TAGGED,),
    "conversation.admin.closed": (
        Route("conversation-closed", _by_version("statistics.last_close_at"), ("statistics.last_close_at",)),
    ),
    "company.created": (Route("company-created", _by_id("created_at"), ("created_at",)),),
    "contact.unsubscribed": (Route("contact-unsubscribed", _by_id("updated_at"), ("updated_at",), within="contact"),),
}


def item_problem(topic: str, item: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, problem) when `data.item` lacks what the topic's routes need; None when it is usable."""
    for route in ROUTES.get(topic, ()):
        problem = route.problem(item)
        if problem is not None:
            return problem
    return None
