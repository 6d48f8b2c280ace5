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
    id: str | None = Field(None, title="Ticket Type ID", description="Intercom id of the ticket type")
    name: str | None = Field(None, title="Ticket Type", description="Name of the ticket type")


class TicketStateRef(Shape):
    id: str | None = Field(None, title="Ticket State ID", description="Intercom id of the ticket state")
    category: str | None = Field(
        None, title="State Category", description="submitted, in_progress, waiting_on_customer or resolved"
    )
    internal_label: str | None = Field(None, title="State", description="The state's name as teammates see it")
    external_label: str | None = Field(
        None, title="State For Customers", description="The state's name as the customer sees it"
    )


class ContactRef(Shape):
    id: str = Field(title="Contact ID", description="Intercom id of the contact")


class Ticket(Shape):
    """A ticket (interface §9): what the ticket actions answer and the ticket triggers carry."""

    id: str = Field(title="Ticket ID", description="Intercom API id of the ticket (what the ticket actions take)")
    ticket_id: str | None = Field(
        None, title="Ticket Number", description="The ticket's number in the Inbox (not for API calls)"
    )
    title: str | None = Field(None, title="Title")
    description: str | None = Field(None, title="Description")
    category: str | None = Field(None, title="Category", description="Customer, Back-office or Tracker")
    ticket_type: TicketTypeRef = Field(default_factory=TicketTypeRef)
    ticket_state: TicketStateRef = Field(default_factory=TicketStateRef)
    ticket_attributes: dict[str, Any] = Field(
        default_factory=dict,
        title="Ticket Attributes",
        description="The ticket type's own attributes by name (title and description apart)",
    )
    contacts: list[ContactRef] = Field(
        default_factory=list, title="Contacts", description="The contacts the ticket is about"
    )
    company_id: str | None = Field(None, title="Company ID", description="Intercom id of the ticket's company")
    admin_assignee_id: str | None = Field(
        None, title="Admin Assignee ID", description="Intercom id of the assigned admin; null when none"
    )
    team_assignee_id: str | None = Field(
        None, title="Team Assignee ID", description="Intercom id of the assigned team; null when none"
    )
    open: bool | None = Field(None, title="Is Open", description="true while the ticket is open")
    snoozed_until: str | None = Field(
        None, title="Snoozed Until", description="When a snoozed ticket reopens: yyyy-MM-ddTHH:mm:ss.fffZ (UTC)"
    )
    created_at: str | None = Field(None, title="Created At", description="yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")
    updated_at: str | None = Field(None, title="Updated At", description="yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")


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


# -- ticket types and states (List ticket types, List ticket states) --------------------------------------------------


class TicketState(TicketStateRef):
    """A state tickets can be in (List ticket states)."""

    id: str = Field(
        title="Ticket State ID", description="Intercom id of the ticket state (Update ticket's ticket_state_id)"
    )


class AttributeOption(Shape):
    id: str = Field(title="Option ID", description="What a ticket attribute of type list takes as its value")
    label: str | None = Field(None, title="Label", description="What the option shows")


class TicketTypeAttribute(Shape):
    """One attribute of a ticket type: a key of `ticket_attributes` in Create ticket and Update ticket."""

    id: str | None = Field(None, title="Attribute ID", description="Intercom id of the attribute")
    name: str = Field(title="Name", description="The attribute's name: its key in ticket_attributes")
    description: str | None = Field(None, title="Description")
    data_type: str | None = Field(
        None, title="Data Type", description="string, list, integer, decimal, boolean, datetime or files"
    )
    required: bool = Field(
        False, title="Is Required", description="true when a teammate must give it to create a ticket"
    )
    options: list[AttributeOption] = Field(
        default_factory=list, title="Options", description="The options of a list attribute"
    )


class TicketType(Shape):
    """A ticket type with its own attributes (List ticket types); title and description are every type's."""

    id: str = Field(
        title="Ticket Type ID", description="Intercom id of the ticket type (Create ticket's ticket_type_id)"
    )
    name: str | None = Field(None, title="Name")
    description: str | None = Field(None, title="Description")
    category: str | None = Field(None, title="Category", description="Customer, Back-office or Tracker")
    attributes: list[TicketTypeAttribute] = Field(
        default_factory=list, title="Attributes", description="The type's own attributes (title and description apart)"
    )


def _listed(value: Any, key: str) -> list[dict[str, Any]]:
    """The items of Intercom's `{"type": "list", "data": [...]}`, of `{key: [...]}`, or of a bare list."""
    if isinstance(value, dict):
        value = value.get("data", value.get(key))
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _options(input_options: Any) -> list[AttributeOption]:
    return [
        AttributeOption(id=str(option["id"]), label=as_text(option.get("label")))
        for option in _listed(as_object(input_options).get("list_options"), "list_options")
        if _ident(option.get("id")) is not None and option.get("archived") is not True
    ]


def _order(attribute: Mapping[str, Any]) -> int:
    order = attribute.get("order")
    return order if isinstance(order, int) else 0


def ticket_type_to_model(ticket_type: Mapping[str, Any]) -> TicketType:
    """An Intercom `ticket_type` -> TicketType: its attributes in order, without the default title and
    description (Create ticket has fields of their own for them) and without archived ones."""
    attributes = sorted(
        _listed(ticket_type.get("ticket_type_attributes"), "ticket_type_attributes"),
        key=_order,
    )
    return TicketType(
        id=str(ticket_type["id"]),
        name=as_text(ticket_type.get("name")),
        description=as_text(ticket_type.get("description")) or None,
        category=as_text(ticket_type.get("category")),
        attributes=[
            TicketTypeAttribute(
                id=_ident(a.get("id")),
                name=str(a["name"]),
                description=as_text(a.get("description")) or None,
                data_type=as_text(a.get("data_type")),
                required=a.get("required_to_create") is True,
                options=_options(a.get("input_options")),
            )
            for a in attributes
            if isinstance(a.get("name"), str) and a["name"] not in DEFAULT_ATTRIBUTES and a.get("archived") is not True
        ],
    )


def ticket_state_list_item(state: Mapping[str, Any]) -> TicketState:
    """An Intercom `ticket_state` (detailed or not) -> TicketState."""
    ref = ticket_state_to_model(state)
    return TicketState(id=str(state["id"]), **ref.model_dump(exclude={"id"}))


def state_type_ids(state: Mapping[str, Any]) -> set[str]:
    """The ids of the ticket types a detailed `ticket_state` (GET /ticket_states) belongs to."""
    return {str(t["id"]) for t in _listed(state.get("ticket_types"), "ticket_types") if _ident(t.get("id"))}
