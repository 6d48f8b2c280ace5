"""The workspace's admins, teams and tags: List admins, List tags (interface §7), List teams (§10); the admins and
teams an assignee_id takes (the designer's dropdown); the admin who acts by default, and whether an assignee is an
admin or a team.

Each function takes the connection's IntercomClient and the caller's Deadline; Intercom's typed errors propagate.
"""

from __future__ import annotations

from typing import Any, Literal

from shared.errors import BadRequest, UpstreamFailed
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.me import read_me
from shared.models.common import as_object
from shared.models.tags import Tag, tag_to_model
from shared.models.workspace import Admin, Assignee, Team, admin_to_model, team_to_model


def _items(body: Any, key: str) -> list[dict[str, Any]]:
    items = as_object(body).get(key)
    return [item for item in items or [] if isinstance(item, dict) and item.get("id") is not None]


def list_admins(client: IntercomClient, deadline: Deadline) -> list[Admin]:
    """Every admin of the workspace (`GET /admins`, one call)."""
    return [admin_to_model(admin) for admin in _items(client.get("/admins", deadline=deadline), "admins")]


def list_tags(client: IntercomClient, deadline: Deadline) -> list[Tag]:
    """Every tag of the workspace (`GET /tags`, one call)."""
    return [tag_to_model(tag) for tag in _items(client.get("/tags", deadline=deadline), "data")]


def list_assignees(client: IntercomClient, deadline: Deadline) -> list[Assignee]:
    """Every admin, then every team (`GET /admins`, `GET /teams`): what assignee_id takes."""
    admins = [Assignee(id=a.id, name=a.name or a.id, kind="admin") for a in list_admins(client, deadline)]
    teams = [Assignee(id=t.id, name=f"Team: {t.name or t.id}", kind="team") for t in list_teams(client, deadline)]
    return admins + teams


def list_teams(client: IntercomClient, deadline: Deadline) -> list[Team]:
    """Every team of the workspace (`GET /teams`, one call)."""
    return [team_to_model(team) for team in _items(client.get("/teams", deadline=deadline), "teams")]


def acting_admin(client: IntercomClient, admin_id: str | None, deadline: Deadline) -> str:
    """The admin who acts: `admin_id` when given, else the admin who owns the connection's token (`GET /me`)."""
    if admin_id is not None:
        return admin_id
    me = read_me(client, deadline).admin_id
    if me is None:
        raise UpstreamFailed("Intercom's GET /me did not name the token's admin; give admin_id")
    return me


def wire_id(ident: str) -> int | str:
    """An admin id as Intercom's schemas type it where they want a number (`from.id` of a message, `admin_id` of a
    ticket update): digits as an int, anything else as it is."""
    return int(ident) if ident.isdigit() and len(ident) <= 18 else ident


def assignee_kind(client: IntercomClient, assignee_id: str, deadline: Deadline) -> Literal["admin", "team"]:
    """Whether an assignee id is an admin's or a team's (`GET /admins`, then `GET /teams`); "0" unassigns."""
    if assignee_id == "0" or any(a.id == assignee_id for a in list_admins(client, deadline)):
        return "admin"
    if any(team.id == assignee_id for team in list_teams(client, deadline)):
        return "team"
    raise BadRequest.field("assignee_id", f"no admin or team with id {assignee_id} in this workspace")
