"""When a request may be sent again, and how long to wait first."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_ATTEMPTS = 4
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_CAP_SECONDS = 4.0
# When Intercom answers 429 without a usable X-RateLimit-Reset, wait this long (its windows are 10 s).
DEFAULT_RATE_LIMIT_WAIT = 2.0
# X-RateLimit-Reset has whole seconds: wait a little past it so the retry lands in the new window.
RESET_PADDING_SECONDS = 0.25


def is_idempotent(method: str, path: str) -> bool:
    """GET, PUT, DELETE and searches may be repeated; any other POST (a create) may not."""
    method = method.upper()
    if method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS"):
        return True
    return method == "POST" and path.split("?", 1)[0].rstrip("/").endswith("/search")


def backoff(attempt: int, *, rand: Callable[[], float] = random.random) -> float:
    """Jittered exponential backoff before attempt `attempt + 1` (attempt counts from 1)."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2.0 ** (attempt - 1))
    return ceiling * (0.5 + 0.5 * rand())


@dataclass(frozen=True)
class RateLimit:
    """Intercom's X-RateLimit-* headers of the last answer (per 10-second window)."""

    limit: int | None
    remaining: int | None
    reset: float | None  # Unix seconds

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        values = [_number(headers.get(f"x-ratelimit-{name}")) for name in ("limit", "remaining", "reset")]
        if all(v is None for v in values):
            return None
        limit, remaining, reset = values
        return cls(
            None if limit is None else int(limit),
            None if remaining is None else int(remaining),
            reset,
        )

    def wait_seconds(self, *, wall_clock: Callable[[], float] = time.time) -> float:
        """How long until the window resets (a default when Intercom did not say)."""
        if self.reset is None:
            return DEFAULT_RATE_LIMIT_WAIT
        return max(0.0, self.reset - wall_clock()) + RESET_PADDING_SECONDS


def _number(raw: str | None) -> float | None:
    if raw is None or not re.fullmatch(r"\s*\d+(\.\d+)?\s*", raw):
        return None
    return float(raw)
