"""Deadlines on the monotonic clock: how long a caller may spend waiting for budget and for Intercom."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

# An HTTP action answers within seconds; Logic Apps waits longer, but a caller would rather get 429 + Retry-After.
ACTION_DEADLINE_SECONDS = 8.0
# host.json functionTimeout is 5 minutes; a poll stops here and keeps the rest for the next poll, leaving
# a minute to save its checkpoint and events.
FUNCTION_TIMEOUT_SECONDS = 300.0
POLL_RESERVE_SECONDS = 60.0
POLL_DEADLINE_SECONDS = FUNCTION_TIMEOUT_SECONDS - POLL_RESERVE_SECONDS


@dataclass(frozen=True)
class Deadline:
    """A point in monotonic time after which a caller gives up."""

    at: float
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    @classmethod
    def after(cls, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.at - self.clock())

    def expired(self) -> bool:
        return self.clock() >= self.at


def action_deadline(*, clock: Callable[[], float] = time.monotonic) -> Deadline:
    """The deadline of one HTTP action."""
    return Deadline.after(ACTION_DEADLINE_SECONDS, clock=clock)


def poll_deadline(*, started: float | None = None, clock: Callable[[], float] = time.monotonic) -> Deadline:
    """The deadline of one timer poll: well inside functionTimeout, counted from `started` (monotonic) if given."""
    start = clock() if started is None else started
    return Deadline(start + POLL_DEADLINE_SECONDS, clock)
