"""The poll of a trigger: read Intercom's search newest first, log each new event exactly once, move the watermark.

One poll, for one trigger on one connection (docs/triggers.md has the argument why nothing is missed or doubled):

1. read the checkpoint with its ETag (none yet: begin at `now - TRIGGER_START`);
2. the workspace timezone (`GET /me` `app.timezone`) is kept in the checkpoint's state, re-read at most daily;
3. cutoff = max(start, watermark - POLL_LOOKBACK_SECONDS, sealed + 1) (`sealed`: a watermark that a complete
   poll read more than POLL_LOOKBACK_SECONDS after it); the search asks for `{field} > T`, T inside the workspace
   day before the cutoff's day (contact search compares whole days and `>` starts at the next day);
   conversations `created_at > cutoff - 1` (to the second, inclusive);
4. pages are read newest first and the poll stops at the first page that ends before the cutoff, so a poll costs
   calls in proportion to the changes in its window, not to the workspace;
5. items are filtered exactly here (field >= cutoff), already logged keys are dropped, the rest is committed oldest
   first together with the new watermark = the newest field value the first page showed (Intercom's time);
6. a poll cut short (budget, deadline, Intercom error) commits what it found, keeps the watermark, and leaves
   Intercom's cursor in its state, so the next poll reads what is new and then resumes where this one stopped.

The user-created trigger reads every contact updated in the window: a user is new when it was created in the
window, or when it was a lead the last time a poll saw it (shared/poll_markers.py).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import ConnectorError
from shared.eventlog import TRIGGERS, Checkpoint, ConcurrentCommit, EventLog, NewEvent
from shared.intercom.client import IntercomClient, client_for
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomForbidden
from shared.me import read_me
from shared.models import contact_to_model, conversation_to_model
from shared.names import contact_names
from shared.poll_markers import MARKER_RETENTION_SECONDS, LeadMarkers
from shared.settings import Settings
from shared.workspaces import WorkspaceDirectory

log = logging.getLogger("shared.polling")

PER_PAGE = 150
TIMEZONE_REFRESH_SECONDS = 86_400
# Without a known timezone: two days back puts T in an earlier day than the cutoff for every UTC offset.
UNKNOWN_TIMEZONE_BACK_SECONDS = 2 * 86_400
# T sits in the middle of the previous workspace day, so a timezone rule that differs from Intercom's by less than
# 12 hours still leaves T in an earlier day than the cutoff.
DAY_BOUND_BACK_SECONDS = 12 * 3600
# A complete poll that starts this long (our clock) after the look-back has passed over a watermark "seals" it:
# every item up to it is indexed and was read, so later polls start after it. The margin covers a host clock that
# runs ahead of Intercom's.
SEAL_MARGIN_SECONDS = 120
# Key rows outlive the look-back by this much (a look-back raised by less than this never re-logs an event).
KEY_MARGIN_SECONDS = 86_400
# An event body is at most ~480 K characters in the log, stored as ASCII JSON (a character outside ASCII takes 6,
# an emoji 12): a conversation body is cut so that it takes at most this many there.
MAX_TEXT_CHARS = 200_000
# How often a poll re-commits on a checkpoint that webhook appends moved meanwhile.
REBASE_ATTEMPTS = 8


@dataclass(frozen=True)
class TriggerSpec:
    """What a trigger searches: the endpoint, the time field it follows and the role filter (contacts)."""

    name: str
    path: str
    field: str
    role: str | None
    items: str  # where the page's items are: "data" (contacts) or "conversations"

    @property
    def contacts(self) -> bool:
        return self.path == "/contacts/search"


SPECS: dict[str, TriggerSpec] = {
    "user-updated": TriggerSpec("user-updated", "/contacts/search", "updated_at", "user", "data"),
    "lead-created": TriggerSpec("lead-created", "/contacts/search", "created_at", "lead", "data"),
    "user-created": TriggerSpec("user-created", "/contacts/search", "updated_at", None, "data"),
    "conversation-started": TriggerSpec(
        "conversation-started", "/conversations/search", "created_at", None, "conversations"
    ),
}
assert set(SPECS) == set(TRIGGERS)


@dataclass(frozen=True)
class PollOutcome:
    """What one poll did. `status`: ok (read its whole window), partial (cut short: what it found is logged, the
    watermark stays), concurrent (another poll committed first; nothing of this one was kept)."""

    trigger: str
    connection: str
    status: str
    events: int = 0
    pages: int = 0
    watermark: int = 0
    cutoff: int = 0
    error: str | None = None


# -- the day-safe search bound ------------------------------------------------------------------------------------


def zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a directory, a name too long
        return None


def day_bound(cutoff: int, timezone: str | None) -> int:
    """A T such that contact search's `field > T` matches every item at or after `cutoff`.

    Contact search compares by calendar day in the workspace timezone, and `>` starts at the day after T's day. So
    T must lie in a day before the cutoff's day: the middle of the previous day, checked against the timezone
    (DST, 23- and 25-hour days). An unknown timezone gives a bound two days back, which holds for any UTC offset.
    """
    tz = zone(timezone)
    if tz is None:
        return cutoff - UNKNOWN_TIMEZONE_BACK_SECONDS
    day = datetime.fromtimestamp(cutoff, tz).date()
    midnight = int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())
    bound = min(midnight, cutoff) - DAY_BOUND_BACK_SECONDS
    while datetime.fromtimestamp(bound, tz).date() >= day:  # cannot happen with real zones; kept as a guard
        bound -= 3600
    return bound


def cutoff_of(checkpoint: Checkpoint, lookback: int, sealed: int | None) -> int:
    """Where a poll's window starts: the look-back behind the watermark, never before the start, and after the
    sealed bound (items up to it were all indexed and read by a complete poll)."""
    cutoff = max(checkpoint.start, checkpoint.watermark - lookback)
    return cutoff if sealed is None else max(cutoff, sealed + 1)


def search_body(spec: TriggerSpec, cutoff_or_bound: int, after: str | None = None) -> dict[str, Any]:
    """The search request: `field > bound` (and the role), newest first, 150 a page, from `after` if given."""
    date = {"field": spec.field, "operator": ">", "value": cutoff_or_bound}
    query: dict[str, Any] = date
    if spec.role is not None:
        query = {"operator": "AND", "value": [date, {"field": "role", "operator": "=", "value": spec.role}]}
    pagination: dict[str, Any] = {"per_page": PER_PAGE}
    if after is not None:
        pagination["starting_after"] = after
    return {"query": query, "sort": {"field": spec.field, "order": "descending"}, "pagination": pagination}


def query_bound(spec: TriggerSpec, cutoff: int, timezone: str | None) -> int:
    if spec.contacts:
        return day_bound(cutoff, timezone)
    return cutoff - 1  # conversation search: `>` is "greater or equal" to the second; exact filtering follows


# -- reading Intercom ---------------------------------------------------------------------------------------------


@dataclass
class _Scan:
    """One newest-first read of a search. `complete`: it reached an item older than `stop_below`, or the end."""

    items: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    complete: bool = False
    top: int | None = None  # the newest field value of the first page, at most `ceiling` (our clock)
    after: str | None = None  # Intercom's cursor to continue from, when not complete
    error: ConnectorError | None = None


def _stamp(item: Mapping[str, Any], name: str) -> int | None:
    value = item.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _next_cursor(page: Mapping[str, Any]) -> str | None:
    pages = page.get("pages")
    following = pages.get("next") if isinstance(pages, dict) else None
    after = following.get("starting_after") if isinstance(following, dict) else None
    return after if isinstance(after, str) and after else None


def _scan(
    client: IntercomClient,
    spec: TriggerSpec,
    bound: int,
    stop_below: int,
    deadline: Deadline,
    after: str | None = None,
    ceiling: int | None = None,
) -> _Scan:
    """`ceiling`: the top is never above it (an item dated in the future must not carry the watermark there)."""
    scan = _Scan(after=after)
    while True:
        try:
            page = client.search(spec.path, search_body(spec, bound, scan.after), deadline=deadline)
        except ConnectorError as exc:  # Throttled (budget, deadline), Intercom errors, throttle storage down
            scan.error = exc
            return scan
        if not isinstance(page, dict):
            scan.error = ConnectorError(f"Intercom answered {spec.path} with something that is not a page")
            return scan
        scan.pages += 1
        data = [item for item in page.get(spec.items) or [] if isinstance(item, dict)]
        scan.items.extend(data)
        if scan.pages == 1 and after is None:
            stamps = [s for s in (_stamp(item, spec.field) for item in data) if s is not None]
            scan.top = max(stamps, default=None)
            if scan.top is not None and ceiling is not None:
                scan.top = min(scan.top, ceiling)
        following = _next_cursor(page)
        last = _stamp(data[-1], spec.field) if data else None
        if following is None or last is None or last < stop_below:
            scan.complete, scan.after = True, None
            return scan
        scan.after = following


# -- the timezone -------------------------------------------------------------------------------------------------


def _timezone(client: IntercomClient, state: dict[str, Any], now: float, deadline: Deadline) -> str | None:
    """The workspace timezone from the state, re-read from `GET /me` when older than a day (state is updated)."""
    known = state.get("tz")
    known = known if isinstance(known, str) else None
    checked = state.get("tz_checked")
    if isinstance(checked, int | float) and 0 <= now - checked < TIMEZONE_REFRESH_SECONDS:
        return known  # None: Intercom gave no usable timezone at the last check
    try:
        me = client.get("/me", deadline=deadline)
    except ConnectorError as exc:
        log.warning(
            "poll %s: GET /me failed (%s); using the day bound that needs no timezone", client.connection.name, exc.code
        )
        return known
    app = me.get("app") if isinstance(me, dict) else None
    name = app.get("timezone") if isinstance(app, dict) else None
    if not isinstance(name, str) or zone(name) is None:
        log.warning(
            "poll %s: Intercom gave no usable timezone; using the day bound that needs none", client.connection.name
        )
        name = None
    state["tz"], state["tz_checked"] = name, int(now)
    return name


# -- choosing the events ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    key: str
    object_id: str
    occurred_at: int
    item: dict[str, Any]
    marked: bool = False  # user-created: the contact carries a lead marker, deleted once this event is logged


def _candidates(
    spec: TriggerSpec, items: Iterable[dict[str, Any]], cutoff: int
) -> tuple[list[_Candidate], dict[str, int], list[dict[str, Any]]]:
    """(candidates by the trigger's rule, leads seen {id: updated_at}, users to check for a lead marker)."""
    found: dict[str, _Candidate] = {}
    leads: dict[str, int] = {}
    maybe_converted: dict[str, dict[str, Any]] = {}
    for item in items:
        object_id = item.get("id")
        value = _stamp(item, spec.field)
        if object_id is None or value is None or value < cutoff:
            continue
        object_id = str(object_id)
        role = item.get("role")
        if spec.name == "user-updated":
            if role == "user":
                found.setdefault(f"{object_id}:{value}", _Candidate(f"{object_id}:{value}", object_id, value, item))
        elif spec.name == "lead-created":
            if role == "lead":
                found.setdefault(object_id, _Candidate(object_id, object_id, value, item))
        elif spec.name == "conversation-started":
            found.setdefault(object_id, _Candidate(object_id, object_id, value, item))
        elif role == "lead":  # user-created
            leads[object_id] = max(value, leads.get(object_id, value))
        elif role == "user":
            created = _stamp(item, "created_at")
            if created is not None and created >= cutoff:
                found.setdefault(object_id, _Candidate(object_id, object_id, created, item))
            elif object_id not in found:
                maybe_converted.setdefault(object_id, item)
    return list(found.values()), leads, [i for k, i in maybe_converted.items() if k not in found]


def _stored_length(text: str) -> int:
    """How many characters `text` takes in the log (escaped as ASCII JSON, without the quotes)."""
    return len(json.dumps(text)) - 2


def _cut(text: str, limit: int) -> str:
    """The longest start of `text` that takes at most `limit` characters in the log."""
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if _stored_length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def event_body(client: IntercomClient, spec: TriggerSpec, item: dict[str, Any], deadline: Deadline) -> dict[str, Any]:
    """The event body: User/Lead with company and tag names (the inline lists, at most 10 each), or Conversation."""
    if not spec.contacts:
        body = conversation_to_model(item).model_dump(mode="json")
        message = body.get("conversation_message") or {}
        text = message.get("body")
        if isinstance(text, str) and _stored_length(text) > MAX_TEXT_CHARS:
            message["body"] = _cut(text, MAX_TEXT_CHARS)
            log.warning("conversation %s: body cut to %d characters in its event", item.get("id"), len(message["body"]))
        return body
    try:
        companies, tags = contact_names(client, item, deadline)
    except (IntercomForbidden, IntercomBadRequest) as exc:
        # Refused for good (a token without access to companies or tags): waiting would stall the trigger forever.
        log.warning("contact %s: names refused by Intercom (%s); its event lists ids only", item.get("id"), exc.code)
        companies, tags = {}, {}
    return contact_to_model(item, companies, tags).model_dump(mode="json")


# -- one poll -----------------------------------------------------------------------------------------------------


def poll(
    log_: EventLog,
    client: IntercomClient,
    *,
    trigger_start: timedelta,
    lookback: int,
    deadline: Deadline,
    clock: Callable[[], float] = time.time,
    markers: LeadMarkers | None = None,
    seal_margin: int = SEAL_MARGIN_SECONDS,
) -> PollOutcome:
    """One poll of `log_.trigger` on one connection. Storage errors (Unavailable) propagate: nothing is lost.

    `markers` is needed by user-created only. `clock` gives "now" (our clock) for the trigger's start, the timezone
    refresh and sealing (SEAL_MARGIN_SECONDS: how far our clock may run ahead of Intercom's).
    """
    spec = SPECS[log_.trigger]
    if spec.name == "user-created" and markers is None:
        raise ValueError("the user-created poll needs the lead markers")
    now = clock()
    checkpoint = log_.checkpoint()
    if checkpoint is None:
        checkpoint = log_.begin(int(now - trigger_start.total_seconds()))
    state = dict(checkpoint.state)  # the next checkpoint's state: the window, the read and the seal update it
    window = _window(client, spec, checkpoint, state, now, lookback, deadline)
    read = _read(client, spec, window, state, now, lookback, deadline, log_.connection)
    candidates = _select(log_, spec, markers, read.items, window.cutoff)
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
        if markers is not None:
            _forget_markers(markers, spec, log_.connection, events, candidates)
    status = "ok" if complete else "partial"
    outcome = PollOutcome(spec.name, log_.connection, status, logged, read.pages, watermark, window.cutoff, reason)
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
    spec: TriggerSpec,
    checkpoint: Checkpoint,
    state: dict[str, Any],
    now: float,
    lookback: int,
    deadline: Deadline,
) -> _Window:
    """The cutoff and the search bound (the timezone read or refreshed into `state` for contacts)."""
    timezone = _timezone(client, state, now, deadline) if spec.contacts else None
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
    spec: TriggerSpec,
    window: _Window,
    state: dict[str, Any],
    now: float,
    lookback: int,
    deadline: Deadline,
    connection: str,
) -> _Read:
    """Phase 1, what is new since the last complete read; then phase 2, the saved read resumed from its cursor.
    A read cut short leaves its cursor in `state["resume"]`."""
    resume = _saved_read(state, window.cutoff)
    fresh_stop = window.cutoff if resume is None else max(window.cutoff, int(resume["top"]) - lookback)
    # The watermark never passes our clock: an item dated in the future (conversations take a `created_at` on
    # import) would otherwise lift every later cutoff above the writes that follow it.
    fresh = _scan(client, spec, window.bound, fresh_stop, deadline, ceiling=int(now))
    if resume is None:
        if not fresh.complete and fresh.after is not None and fresh.top is not None:
            state["resume"] = {"after": fresh.after, "top": fresh.top, "bound": window.bound, "cutoff": window.cutoff}
        return _Read(fresh.items, fresh.pages, fresh.complete, fresh.top, fresh.error)
    if not fresh.complete:
        return _Read(fresh.items, fresh.pages, False, fresh.top, fresh.error)
    saved_top = int(resume["top"])
    top = saved_top if fresh.top is None else max(saved_top, fresh.top)
    rest = _scan(client, spec, int(resume["bound"]), window.cutoff, deadline, after=str(resume["after"]))
    if rest.complete:
        state.pop("resume", None)
    elif isinstance(rest.error, IntercomBadRequest) and rest.pages == 0:
        log.warning("poll %s %s: Intercom refused the saved cursor; reading the window again", spec.name, connection)
        state.pop("resume", None)
    else:
        state["resume"] = {**resume, "after": rest.after or resume["after"], "top": top}
    return _Read(fresh.items + rest.items, fresh.pages + rest.pages, rest.complete, top, rest.error)


