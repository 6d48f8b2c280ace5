"""Intercom's webhook notifications of the last 24 hours per connection: accepted, refused, unreadable.

The intake counts them (shared/notifications/tally.py, `webhook_counts`). Until that module is part of the app this
adapter answers None ("not counted"), so the status report and page say so instead of showing zeros.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

COUNTS = ("accepted", "refused", "unreadable")

Counter = Callable[..., dict[str, int]]


def _counter() -> Counter | None:
    try:
        module = importlib.import_module("shared.notifications.tally")
    except ImportError:
        return None
    return cast(Counter | None, getattr(module, "webhook_counts", None))


def webhook_counts(storage: str, connection: str, *, now: float) -> dict[str, int] | None:
    """{accepted, refused, unreadable} in the last 24 hours, or None where the intake does not count them."""
    counter = _counter()
    if counter is None:
        return None
    counts = counter(storage, connection, now=now)
    return {name: int(counts.get(name, 0)) for name in COUNTS}
