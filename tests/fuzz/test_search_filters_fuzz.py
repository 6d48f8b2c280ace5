"""Property-based fuzzing of the search filters (interface §10) without I/O: whatever a caller sends as a search
body, parsing and translation give either an Intercom query that keeps Intercom's rules, or a 400 whose every detail
names a field of the body (`filters`, `filters[2].operator`, `match`, ...); never anything else.

Deterministic in CI like tests/fuzz/test_http_fuzz.py (`derandomize=True`); FUZZ_EXAMPLES (default 60) times 10
examples, since each is cheap.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.actions.contacts.find import CONTACTS
from shared.actions.contacts.requests import FindContacts
from shared.actions.conversations.find import CONVERSATIONS
from shared.actions.conversations.requests import SearchConversations
from shared.actions.parsing import parse
from shared.actions.search import EVERY, KIND_OPERATORS, LISTS, MAX_FILTERS, MAX_LIST, Kind, SearchScope, intercom_query
from shared.actions.tickets.requests import SearchTickets
from shared.actions.tickets.search import TICKETS
from shared.errors import BadRequest

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60")) * 10
FUZZ = settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
CUSTOM = {"plan_tier": Kind.TEXT, "trial_ends_at": Kind.DAY, "seats": Kind.NUMBER, "beta": Kind.BOOLEAN}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**15, max_value=10**30),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["2026-01-02T00:00:00Z", "1767312000", "true", "lead", "open", "17", "x" * 300, "", " "]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=MAX_LIST + 2), st.dictionaries(st.text(max_size=4), scalars))
names = st.one_of(
    st.sampled_from([f.name for f in (*CONTACTS.fields, *CONVERSATIONS.fields, *TICKETS.fields)]),
    st.sampled_from([f"custom_attributes.{name}" for name in (*CUSTOM, "nope", "")]),
    st.text(max_size=20),
    scalars,
)
operators = st.one_of(st.sampled_from(["=", "!=", "IN", "NIN", "<", ">", "~", "!~", "^", "$"]), scalars)
KIND_VALUES: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.TEXT: st.text(max_size=20),
    Kind.CHOICE: st.sampled_from(
        ["user", "lead", "Open", "closed", "snoozed", "priority", "not_priority", "Back-office", "task", "resolved"]
    ),
    Kind.ID: st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,10}", fullmatch=True), st.integers(0, 10**6)),
    Kind.NUMBER_ID: st.one_of(st.integers(0, 10**9), st.from_regex(r"[0-9]{1,9}", fullmatch=True)),
    Kind.TAG: st.from_regex(r"[0-9]{1,6}", fullmatch=True),
    Kind.BOOLEAN: st.one_of(st.booleans(), st.sampled_from(["true", "FALSE"])),
    Kind.NUMBER: st.one_of(st.integers(-(10**9), 10**9), st.floats(-1e6, 1e6), st.just("3.5")),
    Kind.DATE: st.one_of(st.integers(0, 4_000_000_000), st.just("2026-01-02T03:04:05+02:00")),
    Kind.DAY: st.one_of(st.integers(0, 4_000_000_000), st.just("2026-01-02T03:04:05Z")),
}


@st.composite
def fitting(draw: st.DrawFn) -> dict[str, Any]:
    """A filter meant to pass: a known field, an operator of its kind, a value of its kind (a list for IN / NIN)."""
    scope = draw(st.sampled_from([CONTACTS, CONVERSATIONS, TICKETS]))
    known = [(f.name, f.kind) for f in scope.fields]
    if scope.custom:
        known += [(f"custom_attributes.{name}", kind) for name, kind in CUSTOM.items()]
    name, kind = draw(st.sampled_from(known))
    operator = draw(st.sampled_from(KIND_OPERATORS[kind]))
    value = draw(KIND_VALUES[kind])
    if operator in LISTS:
        value = draw(st.lists(KIND_VALUES[kind], min_size=1, max_size=3))
        if draw(st.booleans()):  # the designer's text input: the values separated by commas
            value = ", ".join(map(str, value))
    return {"field": name, "operator": operator, "value": value}


filters = st.one_of(
    fitting(),
    fitting(),
    st.fixed_dictionaries({"field": names, "operator": operators, "value": values}),
    st.dictionaries(st.sampled_from(["field", "operator", "value", "other"]), values, max_size=4),
    scalars,
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {
            "filters": st.one_of(
                st.lists(fitting(), min_size=1, max_size=4), st.lists(filters, max_size=MAX_FILTERS + 2)
            )
        },
        optional={"match": st.one_of(st.sampled_from(["all", "any"]), scalars), "per_page": scalars},
    ),
    st.dictionaries(st.text(max_size=8), values, max_size=3),
)


def _holds(scope: SearchScope, condition: dict[str, Any]) -> None:
    """A translated condition keeps Intercom's rules: a known field, an operator its kind takes, a typed value."""
    field = scope.field(condition["field"])
    kind = field.kind if field is not None else CUSTOM[condition["field"].removeprefix("custom_attributes.")]
    assert condition["operator"] in KIND_OPERATORS[kind]
    items = condition["value"] if condition["operator"] in LISTS else [condition["value"]]
    assert isinstance(items, list)
    assert len(items) <= MAX_LIST
    for item in items:
        if item is None:
            continue
        if kind in (Kind.DATE, Kind.DAY, Kind.NUMBER_ID):
            assert type(item) is int
            assert item >= 0
        elif kind is Kind.NUMBER:
            assert type(item) in (int, float)
        elif kind is Kind.BOOLEAN:
            assert isinstance(item, bool)
        else:
            assert isinstance(item, str)
            assert len(item) <= 255


