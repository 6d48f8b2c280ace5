"""Search filters (interface §10), one piece for every search action (contacts, conversations, tickets).

A caller sends `filters` (a list of `{field, operator, value}`, at most 15), `match` (`all`, the default, or `any`),
`per_page` and `cursor`; `IN` and `NIN` take a list, or one text of values separated by commas (what the designer's
text input gives). A `SearchScope` declares what one object's search knows: its fields, each of a `Kind`
that says which operators and values it takes, and the Intercom path that answers. `intercom_query` checks every
filter against the scope and gives Intercom's search query, or one 400 naming each bad filter
(`filters[2].operator`); `first_page` and `next_page` read a page and seal the query into the next page's cursor,
so a nextLink is a GET that carries the filters.

Adding a search: declare its scope (fields and kinds), a filter model whose `field` names the scope
(`filter_field`), a body on `SearchBody` with `filters` of that model, and a handler pair (POST, GET next).

Intercom's rules that callers meet (the README says them next to each action): contact timestamps match by the
workspace's calendar day (`=` that day, `>` after it, `<` before it: Kind.DAY); conversation and ticket `>` and `<`
include equality (Kind.DATE); a new or changed object is found after a short delay (Intercom's search index).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, JsonValue, WithJsonSchema

from shared.actions.data_attributes import Model, custom_attributes
from shared.actions.paging import Page, open_cursor, seal_cursor, search_page
from shared.actions.parsing import MAX_PER_PAGE, Body, PageQuery, PerPage, blank_to_none, page_size, parse_timestamp
from shared.errors import BadRequest
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest
from shared.models.data_attributes import DataAttribute
from shared.models.designer import Dropdown, designer

MAX_FILTERS = 15  # Intercom's limit for one AND or OR group
MAX_LIST = 50  # values of one IN / NIN filter
MAX_TEXT = 255
MAX_QUERY = 3000  # characters of the compressed query a cursor carries (a nextLink stays a few KB)
MAX_CURSOR = 4096
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NAME = re.compile(r"^[^\x00-\x1f]{1,190}$")

Operator = Literal["=", "!=", "IN", "NIN", "<", ">", "~", "!~", "^", "$"]
OPERATORS: tuple[Operator, ...] = ("=", "!=", "IN", "NIN", "<", ">", "~", "!~", "^", "$")
LISTS = ("IN", "NIN")
EVERY = {"field": "created_at", "operator": ">", "value": 0}  # the query of no filter at all: every object


class Kind(StrEnum):
    """What a field holds, and so which operators and values it takes."""

    TEXT = "text"  # = != IN NIN ~ !~ ^ $; strings
    CHOICE = "choice"  # = != IN NIN; one of the field's choices
    ID = "id"  # = != IN NIN; Intercom ids (strings)
    NUMBER_ID = "number_id"  # = != IN NIN; ids Intercom searches as numbers (admin_assignee_id)
    TAG = "tag"  # = !=; a tag id (a contact's tag_id)
    BOOLEAN = "boolean"  # = !=; true or false
    NUMBER = "number"  # = != IN NIN < >; numbers
    DATE = "date"  # = != < >; ISO-8601 or Unix seconds, to the second; > and < include equality
    DAY = "day"  # = < >; ISO-8601 or Unix seconds, matched by the workspace's calendar day


KIND_OPERATORS: dict[Kind, tuple[Operator, ...]] = {
    Kind.TEXT: ("=", "!=", "IN", "NIN", "~", "!~", "^", "$"),
    Kind.CHOICE: ("=", "!=", "IN", "NIN"),
    Kind.ID: ("=", "!=", "IN", "NIN"),
    Kind.NUMBER_ID: ("=", "!=", "IN", "NIN"),
    Kind.TAG: ("=", "!="),
    Kind.BOOLEAN: ("=", "!="),
    Kind.NUMBER: ("=", "!=", "IN", "NIN", "<", ">"),
    Kind.DATE: ("=", "!=", "<", ">"),
    Kind.DAY: ("=", "<", ">"),
}
# A custom attribute's Intercom data_type as a kind (dates: by day on contacts, to the second elsewhere).
DATA_TYPE_KINDS = {"string": Kind.TEXT, "integer": Kind.NUMBER, "float": Kind.NUMBER, "boolean": Kind.BOOLEAN}


def kind_of(data_type: object, date_kind: Kind) -> Kind | None:
    """The kind of a custom attribute of Intercom's `data_type`; None for a type the search does not take."""
    if data_type == "date":
        return date_kind
    return DATA_TYPE_KINDS.get(str(data_type))


@dataclass(frozen=True)
class SearchField:
    name: str  # Intercom's search field
    kind: Kind
    label: str  # what the designer's dropdown shows
    choices: Mapping[str, str] = field(default_factory=dict)  # Kind.CHOICE: a caller's value (lower case) -> Intercom's


