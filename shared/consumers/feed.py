"""The polling trigger's pages (interface §4): what `GET /api/triggers/{name}` answers.

The caller holds an opaque cursor, sealed with the trigger in its purpose and the connection, the sequence number
and the log's epoch (the `start` of its checkpoint, which tells a re-created log) in its payload. No cursor: a
cursor at the log's head. A cursor: the next events after it, at most `limit`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.consumers.subscriptions import known_trigger
from shared.cursors import seal, unseal
from shared.errors import BadRequest
from shared.settings import CONNECTION_HEADER, Connection, Settings
from shared.triggers.eventlog import Checkpoint, EventLog

log = logging.getLogger("shared.consumers.feed")

MAX_PAGE = 100
IDLE_RETRY_AFTER = 120
CURSOR_FIELD = "cursor"
LIMIT_FIELD = "limit"


@dataclass(frozen=True)
class TriggerPage:
    """One answer of the polling trigger: 200 with events, or 202 without; `cursor` goes into Location. `connection`:
    whose log it read (a 202 may still become the 502 of a failing trigger: shared/operations/health.py)."""

    status: int
    events: list[dict[str, Any]]
    cursor: str
    retry_after: int
    connection: str = ""


def _purpose(trigger: str) -> str:
    return f"trigger-poll:{trigger}"


def _page_limit(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return MAX_PAGE
    text = raw.strip()
    # ASCII digits only: int() would also take "1_0" and other scripts' digits.
    value = int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else 0
    if not 1 <= value <= MAX_PAGE:
        raise BadRequest.field(LIMIT_FIELD, f"must be a whole number 1..{MAX_PAGE}")
    return value


def _cursor_position(payload: Mapping[str, Any]) -> tuple[str, int, int | None]:
    connection, seq, epoch = payload.get("c"), payload.get("s"), payload.get("e")
    valid = (
        isinstance(connection, str)
        and isinstance(seq, int)
        and not isinstance(seq, bool)
        and seq >= 0
        and (epoch is None or (isinstance(epoch, int) and not isinstance(epoch, bool)))
    )
    if not valid:
        raise BadRequest.field(CURSOR_FIELD, "malformed cursor")
    return str(connection), int(str(seq)), None if epoch is None else int(str(epoch))


def _cursor_connection(settings: Settings, header: str | None, named: str) -> Connection:
    """The cursor's connection; an X-Intercom-Connection header naming another one is a 400."""
    if header is not None and header.strip():
        connection = settings.connection(header)
        if connection.name.lower() != named.lower():
            raise BadRequest.field(CURSOR_FIELD, f"was issued for another connection than {CONNECTION_HEADER} names")
        return connection
    try:
        return settings.connection(named)
    except BadRequest as exc:
        raise BadRequest.field(CURSOR_FIELD, "was issued for a connection that is no longer configured") from exc


def poll_page(
    settings: Settings,
    trigger: str,
    *,
    header: str | None,
    cursor: str | None,
    limit: str | None = None,
) -> TriggerPage:
    """The polling trigger: 202 + a cursor at the head without `cursor`; else 200 + events after it, or 202."""
    trigger = known_trigger(trigger)
    size = _page_limit(limit)
    key = settings.cursor_key
    storage = settings.storage_connection_string.get_secret_value()
    if cursor is None or not cursor.strip():
        connection = settings.connection(header)
        checkpoint = EventLog(storage, connection.name, trigger).checkpoint()
        seq, epoch = (0, None) if checkpoint is None else (checkpoint.seq, checkpoint.start)
        sealed = seal(key, _purpose(trigger), {"c": connection.name, "s": seq, "e": epoch})
        return TriggerPage(202, [], sealed, IDLE_RETRY_AFTER, connection.name)
    named, seq, epoch = _cursor_position(unseal(key, _purpose(trigger), cursor, field=CURSOR_FIELD))
    connection = _cursor_connection(settings, header, named)
    event_log = EventLog(storage, connection.name, trigger)
    checkpoint = event_log.checkpoint()
    seq, epoch, restarted = reconciled(checkpoint, seq, epoch)
    if restarted:
        log.warning("%s/%s: the event log was re-created; a polling cursor restarts at its beginning", named, trigger)
    events = event_log.read(seq, size + 1) if checkpoint is not None else []
    more = len(events) > size
    events = events[:size]
    if events:
        seq = events[-1].seq
    sealed = seal(key, _purpose(trigger), {"c": connection.name, "s": seq, "e": epoch})
    if not events:
        return TriggerPage(202, [], sealed, IDLE_RETRY_AFTER, connection.name)
    return TriggerPage(200, [event.body for event in events], sealed, 0 if more else IDLE_RETRY_AFTER, connection.name)


def reconciled(checkpoint: Checkpoint | None, seq: int, epoch: int | None) -> tuple[int, int | None, bool]:
    """(seq, epoch, restarted): a position moved back to the start of a log that was re-created since it was taken.

    A log is re-created when its table is deleted (or storage is replaced); its new checkpoint has another `start`,
    or a head behind the position.
    """
    if checkpoint is None:
        return seq, epoch, False
    if (epoch is not None and epoch != checkpoint.start) or seq > checkpoint.seq:
        return 0, checkpoint.start, True
    return seq, checkpoint.start, False
