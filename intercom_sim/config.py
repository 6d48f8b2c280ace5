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
    "conversation.user.created",
    "conversation.admin.closed",
    "company.created",
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
    webhook_iso_timestamps: bool = True
    webhook_signed_up_on_conversion: bool = True


def update_config(config: Config, changes: dict[str, Any]) -> None:
    """Set the given settings in order, normalised; an unknown name or a bad value is a ValueError."""
    for name, value in changes.items():
        if not hasattr(config, name):
            raise ValueError(f"unknown simulator setting {name!r}")
        setattr(config, name, _normalised(name, value))


def _normalised(name: str, value: Any) -> Any:
    if name == "timezone":
        ZoneInfo(value)
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
    if name in ("webhook_iso_timestamps", "webhook_signed_up_on_conversion") and not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    return value


def _check_loopback(url: str) -> None:
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("webhook_url must be an http(s) URL on 127.0.0.1, localhost or ::1")
