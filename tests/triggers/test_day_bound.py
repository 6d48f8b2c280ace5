"""The day-safe search bound, checked against the simulator's own day-granular matching (no network)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from intercom_sim.query import CONTACT_DATE_FIELDS, compile_query
from shared.triggers.reads import UNKNOWN_TIMEZONE_BACK_SECONDS, day_bound, search_body
from shared.triggers.registry import TRIGGERS

ZONES = [
    "UTC",
    "Europe/Prague",
    "America/New_York",
    "America/Santiago",  # DST switches at midnight: some local midnights do not exist
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # half-hour DST
    "Pacific/Kiritimati",  # +14
    "Pacific/Pago_Pago",  # -11
]


def matches(bound: int, value: int, tz: str) -> bool:
    """Would the simulator's contact search `updated_at > bound` return an item with updated_at = value?"""
    predicate = compile_query(
        {"field": "updated_at", "operator": ">", "value": bound}, date_fields=CONTACT_DATE_FIELDS, day_tz=ZoneInfo(tz)
    )
    return predicate({"updated_at": value})


def instants(tz: str) -> list[int]:
    """Instants around every local midnight of a year, and around each DST change."""
    zone = ZoneInfo(tz)
    out: list[int] = []
    for month in range(1, 13):
        for day in (1, 7, 14, 28):
            midnight = int(datetime(2026, month, day, tzinfo=zone).timestamp())
            out += [midnight - 3601, midnight - 1, midnight, midnight + 1, midnight + 3599, midnight + 43_200]
    return out


@pytest.mark.parametrize("tz", ZONES)
def test_bound_matches_the_whole_cutoff_day(tz: str) -> None:
    for cutoff in instants(tz):
        bound = day_bound(cutoff, tz)
        assert bound < cutoff
        assert matches(bound, cutoff, tz), (tz, cutoff, bound)
        # The bound lies in the day right before the cutoff's day: the query reads at most one day too many.
        zone = ZoneInfo(tz)
        days = (datetime.fromtimestamp(cutoff, zone).date() - datetime.fromtimestamp(bound, zone).date()).days
        assert days == 1, (tz, cutoff, bound)


def test_the_naive_bound_misses_the_rest_of_the_day() -> None:
    """What the day-safe bound is for: `updated_at > cutoff` skips items later on the cutoff's own day."""
    cutoff = int(datetime(2026, 3, 10, 15, 0, tzinfo=ZoneInfo("Europe/Prague")).timestamp())
    assert not matches(cutoff, cutoff + 60, "Europe/Prague")
    assert matches(day_bound(cutoff, "Europe/Prague"), cutoff + 60, "Europe/Prague")


@pytest.mark.parametrize("tz", ZONES)
def test_unknown_timezone_bound_holds_for_every_zone(tz: str) -> None:
    for cutoff in instants(tz)[::7]:
        bound = day_bound(cutoff, None)
        assert bound == cutoff - UNKNOWN_TIMEZONE_BACK_SECONDS
        assert matches(bound, cutoff, tz)
    assert day_bound(1_800_000_000, "Not/AZone") == 1_800_000_000 - UNKNOWN_TIMEZONE_BACK_SECONDS


def test_search_bodies() -> None:
    body = search_body(TRIGGERS["user-updated"], 100, after="abc")
    assert body == {
        "query": {
            "operator": "AND",
            "value": [
                {"field": "updated_at", "operator": ">", "value": 100},
                {"field": "role", "operator": "=", "value": "user"},
            ],
        },
        "sort": {"field": "updated_at", "order": "descending"},
        "pagination": {"per_page": 150, "starting_after": "abc"},
    }
    assert search_body(TRIGGERS["user-created"], 100)["query"] == {"field": "updated_at", "operator": ">", "value": 100}
    conv = search_body(TRIGGERS["conversation-started"], 99)
    assert conv["query"] == {"field": "created_at", "operator": ">", "value": 99}
    assert conv["sort"] == {"field": "created_at", "order": "descending"}
