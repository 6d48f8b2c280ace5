"""shared/actions/search.py without I/O: the filter shape parsed and translated to Intercom's search query, and every
refusal a 400 naming the filter's part (`filters[2].operator`) or `filters`."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from shared.actions.contacts.find import CONTACTS
from shared.actions.contacts.requests import FindContacts
from shared.actions.conversations.find import CONVERSATIONS
from shared.actions.conversations.requests import SearchConversations
from shared.actions.parsing import parse
from shared.actions.search import (
    MAX_FILTERS,
    MAX_LIST,
    Kind,
    SearchBody,
    SearchField,
    SearchScope,
    check_carried,
    choices,
    intercom_query,
)
from shared.actions.tickets.requests import SearchTickets
from shared.actions.tickets.search import TICKETS
from shared.errors import BadRequest

JAN_2 = 1767312000  # 2026-01-02T00:00:00Z


def contacts_query(*filters: dict[str, Any], match: str = "all", **custom: Kind) -> dict[str, Any]:
    body = parse(FindContacts, {"filters": list(filters), "match": match})
    return intercom_query(CONTACTS, body.filters, body.match, custom)


def conversations_query(*filters: dict[str, Any], match: str = "all") -> dict[str, Any]:
    body = parse(SearchConversations, {"filters": list(filters), "match": match})
    return intercom_query(CONVERSATIONS, body.filters, body.match)


def tickets_query(*filters: dict[str, Any], match: str = "all") -> dict[str, Any]:
    body = parse(SearchTickets, {"filters": list(filters), "match": match})
    return intercom_query(TICKETS, body.filters, body.match)


BODIES: dict[str, type[SearchBody]] = {
    "contacts": FindContacts,
    "conversations": SearchConversations,
    "tickets": SearchTickets,
}


def refused(scope: SearchScope, body: dict[str, Any], **custom: Kind) -> list[str]:
    """The fields a 400 names for `body` (parsed, then translated)."""
    model = BODIES[scope.name]

    def translate() -> None:
        parsed = parse(model, body)
        intercom_query(scope, parsed.filters, parsed.match, custom)

    with pytest.raises(BadRequest) as caught:
        translate()
    assert caught.value.status == 400
    return [detail["field"] for detail in caught.value.details]


def test_one_filter_is_the_query_and_several_are_a_group() -> None:
    assert contacts_query({"field": "email", "operator": "=", "value": "jane@example.com"}) == {
        "field": "email",
        "operator": "=",
        "value": "jane@example.com",
    }
    both = [{"field": "role", "operator": "=", "value": "lead"}, {"field": "name", "operator": "^", "value": "Ja"}]
    assert contacts_query(*both) == {
        "operator": "AND",
        "value": [
            {"field": "role", "operator": "=", "value": "lead"},
            {"field": "name", "operator": "^", "value": "Ja"},
        ],
    }
    assert contacts_query(*both, match="any")["operator"] == "OR"


def test_values_become_what_intercom_takes() -> None:
    times = [
        contacts_query({"field": "created_at", "operator": ">", "value": value})["value"]
        for value in ("2026-01-02T00:00:00Z", "2026-01-02T01:00:00+01:00", JAN_2, str(JAN_2))
    ]
    assert times == [JAN_2] * 4
    assert contacts_query({"field": "role", "operator": "IN", "value": ["USER", "lead"]})["value"] == ["user", "lead"]
    assert contacts_query({"field": "tag_id", "operator": "=", "value": 17})["value"] == "17"
    assert conversations_query({"field": "open", "operator": "=", "value": "true"})["value"] is True
    assert conversations_query({"field": "admin_assignee_id", "operator": "=", "value": "991267002"}) == {
        "field": "admin_assignee_id",
        "operator": "=",
        "value": 991267002,
    }
    assert conversations_query({"field": "statistics.count_reopens", "operator": ">", "value": "2"})["value"] == 2
    assert conversations_query({"field": "state", "operator": "!=", "value": "Closed"})["value"] == "closed"
    assert contacts_query({"field": "email", "operator": "=", "value": None})["value"] is None


def test_custom_attributes_take_their_data_types() -> None:
    custom = {"plan_tier": Kind.TEXT, "trial_ends_at": Kind.DAY, "seats": Kind.NUMBER}
    assert contacts_query({"field": "custom_attributes.seats", "operator": ">", "value": "3"}, **custom)["value"] == 3
    trial = {"field": "custom_attributes.trial_ends_at", "operator": "<", "value": "2026-01-02T00:00:00Z"}
    assert contacts_query(trial, **custom)["value"] == JAN_2
    bad = {"filters": [{"field": "custom_attributes.nope", "operator": "=", "value": "x"}]}
    assert refused(CONTACTS, bad, **custom) == ["filters[0].field"]
    ranged = {"filters": [{"field": "custom_attributes.plan_tier", "operator": ">", "value": "x"}]}
    assert refused(CONTACTS, ranged, **custom) == ["filters[0].operator"]
    none = {"filters": [{"field": "custom_attributes.seats", "operator": "=", "value": 1}]}
    assert refused(CONVERSATIONS, none) == ["filters[0].field"], "conversations have no custom attributes here"


@pytest.mark.parametrize(
    ("scope", "item", "named"),
    [
        (CONTACTS, {"field": "colour", "operator": "=", "value": "x"}, "field"),
        (CONTACTS, {"field": "", "operator": "=", "value": "x"}, "field"),
        (CONTACTS, {"field": "email", "operator": "=~", "value": "x"}, "operator"),
        (CONTACTS, {"field": "email", "operator": "<", "value": "x"}, "operator"),
        (CONTACTS, {"field": "tag_id", "operator": "IN", "value": ["1"]}, "operator"),
        (CONTACTS, {"field": "created_at", "operator": "!=", "value": JAN_2}, "operator"),
        (CONTACTS, {"field": "created_at", "operator": "=", "value": "yesterday"}, "value"),
        (CONTACTS, {"field": "created_at", "operator": "=", "value": "2026-01-02"}, "value"),
        (CONTACTS, {"field": "email", "operator": "IN", "value": " , "}, "value"),
        (CONTACTS, {"field": "email", "operator": "NIN", "value": ",".join(["a"] * (MAX_LIST + 1))}, "value"),
        (CONTACTS, {"field": "email", "operator": "IN", "value": 5}, "value"),
        (CONTACTS, {"field": "email", "operator": "IN", "value": []}, "value"),
        (CONTACTS, {"field": "email", "operator": "=", "value": ["a@b.io"]}, "value"),
        (CONTACTS, {"field": "email", "operator": "=", "value": {"a": 1}}, "value"),
        (CONTACTS, {"field": "email", "operator": "~", "value": 5}, "value"),
        (CONTACTS, {"field": "email", "operator": "~", "value": None}, "value"),
        (CONTACTS, {"field": "email", "operator": "=", "value": "x" * 256}, "value"),
        (CONTACTS, {"field": "role", "operator": "=", "value": "admin"}, "value"),
        (CONTACTS, {"field": "tag_id", "operator": "=", "value": "../x"}, "value"),
        (CONTACTS, {"field": "email", "operator": "=", "value": "a", "colour": 1}, "colour"),
        (CONTACTS, {"field": "email", "operator": "="}, "value"),
        (CONTACTS, {"operator": "=", "value": "x"}, "field"),
        (CONVERSATIONS, {"field": "open", "operator": "=", "value": "yes"}, "value"),
        (CONVERSATIONS, {"field": "admin_assignee_id", "operator": "=", "value": "abc"}, "value"),
        (CONVERSATIONS, {"field": "admin_assignee_id", "operator": "=", "value": -1}, "value"),
        (CONVERSATIONS, {"field": "statistics.count_reopens", "operator": ">", "value": True}, "value"),
        (CONVERSATIONS, {"field": "statistics.count_reopens", "operator": ">", "value": 1e300}, "value"),
        (CONVERSATIONS, {"field": "statistics.nope", "operator": ">", "value": 1}, "field"),
        (CONVERSATIONS, {"field": "email", "operator": "=", "value": "a@b.io"}, "field"),
        (TICKETS, {"field": "priority", "operator": "=", "value": "high"}, "field"),
        (TICKETS, {"field": "custom_attributes.x", "operator": "=", "value": "x"}, "field"),
        (TICKETS, {"field": "open", "operator": "~", "value": "t"}, "operator"),
        (TICKETS, {"field": "title", "operator": "<", "value": "t"}, "operator"),
        (TICKETS, {"field": "category", "operator": "=", "value": "Bug"}, "value"),
        (TICKETS, {"field": "state", "operator": "=", "value": "closed"}, "value"),
        (TICKETS, {"field": "ticket_type_id", "operator": "=", "value": "a b"}, "value"),
        (TICKETS, {"field": "title", "operator": "NIN", "value": " , "}, "value"),
        (TICKETS, {"field": "created_at", "operator": ">", "value": "yesterday"}, "value"),
    ],
)
def test_a_bad_filter_is_a_400_naming_its_part(scope: SearchScope, item: dict[str, Any], named: str) -> None:
    good = {"field": "created_at", "operator": ">", "value": JAN_2}
    assert refused(scope, {"filters": [good, good, item]}) == [f"filters[2].{named}"]


def test_every_bad_filter_is_named_at_once() -> None:
    body = {
        "filters": [
            {"field": "colour", "operator": "=", "value": "x"},
            {"field": "email", "operator": "=", "value": "a@b.io"},
            {"field": "email", "operator": ">", "value": "x"},
        ]
    }
    assert refused(CONTACTS, body) == ["filters[0].field", "filters[2].operator"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"filters": [{"field": "email", "operator": "=", "value": "x"}] * (MAX_FILTERS + 1)}, "filters"),
        ({"filters": "email=x"}, "filters"),
        ({"filters": ["email"]}, "filters[0]"),
        ({"filters": [{"field": "email", "operator": "=", "value": "x"}], "match": "some"}, "match"),
        ({"filters": [{"field": "email", "operator": "=", "value": "x"}], "per_page": 151}, "per_page"),
        ({"filters": [{"field": "email", "operator": "=", "value": "x"}], "sort": "name"}, "sort"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(body: dict[str, Any], named: str) -> None:
    assert refused(CONTACTS, body) == [named]


def test_tickets_search_by_intercom_terms_and_in_takes_comma_separated_text() -> None:
    category = {"field": "category", "operator": "IN", "value": ["Customer", "back-office", "TRACKER", "task"]}
    assert tickets_query(category)["value"] == ["request", "task", "tracker", "task"], "Intercom's terms"
    assert tickets_query({"field": "state", "operator": "=", "value": "In_Progress"})["value"] == "in_progress"
    assert tickets_query({"field": "admin_assignee_id", "operator": "=", "value": 991267002})["value"] == "991267002"
    assert tickets_query({"field": "created_at", "operator": ">", "value": "2026-01-02T00:00:00Z"})["value"] == JAN_2
    text = {"field": "category", "operator": "NIN", "value": "Back-office, tracker"}
    assert tickets_query(text)["value"] == ["task", "tracker"], "the designer's text input"
    emails = {"field": "email", "operator": "IN", "value": " a@b.io ,c@d.io,, "}
    assert contacts_query(emails)["value"] == ["a@b.io", "c@d.io"], "every scope takes it"
    ids = {"field": "admin_assignee_id", "operator": "IN", "value": "0, 991267002"}
    assert conversations_query(ids)["value"] == [0, 991267002]


def test_an_empty_match_is_all() -> None:
    two = [{"field": "open", "operator": "=", "value": True}] * 2
    assert tickets_query(*two, match="")["operator"] == "AND"
    assert parse(SearchTickets, {"match": None}).match == "all"


def test_no_filter_finds_every_one() -> None:
    every = {"field": "created_at", "operator": ">", "value": 0}
    assert contacts_query() == every
    assert intercom_query(CONVERSATIONS, parse(SearchConversations, {}).filters, "any") == every


def test_a_choice_may_have_intercom_terms() -> None:
    category = SearchField("category", Kind.CHOICE, "Category", choices("Tracker", customer="request"))
    scope = SearchScope("things", "/things/search", "things", (category,))
    found = parse(
        FindContacts, {"filters": [{"field": "category", "operator": "IN", "value": ["CUSTOMER", "tracker"]}]}
    )
    assert intercom_query(scope, found.filters, "all")["value"] == ["request", "Tracker"]


def test_more_than_15_filters_is_named_filters_with_the_limit() -> None:
    with pytest.raises(BadRequest, match="at most 15"):
        parse(FindContacts, {"filters": [{"field": "email", "operator": "=", "value": "x"}] * 16})


def test_a_query_too_long_for_a_nextlink_is_refused_naming_filters() -> None:
    def values(n: int) -> list[str]:  # distinct, so that compression cannot shrink them away
        return [hashlib.sha256(f"{n}-{i}".encode()).hexdigest() for i in range(20)]

    filters = [{"field": "email", "operator": "IN", "value": values(n)} for n in range(MAX_FILTERS)]
    query = contacts_query(*filters)
    with pytest.raises(BadRequest) as caught:
        check_carried(query)
    assert [d["field"] for d in caught.value.details] == ["filters"]
    assert check_carried(contacts_query(*filters[:1]))
