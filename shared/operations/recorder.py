"""The poll side of interface §11: each poll's outcome recorded per (connection, trigger), and logged.

The poll timers call `record_polls` with the outcomes of shared/triggers/timers.poll_all (one per connection; a failed
or cut-short poll carries the exception that stopped it in `PollOutcome.failure`). Recording never raises: it must not
break a poll. When storage cannot be reached the record is kept in this process's memory (shared/operations/store.py)
and written with the next record that storage takes.

Logs: a failed poll is a WARNING when it passes by itself and an ERROR when someone must act (causes.log_level),
with `connection`, `trigger` and `cause` as structured fields (`extra`; Application Insights shows them as
customDimensions) and also as `key=value` in the message, for queries over plain text. No token, no secret: the
detail is a typed error's message, which the client scrubs of the token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import replace

from shared.errors import ConnectorError
from shared.operations.causes import OK, STORAGE_UNAVAILABLE, cause_of, detail_of, log_level
from shared.operations.records import PollRecord, after_count, after_poll
from shared.operations.store import RecordStore, remember, remembered
from shared.settings import Settings
from shared.triggers.eventlog import EventLog
from shared.triggers.poll import PollOutcome
from shared.triggers.registry import TRIGGERS

log = logging.getLogger("shared.operations.polls")

WRITE_ATTEMPTS = 3


def outcome_cause(outcome: PollOutcome) -> tuple[str, str]:
    """(`ok` or the cause, what went wrong) of a poll. A poll that returned may still have failed: it logged what it
    could and stopped at an error (`failure`)."""
    if outcome.failure is None:
        return OK, ""
    return cause_of(outcome.failure), detail_of(outcome.failure)


def record_polls(settings: Settings, outcomes: Iterable[PollOutcome]) -> None:
    """Record the outcomes of a poll timer's run, one per connection (shared/triggers/timers.poll_all)."""
    storage = settings.storage_connection_string.get_secret_value()
    for outcome in outcomes:
        record_poll(storage, outcome)


def count_webhook_only(settings: Settings, *, now: float | None = None) -> None:
    """Count the events that notifications appended to the logs of the triggers no poll reads (contact-deleted,
    intercom-notification), so that their events per hour show like every trigger's. Never raises."""
    storage = settings.storage_connection_string.get_secret_value()
    moment = time.time() if now is None else now
    for connection in settings.connections:
        store = RecordStore(storage, connection)
        for trigger in (t.name for t in TRIGGERS.values() if t.source is None):
            try:
                checkpoint = EventLog(storage, connection, trigger).checkpoint()
                # No log yet: counting starts from an empty one, so its first events count too.
                head = (0, 0) if checkpoint is None else (checkpoint.seq, checkpoint.watermark)
                stored = store.get(trigger)
                if stored is not None and stored.seq == head[0]:
                    continue
                counted = after_count(stored or PollRecord(connection, trigger), now=moment, head=head)
                store.put(replace(counted, etag=None if stored is None else stored.etag))
            except Exception as exc:  # counting must never stop the poll timer; the next run counts again
                log.warning("count %s connection=%s failed: %s", trigger, connection, type(exc).__name__)


def record_poll(storage: str, outcome: PollOutcome, *, now: float | None = None) -> PollRecord:
    """Record a poll's outcome (module docstring); the new record. Never raises."""
    moment = time.time() if now is None else now
    connection, trigger = outcome.connection, outcome.trigger
    cause, detail = outcome_cause(outcome)
    logged = outcome.events
    try:
        previous, record = _record(storage, connection, trigger, cause, detail, logged, moment)
    except Exception as exc:  # a defect here must not stop the poll runner
        log.error("poll %s connection=%s: recording failed: %s", trigger, connection, type(exc).__name__)
        previous = remembered(storage, connection).get(trigger) or PollRecord(connection, trigger)
        record = after_poll(previous, now=moment, cause=cause, detail=detail, head=None)
        remember(storage, record)
    _log(previous, record)
    return record


def _record(
    storage: str, connection: str, trigger: str, cause: str, detail: str, logged: int, now: float
) -> tuple[PollRecord, PollRecord]:
    """(the record before this poll, the record after it), stored if storage takes it, remembered in any case."""
    head = None if cause == STORAGE_UNAVAILABLE else _head(storage, connection, trigger)
    store = RecordStore(storage, connection)
    mine = remembered(storage, connection).get(trigger)
    for _ in range(WRITE_ATTEMPTS):
        try:
            stored = store.get(trigger)
        except ConnectorError:
            break
        previous = _base(stored, mine, connection, trigger)
        record = after_poll(previous, now=now, cause=cause, detail=detail, head=head, logged=logged)
        try:
            written = store.put(replace(record, etag=None if stored is None else stored.etag))
        except ConnectorError:
            break
        if written is not None:
            remember(storage, written)
            return previous, written
    # Storage could not take it (or kept changing under us): this process remembers it.
    previous = mine or PollRecord(connection, trigger)
    record = after_poll(previous, now=now, cause=cause, detail=detail, head=head, logged=logged)
    remember(storage, record)
    log.warning(
        "poll %s connection=%s: outcome %s kept in memory only (storage did not take it)", trigger, connection, cause
    )
    return previous, record


def _base(stored: PollRecord | None, mine: PollRecord | None, connection: str, trigger: str) -> PollRecord:
    """What this poll follows: the stored record, or this process's when it is later (storage missed it)."""
    if stored is not None and (mine is None or (stored.last_poll or 0) >= (mine.last_poll or 0)):
        return stored
    return mine or PollRecord(connection, trigger)


def _head(storage: str, connection: str, trigger: str) -> tuple[int, int] | None:
    """The log's (seq, watermark) now; None when storage cannot tell."""
    try:
        checkpoint = EventLog(storage, connection, trigger).checkpoint()
    except ConnectorError:
        return None
    return None if checkpoint is None else (checkpoint.seq, checkpoint.watermark)


def _log(previous: PollRecord, record: PollRecord) -> None:
    """One line per poll: INFO when it completed, WARNING or ERROR with the cause when it failed (the alert and the
    workbook in infra/ read these lines: keep `connection=`, `trigger=`, `cause=` and `events=` in them)."""
    fields = {"connection": record.connection, "trigger": record.trigger, "cause": record.outcome}
    if record.outcome == OK:
        recovered = ""
        if previous.failures:
            recovered = f"; recovered after {previous.failures} failed polls ({previous.outcome})"
        log.info(
            "poll recorded: connection=%s trigger=%s cause=ok events=%d%s",
            record.connection,
            record.trigger,
            record.last_events,
            recovered,
            extra=fields,
        )
        return
    log.log(
        log_level(record.outcome),
        "poll failed: connection=%s trigger=%s cause=%s failures=%d: %s",
        record.connection,
        record.trigger,
        record.outcome,
        record.failures,
        record.detail,
        extra=fields,
    )
