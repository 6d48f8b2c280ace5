"""The workspace's admins and tags: List admins, List tags (interface §7), the admins and teams an assignee_id
takes (the designer's dropdown), and whether an assignee is an admin or a team.

Each function takes the connection's IntercomClient and the caller's Deadline; Intercom's typed errors propagate.
"""

from __future__ import annotations

from typing import Any, Literal

from shared.errors import BadRequest
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.common import as_object, as_text
from shared.models.tags import Tag, tag_to_model
from shared.models.workspace import Admin, Assignee, admin_to_model


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
    teams = [
        Assignee(id=str(team["id"]), name=f"Team: {as_text(team.get('name')) or team['id']}", kind="team")
        for team in _items(client.get("/teams", deadline=deadline), "teams")
    ]
    return admins + teams


def assignee_kind(client: IntercomClient, assignee_id: str, deadline: Deadline) -> Literal["admin", "team"]:
    """Whether an assignee id is an admin's or a team's (`GET /admins`, then `GET /teams`); "0" unassigns."""
    if assignee_id == "0" or any(a.id == assignee_id for a in list_admins(client, deadline)):
        return "admin"
    teams = _items(client.get("/teams", deadline=deadline), "teams")
    if any(str(team["id"]) == assignee_id for team in teams):
        return "team"
    raise BadRequest.field("assignee_id", f"no admin or team with id {assignee_id} in this workspace")
