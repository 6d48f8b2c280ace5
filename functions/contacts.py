"""The contact actions (CONTRACT §2, §7): users, leads, contacts and events. Each handler parses, calls one function
of shared/, and answers; `functions.http.action` supplies the client, deadline and parsing."""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action, json_response
from shared import contacts
from shared.requests import CreateLead, ListLeads, UpsertUser

bp = func.Blueprint()


@bp.function_name("create_or_update_user")
@bp.route(route="users", methods=["POST"])
@action
def create_or_update_user(call: Call) -> func.HttpResponse:
    result = contacts.create_or_update_user(call.client, call.body(UpsertUser), call.deadline)
    return json_response(result.user, status=201 if result.created else 200)


@bp.function_name("create_lead")
@bp.route(route="leads", methods=["POST"])
@action
def create_lead(call: Call) -> func.HttpResponse:
    return json_response(contacts.create_lead(call.client, call.body(CreateLead), call.deadline), status=201)


@bp.function_name("list_leads")
@bp.route(route="leads", methods=["GET"])
@action
def list_leads(call: Call) -> func.HttpResponse:
    query = call.query(ListLeads)
    page = contacts.list_leads(call.client, query, call.settings.cursor_key, call.deadline)
    body: dict[str, object] = {"value": [lead.model_dump(mode="json") for lead in page.value]}
    if page.next_cursor is not None:
        body["nextLink"] = call.link(per_page=str(query.per_page), cursor=page.next_cursor)
    return json_response(body)


@bp.function_name("get_user")
@bp.route(route="users/{user_id}", methods=["GET"])
@action
def get_user(call: Call) -> func.HttpResponse:
    return json_response(contacts.get_user(call.client, call.id("user_id"), call.deadline))


@bp.function_name("get_lead")
@bp.route(route="leads/{contact_id}", methods=["GET"])
@action
def get_lead(call: Call) -> func.HttpResponse:
    return json_response(contacts.get_lead(call.client, call.id("contact_id"), call.deadline))
