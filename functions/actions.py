"""The five HTTP actions (CONTRACT §2): parse, call one function of shared/contacts.py, answer."""

from __future__ import annotations

import azure.functions as func

from functions.http import handles_errors, json_body, json_response, request_connection, url_with
from shared import contacts
from shared.intercom.client import client_for
from shared.intercom.deadline import action_deadline
from shared.requests import CreateLead, ListLeads, UpsertUser, parse, parse_id
from shared.settings import get_settings

bp = func.Blueprint()


@bp.function_name("create_or_update_user")
@bp.route(route="users", methods=["POST"])
@handles_errors
def create_or_update_user(req: func.HttpRequest) -> func.HttpResponse:
    settings = get_settings()
    connection = request_connection(req, settings)
    request = parse(UpsertUser, json_body(req, settings))
    result = contacts.create_or_update_user(client_for(connection, settings), request, action_deadline())
    return json_response(result.user, status=201 if result.created else 200)


@bp.function_name("create_lead")
@bp.route(route="leads", methods=["POST"])
@handles_errors
def create_lead(req: func.HttpRequest) -> func.HttpResponse:
    settings = get_settings()
    connection = request_connection(req, settings)
    request = parse(CreateLead, json_body(req, settings))
    lead = contacts.create_lead(client_for(connection, settings), request, action_deadline())
    return json_response(lead, status=201)


@bp.function_name("list_leads")
@bp.route(route="leads", methods=["GET"])
@handles_errors
def list_leads(req: func.HttpRequest) -> func.HttpResponse:
    settings = get_settings()
    connection = request_connection(req, settings)
    query = parse(ListLeads, dict(req.params))
    page = contacts.list_leads(client_for(connection, settings), query, settings.cursor_key, action_deadline())
    body: dict[str, object] = {"value": [lead.model_dump(mode="json") for lead in page.value]}
    if page.next_cursor is not None:
        body["nextLink"] = url_with(req.url, per_page=str(query.per_page), cursor=page.next_cursor)
    return json_response(body)


@bp.function_name("get_user")
@bp.route(route="users/{user_id}", methods=["GET"])
@handles_errors
def get_user(req: func.HttpRequest) -> func.HttpResponse:
    settings = get_settings()
    connection = request_connection(req, settings)
    user_id = parse_id(req.route_params.get("user_id"), "user_id")
    return json_response(contacts.get_user(client_for(connection, settings), user_id, action_deadline()))


@bp.function_name("get_lead")
@bp.route(route="leads/{contact_id}", methods=["GET"])
@handles_errors
def get_lead(req: func.HttpRequest) -> func.HttpResponse:
    settings = get_settings()
    connection = request_connection(req, settings)
    contact_id = parse_id(req.route_params.get("contact_id"), "contact_id")
    return json_response(contacts.get_lead(client_for(connection, settings), contact_id, action_deadline()))
