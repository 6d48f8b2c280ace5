"""The poll of a trigger: read Intercom newest first, log each new event exactly once, move the watermark.

One poll, for one trigger on one connection (docs/triggers.md has the argument why nothing is missed or doubled):

1. read the checkpoint with its ETag (none yet: begin at `now - TRIGGER_START`);
2. the workspace timezone (`GET /me` `app.timezone`) is kept in the checkpoint's state, re-read at most daily;
3. cutoff = max(start, watermark - POLL_LOOKBACK_SECONDS, sealed + 1) (`sealed`: a watermark that a complete
   poll read more than POLL_LOOKBACK_SECONDS after it); the search asks for `{field} > T` (shared/triggers/reads.py);
4. pages are read newest first and the poll stops at the first page that ends before the cutoff, so a poll costs
   calls in proportion to the changes in its window, not to the workspace;
5. the trigger's rule (shared/triggers/rules.py) picks the events among the items at or after the cutoff, already
   logged keys are dropped, the rest is committed oldest first together with the new watermark = the newest field
   value the first page showed (Intercom's time); then the rule settles its markers;
6. a poll cut short (budget, deadline, Intercom error) commits what it found, keeps the watermark, and leaves
   Intercom's cursor in its state, so the next poll reads what is new and then resumes where this one stopped.

What a trigger reads, its rule and its body are declared in shared/triggers/registry.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.errors import ConnectorError
from shared.intercom.client import IntercomClient, client_for
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest
from shared.intercom.workspaces import WorkspaceDirectory
from shared.settings import Settings
from shared.triggers import registry
from shared.triggers.bodies import BUILDERS
from shared.triggers.eventlog import Checkpoint, ConcurrentCommit, EventLog, NewEvent
from shared.triggers.markers import MARKER_RETENTION_SECONDS, Markers
from shared.triggers.reads import query_bound, scan_listing, scan_search, workspace_timezone
from shared.triggers.registry import Trigger
from shared.triggers.rules import RULES, Candidate, RuleContext, Selection, matches

log = logging.getLogger("shared.triggers.poll")

# A complete poll that starts this long (our clock) after the look-back has passed over a watermark "seals" it:
# every item up to it is indexed and was read, so later polls start after it. The margin covers a host clock that
# runs ahead of Intercom's.
SEAL_MARGIN_SECONDS = 120
# Key rows outlive the look-back by this much (a look-back raised by less than this never re-logs an event).
KEY_MARGIN_SECONDS = 86_400
# How often a poll re-commits on a checkpoint that webhook appends moved meanwhile.
REBASE_ATTEMPTS = 8


@dataclass(frozen=True)
class PollOutcome:
    """What one poll did. `status`: ok (read its whole window), partial (cut short: what it found is logged, the
    watermark stays), concurrent (another poll committed first; nothing of this one was kept), failed (it raised:
    storage unreachable, a bug; nothing of it was kept). `failure`: the exception that cut it short or made it fail
    (a ConnectorError, or any other exception for a bug); `error` says it in one line for the log."""

    trigger: str
    connection: str
    status: str
    events: int = 0
    pages: int = 0
    watermark: int = 0
    cutoff: int = 0
    error: str | None = None
    failure: Exception | None = None


def cutoff_of(checkpoint: Checkpoint, lookback: int, sealed: int | None) -> int:
    """Where a poll's window starts: the look-back behind the watermark, never before the start, and after the
    sealed bound (items up to it were all indexed and read by a complete poll)."""
    cutoff = max(checkpoint.start, checkpoint.watermark - lookback)
    return cutoff if sealed is None else max(cutoff, sealed + 1)


# -- one poll -----------------------------------------------------------------------------------------------------


def poll(
    log_: EventLog,
    client: IntercomClient,
    *,
    trigger_start: timedelta,
    lookback: int,
    deadline: Deadline,
    clock: Callable[[], float] = time.time,
    markers: Markers | None = None,
    seal_margin: int = SEAL_MARGIN_SECONDS,
) -> PollOutcome:
    """One poll of `log_.trigger` on one connection. Storage errors (Unavailable) propagate: nothing is lost.

    `markers`: the trigger's markers (default: in its own table, for the triggers that keep them). `clock` gives
    "now" (our clock) for the trigger's start, the timezone refresh and sealing (SEAL_MARGIN_SECONDS: how far our
    clock may run ahead of Intercom's).
    """
    spec = registry.trigger(log_.trigger)
    if markers is None and spec.markers:
        markers = Markers(log_.storage, log_.connection, spec.name)
    now = clock()
    checkpoint = log_.checkpoint()
    if checkpoint is None:
        checkpoint = log_.begin(int(now - trigger_start.total_seconds()))
    state = dict(checkpoint.state)  # the next checkpoint's state: the window, the read and the seal update it
    window = _window(client, spec, checkpoint, state, now, lookback, deadline)
    read = _read(client, spec, window, state, now, lookback, deadline, log_.connection)
    items = [item for item in read.items if matches(item, spec.where)]
    selection = RULES[spec.rule](RuleContext(window.cutoff, spec.field, markers), items)
    candidates, already = _unlogged(log_, spec, selection, window.cutoff)
    events, names_error = _bodies(client, spec, candidates, deadline)
    complete, error = read.complete, read.error
    if names_error is not None:
        complete, error = False, names_error
        _read_window_again(state, checkpoint)
    watermark = checkpoint.watermark
    if complete:
        watermark = _advance(checkpoint, state, window.sealed, read.top, now, lookback, seal_margin)
    reason = None if error is None else f"{type(error).__name__}: {error}"
    logged = 0
    if events or watermark != checkpoint.watermark or state != checkpoint.state:
        try:
            logged = _commit(log_, checkpoint, events, watermark, state)
        except ConcurrentCommit as exc:
            log.info("poll %s %s: %s; this poll's findings are left to it", spec.name, log_.connection, exc)
            return PollOutcome(
                spec.name, log_.connection, "concurrent", 0, read.pages, checkpoint.watermark, window.cutoff, str(exc)
            )
    _settle(spec, log_.connection, selection, already | {e.key for e in events})
    status = "ok" if complete else "partial"
    outcome = PollOutcome(
        spec.name, log_.connection, status, logged, read.pages, watermark, window.cutoff, reason, error
    )
    _log_outcome(outcome)
    return outcome


@dataclass(frozen=True)
class _Window:
    """What this poll reads: items with field >= `cutoff`, searched as `field > bound`. `sealed`: the state's bound."""

    cutoff: int
    bound: int
    sealed: int | None


