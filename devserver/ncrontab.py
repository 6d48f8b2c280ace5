"""NCRONTAB schedules as Azure Functions timers read them (croniter computes the occurrences), and `%SETTING%`
placeholders.

`{second} {minute} {hour} {day} {month} {day-of-week}`; the five-field form, without seconds, means second 0, as the
Functions host accepts it. Each field is `*`, a value, a range `a-b`, a step (`*/n`, `a-b/n`, `a/n`), or a
comma-separated list of those; months and days of the week also take their three-letter English names (`Jan`,
`mon`); day of week 0 is Sunday. When both day of month and day of week are restricted, a day must match both
(NCrontab's rule, croniter's `day_or=False`). croniter's own extensions that NCrontab lacks (`L`, `W`, `#`, `?`,
`H`, a seventh field for the year) are refused. Times are UTC, as in Azure without WEBSITE_TIME_ZONE.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from croniter import CroniterBadDateError, CroniterError, croniter

_PLACEHOLDER = re.compile(r"%([^%\s]+)%")
_SEARCH_YEARS = 5


def _field(value: str) -> re.Pattern[str]:
    """NCRONTAB's field syntax over `value`: `*` or a value or a range, each with an optional step, in a list."""
    item = rf"(?:\*|(?:{value})(?:-(?:{value}))?)(?:/\d+)?"
    return re.compile(rf"{item}(?:,{item})*")


_NAMES = ("second", "minute", "hour", "day", "month", "day of week")
# croniter checks the values' ranges; NCrontab's day of week is 0-6 (croniter also takes 7 for Sunday)
_FIELDS = (*[_field(r"\d+|[A-Za-z]{3}")] * 5, _field(r"[0-6]|[A-Za-z]{3}"))


class ScheduleError(ValueError):
    """A schedule that does not parse, names a setting that is not set, or never fires."""


@dataclass(frozen=True)
class Schedule:
    """A parsed NCRONTAB expression; `next_after` gives its occurrences."""

    expression: str
    fields: str  # the six fields, seconds first, as croniter reads them

    @classmethod
    def parse(cls, expression: str) -> Schedule:
        parts = expression.split()
        if len(parts) == 5:
            parts = ["0", *parts]
        if len(parts) != 6:
            raise ScheduleError(
                f"{expression!r}: an NCRONTAB expression has 6 fields (seconds first), not {len(parts)}"
            )
        for name, syntax, part in zip(_NAMES, _FIELDS, parts, strict=True):
            if not syntax.fullmatch(part):
                raise ScheduleError(f"{expression!r}: {part!r} is not an NCRONTAB {name} field")
        schedule = cls(expression, " ".join(parts))
        try:
            schedule._iterator(datetime(2000, 1, 1))
        except CroniterError as exc:
            raise ScheduleError(f"{expression!r}: {exc}") from None
        return schedule

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (same tzinfo); ScheduleError when none within 5 years."""
        try:
            found: datetime = self._iterator(moment).get_next(datetime)
        except CroniterBadDateError:
            raise ScheduleError(f"{self.expression!r} never fires") from None
        return found

    def _iterator(self, start: datetime) -> croniter:
        return croniter(
            self.fields, start, second_at_beginning=True, day_or=False, max_years_between_matches=_SEARCH_YEARS
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
