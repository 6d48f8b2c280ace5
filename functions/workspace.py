"""The workspace lists: List admins, List tags (interface §7), List teams (§10). Each handler calls one function of
shared/actions/workspace.py (imported inside, as in functions/contacts.py: cold start) and answers `{"value":
[...]}`."""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action

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


@bp.function_name("list_teams")
@bp.route(route="teams", methods=["GET"])
@action
def list_teams(call: Call) -> func.HttpResponse:
    from shared.actions import workspace as workspace_lists

    return call.values(workspace_lists.list_teams(call.client, call.deadline))
