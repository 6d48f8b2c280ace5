"""The filter shape of the search actions (interface §10) and its translation to Intercom's search query, and one page
of such a search whose nextLink cursor carries the query.

A search body is `{"filters": [{"field", "operator", "value"}...], "match": "all" | "any", "per_page"}`. Each object's
searchable fields are a table of `SearchField`s (shared/actions/tickets/search.py has the tickets'); a field's kind
says which operators and values it takes:

`IN` and `NIN` take a list, or one text of values separated by commas (what the designer's text input gives).

| kind | operators | value |
|---|---|---|
| text | `=` `!=` `IN` `NIN` `~` `!~` `^` `$` | a string (IN, NIN: a list of them) |
| id | `=` `!=` `IN` `NIN` | an Intercom id (a number is taken as its digits) |
| choice | `=` `!=` `IN` `NIN` | one of the field's choices (case-insensitive), sent as Intercom's term for it |
| boolean | `=` `!=` | true or false (or the text "true", "false") |
| timestamp | `=` `!=` `<` `>` | ISO-8601 with a UTC offset, or Unix seconds |

Every bad filter is a 400 naming it: `filters[2].field`, `filters[2].operator`, `filters[2].value`; more than 15
filters is a 400 naming `filters`. The translation is Intercom's query: one filter as it is, several under `AND`
(`all`) or `OR` (`any`); no filter at all searches every object (`created_at > 0`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from shared.actions.paging import next_search_cursor, open_cursor, search_page
from shared.actions.parsing import (
    Body,
    PageQuery,
    PerPage,
    blank_to_none,
    check_id,
    page_size,
    parse_timestamp,
)
from shared.errors import BadRequest
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline

MAX_FILTERS = 15  # Intercom's limit for one AND or OR group
MAX_VALUES = 50
MAX_TEXT = 255
MAX_QUERY_CHARS = 3000  # the query travels in the nextLink's cursor: a URL Logic Apps and the host take
MAX_CURSOR = 6000
Kind = Literal["text", "id", "choice", "boolean", "timestamp"]
OPERATORS: dict[Kind, tuple[str, ...]] = {
    "text": ("=", "!=", "IN", "NIN", "~", "!~", "^", "$"),
    "id": ("=", "!=", "IN", "NIN"),
    "choice": ("=", "!=", "IN", "NIN"),
    "boolean": ("=", "!="),
    "timestamp": ("=", "!=", "<", ">"),
}
EVERY_OPERATOR = ("=", "!=", "IN", "NIN", "<", ">", "~", "!~", "^", "$")


@dataclass(frozen=True)
class SearchField:
    """A field callers may filter on: its kind, Intercom's name for it (default: the same), and for a choice the
    caller's values (lower-case) with Intercom's term for each."""

    kind: Kind
    intercom: str | None = None
    choices: Mapping[str, str] = field(default_factory=dict)


def filters_schema(fields: Mapping[str, SearchField]) -> dict[str, Any]:
    """The JSON schema the designer shows for `filters` over `fields` (each filter is checked by `query`)."""
    return {
        "type": "array",
        "maxItems": MAX_FILTERS,
        "items": {
            "type": "object",
            "properties": {
                "field": {"type": "string", "title": "Field", "enum": list(fields)},
                "operator": {"type": "string", "title": "Operator", "enum": list(EVERY_OPERATOR)},
                "value": {
                    "type": "string",
                    "title": "Value",
                    "description": "Text, an id, true or false, or a time (ISO-8601 or Unix seconds); for IN and NIN "
                    "the values separated by commas",
                },
            },
            "required": ["field", "operator", "value"],
        },
    }


class SearchBody(Body):
    """Body of a search action (POST /api/{objects}/search); the filters are checked against the object's fields
    by `query`, so that each bad one is named by its place (`filters[2].operator`)."""

    filters: list[Any] = Field(
        default_factory=list,
        title="Filters",
        description="Filters: each {field, operator, value}; none finds every one",
    )
    match: Annotated[Literal["all", "any"], BeforeValidator(lambda v: blank_to_none(v) or "all")] = Field(
        "all", title="Match", description="all (every filter holds, default) or any (at least one holds)"
    )
    per_page: PerPage = page_size("Results")


class SearchPage(PageQuery):
    """Query of the GET a search's nextLink is: the sealed cursor holds the filters."""

    cursor: str = Field(
        min_length=1, max_length=MAX_CURSOR, title="Cursor", description="The cursor of the search's nextLink"
    )


