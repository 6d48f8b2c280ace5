"""Timer functions on their NCRONTAB schedules, one thread each; the same timer never runs twice at once.

A run that starts more than PAST_DUE_TOLERANCE seconds after its scheduled time (the previous run overran, or an
admin run held the timer) gets `past_due=True`; the occurrences it missed collapse into that one run. Runs started
through the admin API (`run_now`) wait for a run in progress, and are never past due. Disabled timers do not run on
their schedule (nor at startup) but still run through the admin API, as on Azure with the master key.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from azure.functions.timer import TimerRequest

from devserver.catalog import TimerFunction

PAST_DUE_TOLERANCE = 0.5
log = logging.getLogger("devserver.timers")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class RunOutcome:
    started: datetime
    error: Exception | None


class TimerRunner:
    """One timer function: its runs (serialised by a lock) and its schedule loop."""

    def __init__(self, function: TimerFunction, *, tolerance: float = PAST_DUE_TOLERANCE) -> None:
        self.function = function
        self.tolerance = tolerance
        self.last_started: datetime | None = None
        self.next_due: datetime | None = None
        self.running = False
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.function.name

    def run(self, reason: str, due: datetime | None = None) -> RunOutcome:
        """Run the function now (after any run in progress). A failure is logged and returned, never raised."""
        with self._lock:
            started = utcnow()
            late = (started - due).total_seconds() if due else 0.0
            past_due = late > self.tolerance
            request = TimerRequest(
                past_due=past_due,
                schedule_status={
                    "Last": _iso(self.last_started),
                    "Next": _iso(self.next_due),
                    "LastUpdated": started.isoformat(),
                },
                schedule={"AdjustForDST": True},
            )
            self.last_started, self.running = started, True
            log.info("%s started (%s%s)", self.name, reason, f", past due by {late:.1f} s" if past_due else "")
            clock = time.monotonic()
            try:
                self.function.invoke(request)
            except Exception as exc:
                log.exception("%s failed after %.0f ms", self.name, (time.monotonic() - clock) * 1000)
                return RunOutcome(started, exc)
            finally:
                self.running = False
            log.info("%s succeeded in %.0f ms", self.name, (time.monotonic() - clock) * 1000)
            return RunOutcome(started, None)

    def loop(self, stop: threading.Event) -> None:
        schedule = self.function.schedule
        if schedule is None:
            return
        if self.function.run_on_startup:
            self.run("run on startup")
        due = schedule.next_after(utcnow())
        while True:
            self.next_due = due
            while (wait := (due - utcnow()).total_seconds()) > 0:
                if stop.wait(wait):
                    return
            if stop.is_set():
                return
            # Occurrences missed while this run ran (or waited for an admin run) make the next run start at once.
            due = schedule.next_after(self.run("schedule", due).started)


class TimerHost:
    """Every timer of the app: schedule threads, admin runs, a clean stop."""

    def __init__(self, functions: Iterable[TimerFunction]) -> None:
        self.runners = {f.name.lower(): TimerRunner(f) for f in functions}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def runner(self, name: str) -> TimerRunner | None:
        return self.runners.get(name.lower())

    def start(self) -> None:
        for runner in self.runners.values():
            function = runner.function
            if function.error:
                log.error("%s will not run on a schedule: %s", function.name, function.error)
            elif function.disabled:
                log.info("%s is disabled (AzureWebJobs.%s.Disabled): admin runs only", function.name, function.name)
            else:
                thread = threading.Thread(target=runner.loop, args=(self._stop,), name=f"timer-{runner.name}")
                thread.daemon = True
                thread.start()
                self._threads.append(thread)

    def run_in_background(self, runner: TimerRunner) -> None:
        thread = threading.Thread(target=runner.run, args=("admin",), name=f"admin-{runner.name}")
        thread.daemon = True
        thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop scheduling; wait up to `timeout` for runs in progress (their threads are daemons: never a hang)."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for runner in self.runners.values():
            if runner.running:
                log.warning("%s is still running; leaving it", runner.name)
