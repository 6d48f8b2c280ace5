"""Search tickets (interface §10): tickets by title, description, category, type, contact, assignee, open, state
and times, a page at a time.

The filters are the shared search shape (shared/actions/search.py) over the ticket fields below. Intercom's rules
apply and the README repeats them: `>` and `<` include equality (Kind.DATE); `category` is searched with Intercom's
terms (request, task, tracker), which the choices also take as the category names a Ticket shows (Customer,
Back-office, Tracker); `state` is the state's category; a new or changed ticket is found after a short delay (its
search index).
"""

from __future__ import annotations

from shared.actions.paging import Page
from shared.actions.search import Kind, SearchField, SearchNext, SearchScope, choices, first_page, next_page
from shared.actions.tickets.requests import SearchTickets
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.tickets import STATE_CATEGORIES, Ticket, ticket_to_model

TICKETS = SearchScope(
    "tickets",
    "/tickets/search",
    "tickets",
    (
        SearchField("title", Kind.TEXT, "Title"),
        SearchField("description", Kind.TEXT, "Description"),
        SearchField(
            "category",
            Kind.CHOICE,
            "Category (Customer, Back-office, Tracker)",
            choices("request", "task", "tracker", customer="request", back_office="task"),
        ),
        SearchField("ticket_type_id", Kind.ID, "Ticket type ID"),
        SearchField("contact_ids", Kind.ID, "Contact ID"),
        SearchField("admin_assignee_id", Kind.ID, "Assigned admin ID (0: none)"),
        SearchField("team_assignee_id", Kind.ID, "Assigned team ID (0: none)"),
        SearchField("open", Kind.BOOLEAN, "Is open"),
        SearchField("state", Kind.CHOICE, "State (" + ", ".join(STATE_CATEGORIES) + ")", choices(*STATE_CATEGORIES)),
        SearchField("created_at", Kind.DATE, "Created"),
        SearchField("updated_at", Kind.DATE, "Updated"),
    ),
)


def search_tickets(client: IntercomClient, body: SearchTickets, key: bytes, deadline: Deadline) -> Page[Ticket]:
    """The first page of the tickets the filters find (or the page `body.cursor` names), oldest first."""
    return _models(first_page(client, TICKETS, body, key, deadline))


def more_tickets(client: IntercomClient, request: SearchNext, key: bytes, deadline: Deadline) -> Page[Ticket]:
    """The page a Search tickets nextLink names."""
    return _models(next_page(client, TICKETS, request, key, deadline))


def _models(page: Page[dict[str, object]]) -> Page[Ticket]:
    return Page([ticket_to_model(item) for item in page.value], page.next_cursor)
