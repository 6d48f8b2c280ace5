"""The trigger timers (one per trigger of shared/triggers/registry.py, interface §4 and §8) and the daily prune: each
poll timer polls its trigger on every connection (shared/triggers/timers.py), then pushes what it logged to the
webhook subscribers (shared/consumers/delivery.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import azure.functions as func

from shared.intercom.deadline import poll_deadline
from shared.settings import get_settings
from shared.triggers.registry import TRIGGERS

bp = func.Blueprint()
log = logging.getLogger("functions.triggers")

PRUNE_SCHEDULE = "0 30 3 * * *"


def _poll_timer(trigger: str, name: str) -> Callable[[func.TimerRequest], None]:
    """The timer function `name` on POLL_SCHEDULE, registered on the blueprint."""

    def run(timer: func.TimerRequest) -> None:
        # Imported where they run: a cold start does not compile the poller (bench/cold_start.py).
        from shared.consumers.delivery import deliver_polled
        from shared.operations.recorder import record_polls
        from shared.triggers.timers import poll_all

        deadline = poll_deadline(started=time.monotonic())
        settings = get_settings()
        outcomes = poll_all(settings, trigger, deadline)
        record_polls(settings, outcomes)  # each outcome kept and logged with its cause (interface §11)
        deliver_polled(settings, outcomes, deadline)

    run.__name__ = run.__qualname__ = name
    bp.function_name(name)(bp.timer_trigger(schedule="%POLL_SCHEDULE%", arg_name="timer", use_monitor=True)(run))
    return run


POLL_TIMERS = {entry.timer: _poll_timer(entry.name, entry.timer) for entry in TRIGGERS.values()}


@bp.function_name("prune_events")
@bp.timer_trigger(schedule=PRUNE_SCHEDULE, arg_name="timer", use_monitor=True)
def prune_events(timer: func.TimerRequest) -> None:
    from shared.triggers.timers import prune_all

    prune_all(get_settings())
