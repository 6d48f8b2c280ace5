"""The most calls that any window of `period` seconds holds (half-open windows [t, t + period))."""

from __future__ import annotations

from collections.abc import Iterable


def max_in_window(instants: Iterable[float], period: float) -> int:
    times = sorted(instants)
    best, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= period:
            first += 1
        best = max(best, last - first + 1)
    return best
