"""NCRONTAB schedules as Azure Functions timers read them, and `%SETTING%` placeholders.

`{second} {minute} {hour} {day} {month} {day-of-week}` (the five-field form, without seconds, is accepted too, as the
Functions host accepts it). Each field is `*`, a value, a range `a-b` (given backwards, it is swapped), a step
`*/n`, `a-b/n` or `a/n` (from `a` to the field's maximum), or a comma-separated list of those. Months and days of
the week also take English names or their prefixes (`Jan`, `January`, `mon`); day of week 0 is Sunday, 0-6 only.
When both day of month and day of week are restricted, a day must match both (NCrontab's rule, unlike Vixie cron's
"either"). Times are UTC, as in Azure without WEBSITE_TIME_ZONE.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")

_PLACEHOLDER = re.compile(r"%([^%\s]+)%")
_SEARCH_YEARS = 5


class ScheduleError(ValueError):
    """A schedule that does not parse, names a setting that is not set, or never fires."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    first_name_value: int = 0

    def parse(self, text: str) -> frozenset[int]:
        values: set[int] = set()
        for item in text.split(","):
            values |= self._item(item)
        return frozenset(values)

    def _item(self, item: str) -> set[int]:
        if not item:
            raise ScheduleError(f"{self.name}: empty item")
        range_text, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"{self.name}: bad step {step_text!r}")
            step = int(step_text)
        if range_text == "*":
            low, high = self.low, self.high
        elif "-" in range_text:
            first, _, last = range_text.partition("-")
            low, high = sorted((self._value(first), self._value(last)))
        else:
            low = self._value(range_text)
            high = self.high if step_text else low
        return set(range(low, high + 1, step))

    def _value(self, text: str) -> int:
        if text.isdigit():
            value = int(text)
        else:
            lowered = text.lower()
            match = next((i for i, name in enumerate(self.names) if lowered and name.startswith(lowered)), None)
            if match is None:
                raise ScheduleError(f"{self.name}: {text!r} is not a value")
            value = match + self.first_name_value
        if not self.low <= value <= self.high:
            raise ScheduleError(f"{self.name}: {value} is outside {self.low}-{self.high}")
        return value


_FIELDS = (
    _Field("second", 0, 59),
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day", 1, 31),
    _Field("month", 1, 12, MONTH_NAMES, 1),
    _Field("day-of-week", 0, 6, DAY_NAMES, 0),
)


@dataclass(frozen=True)
class Schedule:
    """A parsed NCRONTAB expression; `next_after` gives its occurrences."""

    expression: str
    seconds: frozenset[int] = field(repr=False)
    minutes: frozenset[int] = field(repr=False)
    hours: frozenset[int] = field(repr=False)
    days: frozenset[int] = field(repr=False)
    months: frozenset[int] = field(repr=False)
    weekdays: frozenset[int] = field(repr=False)

    @classmethod
    def parse(cls, expression: str) -> Schedule:
        parts = expression.split()
        if len(parts) == 5:
            parts = ["0", *parts]
        if len(parts) != 6:
            raise ScheduleError(
                f"{expression!r}: an NCRONTAB expression has 6 fields (seconds first), not {len(parts)}"
            )
        try:
            sets = [field.parse(part) for field, part in zip(_FIELDS, parts, strict=True)]
        except ScheduleError as exc:
            raise ScheduleError(f"{expression!r}: {exc}") from None
        return cls(expression, *sets)

    def matches(self, moment: datetime) -> bool:
        return (
            moment.second in self.seconds
            and moment.minute in self.minutes
            and moment.hour in self.hours
            and self._day_matches(moment)
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (same tzinfo); ScheduleError when none within 5 years."""
        t = moment.replace(microsecond=0) + timedelta(seconds=1)
        horizon = t.year + _SEARCH_YEARS
        while t.year <= horizon:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0, second=0) + timedelta(days=32)).replace(day=1)
            elif not self._day_matches(t):
                t = t.replace(hour=0, minute=0, second=0) + timedelta(days=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0, second=0) + timedelta(hours=1)
            elif t.minute not in self.minutes:
                t = t.replace(second=0) + timedelta(minutes=1)
            elif t.second not in self.seconds:
                t += timedelta(seconds=1)
            else:
                return t
        raise ScheduleError(f"{self.expression!r} never fires")

    def _day_matches(self, moment: datetime) -> bool:
        return (
            moment.month in self.months
            and moment.day in self.days
            and (moment.weekday() + 1) % 7 in self.weekdays  # Python: Monday 0; NCRONTAB: Sunday 0
        )


def resolve_settings(text: str, env: Mapping[str, str]) -> str:
    """Replace each `%NAME%` with the app setting NAME (matched case-insensitively, as the host's configuration is)."""
    folded = {key.lower(): value for key, value in env.items()}

    def setting(match: re.Match[str]) -> str:
        name = match.group(1)
        value = env.get(name, folded.get(name.lower()))
        if value is None:
            raise ScheduleError(f"%{name}% does not resolve: the setting {name} is not set")
        return value

    return _PLACEHOLDER.sub(setting, text)
