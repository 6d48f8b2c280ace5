"""The poll side of interface §11: each poll's outcome recorded per (connection, trigger), and logged.

`record_poll` is what the poll runner calls after each poll of a trigger on a connection, with the poll's
`PollOutcome` or the exception that ended it. It never raises: recording must not break a poll. When storage cannot
be reached the record is kept in this process's memory (shared/operations/store.py) and written with the next
record that storage takes.

Logs: a failed poll is a WARNING when it passes by itself and an ERROR when someone must act (causes.log_level),
with `connection`, `trigger` and `cause` as structured fields (`extra`; Application Insights shows them as
customDimensions) and also as `key=value` in the message, for queries over plain text. No token, no secret: the
detail is a typed error's message, which the client scrubs of the token.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Protocol

from shared.errors import ConnectorError
from shared.intercom import errors as intercom_errors
from shared.operations.causes import OK, STORAGE_UNAVAILABLE, UNEXPECTED, cause_of, detail_of, log_level
from shared.operations.records import PollRecord, after_poll
from shared.operations.store import RecordStore, remember, remembered
from shared.triggers.eventlog import EventLog

log = logging.getLogger("shared.operations.polls")

WRITE_ATTEMPTS = 3
_TYPED_ERRORS: dict[str, type[ConnectorError]] = {
    name: kind
    for name, kind in vars(intercom_errors).items()
    if isinstance(kind, type) and issubclass(kind, ConnectorError)
}


class PollResult(Protocol):
    """What recording reads of a finished poll (shared.triggers.poll.PollOutcome)."""

    @property
    def trigger(self) -> str: ...
    @property
    def connection(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def events(self) -> int: ...


def outcome_cause(result: PollResult | BaseException) -> tuple[str, str]:
    """(`ok` or the cause, what went wrong) of a poll's result. A poll that returned may still have failed: it
    logged what it could and stopped at an error (`failure`)."""
    if isinstance(result, BaseException):
        return cause_of(result), detail_of(result)
    failure = getattr(result, "failure", None)
    if isinstance(failure, BaseException):
        return cause_of(failure), detail_of(failure)
    if failure is None and not hasattr(result, "failure"):
        return _from_error_text(result)
    return OK, ""


def _from_error_text(result: PollResult) -> tuple[str, str]:
    """A PollOutcome that does not carry its `failure` yet names it in `error` as "<type>: <message>"; the type is
    one of the connector's typed errors. (Adapter until the poll runner passes the exception itself.)"""
    text = getattr(result, "error", None)
    if result.status != "partial" or not isinstance(text, str):
        return OK, ""
    name, _, message = text.partition(": ")
    kind = _TYPED_ERRORS.get(name)
    return cause_of(kind) if kind else UNEXPECTED, message[:500]


def record_poll(
    storage: str,
    connection: str,
    trigger: str,
    result: PollResult | BaseException,
    *,
    now: float | None = None,
) -> PollRecord:
    """Record a poll's outcome (module docstring); the new record. Never raises."""
    moment = time.time() if now is None else now
    cause, detail = outcome_cause(result)
    logged = 0 if isinstance(result, BaseException) else result.events
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
