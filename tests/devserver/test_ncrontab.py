"""The NCRONTAB parser: fields, names, ranges, steps, NCrontab's day rule, errors, `%SETTING%` placeholders; and
its occurrences against croniter (configured as NCRONTAB: seconds first, day of month AND day of week)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from croniter import croniter

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


def test_lists_ranges_steps_and_backward_range() -> None:
    schedule = Schedule.parse("1,5-7,50-59/3,20/30 10-8 * * * *")
    assert schedule.seconds == {1, 5, 6, 7, 50, 53, 56, 59, 20}
    assert schedule.minutes == {8, 9, 10}


def test_names_and_prefixes_case_insensitive() -> None:
    schedule = Schedule.parse("0 0 9 * jan-Mar,December mon-FRIDAY")
    assert schedule.months == {1, 2, 3, 12}
    assert schedule.weekdays == {1, 2, 3, 4, 5}
    assert Schedule.parse("0 0 0 * Ju *").months == {6}  # NCrontab takes the first name that starts so


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
    assert Schedule.parse("*/5 * * * *").seconds == {0}
    assert Schedule.parse("*/5 * * * *").minutes == set(range(0, 60, 5))


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


def _random_field(rng: random.Random, low: int, high: int) -> str:
    def item() -> str:
        a, b = sorted(rng.sample(range(low, high + 1), 2))
        return rng.choice(["*", f"*/{rng.randint(1, 9)}", str(a), f"{a}-{b}", f"{a}-{b}/{rng.randint(2, 5)}"])

    return ",".join(item() for _ in range(rng.randint(1, 3)))


def test_agrees_with_croniter_on_random_expressions() -> None:
    rng = random.Random(20260130)
    bounds = [(0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]
    checked = 0
    for _ in range(300):
        fields = [_random_field(rng, low, high) for low, high in bounds]
        fields[rng.randrange(6)] = "*"
        expression = " ".join(fields)
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(400 * 86400))
        try:
            mine = occurrences(expression, start, count=3)
        except ScheduleError:  # e.g. 31 February every Monday: croniter would search far
            continue
        theirs = croniter(expression, start, second_at_beginning=True, day_or=False)
        assert mine == [theirs.get_next(datetime) for _ in range(3)], expression
        checked += 1
    assert checked > 250
