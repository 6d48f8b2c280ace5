"""What the connector keeps of a trigger's polls on one connection (interface §11), and how a poll changes it.

No I/O here: shared/operations/store.py keeps records in Table Storage (and in memory), and
shared/operations/recorder.py turns a poll's result into the next record.

Events are counted from the log's head (the checkpoint's sequence number) at each poll, so events logged by the
webhook path between two polls count too, in the minute of the poll that saw them. They are kept in minute buckets
for the last hour and hour buckets for the last day: at most 60 + 25 small numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from shared.operations.causes import OK

MINUTE, HOUR = 60, 3600
DAY_HOURS = 24


@dataclass(frozen=True)
class PollRecord:
    """One (connection, trigger): its last poll, the failures since its last success, and its events.

    `outcome`: `ok` or the cause of the last poll's failure (shared/operations/causes.py); `detail`: what went wrong
    in words; `failures`: failed polls in a row; `since`: when the first of them ran; times are Unix seconds."""

    connection: str
    trigger: str
    last_poll: float | None = None
    outcome: str = OK
    detail: str = ""
    failures: int = 0
    since: float | None = None
    last_success: float | None = None
    watermark: int | None = None
    seq: int | None = None
    minutes: Mapping[int, int] = field(default_factory=dict)
    hours: Mapping[int, int] = field(default_factory=dict)
    last_events: int = 0  # events counted at the last poll
    etag: str | None = None

    def events_last_hour(self, now: float) -> int:
        first = int(now // MINUTE) - 59
        return sum(count for minute, count in self.minutes.items() if minute >= first)

    def events_last_day(self, now: float) -> int:
        """Events of the current hour and the 23 before it."""
        return sum(count for _, count in self.events_per_hour(now))

    def events_per_hour(self, now: float) -> list[tuple[int, int]]:
        """(hour start, events) for the current hour and the 23 before it, oldest first."""
        current = int(now // HOUR)
        return [(hour * HOUR, self.hours.get(hour, 0)) for hour in range(current - DAY_HOURS + 1, current + 1)]

    def watermark_age(self, now: float) -> float | None:
        """How far behind now the trigger has read (the newest change its polls have seen)."""
        return None if self.watermark is None else max(0.0, now - self.watermark)


def newer(a: PollRecord | None, b: PollRecord | None) -> PollRecord | None:
    """The record of the later poll (the stored one and the one this process remembers may differ)."""
    if a is None or b is None:
        return a or b
    return b if (b.last_poll or 0) > (a.last_poll or 0) else a


def after_poll(
    previous: PollRecord,
    *,
    now: float,
    cause: str,
    detail: str,
    head: tuple[int, int] | None,
    logged: int = 0,
) -> PollRecord:
    """The record once a poll ended at `now` with `cause` (`ok` or why it failed). `head`: the log's (seq, watermark)
    read after the poll, None when storage could not tell; `logged`: the events the poll itself logged, counted
    only when there is no earlier head to compare with."""
    failed = cause != OK
    seq, watermark = (previous.seq, previous.watermark) if head is None else head
    new_events = 0 if head is None else _appended(previous, head, logged)
    minutes, hours = _counted(previous, now, new_events)
    return replace(
        previous,
        last_poll=now,
        outcome=cause,
        detail=detail if failed else "",
        failures=previous.failures + 1 if failed else 0,
        since=(previous.since if previous.failures else now) if failed else None,
        last_success=previous.last_success if failed else now,
        watermark=watermark,
        seq=seq,
        minutes=minutes,
        hours=hours,
        last_events=new_events,
    )


def after_count(previous: PollRecord, *, now: float, head: tuple[int, int]) -> PollRecord:
    """The record of a trigger no poll reads (webhook only) once its log's head (seq, watermark) was read at `now`:
    the events appended since the last count go into the buckets; nothing about polls changes."""
    minutes, hours = _counted(previous, now, _appended(previous, head, head[0]))
    return replace(previous, seq=head[0], minutes=minutes, hours=hours)


def _appended(previous: PollRecord, head: tuple[int, int], logged: int) -> int:
    """Events appended since the head last seen (`logged` when none was); a head behind it means the log was
    re-created, and everything in it is new."""
    if previous.seq is None:
        return logged
    return head[0] - previous.seq if head[0] >= previous.seq else head[0]


def _counted(previous: PollRecord, now: float, events: int) -> tuple[dict[int, int], dict[int, int]]:
    """The buckets with `events` added at `now`, and those older than the last hour (minutes) or day (hours) gone."""
    minute, hour = int(now // MINUTE), int(now // HOUR)
    minutes = {m: n for m, n in previous.minutes.items() if minute - 60 < m <= minute}
    hours = {h: n for h, n in previous.hours.items() if hour - DAY_HOURS < h <= hour}
    if events > 0:
        minutes[minute] = minutes.get(minute, 0) + events
        hours[hour] = hours.get(hour, 0) + events
    return minutes, hours
