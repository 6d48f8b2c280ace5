"""The poll period of a POLL_SCHEDULE: the longest gap between consecutive runs (shared/operations/schedule.py)."""

from __future__ import annotations

import pytest

from shared.operations.schedule import DAY, WEEK, YEAR, period_seconds


@pytest.mark.parametrize(
    ("schedule", "period"),
    [
        ("0 */2 * * * *", 120),  # the default
        ("*/1 * * * * *", 1),
        ("* * * * * *", 1),
        ("*/2 * * * * *", 2),
        ("30 * * * * *", 60),
        ("0 0 * * * *", 3600),
        ("0 0,30 8 * * *", 23 * 3600 + 30 * 60),
        ("0,20,40 * * * * *", 20),
        ("0 0 0 * * *", DAY),
        ("0 */2 * * * 1-5", WEEK),  # restricted weekdays: taken as a week
        ("0 0 0 1 1 *", YEAR),  # the tests' "never": taken as a year
    ],
)
def test_period_is_the_longest_gap(schedule: str, period: int) -> None:
    assert period_seconds(schedule) == period


def test_work_hours_schedule_gap_is_overnight() -> None:
    # Every 5 minutes from 09:00 to 17:55; the longest gap is 17:55 -> 09:00.
    assert period_seconds("0 */5 9-17 * * *") == (24 - 17) * 3600 - 55 * 60 + 9 * 3600


@pytest.mark.parametrize("schedule", ["", "nonsense", "0 */0 * * * *", "0 99 * * * *", "* * * * *"])
def test_unreadable_schedule_falls_back_to_the_default(schedule: str) -> None:
    assert period_seconds(schedule) == 120
