"""The poll period of a POLL_SCHEDULE (NCRONTAB, six fields), computed simply: no cron library at run time.

The period is the longest gap between two consecutive runs, which is what "three periods without a completed poll"
must measure against (a schedule that runs every minute by day and hourly by night has a period of an hour).

- With the day, month and day-of-week fields all `*`, the schedule repeats every day: the period is the longest
  gap between the day's runs (from its second, minute and hour fields), midnight included.
- With day-of-week restricted (and day and month `*`), the period is taken as a week; with day or month
  restricted, as a year (366 days). These are never shorter than the real gap, so a trigger is never called stale
  early; such schedules are not used for polls.
- A schedule that cannot be read gives the default schedule's period (settings refuse malformed ones anyway).
"""

from __future__ import annotations

import functools
import itertools

from shared.settings import DEFAULT_POLL_SCHEDULE

DAY = 86_400
WEEK = 7 * DAY
YEAR = 366 * DAY
_LIMITS = ((0, 59), (0, 59), (0, 23))  # second, minute, hour


def _values(text: str, low: int, high: int) -> list[int]:
    """The values of one field: `*`, `n`, `a-b`, any of them with `/step`, or a comma-separated list."""
    values: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in {text!r}")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            a, _, b = span.partition("-")
            first, last = sorted((int(a), int(b)))
        else:
            first = int(span)
            last = high if step_text else first
        if first < low or last > high:
            raise ValueError(f"{text!r} is out of range")
        values.update(range(first, last + 1, step))
    return sorted(values)


@functools.cache
def period_seconds(schedule: str) -> int:
    """The longest gap between consecutive runs of `schedule`, in seconds (module docstring)."""
    fields = schedule.split()
    try:
        if len(fields) != 6:
            raise ValueError("six fields")
        seconds, minutes, hours = (_values(text, *limits) for text, limits in zip(fields[:3], _LIMITS, strict=True))
    except ValueError:
        if schedule == DEFAULT_POLL_SCHEDULE:
            raise
        return period_seconds(DEFAULT_POLL_SCHEDULE)
    day, month, weekday = fields[3:]
    if day != "*" or month != "*":
        return YEAR
    if weekday != "*":
        return WEEK
    runs = sorted(h * 3600 + m * 60 + s for h in hours for m in minutes for s in seconds)
    gaps = [later - earlier for earlier, later in itertools.pairwise(runs)]
    return max([*gaps, runs[0] + DAY - runs[-1]])