def choices(*values: str, **terms: str) -> dict[str, str]:
    """The choices of a Kind.CHOICE field: each value as it is, and `terms` (a value Intercom searches by another
    term: `back_office="task"`)."""
    return {value.lower(): value for value in values} | {k.replace("_", "-"): v for k, v in terms.items()}


@dataclass(frozen=True)
class CustomFields:
    """Fields named by the workspace's custom data attributes: `custom_attributes.NAME`."""

    model: Model  # the data attributes' model (contact, company)
    date_kind: Kind  # how a date attribute is matched (Kind.DAY on contacts)
    prefix: str = "custom_attributes."


@dataclass(frozen=True)
class SearchScope:
    """What one object's search knows: its fields, and where and how Intercom answers it."""

    name: str  # "contacts": the `object` of List search fields, and the cursor's purpose
    path: str  # Intercom's search path ("/contacts/search")
    items: str  # the key of the answer's list ("data", "conversations", "tickets")
    fields: tuple[SearchField, ...]
    custom: CustomFields | None = None

    @property
    def custom_prefix(self) -> str | None:
        return None if self.custom is None else self.custom.prefix

    def field(self, name: str) -> SearchField | None:
        return next((f for f in self.fields if f.name == name), None)

    def names_custom(self, filters: Sequence[Filter]) -> bool:
        """Whether a filter names a custom attribute (then the search reads the workspace's data attributes)."""
        prefix = self.custom_prefix
        return prefix is not None and any(f.field.startswith(prefix) for f in filters)

    def custom_fields(self, attributes: Mapping[str, DataAttribute]) -> dict[str, Kind]:
        """The kinds of the custom attributes a search can take, by name."""
        date_kind = Kind.DATE if self.custom is None else self.custom.date_kind
        kinds = {name: kind_of(a.data_type, date_kind) for name, a in attributes.items()}
        return {name: kind for name, kind in kinds.items() if kind is not None}

    def cursor_purpose(self) -> str:
        return f"search-{self.name}"


def search_fields_dropdown(scope: str) -> Dropdown:
    """The dropdown of a filter's `field`: List search fields of `scope` (its custom attributes too)."""
    return Dropdown("ListSearchFields", "name", "label", (("object", scope),))


FILTER_FIELD = "The field to search on (a custom attribute as custom_attributes.NAME, where the object has them)"
FILTER_VALUE = (
    "What to compare with: text, a number, true or false, a time (ISO-8601 or Unix seconds); for IN and NIN a list, "
    "or the values separated by commas"
)


def filter_field(scope: str) -> Any:
    """The `field` of a scope's filter model: a dropdown of the scope's fields."""
    return Field(
        min_length=1,
        max_length=MAX_TEXT,
        title="Field",
        description=FILTER_FIELD,
        json_schema_extra=designer("important", dropdown=search_fields_dropdown(scope)),
    )


class Filter(Body):
    """One condition of a search; a scope's filter model (ContactFilter, ...) sets `field` with its dropdown."""

    field: str = Field(min_length=1, max_length=MAX_TEXT, title="Field", description=FILTER_FIELD)
    operator: Operator = Field(
        title="Operator",
        description="= equals, != differs, IN / NIN in / not in a list, < and > before / after (or less / more), "
        "~ contains, !~ does not contain, ^ starts with, $ ends with",
        json_schema_extra=designer("important"),
    )
    # Any JSON: the definition gives it no type, so the designer takes text, a number, a boolean or a list.
    value: Annotated[JsonValue, WithJsonSchema({})] = Field(
        title="Value", description=FILTER_VALUE, json_schema_extra=designer("important")
    )


SearchCursor = Annotated[
    Annotated[str, Field(min_length=1, max_length=MAX_CURSOR)] | None, BeforeValidator(blank_to_none)
]


def _all_when_blank(value: Any) -> Any:
    """An empty `match` (a flow's empty input) is the default, `all`."""
    return "all" if blank_to_none(value) is None else value


def filters_field() -> Any:
    return Field(
        default_factory=list,
        max_length=MAX_FILTERS,
        title="Filters",
        description=f"At most {MAX_FILTERS} conditions (field, operator, value); none finds every one",
    )


class SearchBody(Body):
    """Base of a search action's body: the scope's body adds `filters` (a list of its filter model)."""

    filters: Sequence[Filter]
    match: Annotated[Literal["all", "any"], BeforeValidator(_all_when_blank)] = Field(
        "all", title="Match", description="all: every filter holds (the default); any: at least one holds"
    )
    per_page: PerPage = page_size("Items")
    cursor: SearchCursor = Field(
        None,
        title="Cursor",
        description="Where the page starts; nextLink carries it (paging follows nextLink)",
        json_schema_extra=designer("internal"),
    )


