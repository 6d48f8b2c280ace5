"""What the poll timers run (functions/triggers.py): the read of one Intercom object for all of its triggers on every
connection, and the daily prune.

A failing connection is logged (never with its token) and does not stop the others; every trigger of every connection
gets an outcome, those of a failed read with the exception that stopped it (`PollOutcome.failure`).
"""

from __future__ import annotations

import logging

from shared.errors import ConnectorError
from shared.intercom.deadline import Deadline
from shared.settings import Settings
from shared.triggers.poll import PollOutcome, poll_connection, prune_trigger
from shared.triggers.registry import TRIGGERS, Source, of_source

log = logging.getLogger("shared.triggers.timers")


def poll_all(settings: Settings, source: Source, deadline: Deadline) -> list[PollOutcome]:
    """Read `source` for its triggers on every connection, one after the other, within `deadline`; one outcome per
    trigger and connection."""
    outcomes: list[PollOutcome] = []
    for name in settings.connections:
        try:
            outcomes += poll_connection(settings, name, source, deadline)
        except ConnectorError as exc:  # storage unreachable and the like: the next poll reads the same window
            log.warning("poll %s connection=%s failed: %s %s", source.name, name, exc.code, exc.message)
            outcomes += _failed(source, name, f"{exc.code}: {exc.message}", exc)
        except Exception as exc:  # a bug must not keep the other connections from their poll
            log.error("poll %s connection=%s failed: %s", source.name, name, type(exc).__name__, exc_info=True)
            outcomes += _failed(source, name, type(exc).__name__, exc)
    return outcomes


def _failed(source: Source, connection: str, error: str, failure: Exception) -> list[PollOutcome]:
    return [PollOutcome(t.name, connection, "failed", error=error, failure=failure) for t in of_source(source)]


def prune_all(settings: Settings, *, now: float | None = None) -> int:
    """Prune every trigger's table on every connection; how many rows went."""
    removed = 0
    for name in settings.connections:
        for trigger in TRIGGERS:
            try:
                removed += prune_trigger(settings, name, trigger, now=now)
            except Exception as exc:
                log.warning("prune %s connection=%s failed: %s", trigger, name, type(exc).__name__)
    log.info("prune removed %d rows", removed)
    return removed
