"""How a poll reads Intercom: the day-safe search bound, the search request, and the newest-first reads of a search
(by Intercom's cursor) or of the company listing (by page number), each stopping at the poll's cutoff.

Contact search compares timestamps by calendar day in the workspace timezone and its `>` starts at the next day, so
a contact poll asks for `field > T` with T inside the workspace day before the cutoff's day (`day_bound`);
conversation search compares to the second and its `>` includes the bound. Items are filtered exactly afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import ConnectorError
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.triggers.registry import Trigger
from shared.triggers.rules import stamp

log = logging.getLogger("shared.triggers.reads")

PER_PAGE = 150
# The company listing pages by number; its page size is not documented beyond the default (15), 50 is modest.
LISTING_PER_PAGE = 50
TIMEZONE_REFRESH_SECONDS = 86_400
# Without a known timezone: two days back puts T in an earlier day than the cutoff for every UTC offset.
UNKNOWN_TIMEZONE_BACK_SECONDS = 2 * 86_400
# T sits in the middle of the previous workspace day, so a timezone rule that differs from Intercom's by less than
# 12 hours still leaves T in an earlier day than the cutoff.
DAY_BOUND_BACK_SECONDS = 12 * 3600

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


def search_body(spec: Trigger, cutoff_or_bound: int, after: str | None = None) -> dict[str, Any]:
    """The search request: `field > bound` (and the trigger's `where`), newest first, 150 a page, from `after`."""
    date = {"field": spec.field, "operator": ">", "value": cutoff_or_bound}
    query: dict[str, Any] = date
    if spec.where:
        equal = [{"field": name, "operator": "=", "value": value} for name, value in spec.where.items()]
        query = {"operator": "AND", "value": [date, *equal]}
    pagination: dict[str, Any] = {"per_page": PER_PAGE}
    if after is not None:
        pagination["starting_after"] = after
    return {"query": query, "sort": {"field": spec.field, "order": "descending"}, "pagination": pagination}


def query_bound(spec: Trigger, cutoff: int, timezone: str | None) -> int:
    if spec.source.day_granular:
        return day_bound(cutoff, timezone)
    return cutoff - 1  # conversation search: `>` is "greater or equal" to the second; exact filtering follows


# -- reading Intercom ---------------------------------------------------------------------------------------------


@dataclass
class Scan:
    """One newest-first read of a search. `complete`: it reached an item older than `stop_below`, or the end."""

    items: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    complete: bool = False
    top: int | None = None  # the newest field value of the first page, at most `ceiling` (our clock)
    after: str | None = None  # Intercom's cursor to continue from, when not complete
    error: ConnectorError | None = None
    tail_page: int | None = None  # the listing: its last page, where the next poll starts


def _next_cursor(page: Mapping[str, Any]) -> str | None:
    pages = page.get("pages")
    following = pages.get("next") if isinstance(pages, dict) else None
    after = following.get("starting_after") if isinstance(following, dict) else None
    return after if isinstance(after, str) and after else None


def scan_search(
    client: IntercomClient,
    spec: Trigger,
    bound: int,
    stop_below: int,
    deadline: Deadline,
    after: str | None = None,
    ceiling: int | None = None,
) -> Scan:
    """`ceiling`: the top is never above it (an item dated in the future must not carry the watermark there)."""
    scan = Scan(after=after)
    while True:
        try:
            page = client.search(spec.source.path, search_body(spec, bound, scan.after), deadline=deadline)
        except ConnectorError as exc:  # Throttled (budget, deadline), Intercom errors, throttle storage down
            scan.error = exc
            return scan
        if not isinstance(page, dict):
            scan.error = ConnectorError(f"Intercom answered {spec.source.path} with something that is not a page")
            return scan
        scan.pages += 1
        data = [item for item in page.get(spec.source.items) or [] if isinstance(item, dict)]
        scan.items.extend(data)
        if scan.pages == 1 and after is None:
            stamps = [s for s in (stamp(item, spec.field) for item in data) if s is not None]
            scan.top = max(stamps, default=None)
            if scan.top is not None and ceiling is not None:
                scan.top = min(scan.top, ceiling)
        following = _next_cursor(page)
        last = stamp(data[-1], spec.field) if data else None
        if following is None or last is None or last < stop_below:
            scan.complete, scan.after = True, None
            return scan
        scan.after = following


# -- the timezone -------------------------------------------------------------------------------------------------


def workspace_timezone(client: IntercomClient, state: dict[str, Any], now: float, deadline: Deadline) -> str | None:
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


def scan_listing(
    client: IntercomClient, spec: Trigger, page: int | None, stop_below: int, deadline: Deadline, ceiling: int
) -> Scan:
    """The company listing (`GET /companies`, every company by page number, oldest first: an order Intercom does not
    document), read from its tail: the page the last poll ended on (`page`; None: the last page, which page 1
    names), the pages after it (new companies), then back while a page's first item is not older than `stop_below`.
    A quiet poll reads one page."""
    scan = Scan()
    read: dict[int, list[dict[str, Any]]] = {}

    def fetch(number: int) -> int:
        answer = client.get(spec.source.path, params={"page": number, "per_page": LISTING_PER_PAGE}, deadline=deadline)
        if not isinstance(answer, dict):
            raise ConnectorError(f"Intercom answered {spec.source.path} with something that is not a page")
        scan.pages += 1
        read[number] = [item for item in answer.get("data") or [] if isinstance(item, dict)]
        pages = answer.get("pages")
        total = pages.get("total_pages") if isinstance(pages, dict) else None
        return total if isinstance(total, int) and not isinstance(total, bool) and total >= 1 else number

    try:
        number = max(1, page or 1)
        last = fetch(number)
        if page is None or number > last:  # the first read, or companies were deleted: start at the tail
            number = last
            if number not in read:
                read.clear()
                last = fetch(number)
        for following in range(number + 1, last + 1):
            last = max(last, fetch(following))
        while number > 1 and (not read[number] or (stamp(read[number][0], spec.field) or 0) >= stop_below):
            number -= 1
            if number not in read:
                fetch(number)
    except ConnectorError as exc:
        scan.error = exc
        return scan
    scan.items = [item for n in sorted(read, reverse=True) for item in reversed(read[n])]
    stamps = [s for s in (stamp(item, spec.field) for item in scan.items) if s is not None]
    scan.top = None if not stamps else min(max(stamps), ceiling)
    scan.complete, scan.tail_page = True, last
    return scan