def _named(body: Any) -> set[str]:
    """What a 400 may name for `body`: its own keys, `filters`, and each filter and its keys."""
    keys = set(body) if isinstance(body, dict) else set()
    given = body.get("filters") if isinstance(body, dict) else body
    named = {*map(str, keys), "body", "filters", "match", "per_page", "cursor"}
    for index, item in enumerate(given if isinstance(given, list) else []):
        named.add(f"filters[{index}]")
        parts = {"field", "operator", "value", *(map(str, item) if isinstance(item, dict) else ())}
        named |= {f"filters[{index}].{part}" for part in parts}
    return named


def _translate(scope: SearchScope, model: type[FindContacts | SearchConversations | SearchTickets], body: Any) -> Any:
    try:
        parsed = parse(model, body) if isinstance(body, dict) else parse(model, {"filters": body})
        return intercom_query(scope, parsed.filters, parsed.match, CUSTOM if scope.custom else None)
    except BadRequest as refused:
        return refused


def _check(scope: SearchScope, model: type[FindContacts | SearchConversations | SearchTickets], body: Any) -> None:
    outcome = _translate(scope, model, body)
    if isinstance(outcome, BadRequest):
        assert outcome.status == 400
        assert outcome.details
        for detail in outcome.details:
            assert detail["field"] in _named(body if isinstance(body, dict) else {"filters": body}), detail
        return
    if outcome == EVERY:
        return
    conditions = outcome["value"] if "field" not in outcome else [outcome]
    assert 1 <= len(conditions) <= MAX_FILTERS
    assert "field" in outcome or outcome["operator"] in ("AND", "OR")
    for condition in conditions:
        _holds(scope, condition)


@FUZZ
@given(body=bodies)
def test_find_contacts_bodies(body: Any) -> None:
    _check(CONTACTS, FindContacts, body)


@FUZZ
@given(body=bodies)
def test_search_conversations_bodies(body: Any) -> None:
    _check(CONVERSATIONS, SearchConversations, body)


@FUZZ
@given(body=bodies)
def test_search_tickets_bodies(body: Any) -> None:
    _check(TICKETS, SearchTickets, body)
