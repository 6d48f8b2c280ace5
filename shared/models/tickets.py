"""The connector's `Ticket` (interface §9) and its mapping from Intercom's `ticket` (API 2.16).

- `id` is the API id (what every ticket action takes); `ticket_id` is the number the Inbox shows, kept apart;
- `title` and `description` are Intercom's `_default_title_` and `_default_description_` ticket attributes, so
  `ticket_attributes` holds the ticket type's own attributes only (list attributes as their option ids, files as
  Intercom gives them);
- `ticket_state` is Intercom 2.16's `ticket_state` object; an older payload's flat state string becomes its
  `category`, with no id or labels;
- `contacts` is Intercom's `contacts.contacts[]` as a plain list of ids;
- an assignee of `0` (Intercom's "unassigned") is null, like every field Intercom leaves out; timestamps are
  `yyyy-MM-ddTHH:mm:ss.fffZ`.

The mapping never fails on an odd value (a trigger's event must always be loggable); only a missing `id` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from shared.models.common import Shape, as_object, as_text, format_timestamp

TITLE_ATTRIBUTE = "_default_title_"
DESCRIPTION_ATTRIBUTE = "_default_description_"
DEFAULT_ATTRIBUTES = (TITLE_ATTRIBUTE, DESCRIPTION_ATTRIBUTE)
STATE_CATEGORIES = ("submitted", "in_progress", "waiting_on_customer", "resolved")


class TicketTypeRef(Shape):
    id: str | None = Field(None, description="Intercom id of the ticket type")
    name: str | None = Field(None, description="Name of the ticket type")


class TicketStateRef(Shape):
    id: str | None = Field(None, description="Intercom id of the ticket state")
    category: str | None = Field(None, description="submitted, in_progress, waiting_on_customer or resolved")
    internal_label: str | None = Field(None, description="The state's name as teammates see it")
    external_label: str | None = Field(None, description="The state's name as the customer sees it")


class ContactRef(Shape):
    id: str = Field(description="Intercom id of the contact")


class Ticket(Shape):
    """A ticket (interface §9): what the ticket actions answer and the ticket triggers carry."""

    id: str = Field(description="Intercom API id of the ticket (what the ticket actions take)")
    ticket_id: str | None = Field(None, description="The ticket's number in the Inbox (not for API calls)")
    title: str | None = None
    description: str | None = None
    category: str | None = Field(None, description="Customer, Back-office or Tracker")
    ticket_type: TicketTypeRef = Field(default_factory=TicketTypeRef)
    ticket_state: TicketStateRef = Field(default_factory=TicketStateRef)
    ticket_attributes: dict[str, Any] = Field(
        default_factory=dict, description="The ticket type's own attributes by name (title and description apart)"
    )
    contacts: list[ContactRef] = Field(default_factory=list, description="The contacts the ticket is about")
    company_id: str | None = Field(None, description="Intercom id of the ticket's company")
    admin_assignee_id: str | None = Field(None, description="Intercom id of the assigned admin; null when none")
    team_assignee_id: str | None = Field(None, description="Intercom id of the assigned team; null when none")
    open: bool | None = Field(None, description="true while the ticket is open")
    snoozed_until: str | None = Field(None, description="When a snoozed ticket reopens: yyyy-MM-ddTHH:mm:ss.fffZ")
    created_at: str | None = Field(None, description="yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")
    updated_at: str | None = Field(None, description="yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")


def _ident(value: Any) -> str | None:
    """An id as text; None for none, for Intercom's `0` ("unassigned") and for anything that is not a string or a
    number."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value in (0, "0", ""):
        return None
    return str(value)


def ticket_state_to_model(state: Any) -> TicketStateRef:
    """Intercom's `ticket_state` object (2.16), or an older payload's flat state string."""
    if isinstance(state, str):
        return TicketStateRef(category=state if state in STATE_CATEGORIES else None, internal_label=state)
    state = as_object(state)
    return TicketStateRef(
        id=_ident(state.get("id")),
        category=as_text(state.get("category")),
        internal_label=as_text(state.get("internal_label")),
        external_label=as_text(state.get("external_label")),
    )


def _contacts(value: Any) -> list[ContactRef]:
    items = as_object(value).get("contacts") if isinstance(value, dict) else value
    return [
        ContactRef(id=str(item["id"]))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and item.get("id") is not None and not isinstance(item.get("id"), bool)
    ]


def _company_id(ticket: Mapping[str, Any]) -> str | None:
    ident = ticket.get("company_id")
    if ident is None:
        ident = as_object(ticket.get("company")).get("id")
    return _ident(ident)


def ticket_to_model(ticket: Mapping[str, Any]) -> Ticket:
    """An Intercom `ticket` -> Ticket."""
    attributes = dict(as_object(ticket.get("ticket_attributes")))
    title = attributes.pop(TITLE_ATTRIBUTE, ticket.get("title"))
    description = attributes.pop(DESCRIPTION_ATTRIBUTE, ticket.get("description"))
    ticket_type = as_object(ticket.get("ticket_type"))
    return Ticket(
        id=str(ticket["id"]),
        ticket_id=_ident(ticket.get("ticket_id")),
        title=as_text(title),
        description=as_text(description),
        category=as_text(ticket.get("category") or ticket_type.get("category")),
        ticket_type=TicketTypeRef(id=_ident(ticket_type.get("id")), name=as_text(ticket_type.get("name"))),
        ticket_state=ticket_state_to_model(ticket.get("ticket_state")),
        ticket_attributes={str(name): value for name, value in attributes.items()},
        contacts=_contacts(ticket.get("contacts")),
        company_id=_company_id(ticket),
        admin_assignee_id=_ident(ticket.get("admin_assignee_id")),
        team_assignee_id=_ident(ticket.get("team_assignee_id")),
        open=ticket.get("open") if isinstance(ticket.get("open"), bool) else None,
        snoozed_until=format_timestamp(ticket.get("snoozed_until")),
        created_at=format_timestamp(ticket.get("created_at")),
        updated_at=format_timestamp(ticket.get("updated_at")),
    )