def _select(
    log_: EventLog, spec: TriggerSpec, markers: LeadMarkers | None, items: list[dict[str, Any]], cutoff: int
) -> list[_Candidate]:
    """The window's candidates whose keys are not logged yet, oldest first."""
    candidates, leads, maybe_converted = _candidates(spec, items, cutoff)
    if spec.name == "user-created":
        assert markers is not None
        candidates = _with_lead_markers(spec, markers, candidates, leads, maybe_converted, cutoff)
        logged = log_.logged(c.key for c in candidates)
    else:
        logged = log_.seen_keys(cutoff)
    return sorted((c for c in candidates if c.key not in logged), key=lambda c: (c.occurred_at, c.object_id))


def _with_lead_markers(
    spec: TriggerSpec,
    markers: LeadMarkers,
    candidates: list[_Candidate],
    leads: dict[str, int],
    maybe_converted: list[dict[str, Any]],
    cutoff: int,
) -> list[_Candidate]:
    """user-created: marks the leads seen; the candidates flagged when marked, plus the users that were leads."""
    if leads:
        markers.mark(leads)
    # A user created in the window may carry a marker too (a poll cut short saw it as a lead): the marker must
    # go with its event, or it would outlive the key row, whose time is the older `created_at`.
    marked = markers.marked([c.object_id for c in candidates] + [str(item["id"]) for item in maybe_converted])
    candidates = [replace(c, marked=True) if c.object_id in marked else c for c in candidates]
    for item in maybe_converted:
        if str(item["id"]) in marked:
            value = _stamp(item, spec.field) or cutoff
            candidates.append(_Candidate(str(item["id"]), str(item["id"]), value, item, marked=True))
    return candidates


