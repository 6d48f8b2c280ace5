"""The webhook subscribers' backlog of each trigger (interface §11): events logged but not yet delivered to them.

A subscriber's pending events are those after its cursor (the last event it acknowledged), up to the log's head;
the oldest pending one's age is how long ago it was logged. Read from the subscriptions table and the event log
(shared/consumers/subscriptions.py, shared/triggers/eventlog.py): one query per connection, then per trigger with
subscribers one checkpoint read and one event read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from shared.consumers.feed import reconciled
from shared.consumers.subscriptions import Subscription, SubscriptionStore
from shared.triggers.eventlog import EventLog


@dataclass(frozen=True)
class Backlog:
    subscribers: int
    pending: int
    oldest_pending_age: float | None  # seconds; None when nothing is pending

    def public(self) -> dict[str, object]:
        age = None if self.oldest_pending_age is None else round(self.oldest_pending_age, 1)
        return {"subscribers": self.subscribers, "pending": self.pending, "oldest_pending_age_seconds": age}


def backlogs(storage: str, connection: str, *, now: datetime) -> dict[str, Backlog]:
    """{trigger: its subscribers' backlog} for the triggers that have subscribers."""
    by_trigger: dict[str, list[Subscription]] = defaultdict(list)
    for sub in SubscriptionStore(storage, connection).list():
        by_trigger[sub.trigger].append(sub)
    return {
        trigger: _backlog(EventLog(storage, connection, trigger), subs, now) for trigger, subs in by_trigger.items()
    }


def _backlog(event_log: EventLog, subs: list[Subscription], now: datetime) -> Backlog:
    checkpoint = event_log.checkpoint()
    if checkpoint is None:
        return Backlog(len(subs), 0, None)
    cursors = [reconciled(checkpoint, sub.cursor, sub.epoch)[0] for sub in subs]
    pending = sum(checkpoint.seq - cursor for cursor in cursors)
    oldest = min(cursors)
    if oldest >= checkpoint.seq:
        return Backlog(len(subs), pending, None)
    first = event_log.read(oldest, limit=1)
    age = (now - first[0].logged_at).total_seconds() if first else None
    return Backlog(len(subs), pending, None if age is None else max(0.0, age))
