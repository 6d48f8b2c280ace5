"""The ticket actions (interface §10): create, get, update, reply, search; list ticket types and ticket states; and
for Update ticket's designer the states and the attributes schema of a ticket's type. Each handler parses, calls one
function of shared/actions/, and answers. The services and request models are
imported inside the handlers, as in functions/contacts.py (cold start)."""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action, json_response

bp = func.Blueprint()


@bp.function_name("create_ticket")
@bp.route(route="tickets", methods=["POST"])
@action
def create_ticket(call: Call) -> func.HttpResponse:
    from shared.actions.tickets import requests as ticket_requests
    from shared.actions.tickets import service as tickets

    ticket = tickets.create_ticket(call.client, call.body(ticket_requests.CreateTicket), call.deadline)
    return json_response(ticket, status=201)


@bp.function_name("get_ticket")
@bp.route(route="tickets/{id}", methods=["GET"])
@action
def get_ticket(call: Call) -> func.HttpResponse:
    from shared.actions.tickets import service as tickets

    return json_response(tickets.get_ticket(call.client, call.id("id"), call.deadline))


@bp.function_name("update_ticket")
@bp.route(route="tickets/{id}", methods=["PUT"])
@action
def update_ticket(call: Call) -> func.HttpResponse:
    from shared.actions.tickets import requests as ticket_requests
    from shared.actions.tickets import service as tickets

    ticket_id, request = call.id("id"), call.body(ticket_requests.UpdateTicket)
    return json_response(tickets.update_ticket(call.client, ticket_id, request, call.deadline))


@bp.function_name("reply_to_ticket")
@bp.route(route="tickets/{id}/reply", methods=["POST"])
@action
def reply_to_ticket(call: Call) -> func.HttpResponse:
    from shared.actions.tickets import requests as ticket_requests
    from shared.actions.tickets import service as tickets

    ticket_id, request = call.id("id"), call.body(ticket_requests.ReplyToTicket)
    return json_response(tickets.reply(call.client, ticket_id, request, call.deadline))


@bp.function_name("search_tickets")
@bp.route(route="tickets/search", methods=["POST"])
@action
def search_tickets(call: Call) -> func.HttpResponse:
    from shared.actions.tickets import requests as ticket_requests
    from shared.actions.tickets import search

    body = call.body(ticket_requests.SearchTickets)
    return call.page(search.search_tickets(call.client, body, call.settings.cursor_key, call.deadline), body.per_page)


@bp.function_name("search_tickets_next")
@bp.route(route="tickets/search", methods=["GET"])
@action
def search_tickets_next(call: Call) -> func.HttpResponse:
    from shared.actions.search import SearchNext
    from shared.actions.tickets import search

    request = call.query(SearchNext)
    return call.page(
        search.more_tickets(call.client, request, call.settings.cursor_key, call.deadline), request.per_page
    )


@bp.function_name("list_ticket_types")
@bp.route(route="ticket-types", methods=["GET"])
@action
def list_ticket_types(call: Call) -> func.HttpResponse:
    from shared.actions.tickets import service as tickets

    return call.values(tickets.list_ticket_types(call.client, call.deadline))


@bp.function_name("list_ticket_states")
@bp.route(route="ticket-states", methods=["GET"])
@action
def list_ticket_states(call: Call) -> func.HttpResponse:
    from shared.actions.tickets import requests as ticket_requests
    from shared.actions.tickets import service as tickets

    query = call.query(ticket_requests.ListTicketStates)
    return call.values(tickets.list_ticket_states(call.client, query.ticket_type_id, call.deadline))


@bp.function_name("list_states_of_ticket")
@bp.route(route="tickets/{id}/ticket-states", methods=["GET"])
@action
def list_states_of_ticket(call: Call) -> func.HttpResponse:
    from shared.actions.tickets import service as tickets

    return call.values(tickets.list_states_of_ticket(call.client, call.id("id"), call.deadline))


@bp.function_name("attributes_schema_of_ticket")
@bp.route(route="tickets/{id}/attributes-schema", methods=["GET"])
@action
def attributes_schema_of_ticket(call: Call) -> func.HttpResponse:
    from shared.actions import ticket_attributes

    schema = ticket_attributes.ticket_attributes_schema_of_ticket(call.client, call.id("id"), call.deadline)
    return json_response({"schema": schema})
