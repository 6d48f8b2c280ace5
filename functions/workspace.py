"""The workspace lists (interface §7, §10): List admins, List tags, List teams, List data attributes, and List
search fields (the designer's dropdown of a filter's field). Each handler calls one function of
shared/actions/workspace.py (imported inside, as in functions/contacts.py: cold start) and answers `{"value":
[...]}`."""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action, json_response

bp = func.Blueprint()


@bp.function_name("list_admins")
@bp.route(route="admins", methods=["GET"])
@action
def list_admins(call: Call) -> func.HttpResponse:
    from shared.actions import workspace as workspace_lists

    return call.values(workspace_lists.list_admins(call.client, call.deadline))


@bp.function_name("list_tags")
@bp.route(route="tags", methods=["GET"])
@action
def list_tags(call: Call) -> func.HttpResponse:
    from shared.actions import workspace as workspace_lists

    return call.values(workspace_lists.list_tags(call.client, call.deadline))


@bp.function_name("list_data_attributes")
@bp.route(route="data-attributes", methods=["GET"])
@action
def list_data_attributes(call: Call) -> func.HttpResponse:
    from shared.actions import data_attributes

    query = call.query(data_attributes.ListDataAttributes)
    found = data_attributes.list_data_attributes(
        call.client, query.model, call.deadline, include_archived=query.include_archived
    )
    return call.values(found)


@bp.function_name("list_search_fields")
@bp.route(route="search-fields", methods=["GET"])
@action
def list_search_fields(call: Call) -> func.HttpResponse:
    from shared.actions import search_fields

    query = call.query(search_fields.ListSearchFields)
    found = search_fields.list_search_fields(call.client, query.scope(), call.deadline)
    return call.values(found)


@bp.function_name("custom_attributes_schema")
@bp.route(route="data-attributes/schema", methods=["GET"])
@action
def custom_attributes_schema(call: Call) -> func.HttpResponse:
    from shared.actions import data_attributes

    query = call.query(data_attributes.AttributesOf)
    return json_response({"schema": data_attributes.custom_attributes_schema(call.client, query.model, call.deadline)})


@bp.function_name("list_assignees")
@bp.route(route="assignees", methods=["GET"])
@action
def list_assignees(call: Call) -> func.HttpResponse:
    from shared.actions import workspace as workspace_lists

    assignees = workspace_lists.list_assignees(call.client, call.deadline)
    return call.values(assignees)


@bp.function_name("ticket_attributes_schema")
@bp.route(route="ticket-types/{ticket_type_id}/attributes-schema", methods=["GET"])
@action
def ticket_attributes_schema(call: Call) -> func.HttpResponse:
    from shared.actions import ticket_attributes

    type_id = call.id("ticket_type_id")
    return json_response({"schema": ticket_attributes.ticket_attributes_schema(call.client, type_id, call.deadline)})


@bp.function_name("list_teams")
@bp.route(route="teams", methods=["GET"])
@action
def list_teams(call: Call) -> func.HttpResponse:
    from shared.actions import workspace as workspace_lists

    return call.values(workspace_lists.list_teams(call.client, call.deadline))
