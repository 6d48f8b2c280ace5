"""The workspace's teammates: the token's own admin (`GET /me`), two more admins and two teams (`/admins`, `/teams`)."""

from __future__ import annotations

from typing import Any

ME_ADMIN_ID = "991267001"
ADMINS: tuple[dict[str, Any], ...] = (
    {"id": ME_ADMIN_ID, "name": "Simulated Admin", "email": "admin@example.com", "away": False, "teams": ["5001"]},
    {"id": "991267002", "name": "Ada Support", "email": "ada@example.com", "away": False, "teams": ["5001"]},
    {"id": "991267003", "name": "Bob Away", "email": "bob@example.com", "away": True, "teams": []},
)
TEAMS: tuple[dict[str, Any], ...] = (
    {"id": "5001", "name": "Support"},
    {"id": "5002", "name": "Billing"},
)


def admin_ids() -> set[str]:
    return {a["id"] for a in ADMINS}


def team_ids() -> set[str]:
    return {t["id"] for t in TEAMS}


def render_admin(admin: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "admin",
        "id": admin["id"],
        "name": admin["name"],
        "email": admin["email"],
        "job_title": "",
        "away_mode_enabled": admin["away"],
        "away_mode_reassign": False,
        "has_inbox_seat": True,
        "team_ids": [int(t) for t in admin["teams"]],
    }


def render_team(team: dict[str, Any]) -> dict[str, Any]:
    members = [a["id"] for a in ADMINS if team["id"] in a["teams"]]
    return {"type": "team", "id": team["id"], "name": team["name"], "admin_ids": [int(i) for i in members]}


def admin_list() -> dict[str, Any]:
    return {"type": "admin.list", "admins": [render_admin(a) for a in ADMINS]}


def team_list() -> dict[str, Any]:
    return {"type": "team.list", "teams": [render_team(t) for t in TEAMS]}
