"""Intercom's search query language: validation and matching, with contact date fields matched by workspace day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

OPERATORS = {"=", "!=", "IN", "NIN", "<", ">", "<=", ">=", "~", "!~", "^", "$"}
MAX_FILTERS_PER_GROUP = 15
MAX_NESTING = 2
CONTACT_DATE_FIELDS = {
    "created_at",
    "updated_at",
    "signed_up_at",
    "last_seen_at",
    "last_contacted_at",
    "last_replied_at",
    "last_email_opened_at",
    "last_email_clicked_at",
}
CONVERSATION_DATE_FIELDS = {
    "created_at",
    "updated_at",
    "waiting_since",
    "snoozed_until",
    "statistics.first_close_at",
    "statistics.last_close_at",
}

Predicate = Callable[[Mapping[str, Any]], bool]


class QueryError(ValueError):
    """A query Intercom would answer with 400; `code` is Intercom's error code."""

    def __init__(self, message: str, code: str = "invalid_query") -> None:
        super().__init__(message)
        self.code = code


ALIASES = {
    "contact_ids": ("contacts", "contacts"),
    "teammate_ids": ("teammates", "admins"),
    "tag_ids": ("tags", "tags"),
}


def field_value(item: Mapping[str, Any], path: str) -> Any:
    if path in ALIASES and item.get("type") == "conversation":
        outer, inner = ALIASES[path]
        return [str(x.get("id")) for x in (item.get(outer) or {}).get(inner, [])]
    value: Any = item
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
    return value


def _day_start(ts: float, tz: ZoneInfo) -> int:
    local = dt.datetime.fromtimestamp(ts, tz)
    start = dt.datetime(local.year, local.month, local.day, tzinfo=tz)
    return int(start.timestamp())


def _next_day_start(ts: float, tz: ZoneInfo) -> int:
    local = dt.datetime.fromtimestamp(ts, tz).date() + dt.timedelta(days=1)
    return int(dt.datetime(local.year, local.month, local.day, tzinfo=tz).timestamp())


def compile_query(query: Any, *, date_fields: set[str], day_tz: ZoneInfo | None, depth: int = 0) -> Predicate:
    """Turn a query object into a predicate; `day_tz` set means date fields are matched by calendar day."""
    if not isinstance(query, Mapping):
        raise QueryError("query must be an object")
    if "value" in query and isinstance(query.get("value"), list) and "field" not in query:
        group_op = str(query.get("operator", "AND")).upper()
        if group_op not in ("AND", "OR"):
            raise QueryError(f"unknown group operator {query.get('operator')!r}")
        if depth >= MAX_NESTING:
            raise QueryError("Filters can be nested at most 2 levels deep")
        parts = query["value"]
        if len(parts) > MAX_FILTERS_PER_GROUP:
            raise QueryError(f"A group can hold at most {MAX_FILTERS_PER_GROUP} filters")
        preds = [compile_query(p, date_fields=date_fields, day_tz=day_tz, depth=depth + 1) for p in parts]
        if group_op == "AND":
            return lambda item: all(p(item) for p in preds)
        return lambda item: any(p(item) for p in preds)
    field = query.get("field")
    operator = query.get("operator")
    value = query.get("value")
    if not isinstance(field, str) or not field:
        raise QueryError("filter needs a field")
    if operator not in OPERATORS:
        raise QueryError(f"unknown operator {operator!r}")
    if field in date_fields:
        return _date_predicate(field, operator, value, day_tz)
    return _plain_predicate(field, operator, value)


def _as_int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{field} needs a Unix timestamp") from None


def _date_predicate(field: str, operator: str, value: Any, tz: ZoneInfo | None) -> Predicate:
    if tz is not None:
        if operator not in ("=", ">", "<"):
            raise QueryError(f"operator {operator} is not supported for date field {field}")
        ts = _as_int(value, field)
        start, nxt = _day_start(ts, tz), _next_day_start(ts, tz)

        def by_day(item: Mapping[str, Any]) -> bool:
            v = field_value(item, field)
            if v is None:
                return False
            if operator == ">":
                return bool(v >= nxt)
            if operator == "<":
                return bool(v < start)
            return bool(start <= v < nxt)

        return by_day
    # Conversations: `>`/`<` are "Greater (or equal)"/"Lower (or equal)" to the second.
    if operator in (">", ">="):
        bound = _as_int(value, field)
        return lambda item: (v := field_value(item, field)) is not None and v >= bound
    if operator in ("<", "<="):
        bound = _as_int(value, field)
        return lambda item: (v := field_value(item, field)) is not None and v <= bound
    return _plain_predicate(field, operator, value)


def _plain_predicate(field: str, operator: str, value: Any) -> Predicate:
    if operator in ("IN", "NIN"):
        if not isinstance(value, list):
            raise QueryError(f"operator {operator} needs a list value")
        options = set(map(_norm, value))

        def member(item: Mapping[str, Any]) -> bool:
            got = _norm(field_value(item, field))
            hit = bool(options & set(got)) if isinstance(got, tuple) else got in options
            return hit if operator == "IN" else not hit

        return member
    if isinstance(value, list | dict):
        raise QueryError(f"operator {operator} needs a single value")
    if operator in ("~", "!~", "^", "$"):
        if not isinstance(value, str):
            raise QueryError(f"operator {operator} needs a string value")
        needle = value.lower()

        def text(item: Mapping[str, Any]) -> bool:
            v = field_value(item, field)
            s = "" if v is None else str(v).lower()
            if operator == "~":
                return needle in s
            if operator == "!~":
                return needle not in s
            if operator == "^":
                return v is not None and s.startswith(needle)
            return v is not None and s.endswith(needle)

        return text
    if operator in ("=", "!="):
        want = _norm(value)

        def equal(item: Mapping[str, Any]) -> bool:
            got = _norm(field_value(item, field))
            hit = want in got if isinstance(got, tuple) else got == want
            return hit if operator == "=" else not hit

        return equal

    def compare(item: Mapping[str, Any]) -> bool:
        v = field_value(item, field)
        if v is None or value is None:
            return False
        try:
            a, b = float(v), float(value)
        except (TypeError, ValueError):
            a, b = str(v), str(value)  # type: ignore[assignment]
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[operator]

    return compare


def _norm(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_norm(x) for x in v)
    if isinstance(v, str):
        return v.lower()
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float):
        return float(v)
    return v
