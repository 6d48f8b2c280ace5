"""Search tickets (interface §10): the filter shape of shared/actions/search_filters.py over the ticket fields below,
translated to Intercom's ticket search (`POST /tickets/search`), oldest first, paged by a nextLink whose cursor
carries the filters.

Intercom's rules apply and the README repeats them: `>` and `<` include equality; `category` is searched with
Intercom's terms (request, task, tracker), which the choices here take as the category names a Ticket shows
(Customer, Back-office, Tracker); `state` is the state's category; like every Intercom search, a ticket shows up a
short while after it is written.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from shared.actions.paging import Page
from shared.actions.search_filters import (
    SearchBody,
    SearchField,
    SearchPage,
    filters_schema,
    first_page,
    next_page,
    query,
)
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.tickets import STATE_CATEGORIES, Ticket, ticket_to_model

CURSOR_PURPOSE = "search-tickets"
PATH = "/tickets/search"
CATEGORIES = {"customer": "request", "back-office": "task", "tracker": "tracker"}
TICKET_FIELDS: dict[str, SearchField] = {
    "title": SearchField("text"),
    "description": SearchField("text"),
    "category": SearchField("choice", choices={**CATEGORIES, **{term: term for term in CATEGORIES.values()}}),
    "ticket_type_id": SearchField("id"),
    "contact_ids": SearchField("id"),
    "admin_assignee_id": SearchField("id"),
    "team_assignee_id": SearchField("id"),
    "open": SearchField("boolean"),
    "state": SearchField("choice", choices={state: state for state in STATE_CATEGORIES}),
    "created_at": SearchField("timestamp"),
    "updated_at": SearchField("timestamp"),
}


class SearchTickets(SearchBody):
    """Body of Search tickets (POST /api/tickets/search)."""

    filters: Annotated[list[Any], WithJsonSchema(filters_schema(TICKET_FIELDS))] = Field(
        default_factory=list,
        title="Filters",
        description="Each {field, operator, value}; none finds every ticket (at most 15)",
    )


def search_tickets(client: IntercomClient, body: SearchTickets, cursor_key: bytes, deadline: Deadline) -> Page[Ticket]:
    """The first page of the tickets the filters find."""
    found, cursor = first_page(
        client, PATH, query(body, TICKET_FIELDS), body.per_page, cursor_key, CURSOR_PURPOSE, deadline
    )
    return Page(_tickets(found), cursor)


def next_tickets(client: IntercomClient, request: SearchPage, cursor_key: bytes, deadline: Deadline) -> Page[Ticket]:
    """The page a Search tickets nextLink points at."""
    found, cursor = next_page(client, PATH, request, cursor_key, CURSOR_PURPOSE, deadline)
    return Page(_tickets(found), cursor)


def _tickets(found: Any) -> list[Ticket]:
    items = found.get("tickets") if isinstance(found, dict) else None
    return [ticket_to_model(t) for t in items or [] if isinstance(t, dict) and t.get("id") is not None]
