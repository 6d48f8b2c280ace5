"""Intercom's search query language: validation and matching. What one search knows of its fields (their types,
virtual fields such as `tag_ids`, whether dates match by day) is a `Fields`; `search_fields.py` has the three."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

OPERATORS = {"=", "!=", "IN", "NIN", "<", ">", "<=", ">=", "~", "!~", "^", "$"}
MAX_FILTERS_PER_GROUP = 15
MAX_NESTING = 2
# The operators each type of field accepts (the OpenAPI's `single_filter_search_request` and the search pages).
ALLOWED = {
    "string": {"=", "!=", "IN", "NIN", "~", "!~", "^", "$"},
    "integer": {"=", "!=", "IN", "NIN", "<", ">", "<=", ">="},
    "boolean": {"=", "!=", "IN", "NIN"},
    "tag": {"=", "!="},
    "date": {"=", "!=", "IN", "NIN", "<", ">", "<=", ">="},  # to the second; by day: DAY_OPERATORS
}
DAY_OPERATORS = {"=", "<", ">"}
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
    "statistics.first_contact_reply_at",
    "statistics.first_assignment_at",
    "statistics.first_admin_reply_at",
    "statistics.first_close_at",
    "statistics.last_assignment_at",
    "statistics.last_assignment_admin_reply_at",
    "statistics.last_contact_reply_at",
    "statistics.last_admin_reply_at",
    "statistics.last_close_at",
    "conversation_rating.requested_at",
    "conversation_rating.replied_at",
}

Predicate = Callable[[Mapping[str, Any]], bool]
Resolver = Callable[[Mapping[str, Any]], Any]


class QueryError(ValueError):
    """A query Intercom would answer with 400; `code` is Intercom's error code."""

    def __init__(self, message: str, code: str = "invalid_query") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Fields:
    """What one search knows of its fields: `type_of(name)` ("string", "integer", "boolean", "date", "tag" or None
    for a field it does not type), `virtual` fields computed from an item, and whether date fields match by calendar
    day in `day_tz` (contacts) or to the second (`>`/`<` then include equality)."""

    type_of: Callable[[str], str | None]
    virtual: Mapping[str, Resolver] = field(default_factory=dict)
    day_tz: ZoneInfo | None = None

    def value(self, item: Mapping[str, Any], path: str) -> Any:
        """A field of an item: a virtual field, a path under a virtual prefix (`ticket_attribute.{id}`), or the
        dotted path."""
        resolver = self.virtual.get(path)
        if resolver is not None:
            return resolver(item)
        head, _, rest = path.partition(".")
        prefixed = self.virtual.get(head + ".")
        if prefixed is not None and rest:
            return _dotted(prefixed(item), rest)
        return _dotted(item, path)


