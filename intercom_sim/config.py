"""The simulator's settings: what `Simulator.configure` and `POST /_sim/config` change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

FAULT_KINDS = ("500", "502", "503", "429", "timeout")

# Every webhook topic the simulator emits (see docs/simulator.md, "Webhooks"); `ping` is sent on request only.
WEBHOOK_TOPICS = (
    "contact.user.created",
    "contact.lead.created",
    "contact.user.updated",
    "contact.lead.updated",
    "contact.lead.signed_up",
    "contact.lead.added_email",
    "contact.user.tag.created",
    "contact.lead.tag.created",
    "contact.unsubscribed",
    "contact.deleted",
    "conversation.user.created",
    "conversation.user.replied",
    "conversation.admin.replied",
    "conversation.admin.noted",
    "conversation.admin.assigned",
    "conversation.admin.open.assigned",
    "conversation.admin.snoozed",
    "conversation.admin.unsnoozed",
    "conversation.admin.opened",
    "conversation.admin.closed",
    "conversation.rating.added",
    "conversation_part.tag.created",
    "company.created",
    "ticket.created",
    "ticket.state.updated",
    "ticket.attribute.updated",
    "ticket.admin.assigned",
    "ticket.team.assigned",
    "ticket.admin.replied",
    "ticket.contact.replied",
    "ticket.note.created",
    "ticket.closed",
    "ticket.admin.snoozed",
    "ticket.admin.unsnoozed",
)
WEBHOOK_SHAPES = ("2026", "classic")
# Settings whose value is one of a few words (facts Intercom's documentation leaves unconfirmed among them).
CHOICES = {
    "webhook_shapes": WEBHOOK_SHAPES,
    "webhook_tags_added_on": ("item", "part"),
    "webhook_open_assigned": ("also", "instead"),
    "conversation_search_precision": ("second", "day"),
    "ticket_search_precision": ("second", "day"),
}
SWITCHES = (
    "webhook_signed_up_on_conversion",
    "note_counts_as_admin_reply",
    "ticket_resolved_closes",
    "message_opens_conversation",
    "snoozed_is_open",
)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
RATES = ("fault_rate", "webhook_drop_rate", "webhook_duplicate_rate")
NON_NEGATIVE = ("webhook_max_delay_seconds", "webhook_retry_delay_seconds", "webhook_timeout_seconds")


@dataclass
class Config:
    timezone: str = "UTC"
    index_delay: tuple[float, float] = (0.0, 0.0)
    rate_limit_per_10s: int | None = None
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_methods: set[str] | None = None
    timeout_seconds: float = 2.0
    slow_seconds: float = 0.5
    clock_offset: float = 0.0
    seed: int = 0
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_topics: tuple[str, ...] = WEBHOOK_TOPICS
    webhook_drop_rate: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_max_delay_seconds: float = 0.0
    webhook_retry_delay_seconds: float = 60.0
    webhook_timeout_seconds: float = 5.0
    webhook_shapes: str = "2026"
    webhook_signed_up_on_conversion: bool = True
    # Unconfirmed facts, each a setting (docs/simulator.md, "Assumed, not confirmed").
    webhook_tags_added_on: str = "item"
    webhook_open_assigned: str = "also"
    note_counts_as_admin_reply: bool = False
    conversation_search_precision: str = "second"
    ticket_search_precision: str = "second"
    ticket_resolved_closes: bool = True
    message_opens_conversation: bool = False
    snoozed_is_open: bool = False
    # Paths that answer a redirect (status, Location) to any method, after the token check: for clients that must not
    # follow one.
    redirects: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def webhook_iso_timestamps(self) -> bool:
        """The older switch: True for the 2026 shapes (ISO timestamps), False for the classic REST shapes."""
        return self.webhook_shapes == "2026"


def update_config(config: Config, changes: dict[str, Any]) -> None:
    """Set the given settings in order, normalised; an unknown name or a bad value is a ValueError."""
    for name, value in changes.items():
        if name == "webhook_iso_timestamps":  # the older switch, kept: ISO timestamps are the 2026 shapes
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
            name, value = "webhook_shapes", "2026" if value else "classic"
        if not hasattr(config, name):
            raise ValueError(f"unknown simulator setting {name!r}")
        setattr(config, name, _normalised(name, value))


def _redirect(target: Any) -> tuple[int, str]:
    status, location = target
    if int(status) not in (301, 302, 303, 307, 308) or not isinstance(location, str):
        raise ValueError("redirects: each path answers (301|302|303|307|308, location)")
    return int(status), location


def _normalised(name: str, value: Any) -> Any:
    if name == "timezone":
        ZoneInfo(value)
    if name == "redirects":
        value = {str(path): _redirect(target) for path, target in dict(value).items()}
    if name == "index_delay":
        value = (float(value[0]), float(value[1]))
    if name == "fault_kinds":
        value = tuple(str(k) for k in value)
    if name == "fault_methods" and value is not None:
        value = {str(m).upper() for m in value}
    if name in RATES + NON_NEGATIVE:
        value = float(value)
        if value < 0 or (name in RATES and value > 1):
            raise ValueError(f"{name} must be {'between 0 and 1' if name in RATES else 'at least 0'}")
    if name == "webhook_url" and value is not None:
        _check_loopback(value)
    if name == "webhook_topics":
        value = tuple(str(t) for t in value)
        unknown = sorted(set(value) - set(WEBHOOK_TOPICS))
        if unknown:
            raise ValueError(f"webhook_topics: unknown topics {unknown}")
    if name in SWITCHES and not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    if name in CHOICES:
        value = str(value)
        if value not in CHOICES[name]:
            raise ValueError(f"{name} must be one of {list(CHOICES[name])}")
    return value


def _check_loopback(url: str) -> None:
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("webhook_url must be an http(s) URL on 127.0.0.1, localhost or ::1")
