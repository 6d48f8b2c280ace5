"""The workspace lists (interface §7): List admins, List tags. Each handler calls one function of
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

    admins = workspace_lists.list_admins(call.client, call.deadline)
    return json_response({"value": [admin.model_dump(mode="json") for admin in admins]})


@bp.function_name("list_tags")
@bp.route(route="tags", methods=["GET"])
@action
def list_tags(call: Call) -> func.HttpResponse:
    from shared.actions import workspace as workspace_lists

    tags = workspace_lists.list_tags(call.client, call.deadline)
    return json_response({"value": [tag.model_dump(mode="json") for tag in tags]})