def _bodies(
    client: IntercomClient, spec: TriggerSpec, candidates: list[_Candidate], deadline: Deadline
) -> tuple[list[NewEvent], ConnectorError | None]:
    """The events of the candidates in order, up to the first whose names cannot be read (and that error)."""
    events: list[NewEvent] = []
    for candidate in candidates:
        try:
            body = event_body(client, spec, candidate.item, deadline)
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


def _forget_markers(
    markers: LeadMarkers, spec: TriggerSpec, connection: str, events: list[NewEvent], candidates: list[_Candidate]
) -> None:
    """Deletes the lead markers of the users whose events were just logged."""
    fired = [e.object_id for e, c in zip(events, candidates, strict=False) if c.marked]
    try:
        markers.forget(fired)
    except ConnectorError as exc:  # harmless: a marker's user is checked against the key rows anyway
        log.info("poll %s %s: markers not deleted (%s)", spec.name, connection, exc.code)


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
        learn_workspace(storage, client, deadline)
    return poll(
        EventLog(storage, connection_name, trigger),
        client,
        trigger_start=settings.trigger_start,
        lookback=settings.poll_lookback_seconds,
        deadline=deadline,
        clock=clock,
        markers=LeadMarkers(storage, connection_name) if trigger == "user-created" else None,
    )


