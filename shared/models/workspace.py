"""The workspace's teammates: the connector's `Admin` (interface §7) and `Team` (§10), and their mapping from
Intercom's `admin` and `team`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from shared.models.common import Shape, as_flag, as_text


class Admin(Shape):
    """A teammate of the workspace (interface §7)."""

    id: str = Field(title="Admin ID", description="Intercom id of the admin")
    name: str | None = Field(None, title="Name")
    email: str | None = Field(None, title="Email")
    away_mode_enabled: bool | None = Field(None, title="Is Away", description="true while the admin is set to away")


def admin_to_model(admin: Mapping[str, Any]) -> Admin:
    """An Intercom `admin` -> Admin."""
    return Admin(
        id=str(admin["id"]),
        name=as_text(admin.get("name")),
        email=as_text(admin.get("email")),
        away_mode_enabled=as_flag(admin.get("away_mode_enabled")),
    )


class Assignee(Shape):
    """An admin or a team a conversation or a ticket can be assigned to (the designer's dropdown of assignee_id)."""

    id: str = Field(title="Assignee ID", description="Intercom id of the admin or the team")
    name: str = Field(title="Name", description="The admin's name, or the team's as `Team: NAME`")
    kind: str = Field(title="Kind", description="admin or team")


class Team(Shape):
    """A team of the workspace (interface §10): an assignee of conversations and tickets."""

    id: str = Field(title="Team ID", description="Intercom id of the team")
    name: str | None = Field(None, title="Name")
    admin_ids: list[str] = Field(
        default_factory=list, title="Admin IDs", description="Intercom ids of the team's admins"
    )


def team_to_model(team: Mapping[str, Any]) -> Team:
    """An Intercom `team` -> Team (its admin ids, numbers on the wire, as text like every id)."""
    members = team.get("admin_ids")
    return Team(
        id=str(team["id"]),
        name=as_text(team.get("name")),
        admin_ids=[
            str(a)
            for a in (members if isinstance(members, list) else [])
            if isinstance(a, str | int) and not isinstance(a, bool)
        ],
    )