def _window(
    client: IntercomClient,
    spec: Trigger,
    checkpoint: Checkpoint,
    state: dict[str, Any],
    now: float,
    lookback: int,
    deadline: Deadline,
) -> _Window:
    """The cutoff and the search bound (the timezone read or refreshed into `state` for contacts)."""
    timezone = workspace_timezone(client, state, now, deadline) if spec.source.day_granular else None
    sealed = state.get("sealed")
    sealed = int(sealed) if isinstance(sealed, int) else None
    cutoff = cutoff_of(checkpoint, lookback, sealed)
    return _Window(cutoff, query_bound(spec, cutoff, timezone), sealed)


@dataclass(frozen=True)
class _Read:
    """What a poll read of its window. `complete`: down to the cutoff; `top`: the watermark it may give then."""

    items: list[dict[str, Any]]
    pages: int
    complete: bool
    top: int | None
    error: ConnectorError | None


def _saved_read(state: dict[str, Any], cutoff: int) -> dict[str, Any] | None:
    """The read a previous poll of this same window could not finish; any other is dropped from the state."""
    resume = state.get("resume")
    if isinstance(resume, dict) and resume.get("cutoff") == cutoff and isinstance(resume.get("after"), str):
        return resume
    state.pop("resume", None)
    return None


def _read(
    client: IntercomClient,
    spec: Trigger,
    window: _Window,
    state: dict[str, Any],
    now: float,
    lookback: int,
    deadline: Deadline,
    connection: str,
) -> _Read:
    """Phase 1, what is new since the last complete read; then phase 2, the saved read resumed from its cursor.
    A read cut short leaves its cursor in `state["resume"]`."""
    if spec.source.listing:
        return _read_listing(client, spec, window, state, now, deadline)
    resume = _saved_read(state, window.cutoff)
    fresh_stop = window.cutoff if resume is None else max(window.cutoff, int(resume["top"]) - lookback)
    # The watermark never passes our clock: an item dated in the future (conversations take a `created_at` on
    # import) would otherwise lift every later cutoff above the writes that follow it.
    fresh = scan_search(client, spec, window.bound, fresh_stop, deadline, ceiling=int(now))
    if resume is None:
        if not fresh.complete and fresh.after is not None and fresh.top is not None:
            state["resume"] = {"after": fresh.after, "top": fresh.top, "bound": window.bound, "cutoff": window.cutoff}
        return _Read(fresh.items, fresh.pages, fresh.complete, fresh.top, fresh.error)
    if not fresh.complete:
        return _Read(fresh.items, fresh.pages, False, fresh.top, fresh.error)
    saved_top = int(resume["top"])
    top = saved_top if fresh.top is None else max(saved_top, fresh.top)
    rest = scan_search(client, spec, int(resume["bound"]), window.cutoff, deadline, after=str(resume["after"]))
    if rest.complete:
        state.pop("resume", None)
    elif isinstance(rest.error, IntercomBadRequest) and rest.pages == 0:
        log.warning("poll %s %s: Intercom refused the saved cursor; reading the window again", spec.name, connection)
        state.pop("resume", None)
    else:
        state["resume"] = {**resume, "after": rest.after or resume["after"], "top": top}
    return _Read(fresh.items + rest.items, fresh.pages + rest.pages, rest.complete, top, rest.error)


