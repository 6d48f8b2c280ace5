"""The trigger timers (one per trigger, interface §4 and §8) and the daily prune; each timer polls every connection
through shared/triggers/poll.py.

A failing connection is logged (never with its token) and does not stop the others. After a poll logs new events,
shared.consumers.delivery.deliver_pending pushes them to webhook subscribers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import azure.functions as func

from shared.errors import ConnectorError
from shared.intercom.deadline import Deadline, poll_deadline
from shared.settings import Settings, get_settings

if TYPE_CHECKING:  # imported where they run: a cold start does not compile the poller (bench/cold_start.py)
    from shared.triggers import poll as polling

bp = func.Blueprint()
log = logging.getLogger("functions.triggers")

PRUNE_SCHEDULE = "0 30 3 * * *"


def poll_all(trigger: str, *, deadline: Deadline | None = None) -> list[polling.PollOutcome]:
    """Poll `trigger` on every connection, one after the other, within one poll deadline."""
    from shared.triggers import poll as polling

    started = time.monotonic()
    settings = get_settings()
    deadline = deadline or poll_deadline(started=started)
    from shared.operations.recorder import record_poll

    storage = settings.storage_connection_string.get_secret_value()
    outcomes: list[polling.PollOutcome] = []
    for name in settings.connections:
        result: polling.PollOutcome | Exception
        try:
            result = polling.poll_connection(settings, name, trigger, deadline)
            outcomes.append(result)
        except ConnectorError as exc:  # storage unreachable and the like: the next poll reads the same window
            result = exc
        except Exception as exc:  # a bug must not keep the other connections from their poll
            log.error("poll %s connection=%s failed: %s", trigger, name, type(exc).__name__, exc_info=True)
            result = exc
        record_poll(storage, name, trigger, result)  # logs a failure with its cause (interface §11)
    # Every connection is polled before any is delivered: a slow subscriber of one connection must not eat the
    # deadline of the others' polls. What delivery leaves undone, the deliver_webhooks timer does.
    for outcome in outcomes:
        if outcome.events > 0:
            deliver(settings, outcome.connection, trigger, deadline)
    return outcomes


def deliver(settings: Settings, connection_name: str, trigger: str, deadline: Deadline) -> int:
    """Push the new events to the trigger's webhook subscribers now (the deliver_webhooks timer retries later)."""
    from shared.consumers.delivery import deliver_pending

    try:
        return deliver_pending(settings, connection_name, trigger, deadline)
    except Exception as exc:  # it logs and swallows its own errors; this is a second line
        log.error("delivery %s connection=%s failed: %s", trigger, connection_name, type(exc).__name__)
        return 0


def prune_all(*, now: float | None = None) -> int:
    """Prune every trigger's table on every connection; how many rows went."""
    from shared.triggers import poll as polling
    from shared.triggers.eventlog import TRIGGERS

    settings = get_settings()
    removed = 0
    for name in settings.connections:
        for trigger in TRIGGERS:
            try:
                removed += polling.prune_trigger(settings, name, trigger, now=now)
            except Exception as exc:
                log.warning("prune %s connection=%s failed: %s", trigger, name, type(exc).__name__)
    log.info("prune removed %d rows", removed)
    return removed


def _poll_timer(trigger: str) -> Callable[[func.TimerRequest], None]:
    """The timer function `poll_<trigger>` (dashes as underscores) on POLL_SCHEDULE, registered on the blueprint."""
    name = "poll_" + trigger.replace("-", "_")

    def run(timer: func.TimerRequest) -> None:
        poll_all(trigger)

    run.__name__ = run.__qualname__ = name
    bp.function_name(name)(bp.timer_trigger(schedule="%POLL_SCHEDULE%", arg_name="timer", use_monitor=True)(run))
    return run


poll_user_updated = _poll_timer("user-updated")
poll_lead_created = _poll_timer("lead-created")
poll_user_created = _poll_timer("user-created")
poll_conversation_started = _poll_timer("conversation-started")
poll_lead_converted = _poll_timer("lead-converted")
poll_lead_email_added = _poll_timer("lead-email-added")
poll_contact_tagged = _poll_timer("contact-tagged")
poll_conversation_closed = _poll_timer("conversation-closed")
poll_company_created = _poll_timer("company-created")
poll_contact_unsubscribed = _poll_timer("contact-unsubscribed")


@bp.function_name("prune_events")
@bp.timer_trigger(schedule=PRUNE_SCHEDULE, arg_name="timer", use_monitor=True)
def prune_events(timer: func.TimerRequest) -> None:
    prune_all()
