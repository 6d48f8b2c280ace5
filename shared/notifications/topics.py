"""Which trigger events a webhook notification is, keyed exactly as the polls key them (interface §6).

The routes follow from the triggers' `Webhook` declarations (shared/triggers/registry.py): a topic feeds every
trigger that declares it, each with the key rule of its declaration (shared/triggers/topic_rules.py). The README's
topic table is generated from the same declarations (connector/readme.py).

A created user is also a user-updated event because a poll of user-updated logs it as one (role user, updated in the
window); a converted lead is a user-created event as the lead markers make it for polls. A route may take its object
from a wrapper item (`within`: `contact_unsubscribe` holds the contact); contact-tagged keeps the whole `contact_tag`
item, which is also the shape its body is built from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.triggers import topic_rules
from shared.triggers.registry import TRIGGERS, Webhook
from shared.triggers.topic_rules import Found, unix_seconds

# -- timestamps ----------------------------------------------------------------------------------------------------


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
class Route:
    """One trigger a topic feeds, with the webhook declaration that says how."""

    trigger: str
    webhook: Webhook

    def object(self, item: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """What the event is about, as the trigger's body builder takes it."""
        return topic_rules.subject(self.webhook, item)

    def event(self, obj: Mapping[str, Any]) -> Found | None:
        """The event this object (`object(item)`) is on this trigger, or None (another role: not its event)."""
        return topic_rules.identify(self.webhook, obj)

    def problem(self, item: Mapping[str, Any]) -> tuple[str, str] | None:
        """(field, problem) when the item lacks what this route needs."""
        return topic_rules.problem(self.webhook, item)


def _routes() -> dict[str, tuple[Route, ...]]:
    routes: dict[str, list[Route]] = {}
    for trigger in TRIGGERS.values():
        for webhook in trigger.webhooks:
            routes.setdefault(webhook.topic, []).append(Route(trigger.name, webhook))
    return {topic: tuple(found) for topic, found in routes.items()}


ROUTES: dict[str, tuple[Route, ...]] = _routes()


def item_problem(topic: str, item: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, problem) when `data.item` lacks what the topic's routes need; None when it is usable."""
    for route in ROUTES.get(topic, ()):
        problem = route.problem(item)
        if problem is not None:
            return problem
    return None
