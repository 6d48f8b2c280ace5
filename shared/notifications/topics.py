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
from shared.triggers.topic_rules import Found, Notification, is_stamp_name, unix_seconds

# -- timestamps (parsed by shared/triggers/topic_rules.py) --------------------------------------------------------


def normalized(value: Any) -> Any:
    """A copy of a webhook object with every `*_at` timestamp as whole Unix seconds, as the REST API gives them
    (a value that is no timestamp, e.g. null or "never", is kept as it is)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, inner in value.items():
            if isinstance(name, str) and is_stamp_name(name) and isinstance(inner, str | int | float):
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


def read(envelope: Mapping[str, Any]) -> Notification:
    """What the routes read of a notification: its envelope and `notification_item`."""
    return Notification.of(envelope, notification_item(envelope))


# -- routes --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One trigger a topic feeds, with the webhook declaration that says how."""

    trigger: str
    webhook: Webhook

    def subjects(self, sent: Notification) -> list[Mapping[str, Any]]:
        """What the events are about, as the trigger's body builder takes them."""
        return topic_rules.subjects(self.webhook, sent)

    def event(self, subject: Mapping[str, Any], sent: Notification) -> Found | None:
        """The event a subject is on this trigger, or None (another role: not its event)."""
        return topic_rules.identify(self.webhook, subject, sent)

    def problem(self, sent: Notification) -> tuple[str, str] | None:
        """(field, problem) when the notification lacks what this route needs."""
        return topic_rules.problem(self.webhook, sent)


_ROUTES = tuple(Route(t.name, webhook) for t in TRIGGERS.values() for webhook in t.webhooks)


def routes(topic: str) -> tuple[Route, ...]:
    """The triggers this topic feeds (none for `ping` and for a topic no trigger takes)."""
    return tuple(route for route in _ROUTES if topic_rules.feeds(route.webhook, topic))


def notification_problem(sent: Notification) -> tuple[str, str] | None:
    """(field, problem) when the notification lacks what its topic's routes need; None when it is usable."""
    for route in routes(sent.topic):
        problem = route.problem(sent)
        if problem is not None:
            return problem
    return None
