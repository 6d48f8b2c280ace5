"""The ticket actions as connector operations (interface §10): create, get, update, reply, search; list ticket types
and ticket states. Display names are the contract's. Two internal operations feed Update ticket's designer, whose
body does not name the ticket's type: the states of the ticket's type (`ticket_state_id`) and its attributes as
typed fields (`ticket_attributes`), both by the ticket's id."""

from __future__ import annotations

from connector.parts import INTERNAL, Entry, Op, RouteId
from connector.shapes import AttributesSchema, TicketPage, TicketStateListing, TicketTypeListing
from shared.actions.tickets.requests import (
    CreateTicket,
    ListTicketStates,
    ReplyToTicket,
    SearchTickets,
    UpdateTicket,
)
from shared.models.tickets import Ticket

IDS = {"id": RouteId("Ticket ID", "The Intercom API id of the ticket (not the number the Inbox shows)")}
NO_TICKET = "There is no such ticket (or no such admin or contact, as the details name)"

TICKET_OPERATIONS: dict[str, Entry] = {
    "create_ticket": Entry(
        "tickets",
        ("POST",),
        Op(
            "CreateTicket",
            "Create ticket",
            "Creates a ticket of a ticket type for one contact, given by Intercom id or by email (an email no contact "
            "has makes a lead), with its title, description and the type's attributes.",
            "201",
            "The new ticket",
            Ticket,
            body=CreateTicket,
            body_summary="Ticket",
            not_found="There is no such contact, company or conversation, as the details name",
            extensions={"x-ms-visibility": "important"},
        ),
    ),
    "get_ticket": Entry(
        "tickets/{id}",
        ("GET",),
        Op(
            "GetTicket",
            "Get ticket",
            "Given the Intercom API id of a ticket, returns it: type, state, attributes, contacts and assignees.",
            "200",
            "The ticket",
            Ticket,
            ids=IDS,
            not_found="There is no such ticket",
        ),
    ),
    "update_ticket": Entry(
        "tickets/{id}",
        ("PUT",),
        Op(
            "UpdateTicket",
            "Update ticket",
            "Changes a ticket's state, title, description, attributes or assignee (an admin or a team; 0 "
            "unassigns), closes or reopens it, or snoozes it. Acts as the admin you pick, by default the admin who "
            "owns the connection's Intercom token.",
            "200",
            "The ticket, as it is now",
            Ticket,
            body=UpdateTicket,
            body_summary="Changes",
            ids=IDS,
            not_found=NO_TICKET,
        ),
    ),
    "reply_to_ticket": Entry(
        "tickets/{id}/reply",
        ("POST",),
        Op(
            "ReplyToTicket",
            "Reply to ticket",
            "Adds a reply the contact sees, or a note only teammates see; give Reply As Contact ID to reply as the "
            "contact instead (Customer tickets only).",
            "200",
            "The ticket, as it is now",
            Ticket,
            body=ReplyToTicket,
            body_summary="Reply",
            ids=IDS,
            not_found=NO_TICKET,
        ),
    ),
    "search_tickets": Entry(
        "tickets/search",
        ("POST",),
        Op(
            "SearchTickets",
            "Search tickets",
            "Finds the tickets that match all (or any) of your filters, oldest first, a page at a time. Intercom's "
            "> and < include equality; a new ticket is found after a short delay (Intercom's search).",
            "200",
            "A page of tickets",
            TicketPage,
            body=SearchTickets,
            body_summary="Search",
            pageable=True,
        ),
    ),
    "search_tickets_next": Entry(
        "tickets/search",
        ("GET",),
        None,
        "the nextLink of Search tickets (the designer follows it as x-ms-pageable), not an action of its own",
    ),
    "list_ticket_types": Entry(
        "ticket-types",
        ("GET",),
        Op(
            "ListTicketTypes",
            "List ticket types",
            "Returns the ticket types of your workspace, each with its own attributes (the keys of Ticket "
            "Attributes in Create ticket and Update ticket).",
            "200",
            "The ticket types",
            TicketTypeListing,
        ),
    ),
    "list_ticket_states": Entry(
        "ticket-states",
        ("GET",),
        Op(
            "ListTicketStates",
            "List ticket states",
            "Returns the ticket states of your workspace, or only those of one ticket type.",
            "200",
            "The ticket states",
            TicketStateListing,
            query=ListTicketStates,
            not_found="There is no such ticket type",
        ),
    ),
    "list_states_of_ticket": Entry(
        "tickets/{id}/ticket-states",
        ("GET",),
        Op(
            "ListStatesOfTicket",
            "List states of ticket",
            "The ticket states a ticket can take: those of its type (the designer's dropdown of Update ticket's "
            "Ticket State ID).",
            "200",
            "The states of the ticket's type",
            TicketStateListing,
            ids=IDS,
            not_found="There is no such ticket",
            extensions=INTERNAL,
        ),
    ),
    "attributes_schema_of_ticket": Entry(
        "tickets/{id}/attributes-schema",
        ("GET",),
        Op(
            "GetAttributesSchemaOfTicket",
            "Get attributes schema of ticket",
            "The attributes of a ticket's type as typed fields (the designer's Ticket Attributes in Update ticket).",
            "200",
            "The schema",
            AttributesSchema,
            ids=IDS,
            not_found="There is no such ticket",
            extensions=INTERNAL,
        ),
    ),
}
