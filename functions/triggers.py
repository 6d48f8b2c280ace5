"""The poll timers (one per Intercom object the triggers of shared/triggers/registry.py read: `poll_contacts`,
`poll_conversations`, `poll_companies`, `poll_tickets`; interface §4, §9) and the daily prune. Each poll timer reads its
object once on every connection for all of its triggers (shared/triggers/timers.py), then pushes what they logged to
the webhook subscribers (shared/consumers/delivery.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import azure.functions as func

from shared.intercom.deadline import poll_deadline
from shared.settings import get_settings
from shared.triggers.registry import SOURCES, Source, of_source

bp = func.Blueprint()
log = logging.getLogger("functions.triggers")

PRUNE_SCHEDULE = "0 30 3 * * *"


def _poll_timer(source: Source) -> Callable[[func.TimerRequest], None]:
    """The timer function `poll_<object>` on POLL_SCHEDULE, registered on the blueprint."""

    def run(timer: func.TimerRequest) -> None:
        # Imported where they run: a cold start does not compile the poller (bench/cold_start.py).
        from shared.consumers.delivery import deliver_polled
        from shared.operations.recorder import count_webhook_only, record_polls
        from shared.triggers.timers import poll_all

        deadline = poll_deadline(started=time.monotonic())
        settings = get_settings()
        outcomes = poll_all(settings, source, deadline)
        record_polls(settings, outcomes)  # each outcome kept and logged with its cause (interface §11)
        if source is SOURCES[0]:  # once a cycle: the events notifications logged for triggers no poll reads
            count_webhook_only(settings)
        deliver_polled(settings, outcomes, deadline)

    run.__name__ = run.__qualname__ = source.timer
    bp.function_name(source.timer)(
        bp.timer_trigger(schedule="%POLL_SCHEDULE%", arg_name="timer", use_monitor=True)(run)
    )
    return run


POLL_TIMERS = {source.timer: _poll_timer(source) for source in SOURCES if of_source(source)}


@bp.function_name("prune_events")
@bp.timer_trigger(schedule=PRUNE_SCHEDULE, arg_name="timer", use_monitor=True)
def prune_events(timer: func.TimerRequest) -> None:
    from shared.triggers.timers import prune_all

    prune_all(get_settings())