def _read_listing(
    client: IntercomClient, spec: Trigger, window: _Window, state: dict[str, Any], now: float, deadline: Deadline
) -> _Read:
    """The company listing from the page the last complete read ended on; a read cut short is simply read again
    (no cursor to keep: its cost is the pages of new companies)."""
    page = state.get("page")
    scan = scan_listing(client, spec, page if isinstance(page, int) else None, window.cutoff, deadline, int(now))
    if scan.complete and scan.tail_page is not None:
        state["page"] = scan.tail_page
    return _Read(scan.items, scan.pages, scan.complete, scan.top, scan.error)


def _unlogged(log_: EventLog, spec: Trigger, selection: Selection, cutoff: int) -> tuple[list[Candidate], set[str]]:
    """(the candidates whose keys are not logged yet, oldest first; the keys that are). Keys that name an object for
    good are checked one by one (their events may be older than the window); the others by the window's key rows."""
    candidates = selection.candidates
    if spec.identity_keys:
        logged = log_.logged(c.key for c in candidates) if candidates else set()
    else:
        logged = log_.seen_keys(cutoff)
    fresh = sorted((c for c in candidates if c.key not in logged), key=lambda c: (c.occurred_at, c.key))
    return fresh, {c.key for c in candidates if c.key in logged}


def _bodies(
    client: IntercomClient, spec: Trigger, candidates: list[Candidate], deadline: Deadline
) -> tuple[list[NewEvent], ConnectorError | None]:
    """The events of the candidates in order, up to the first whose names cannot be read (and that error)."""
    events: list[NewEvent] = []
    for candidate in candidates:
        try:
            body = BUILDERS[spec.body](client, candidate.item, deadline)
        except ConnectorError as exc:
            return events, exc
        events.append(NewEvent(candidate.key, candidate.object_id, candidate.occurred_at, body))
    return events, None


def _commit(
    log_: EventLog, checkpoint: Checkpoint, events: list[NewEvent], watermark: int, state: dict[str, Any]
) -> int:
    """Commit the poll; how many of its events it logged. When the checkpoint moved only by appends (the webhook path
    logs events without touching the watermark or the state), the poll rebases on it: the events logged meanwhile are
    dropped and the rest committed on the new checkpoint. Any other move (another poll) is a ConcurrentCommit."""
    for _ in range(REBASE_ATTEMPTS):
        try:
            log_.commit(checkpoint, events, watermark=watermark, state=state)
        except ConcurrentCommit:
            current = log_.checkpoint()
            if current is None or (current.start, current.watermark, current.state) != (
                checkpoint.start,
                checkpoint.watermark,
                checkpoint.state,
            ):
                raise
            already = log_.logged(e.key for e in events) if events else set()
            events = [e for e in events if e.key not in already]
            checkpoint = current
            continue
        return len(events)
    raise ConcurrentCommit(f"{log_.trigger}: the checkpoint kept moving under appends")


def _read_window_again(state: dict[str, Any], checkpoint: Checkpoint) -> None:
    """Names could not be read: what is complete is logged, and the next poll reads this window again (the saved
    read as the checkpoint holds it, not where this poll's read stopped)."""
    resume = checkpoint.state.get("resume")
    if resume is None:
        state.pop("resume", None)
    else:
        state["resume"] = resume


