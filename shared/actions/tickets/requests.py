"""What callers send to the ticket actions (interface §10); the shared rules are in shared/actions/parsing.py.

- Create ticket takes `ticket_type_id` and exactly one of `contact_id` (Intercom id) and `email` (Intercom makes a
  lead when no contact has it);
- `title` and `description` are Intercom's default attributes `_default_title_` and `_default_description_`, so
  `ticket_attributes` (the type's own attributes by name) may not name them;
- an attribute value is a string, number, boolean, null, or a list of strings or numbers (a list attribute takes
  its option's id, as List ticket types shows it);
- Update ticket needs at least one change; `assignee_id` is an admin or team id, `0` unassigns;
- `snoozed_until` is ISO-8601 with a UTC offset or Unix seconds, and must lie in the future.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from shared.actions.conversations.requests import ReplyToConversation
from shared.actions.parsing import (
    MAX_ATTRIBUTE_TEXT,
    MAX_CUSTOM_ATTRIBUTES,
    Body,
    IntercomId,
    OptionalAdminId,
    OptionalAssigneeId,
    OptionalCompanyId,
    OptionalEmail,
    OptionalId,
    OptionalTeamId,
    OptionalTimestamp,
    Query,
    acting_admin_field,
    blank_to_none,
    check_flat_object,
    one_of,
)
from shared.actions.search import Filter, SearchBody, filter_field, filters_field
from shared.errors import BadRequest
from shared.models.designer import (
    ATTRIBUTES_OF_TICKET,
    STATES_OF_TICKET,
    TICKET_ATTRIBUTES,
    TICKET_TYPES,
    designer,
)
from shared.models.tickets import DEFAULT_ATTRIBUTES

MAX_LIST_VALUES = 100

Title = Annotated[Annotated[str, Field(max_length=1_000)] | None, BeforeValidator(blank_to_none)]
Description = Annotated[Annotated[str, Field(max_length=20_000)] | None, BeforeValidator(blank_to_none)]


def _attributes(value: Any) -> Any:
    """The type's attributes by name: flat values, or lists of strings or numbers (multi-select, files)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("must be an object of attribute names to values")
    flat = {name: None if isinstance(item, list) else item for name, item in value.items()}
    check_flat_object(flat, max_keys=MAX_CUSTOM_ATTRIBUTES, booleans_and_nulls=True)
    for name, item in value.items():
        if name in DEFAULT_ATTRIBUTES:
            raise ValueError(f"{name!r}: give it as title or description")
        if isinstance(item, list):
            _check_list(name, item)
    return value


def _check_list(name: str, items: list[Any]) -> None:
    if len(items) > MAX_LIST_VALUES:
        raise ValueError(f"{name!r}: at most {MAX_LIST_VALUES} values")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"{name!r}: a list holds strings or numbers")
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{name!r}: must hold finite numbers")
        if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_TEXT:
            raise ValueError(f"{name!r}: at most {MAX_ATTRIBUTE_TEXT} characters a value")


TicketAttributes = Annotated[dict[str, Any] | None, BeforeValidator(_attributes)]


class CreateTicket(Body):
    """Body of Create ticket (POST /api/tickets)."""

    ticket_type_id: IntercomId = Field(
        title="Ticket Type ID",
        description="Intercom id of the ticket type (List ticket types)",
        json_schema_extra=designer("important", dropdown=TICKET_TYPES),
    )
    contact_id: OptionalId = Field(
        None,
        title="Contact ID",
        description="Intercom id of the contact the ticket is about (or give Contact Email)",
        json_schema_extra=designer("important"),
    )
    email: OptionalEmail = Field(
        None, title="Contact Email", description="Or the contact's email (Intercom makes a lead when none has it)"
    )
    title: Title = Field(None, title="Title", description="The ticket's title", json_schema_extra=designer("important"))
    description: Description = Field(None, title="Description", description="The ticket's description")
    ticket_attributes: TicketAttributes = Field(
        None,
        title="Ticket Attributes",
        description="The ticket type's attributes by name (the designer shows the chosen type's)",
        json_schema_extra=designer(typed=TICKET_ATTRIBUTES),
    )
    company_id: OptionalCompanyId = Field(
        None,
        title="Company ID",
        description="Intercom id of the company the ticket is about",
        json_schema_extra=designer("advanced"),
    )
    admin_assignee_id: OptionalAdminId = Field(
        None,
        title="Admin Assignee ID",
        description="Intercom id of the admin to assign it to",
        json_schema_extra=designer("advanced"),
    )
    team_assignee_id: OptionalTeamId = Field(
        None,
        title="Team Assignee ID",
        description="Intercom id of the team to assign it to",
        json_schema_extra=designer("advanced"),
    )
    conversation_to_link_id: OptionalId = Field(
        None,
        title="Conversation To Link ID",
        description="Intercom id of a conversation to link (back-office and tracker tickets)",
        json_schema_extra=designer("advanced"),
    )

    def check(self) -> None:
        """A 400 unless exactly one of contact_id and email is given."""
        one_of(contact_id=self.contact_id, email=self.email)

    def contact(self) -> dict[str, str]:
        """Intercom's `contacts[0]`: the contact by id or by email."""
        return {"id": self.contact_id} if self.contact_id is not None else {"email": str(self.email)}


class UpdateTicket(Body):
    """Body of Update ticket (PUT /api/tickets/{id})."""

    ticket_state_id: OptionalId = Field(
        None,
        title="Ticket State ID",
        description="Intercom id of the new state (one of the states of the ticket's type)",
        json_schema_extra=designer("important", dropdown=STATES_OF_TICKET),
    )
    title: Title = Field(None, title="Title", description="The new title")
    description: Description = Field(None, title="Description", description="The new description")
    ticket_attributes: TicketAttributes = Field(
        None,
        title="Ticket Attributes",
        description="The attributes to change, by name (the designer shows the ticket's type's)",
        json_schema_extra=designer("advanced", typed=ATTRIBUTES_OF_TICKET),
    )
    open: bool | None = Field(
        None, title="Is Open", description="false closes the ticket (and unsnoozes it); true reopens it"
    )
    snoozed_until: OptionalTimestamp = Field(
        None,
        title="Snooze Until",
        description="Snooze until then: ISO-8601 with a UTC offset, or Unix seconds",
        json_schema_extra=designer("advanced"),
    )
    assignee_id: OptionalAssigneeId = Field(
        None, title="Assignee ID", description="Intercom id of the admin or team to assign it to; 0 unassigns"
    )
    admin_id: OptionalAdminId = acting_admin_field()

    def check(self) -> None:
        """A 400 naming `body` when nothing would change."""
        if not self.model_dump(exclude_none=True, exclude={"admin_id"}):
            raise BadRequest.field("body", "give at least one field to change")


class ListTicketStates(Query):
    """Query of List ticket states (GET /api/ticket-states)."""

    ticket_type_id: OptionalId = Field(
        None,
        title="Ticket Type ID",
        description="Only the states of this ticket type",
        json_schema_extra=designer(dropdown=TICKET_TYPES),
    )


class TicketFilter(Filter):
    """One condition of Search tickets."""

    field: str = filter_field("tickets")


class SearchTickets(SearchBody):
    """Body of Search tickets (POST /api/tickets/search)."""

    filters: list[TicketFilter] = filters_field()


class ReplyToTicket(ReplyToConversation):
    """Body of Reply to ticket (POST /api/tickets/{id}/reply)."""
