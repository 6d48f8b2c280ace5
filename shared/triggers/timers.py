"""What the poll timers run (functions/triggers.py): a trigger's poll on every connection, and the daily prune.

A failing connection is logged (never with its token) and does not stop the others; every connection gets an outcome,
the failed ones with the exception that stopped them (`PollOutcome.failure`).
"""

from __future__ import annotations

import logging

from shared.errors import ConnectorError
from shared.intercom.deadline import Deadline
from shared.settings import Settings
from shared.triggers.poll import PollOutcome, poll_connection, prune_trigger
from shared.triggers.registry import TRIGGERS

log = logging.getLogger("shared.triggers.timers")


def poll_all(settings: Settings, trigger: str, deadline: Deadline) -> list[PollOutcome]:
    """Poll `trigger` on every connection, one after the other, within `deadline`; one outcome per connection."""
    outcomes: list[PollOutcome] = []
    for name in settings.connections:
        try:
            outcomes.append(poll_connection(settings, name, trigger, deadline))
        except ConnectorError as exc:  # storage unreachable and the like: the next poll reads the same window
            log.warning("poll %s connection=%s failed: %s %s", trigger, name, exc.code, exc.message)
            outcomes.append(PollOutcome(trigger, name, "failed", error=f"{exc.code}: {exc.message}", failure=exc))
        except Exception as exc:  # a bug must not keep the other connections from their poll
            log.error("poll %s connection=%s failed: %s", trigger, name, type(exc).__name__, exc_info=True)
            outcomes.append(PollOutcome(trigger, name, "failed", error=type(exc).__name__, failure=exc))
    return outcomes


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