def _advance(
    checkpoint: Checkpoint,
    state: dict[str, Any],
    sealed: int | None,
    top: int | None,
    now: float,
    lookback: int,
    seal_margin: int,
) -> int:
    """After a complete read: the watermark it gives (`top`, never lowered), sealed in `state` when the look-back
    and its margin have passed over it (our clock) and that raises the cutoff."""
    watermark = checkpoint.watermark if top is None else max(checkpoint.watermark, top)
    seal = min(watermark, int(now) - lookback - seal_margin)
    if seal >= max(checkpoint.start, watermark - lookback) and (sealed is None or seal > sealed):
        state["sealed"] = seal
    return watermark


def _settle(spec: Trigger, connection: str, selection: Selection, done: set[str]) -> None:
    """The rule's bookkeeping once `done` keys are logged; a failure is harmless (keys are checked anyway)."""
    if selection.settle is None:
        return
    try:
        selection.settle(done)
    except ConnectorError as exc:
        log.info("poll %s %s: markers not settled (%s)", spec.name, connection, exc.code)


def _log_outcome(outcome: PollOutcome) -> None:
    log.info(
        "poll %s connection=%s status=%s events=%d pages=%d cutoff=%d watermark=%d%s",
        outcome.trigger,
        outcome.connection,
        outcome.status,
        outcome.events,
        outcome.pages,
        outcome.cutoff,
        outcome.watermark,
        f" stopped: {outcome.error}" if outcome.error else "",
    )


# -- the timers' entry points -------------------------------------------------------------------------------------


def poll_connection(
    settings: Settings,
    connection_name: str,
    trigger: str,
    deadline: Deadline,
    *,
    client: IntercomClient | None = None,
    clock: Callable[[], float] = time.time,
) -> PollOutcome:
    """Poll one trigger on one connection with the process's client (budget in Table Storage)."""
    storage = settings.storage_connection_string.get_secret_value()
    connection = settings.connections[connection_name]
    client = client or client_for(connection, settings)
    if connection.client_secret is not None:
        WorkspaceDirectory(storage).learn(client, deadline)
    return poll(
        EventLog(storage, connection_name, trigger),
        client,
        trigger_start=settings.trigger_start,
        lookback=settings.poll_lookback_seconds,
        deadline=deadline,
        clock=clock,
    )


def key_bound(name: str, watermark: int, lookback: int) -> int:
    """Key rows of events that occurred before this may be pruned: no poll can meet those events again.

    A poll drops keys by `seen_keys(cutoff)` with cutoff >= watermark - lookback, so older keys are never asked
    for (a poll that read an older checkpoint fails its commit on the ETag). Keys that name an object for good
    (user-created, lead-converted, ...) guard events found through a marker, which lives MARKER_RETENTION_SECONDS
    after the object was last seen, or an object seen again any time; so they stay that long. contact-unsubscribed
    keeps its keys (one per contact ever seen unsubscribed): an unsubscribed contact may be updated any time later,
    and only its key tells that it fired.
    """
    spec = registry.trigger(name)
    if spec.keys_forever:
        return 0
    bound = watermark - lookback - KEY_MARGIN_SECONDS
    if spec.identity_keys:
        bound = min(bound, watermark - MARKER_RETENTION_SECONDS - KEY_MARGIN_SECONDS)
    return bound


def prune_trigger(settings: Settings, connection_name: str, trigger: str, *, now: float | None = None) -> int:
    """Delete events older than EVENT_RETENTION_DAYS, keys no poll can need, stale markers; how many rows."""
    storage = settings.storage_connection_string.get_secret_value()
    event_log = EventLog(storage, connection_name, trigger)
    checkpoint = event_log.checkpoint()
    if checkpoint is None:
        return 0
    moment = time.time() if now is None else now
    removed = 0
    if registry.trigger(trigger).markers:
        # Markers go first: a marker must never outlive the key rows that make its event fire only once.
        removed += Markers(storage, connection_name, trigger).prune(checkpoint.watermark - MARKER_RETENTION_SECONDS)
    logged_before = datetime.fromtimestamp(moment, UTC) - timedelta(days=settings.event_retention_days)
    removed += event_log.prune(
        logged_before=logged_before,
        keys_before=key_bound(trigger, checkpoint.watermark, settings.poll_lookback_seconds),
    )
    return removed