def _dotted(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
    return value


def ids(outer: str, inner: str) -> Resolver:
    """A virtual field: the ids of the objects in `item[outer][inner]` (e.g. `contacts.contacts[].id`)."""
    return lambda item: [str(x.get("id")) for x in (item.get(outer) or {}).get(inner, [])]


ALIASES = {  # conversation search's list fields (kept for callers of `field_value`)
    "contact_ids": ids("contacts", "contacts"),
    "teammate_ids": ids("teammates", "admins"),
    "tag_ids": ids("tags", "tags"),
}


def field_value(item: Mapping[str, Any], path: str) -> Any:
    """A field of an item: a conversation's list aliases, else the dotted path (sorting uses this too)."""
    if path in ALIASES and item.get("type") == "conversation":
        return ALIASES[path](item)
    return _dotted(item, path)


def _legacy_fields(date_fields: set[str] | None, day_tz: ZoneInfo | None) -> Fields:
    dates = set(date_fields or ())
    return Fields(type_of=lambda name: "date" if name in dates else None, virtual=ALIASES, day_tz=day_tz)


def compile_query(
    query: Any,
    *,
    date_fields: set[str] | None = None,
    day_tz: ZoneInfo | None = None,
    fields: Fields | None = None,
    depth: int = 0,
) -> Predicate:
    """Turn a query object into a predicate. `fields` says what the search knows of its fields; without it,
    `date_fields` are dates (by calendar day in `day_tz` when given) and every other field is untyped."""
    spec = fields if fields is not None else _legacy_fields(date_fields, day_tz)
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
        preds = [compile_query(p, fields=spec, depth=depth + 1) for p in parts]
        if group_op == "AND":
            return lambda item: all(p(item) for p in preds)
        return lambda item: any(p(item) for p in preds)
    name = query.get("field")
    operator = query.get("operator")
    value = query.get("value")
    if not isinstance(name, str) or not name:
        raise QueryError("filter needs a field")
    if operator not in OPERATORS:
        raise QueryError(f"unknown operator {operator!r}")
    kind = spec.type_of(name)
    if kind is not None and operator not in ALLOWED[kind]:
        raise QueryError(f"operator {operator} is not supported for {kind} field {name}")

    def get(item: Mapping[str, Any]) -> Any:
        return spec.value(item, name)

    if kind == "date":
        return _date_predicate(name, get, operator, value, spec.day_tz)
    if kind == "integer" and operator not in ("IN", "NIN"):
        _as_int(value, name)
    if kind == "boolean":
        value = _as_bool(value, name)
    return _plain_predicate(get, operator, value)


def _as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name} needs a Unix timestamp or an integer") from None


def _as_bool(value: Any, name: str) -> Any:
    if isinstance(value, list):
        return [_as_bool(v, name) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise QueryError(f"{name} needs true or false")


def _day_start(ts: float, tz: ZoneInfo) -> int:
    local = dt.datetime.fromtimestamp(ts, tz)
    start = dt.datetime(local.year, local.month, local.day, tzinfo=tz)
    return int(start.timestamp())


def _next_day_start(ts: float, tz: ZoneInfo) -> int:
    local = dt.datetime.fromtimestamp(ts, tz).date() + dt.timedelta(days=1)
    return int(dt.datetime(local.year, local.month, local.day, tzinfo=tz).timestamp())


def _date_predicate(name: str, get: Resolver, operator: str, value: Any, tz: ZoneInfo | None) -> Predicate:
    if tz is not None:
        if operator not in DAY_OPERATORS:
            raise QueryError(f"operator {operator} is not supported for date field {name}")
        ts = _as_int(value, name)
        start, nxt = _day_start(ts, tz), _next_day_start(ts, tz)

        def by_day(item: Mapping[str, Any]) -> bool:
            v = get(item)
            if v is None:
                return False
            if operator == ">":
                return bool(v >= nxt)
            if operator == "<":
                return bool(v < start)
            return bool(start <= v < nxt)

        return by_day
    # Conversations and tickets: `>`/`<` are "Greater (or equal)"/"Lower (or equal)" to the second.
    if operator in (">", ">="):
        bound = _as_int(value, name)
        return lambda item: (v := get(item)) is not None and v >= bound
    if operator in ("<", "<="):
        bound = _as_int(value, name)
        return lambda item: (v := get(item)) is not None and v <= bound
    if operator in ("IN", "NIN") and isinstance(value, list):
        value = [_as_int(v, name) for v in value]
    elif operator in ("=", "!="):
        value = _as_int(value, name)
    return _plain_predicate(get, operator, value)


def _plain_predicate(get: Resolver, operator: str, value: Any) -> Predicate:
    if operator in ("IN", "NIN"):
        if not isinstance(value, list):
            raise QueryError(f"operator {operator} needs a list value")
        options = set(map(_norm, value))

        def member(item: Mapping[str, Any]) -> bool:
            got = _norm(get(item))
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
            v = get(item)
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
            got = _norm(get(item))
            hit = want in got if isinstance(got, tuple) else got == want
            return hit if operator == "=" else not hit

        return equal

    def compare(item: Mapping[str, Any]) -> bool:
        v = get(item)
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
