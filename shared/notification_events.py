"""Which trigger events a webhook notification is, keyed exactly as the polls key them (CONTRACT §6).

A topic maps to one or more routes; a route names its trigger and the rule that gives the event's identity from
`data.item` (the object as Intercom's REST API shows it, timestamps as Unix seconds or ISO-8601 strings):

| topic | trigger: key (occurred at) |
|---|---|
| contact.user.created | user-created: id (created_at); user-updated: id:updated_at |
| contact.lead.created | lead-created: id (created_at) |
| contact.user.updated | user-updated: id:updated_at |
| contact.lead.signed_up | user-created: id (updated_at); user-updated: id:updated_at |
| conversation.user.created | conversation-started: id (created_at) |

A created user is also a user-updated event because a poll of user-updated logs it as one (role user, updated in the
window); a converted lead is a user-created event as the lead markers make it for polls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# -- timestamps ----------------------------------------------------------------------------------------------------


def unix_seconds(value: Any) -> int | None:
    """Unix seconds from an int/float or an ISO-8601 string with an offset (as real payloads carry); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return int(moment.timestamp()) if moment.tzinfo is not None else None
    return None


def _is_stamp_name(name: str) -> bool:
    return name.endswith("_at") or name == "snoozed_until"


def normalized(value: Any) -> Any:
    """A copy of a webhook object with every `*_at` timestamp as Unix seconds, as the REST API gives them."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, inner in value.items():
            if isinstance(name, str) and _is_stamp_name(name) and isinstance(inner, str):
                stamp = unix_seconds(inner)
                out[name] = inner if stamp is None else stamp
            else:
                out[name] = normalized(inner)
        return out
    if isinstance(value, list):
        return [normalized(inner) for inner in value]
    return value


# -- routes --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """An event's identity: its log key, the object's id, and when it occurred (Intercom's Unix seconds)."""

    key: str
    object_id: str
    occurred_at: int


_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Intercom's ids; anything else could not be a log key


def _object_id(item: Mapping[str, Any]) -> str | None:
    value = item.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value) if _ID.match(str(value)) else None


def _by_id(field: str) -> Callable[[Mapping[str, Any]], Found | None]:
    def rule(item: Mapping[str, Any]) -> Found | None:
        object_id, stamp = _object_id(item), unix_seconds(item.get(field))
        return None if object_id is None or stamp is None else Found(object_id, object_id, stamp)

    return rule


def _by_version(item: Mapping[str, Any]) -> Found | None:
    object_id, stamp = _object_id(item), unix_seconds(item.get("updated_at"))
    return None if object_id is None or stamp is None else Found(f"{object_id}:{stamp}", object_id, stamp)


@dataclass(frozen=True)
class Route:
    """One trigger a topic feeds: the rule for the event's identity, and the role the contact must have (if any)."""

    trigger: str
    identify: Callable[[Mapping[str, Any]], Found | None]
    stamp_field: str
    role: str | None = None

    def event(self, item: Mapping[str, Any]) -> Found | None:
        """The event this item is on this trigger, or None (another role: not this trigger's event)."""
        if self.role is not None and item.get("role") != self.role:
            return None
        return self.identify(item)


_USER_UPDATED = Route("user-updated", _by_version, "updated_at", "user")

ROUTES: dict[str, tuple[Route, ...]] = {
    "contact.user.created": (Route("user-created", _by_id("created_at"), "created_at", "user"), _USER_UPDATED),
    "contact.lead.created": (Route("lead-created", _by_id("created_at"), "created_at", "lead"),),
    "contact.user.updated": (_USER_UPDATED,),
    "contact.lead.signed_up": (Route("user-created", _by_id("updated_at"), "updated_at", "user"), _USER_UPDATED),
    "conversation.user.created": (Route("conversation-started", _by_id("created_at"), "created_at"),),
}


def item_problem(topic: str, item: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, problem) when `data.item` lacks what the topic's routes need; None when it is usable."""
    if _object_id(item) is None:
        return "data.item.id", "must be an Intercom id (1-64 letters, digits, '_' or '-')"
    for route in ROUTES.get(topic, ()):
        if unix_seconds(item.get(route.stamp_field)) is None:
            return f"data.item.{route.stamp_field}", "must be Unix seconds or an ISO-8601 timestamp with an offset"
    return None