class SearchNext(PageQuery):
    """Query of the GET a search's nextLink is: the cursor (which carries the filters) and `per_page`."""

    cursor: SearchCursor = Field(None, title="Cursor", description="The cursor of the search's nextLink")


# -- filters -> Intercom's query --------------------------------------------------------------------------------------


class _Refused(ValueError):
    """A filter's bad part: `part` is `field`, `operator` or `value`."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


def query_of(client: IntercomClient, scope: SearchScope, body: SearchBody, deadline: Deadline) -> dict[str, Any]:
    """Intercom's query for a search body: `intercom_query`, after reading the workspace's custom attributes (one
    call) when a filter names one."""
    custom = None
    if scope.custom is not None and scope.names_custom(body.filters):
        custom = scope.custom_fields(custom_attributes(client, scope.custom.model, deadline))
    return intercom_query(scope, body.filters, body.match, custom)


def intercom_query(
    scope: SearchScope,
    filters: Sequence[Filter],
    match: Literal["all", "any"],
    custom: Mapping[str, Kind] | None = None,
) -> dict[str, Any]:
    """Intercom's search query for `filters` (one group, AND for `all`, OR for `any`); a 400 naming every bad
    filter's part (`filters[2].operator`). `custom` holds the kinds of the scope's custom attributes by name."""
    details: list[dict[str, str]] = []
    conditions: list[dict[str, Any]] = []
    for index, given in enumerate(filters):
        try:
            conditions.append(_condition(scope, given, custom or {}))
        except _Refused as refused:
            details.append({"field": f"filters[{index}].{refused.part}", "message": str(refused)})
    if len(filters) > MAX_FILTERS:
        details.append({"field": "filters", "message": f"at most {MAX_FILTERS} filters"})
    if details:
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise BadRequest(f"invalid input: {summary}", details=details)
    if not conditions:
        return dict(EVERY)
    if len(conditions) == 1:
        return conditions[0]
    return {"operator": "AND" if match == "all" else "OR", "value": conditions}


def _condition(scope: SearchScope, given: Filter, custom: Mapping[str, Kind]) -> dict[str, Any]:
    field = _field(scope, given.field, custom)
    allowed = KIND_OPERATORS[field.kind]
    if given.operator not in allowed:
        raise _Refused("operator", f"{given.field} takes {', '.join(allowed)}")
    return {"field": field.name, "operator": given.operator, "value": _value(field, given.operator, given.value)}


def _field(scope: SearchScope, name: str, custom: Mapping[str, Kind]) -> SearchField:
    known = scope.field(name)
    if known is not None:
        return known
    prefix = scope.custom_prefix
    if prefix is not None and name.startswith(prefix):
        attribute = name[len(prefix) :]
        kind = custom.get(attribute)
        if not _NAME.match(attribute) or kind is None:
            raise _Refused("field", f"the workspace has no custom attribute {attribute!r} to search on {scope.name}")
        return SearchField(name, kind, attribute)
    names = ", ".join(f.name for f in scope.fields)
    more = f", or {prefix}NAME" if prefix else ""
    raise _Refused("field", f"{scope.name} are searched by {names}{more}")


def _value(field: SearchField, operator: str, value: JsonValue) -> Any:
    if operator in LISTS:
        if isinstance(value, str):  # the designer's text input: the values separated by commas
            value = [item.strip() for item in value.split(",") if item.strip()]
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST:
            raise _Refused(
                "value", f"{operator} takes a list of 1 to {MAX_LIST} values (or one text of them separated by commas)"
            )
        return [_one(field, item) for item in value]
    if isinstance(value, list | dict):
        raise _Refused("value", f"{operator} takes one value (a list only with IN or NIN)")
    if value is None:
        if operator in ("=", "!="):
            return None  # Intercom: "has no value" / "has a value"
        raise _Refused("value", f"{operator} needs a value")
    if operator in ("~", "!~", "^", "$") and not isinstance(value, str):
        raise _Refused("value", f"{operator} takes text")
    return _one(field, value)


def _one(field: SearchField, value: JsonValue) -> Any:
    """One value as Intercom's search takes it for `field`'s kind."""
    kind = field.kind
    if kind in (Kind.DATE, Kind.DAY):
        try:
            return parse_timestamp(value)
        except ValueError as exc:
            raise _Refused("value", f"{field.name}: {exc}") from None
    if kind is Kind.BOOLEAN:
        return _boolean(field, value)
    if kind is Kind.NUMBER:
        return _number(field, value)
    if kind is Kind.NUMBER_ID:
        number = _number(field, value)
        if not isinstance(number, int) or number < 0:
            raise _Refused("value", f"{field.name} takes an id (a whole number)")
        return number
    text = _text(field, value)
    if kind is Kind.CHOICE:
        chosen = field.choices.get(text.strip().lower())
        if chosen is None:
            raise _Refused("value", f"{field.name} is one of {', '.join(field.choices)}")
        return chosen
    if kind in (Kind.ID, Kind.TAG) and not _ID.match(text):
        raise _Refused("value", f"{field.name} takes an Intercom id: 1-64 letters, digits, '_' or '-'")
    return text


def _text(field: SearchField, value: JsonValue) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and field.kind in (Kind.ID, Kind.TAG):
        value = str(value)
    if not isinstance(value, str):
        raise _Refused("value", f"{field.name} takes text")
    if len(value) > MAX_TEXT:
        raise _Refused("value", f"at most {MAX_TEXT} characters")
    return value


def _boolean(field: SearchField, value: JsonValue) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _Refused("value", f"{field.name} takes true or false")


def _number(field: SearchField, value: JsonValue) -> int | float:
    number: object = value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,15}(\.[0-9]{1,6})?\s*", value):
        number = float(value)
    if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
        raise _Refused("value", f"{field.name} takes a number")
    if abs(number) > 1e15:
        raise _Refused("value", f"{field.name} takes a number of at most 15 digits")
    return int(number) if float(number).is_integer() else number


# -- pages ------------------------------------------------------------------------------------------------------------


def _packed(query: Mapping[str, Any]) -> str:
    raw = json.dumps(query, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii")


def _unpacked(packed: Any) -> dict[str, Any]:
    try:
        query = json.loads(zlib.decompress(base64.urlsafe_b64decode(str(packed))))
    except (ValueError, binascii.Error, zlib.error):
        raise BadRequest.field("cursor", "malformed cursor") from None
    if not isinstance(query, dict):
        raise BadRequest.field("cursor", "malformed cursor")
    return query


def check_carried(query: Mapping[str, Any]) -> str:
    """The query as a cursor carries it; a 400 naming `filters` when it is too long for a nextLink."""
    packed = _packed(query)
    if len(packed) > MAX_QUERY:
        raise BadRequest.field(
            "filters", "too long to carry in a nextLink: use fewer filters or shorter values in IN and NIN"
        )
    return packed


def first_page(
    client: IntercomClient, scope: SearchScope, body: SearchBody, key: bytes, deadline: Deadline
) -> Page[dict[str, Any]]:
    """The page a search body asks for: its filters' query from the first item on, or from `body.cursor`, which must
    be a cursor of this same search (a 400 naming `cursor` otherwise)."""
    query = query_of(client, scope, body, deadline)
    packed = check_carried(query)
    after = None
    if body.cursor is not None:
        position = _position(client, scope, body.cursor, key)
        if position[1] != query:
            raise BadRequest.field("cursor", "this cursor belongs to a search with other filters; use its nextLink")
        after = position[0]
    return _page(client, scope, query, packed, body.per_page, after, deadline, key)


def next_page(
    client: IntercomClient, scope: SearchScope, request: SearchNext, key: bytes, deadline: Deadline
) -> Page[dict[str, Any]]:
    """The page a nextLink names: the query its cursor carries, from its position."""
    if request.cursor is None:
        raise BadRequest.field("cursor", "is required: follow the nextLink of a search as it is")
    after, query = _position(client, scope, request.cursor, key)
    return _page(client, scope, query, _packed(query), request.per_page, after, deadline, key)


def _position(client: IntercomClient, scope: SearchScope, cursor: str, key: bytes) -> tuple[str, dict[str, Any]]:
    payload = open_cursor(key, scope.cursor_purpose(), client.connection.name, cursor)
    after = payload.get("a") if payload else None
    if not isinstance(after, str) or not after:
        raise BadRequest.field("cursor", "malformed cursor")
    return after, _unpacked(payload.get("q") if payload else None)


def _page(
    client: IntercomClient,
    scope: SearchScope,
    query: dict[str, Any],
    packed: str,
    per_page: int,
    after: str | None,
    deadline: Deadline,
    key: bytes,
) -> Page[dict[str, Any]]:
    try:
        found = search_page(client, scope.path, query, min(per_page, MAX_PER_PAGE), after, deadline)
    except IntercomBadRequest as refused:
        if after is not None:
            raise
        raise BadRequest.field("filters", f"Intercom refused the search: {refused.message}") from None
    items = found.get(scope.items) if isinstance(found, dict) else None
    value = [item for item in items or [] if isinstance(item, dict) and item.get("id") is not None]
    pages = found.get("pages") if isinstance(found, dict) else None
    following = pages.get("next") if isinstance(pages, dict) else None
    position = following.get("starting_after") if isinstance(following, dict) else None
    cursor = None
    if isinstance(position, str) and position:
        cursor = seal_cursor(key, scope.cursor_purpose(), client.connection.name, a=position, q=packed)
    return Page(value, cursor)
