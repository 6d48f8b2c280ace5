"""NCRONTAB schedules (croniter set to NCRONTAB's rules): seconds first, names, ranges, steps, NCrontab's day rule,
what NCrontab refuses (croniter's extensions included), schedules that never fire, `%SETTING%` placeholders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devserver.ncrontab import Schedule, ScheduleError, resolve_settings

T0 = datetime(2026, 1, 30, 23, 59, 58, tzinfo=UTC)  # a Friday


def occurrences(expression: str, start: datetime = T0, count: int = 4) -> list[datetime]:
    schedule = Schedule.parse(expression)
    found, moment = [], start
    for _ in range(count):
        moment = schedule.next_after(moment)
        found.append(moment)
    return found


def test_every_second_and_every_two_minutes() -> None:
    assert occurrences("*/1 * * * * *", count=3) == [T0 + timedelta(seconds=s) for s in (1, 2, 3)]
    assert occurrences("0 */2 * * * *", count=2) == [
        datetime(2026, 1, 31, 0, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 31, 0, 2, 0, tzinfo=UTC),
    ]


def test_next_after_is_strictly_after_and_ignores_microseconds() -> None:
    schedule = Schedule.parse("0 * * * * *")
    exact = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert schedule.next_after(exact) == exact + timedelta(minutes=1)
    assert schedule.next_after(exact - timedelta(microseconds=1)) == exact


def test_lists_ranges_and_steps() -> None:
    start = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
    seconds = [moment.second for moment in occurrences("1,5-7,50-59/3,20/30 8-10 * * * *", start, count=10)]
    assert seconds == [1, 5, 6, 7, 20, 50, 53, 56, 59, 1]
    assert occurrences("0 8-10 * * * *", start, count=4)[-1] == start.replace(minute=8, hour=9)


def test_three_letter_names_case_insensitive() -> None:
    found = occurrences("0 0 9 * jan-Mar,Dec mon-FRI", datetime(2026, 3, 31, 12, tzinfo=UTC), count=2)
    assert found == [datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 2, 9, tzinfo=UTC)]  # Tue, Wed


def test_day_of_month_and_day_of_week_both_must_match() -> None:
    # 13th that is a Friday (NCrontab's AND rule; Vixie cron would fire every 13th and every Friday).
    found = occurrences("0 0 0 13 * 5", count=2)
    assert found == [datetime(2026, 2, 13, tzinfo=UTC), datetime(2026, 3, 13, tzinfo=UTC)]
    assert all(d.weekday() == 4 for d in found)


def test_sunday_is_zero_and_month_ends() -> None:
    assert occurrences("0 30 6 * * 0", count=1) == [datetime(2026, 2, 1, 6, 30, tzinfo=UTC)]
    assert occurrences("0 0 12 31 * *", count=3) == [
        datetime(2026, 1, 31, 12, tzinfo=UTC),
        datetime(2026, 3, 31, 12, tzinfo=UTC),
        datetime(2026, 5, 31, 12, tzinfo=UTC),
    ]
    assert occurrences("0 0 0 29 2 *", count=1) == [datetime(2028, 2, 29, tzinfo=UTC)]


def test_five_fields_mean_second_zero() -> None:
    assert occurrences("*/5 * * * *", count=2) == [
        datetime(2026, 1, 31, 0, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 31, 0, 5, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "* * * *",
        "* * * * * * *",
        "60 * * * * *",
        "* * 24 * * *",
        "* * * 0 * *",
        "* * * * 13 *",
        "* * * * * 7",
        "*/0 * * * * *",
        "a * * * * *",
        "1,,2 * * * * *",
        "1-x * * * * *",
        "L * * * * *",
        "? * * * * *",
        "0 0 0 L * *",  # croniter's extensions, which NCrontab refuses
        "0 0 0 * * 5#2",
        "0 0 0 ? * *",
        "0 0 0 15W * *",
        "H * * * * *",
        "0 0 0 * * * 2027",
    ],
)
def test_bad_expressions(expression: str) -> None:
    with pytest.raises(ScheduleError):
        Schedule.parse(expression)


def test_never_firing_schedule_is_an_error() -> None:
    with pytest.raises(ScheduleError, match="never fires"):
        Schedule.parse("0 0 0 30 2 *").next_after(T0)


def test_placeholders_resolve_case_insensitively_and_inline() -> None:
    env = {"POLL_SCHEDULE": "0 */2 * * * *", "Minute": "5"}
    assert resolve_settings("%POLL_SCHEDULE%", env) == "0 */2 * * * *"
    assert resolve_settings("0 %minute% * * * *", env) == "0 5 * * * *"
    assert resolve_settings("0 0 * * * *", env) == "0 0 * * * *"
    with pytest.raises(ScheduleError, match="MISSING"):
        resolve_settings("%MISSING%", env)
