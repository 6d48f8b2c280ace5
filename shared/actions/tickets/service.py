"""The ticket actions (interface §10): create, get, update, reply; list ticket types and ticket states (and, for the
designer, the states of a ticket's type). Search is in shared/actions/tickets/search.py.

Each function takes the connection's IntercomClient, a validated request (shared/actions/tickets/requests.py) and
the caller's Deadline, and returns the connector's shapes (shared/models/tickets.py). Intercom's refusals become
the contract's errors naming the caller's field. A create and a reply are never sent twice; an update (a PUT) leaves
the same ticket when repeated, so the client may retry it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from shared.actions.refusals import about, is_about, not_found, refused, refused_about
from shared.actions.tickets.requests import CreateTicket, ReplyToTicket, UpdateTicket
from shared.actions.workspace import acting_admin, assignee_kind, wire_id
from shared.errors import BadRequest, ConnectorError, UpstreamFailed
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomNotFound
from shared.models.tickets import (
    DESCRIPTION_ATTRIBUTE,
    TITLE_ATTRIBUTE,
    Ticket,
    TicketState,
    TicketType,
    state_type_ids,
    ticket_state_list_item,
    ticket_to_model,
    ticket_type_to_model,
)

log = logging.getLogger("shared.actions.tickets.service")


def create_ticket(client: IntercomClient, request: CreateTicket, deadline: Deadline) -> Ticket:
    """`POST /tickets` with one contact (by id, or by email: Intercom makes a lead when none has it)."""
    request.check()
    body: dict[str, Any] = {"ticket_type_id": request.ticket_type_id, "contacts": [request.contact()]}
    attributes = _attributes(request.ticket_attributes, request.title, request.description)
    if attributes:
        body["ticket_attributes"] = attributes
    assignment = {
        name: value
        for name, value in (
            ("admin_assignee_id", request.admin_assignee_id),
            ("team_assignee_id", request.team_assignee_id),
        )
        if value is not None
    }
    if assignment:
        body["assignment"] = assignment
    for name in ("company_id", "conversation_to_link_id"):
        if getattr(request, name) is not None:
            body[name] = getattr(request, name)
    contact_field = "contact_id" if request.contact_id is not None else "email"
    try:
        answer = client.post("/tickets", body, deadline=deadline)
    except IntercomBadRequest as error:
        raise refused_about(error, {**_CREATE_FIELDS, "contact": contact_field}, "body") from None
    except IntercomNotFound as error:
        raise _create_not_found(error, request, contact_field) from None
    return _model(answer)


# What Intercom's refusal of a create names (its code or message, lowercased) -> the caller's field.
_CREATE_FIELDS = {
    "conversation": "conversation_to_link_id",
    "ticket type": "ticket_type_id",
    "ticket_type": "ticket_type_id",
    "company": "company_id",
    "_default_title_": "title",
    "_default_description_": "description",
    "attribute": "ticket_attributes",
    "assignee": "admin_assignee_id",
}


def _create_not_found(error: IntercomNotFound, request: CreateTicket, contact_field: str) -> ConnectorError:
    field = about(error, {**_CREATE_FIELDS, "user": contact_field, "contact": contact_field}, contact_field)
    if field == "admin_assignee_id":
        given = [name for name in ("admin_assignee_id", "team_assignee_id") if getattr(request, name) is not None]
        message = "no admin or team with this id in this workspace"
        return BadRequest(f"invalid input: {message}", details=[{"field": f, "message": message} for f in given])
    what = {"ticket_type_id": "ticket type", "conversation_to_link_id": "conversation", "company_id": "company"}
    return not_found(what.get(field, "contact"), str(getattr(request, field, None)), field)


def get_ticket(client: IntercomClient, ticket_id: str, deadline: Deadline) -> Ticket:
    """The ticket with this API id (not the Inbox's `ticket_id`); 404 naming `id` when there is none."""
    try:
        return _model(client.get(f"/tickets/{ticket_id}", deadline=deadline))
    except IntercomNotFound:
        raise not_found("ticket", ticket_id) from None


def update_ticket(
    client: IntercomClient,
    ticket_id: str,
    request: UpdateTicket,
    deadline: Deadline,
    *,
    clock: Callable[[], float] = time.time,
) -> Ticket:
    """`PUT /tickets/{id}`: state, title, description, attributes, open, snooze, assignee (`0` unassigns), as
    `admin_id` (default: the token's admin). An assignee is checked against the admins and teams first, so an
    unknown one is a 400 naming `assignee_id` and Intercom's "Assignee not found" can only mean `admin_id`."""
    request.check()
    if request.snoozed_until is not None and request.snoozed_until <= clock():
        raise BadRequest.field("snoozed_until", "must lie in the future")
    if request.assignee_id is not None:
        assignee_kind(client, request.assignee_id, deadline)
    admin_id = acting_admin(client, request.admin_id, deadline)
    body: dict[str, Any] = {"admin_id": wire_id(admin_id)}
    attributes = _attributes(request.ticket_attributes, request.title, request.description)
    if attributes:
        body["ticket_attributes"] = attributes
    for name in ("ticket_state_id", "open", "snoozed_until", "assignee_id"):
        if getattr(request, name) is not None:
            body[name] = getattr(request, name)
    try:
        answer = client.put(f"/tickets/{ticket_id}", body, deadline=deadline)
    except IntercomBadRequest as error:
        if is_about(error, "ticket_state"):
            raise BadRequest.field("ticket_state_id", error.message) from None
        raise refused(error, "snoozed_until", "ticket_attributes", "body") from None
    except IntercomNotFound as error:
        if is_about(error, "ticket"):
            raise not_found("ticket", ticket_id) from None
        if is_about(error, "admin") or is_about(error, "assignee"):
            raise not_found("admin", admin_id, "admin_id") from None
        raise not_found("ticket", ticket_id) from None
    return _model(answer)


def reply(client: IntercomClient, ticket_id: str, request: ReplyToTicket, deadline: Deadline) -> Ticket:
    """An admin's comment or note, or the contact's comment (`POST /tickets/{id}/reply`; Intercom answers the
    part). The ticket is read before (a missing ticket is a 404 naming `id`, so Intercom's 404 to the reply names
    the admin or the contact) and after (the answer); once the reply is written, a failing read answers the ticket
    as it was read before rather than an error that would invite a second reply."""
    request.check()
    before = get_ticket(client, ticket_id, deadline)
    body: dict[str, Any] = {"message_type": request.message_type, "body": request.body}
    if request.contact_id is not None:
        body |= {"type": "user", "intercom_user_id": request.contact_id}
    else:
        admin_id = acting_admin(client, request.admin_id, deadline)
        body |= {"type": "admin", "admin_id": admin_id}
    try:
        client.post(f"/tickets/{ticket_id}/reply", body, deadline=deadline)
    except IntercomBadRequest as error:
        raise refused(error, "contact_id" if request.contact_id is not None else "body") from None
    except IntercomNotFound as error:
        if request.contact_id is not None:
            raise not_found("contact on this ticket", request.contact_id, "contact_id") from None
        if is_about(error, "ticket"):
            raise not_found("ticket", ticket_id) from None
        raise not_found("admin", str(body["admin_id"]), "admin_id") from None
    try:
        return get_ticket(client, ticket_id, deadline)
    except ConnectorError as error:
        log.warning("ticket %s not read after the reply: %s", ticket_id, error.code)
        return before


def list_ticket_types(client: IntercomClient, deadline: Deadline) -> list[TicketType]:
    """The workspace's ticket types that are not archived, with their attributes (`GET /ticket_types`, one call)."""
    answer = client.get("/ticket_types", deadline=deadline)
    return [
        ticket_type_to_model(item)
        for item in _data(answer)
        if item.get("archived") is not True and item.get("id") is not None
    ]


def list_ticket_states(client: IntercomClient, ticket_type_id: str | None, deadline: Deadline) -> list[TicketState]:
    """The ticket states that are not archived (`GET /ticket_states`, one call), only those of `ticket_type_id` when
    given (Intercom lists every type's). No state for a type: its existence is checked (a 404 naming
    `ticket_type_id` when Intercom has no such type)."""
    states = [s for s in _data(client.get("/ticket_states", deadline=deadline)) if s.get("archived") is not True]
    if ticket_type_id is not None:
        states = [s for s in states if ticket_type_id in state_type_ids(s)]
        if not states:
            try:
                client.get(f"/ticket_types/{ticket_type_id}", deadline=deadline)
            except IntercomNotFound:
                raise not_found("ticket type", ticket_type_id, "ticket_type_id") from None
    return [ticket_state_list_item(s) for s in states if s.get("id") is not None]


def ticket_type_of(client: IntercomClient, ticket_id: str, deadline: Deadline) -> str:
    """The id of the ticket's type (one `GET /tickets/{id}`); a 404 naming `id` when there is no such ticket."""
    type_id = get_ticket(client, ticket_id, deadline).ticket_type.id
    if type_id is None:
        raise UpstreamFailed("Intercom answered a ticket without its ticket type")
    return type_id


def list_states_of_ticket(client: IntercomClient, ticket_id: str, deadline: Deadline) -> list[TicketState]:
    """The states a ticket can take: those of its type (the designer's dropdown of Update ticket's
    `ticket_state_id`, where the body has no type)."""
    return list_ticket_states(client, ticket_type_of(client, ticket_id, deadline), deadline)


def _attributes(attributes: dict[str, Any] | None, title: str | None, description: str | None) -> dict[str, Any]:
    """Intercom's `ticket_attributes`: the type's own, with the title and description as its default ones."""
    out = dict(attributes or {})
    if title is not None:
        out[TITLE_ATTRIBUTE] = title
    if description is not None:
        out[DESCRIPTION_ATTRIBUTE] = description
    return out


def _data(answer: Any) -> list[dict[str, Any]]:
    items = answer.get("data") if isinstance(answer, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]


def _model(answer: Any) -> Ticket:
    if not isinstance(answer, dict) or answer.get("id") is None:
        raise UpstreamFailed("Intercom answered a ticket without an id")
    return ticket_to_model(answer)