def learn_workspace(storage: str, client: IntercomClient, deadline: Deadline) -> None:
    """Record the connection's workspace (`GET /me` app.id_code) for the webhook intake, if it is not known yet."""
    directory = WorkspaceDirectory(storage)
    name = client.connection.name
    if name in directory.known():
        return
    try:
        me = read_me(client, deadline)
    except ConnectorError as exc:
        log.warning("poll %s: GET /me failed (%s); the webhook intake learns the workspace later", name, exc.code)
        return
    if me.app_id is not None:
        directory.remember(name, me.app_id)


def key_bound(trigger: str, watermark: int, lookback: int) -> int:
    """Key rows of events that occurred before this may be pruned: no poll can meet those events again.

    A poll drops keys by `seen_keys(cutoff)` with cutoff >= watermark - lookback, so older keys are never asked
    for (a poll that read an older checkpoint fails its commit on the ETag). user-created keys also guard
    conversions found through a lead marker, which lives MARKER_RETENTION_SECONDS after the lead was last seen,
    before its user's event; so they stay that long.
    """
    bound = watermark - lookback - KEY_MARGIN_SECONDS
    if trigger == "user-created":
        bound = min(bound, watermark - MARKER_RETENTION_SECONDS - KEY_MARGIN_SECONDS)
    return bound


def prune_trigger(settings: Settings, connection_name: str, trigger: str, *, now: float | None = None) -> int:
    """Delete events older than EVENT_RETENTION_DAYS, keys no poll can need, stale lead markers; how many rows."""
    storage = settings.storage_connection_string.get_secret_value()
    event_log = EventLog(storage, connection_name, trigger)
    checkpoint = event_log.checkpoint()
    if checkpoint is None:
        return 0
    moment = time.time() if now is None else now
    removed = 0
    if trigger == "user-created":
        # Markers go first: a marker must never outlive the key rows that make its conversion fire only once.
        removed += LeadMarkers(storage, connection_name).prune(checkpoint.watermark - MARKER_RETENTION_SECONDS)
    logged_before = datetime.fromtimestamp(moment, UTC) - timedelta(days=settings.event_retention_days)
    removed += event_log.prune(
        logged_before=logged_before,
        keys_before=key_bound(trigger, checkpoint.watermark, settings.poll_lookback_seconds),
    )
    return removed
