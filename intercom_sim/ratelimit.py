"""Rate limiting: a fixed 10-second window of requests, and the X-RateLimit-* headers of every answer."""

from __future__ import annotations

import time

WINDOW_SECONDS = 10
UNLIMITED = 1_000_000


class RateWindow:
    def __init__(self) -> None:
        self.start = 0.0
        self.count = 0

    def take(self, limit_per_window: int | None, forced: bool) -> tuple[dict[str, str], bool]:
        """Count one request; return the rate-limit headers and whether it is limited (`forced`: a 429 fault)."""
        now = time.time()
        start = now - (now % WINDOW_SECONDS)
        if start != self.start:
            self.start, self.count = start, 0
        limit = limit_per_window or UNLIMITED
        reset = int(start + WINDOW_SECONDS)
        over = self.count >= limit
        if not over and not forced:
            self.count += 1
        remaining = max(0, limit - self.count)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(0 if forced else remaining),
            "X-RateLimit-Reset": str(reset),
        }
        return headers, over or forced