def query(body: SearchBody, fields: Mapping[str, SearchField]) -> dict[str, Any]:
    """Intercom's search query for the body's filters; a 400 naming each bad filter."""
    if len(body.filters) > MAX_FILTERS:
        raise BadRequest.field("filters", f"at most {MAX_FILTERS} filters")
    details: list[dict[str, str]] = []
    clauses = []
    for place, item in enumerate(body.filters):
        try:
            clauses.append(_clause(item, fields))
        except _Bad as bad:
            details.append({"field": f"filters[{place}].{bad.part}", "message": bad.message})
    if details:
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise BadRequest(f"invalid input: {summary}", details=details)
    if not clauses:
        where: dict[str, Any] = {"field": "created_at", "operator": ">", "value": 0}
    elif len(clauses) == 1:
        where = clauses[0]
    else:
        where = {"operator": "AND" if body.match == "all" else "OR", "value": clauses}
    if len(json.dumps(where, separators=(",", ":"))) > MAX_QUERY_CHARS:
        raise BadRequest.field("filters", f"the filters are too long (at most {MAX_QUERY_CHARS} characters as JSON)")
    return where


class _Bad(Exception):
    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part, self.message = part, message


def _clause(item: Any, fields: Mapping[str, SearchField]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _Bad("field", "each filter is an object {field, operator, value}")
    unknown = sorted(set(item) - {"field", "operator", "value"})
    if unknown:
        raise _Bad(unknown[0], "unknown key; a filter has field, operator and value")
    name, operator = item.get("field"), item.get("operator")
    spec = fields.get(name) if isinstance(name, str) else None
    if spec is None:
        raise _Bad("field", f"must be one of {', '.join(fields)}")
    if operator not in EVERY_OPERATOR:
        raise _Bad("operator", f"must be one of {' '.join(EVERY_OPERATOR)}")
    if operator not in OPERATORS[spec.kind]:
        raise _Bad("operator", f"{name} takes {' '.join(OPERATORS[spec.kind])}")
    if "value" not in item:
        raise _Bad("value", "is required")
    value = _values(item["value"], operator, str(name), spec)
    return {"field": spec.intercom or name, "operator": operator, "value": value}


def _values(value: Any, operator: str, name: str, spec: SearchField) -> Any:
    if operator in ("IN", "NIN"):
        if isinstance(value, str):  # the designer's text input: the values separated by commas
            value = [one.strip() for one in value.split(",") if one.strip()]
        if not isinstance(value, list) or not value:
            raise _Bad("value", f"{operator} takes a list of values (or one text of values separated by commas)")
        if len(value) > MAX_VALUES:
            raise _Bad("value", f"at most {MAX_VALUES} values")
        return [_value(one, name, spec) for one in value]
    if isinstance(value, list):
        raise _Bad("value", f"{operator} takes one value (IN and NIN take lists)")
    return _value(value, name, spec)


def _value(value: Any, name: str, spec: SearchField) -> Any:
    """One value as Intercom takes it for the field's kind."""
    if spec.kind == "boolean":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise _Bad("value", f"{name} takes true or false")
        return value
    if spec.kind == "timestamp":
        try:
            return parse_timestamp(value)
        except ValueError as error:
            raise _Bad("value", str(error)) from None
    if isinstance(value, int) and not isinstance(value, bool) and spec.kind == "id":
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _Bad("value", f"{name} takes a non-empty string")
    text = value.strip()
    if spec.kind == "id":
        try:
            return check_id(text)
        except ValueError as error:
            raise _Bad("value", str(error)) from None
    if spec.kind == "choice":
        term = spec.choices.get(text.lower())
        if term is None:
            raise _Bad("value", f"{name} takes {', '.join(sorted(set(spec.choices)))}")
        return term
    if len(text) > MAX_TEXT:
        raise _Bad("value", f"at most {MAX_TEXT} characters")
    return text


# -- paging: the nextLink's cursor carries the query -------------------------------------------------------------------


def first_page(
    client: IntercomClient,
    path: str,
    where: dict[str, Any],
    per_page: int,
    cursor_key: bytes,
    purpose: str,
    deadline: Deadline,
) -> tuple[Any, str | None]:
    """Intercom's answer to the first page of the search (`path`) and the sealed cursor of the next (None: last)."""
    return _page(client, path, where, per_page, None, cursor_key, purpose, deadline)


def next_page(
    client: IntercomClient, path: str, request: SearchPage, cursor_key: bytes, purpose: str, deadline: Deadline
) -> tuple[Any, str | None]:
    """The page a nextLink's cursor points at: its query and position come from the cursor (a 400 naming `cursor`
    when it is altered, from another search or another connection)."""
    payload = open_cursor(cursor_key, purpose, client.connection.name, request.cursor)
    where, after = (payload or {}).get("q"), (payload or {}).get("a")
    if not isinstance(where, dict) or not isinstance(after, str) or not after:
        raise BadRequest.field("cursor", "malformed cursor")
    return _page(client, path, where, request.per_page, after, cursor_key, purpose, deadline)


def _page(
    client: IntercomClient,
    path: str,
    where: dict[str, Any],
    per_page: int,
    after: str | None,
    cursor_key: bytes,
    purpose: str,
    deadline: Deadline,
) -> tuple[Any, str | None]:
    found = search_page(client, path, where, per_page, after, deadline)
    return found, next_search_cursor(cursor_key, purpose, client.connection.name, found, q=where)
