"""Routing of the Intercom REST API: `/me`, `/admins`, `/teams`, `/tags` here; `/contacts`, `/companies` and
`/conversations` in their own modules."""

from __future__ import annotations

from typing import Any

from intercom_sim.admins import ME_ADMIN_ID, admin_list, team_list
from intercom_sim.company_routes import companies_route
from intercom_sim.contact_routes import contacts_route, events_route
from intercom_sim.conversation_routes import conversations_route
from intercom_sim.errors import ApiError
from intercom_sim.render import APP_ID, render_tag
from intercom_sim.workspace import Workspace


def route(ws: Workspace, method: str, path: str, query: dict[str, list[str]], payload: Any) -> tuple[int, Any]:
    """The status and JSON body of an authenticated API request; errors are raised as ApiError or QueryError."""
    seg = path.strip("/").split("/")
    body = payload if isinstance(payload, dict) else {}
    if seg == ["me"] and method == "GET":
        return 200, _me(ws)
    if seg == ["events"]:
        return events_route(ws, method, body)
    if seg[0] == "contacts":
        return contacts_route(ws, method, seg, query, body)
    if seg == ["admins"] and method == "GET":
        return 200, admin_list()
    if seg == ["teams"] and method == "GET":
        return 200, team_list()
    if seg[0] == "companies":
        return companies_route(ws, method, seg, query, body)
    if seg == ["tags"]:
        if method == "GET":
            return 200, {"type": "list", "data": [render_tag(t) for t in ws.store.tags.values()]}
        if method == "POST":
            return 200, _create_tag(ws, body)
    if seg[0] == "conversations":
        return conversations_route(ws, method, seg, query, body)
    raise ApiError(404, "not_found", "Resource Not Found")


def _me(ws: Workspace) -> dict[str, Any]:
    return {
        "type": "admin",
        "id": ME_ADMIN_ID,
        "name": "Simulated Admin",
        "email": "admin@example.com",
        "email_verified": True,
        "app": {
            "type": "app",
            "id_code": APP_ID,
            "name": "Simulated Workspace",
            "created_at": 1577836800,
            "secure": False,
            "identity_verification": False,
            "timezone": ws.config.timezone,
            "region": "US",
        },
        "avatar": {"type": "avatar", "image_url": None},
        "has_inbox_seat": True,
    }


def _create_tag(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    """`POST /tags`: create (or find) a tag by name; with `companies: [{id}]`, tag those companies too."""
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "parameter_not_found", "name is required")
    companies = body.get("companies", [])
    if not isinstance(companies, list) or not all(isinstance(c, dict) for c in companies):
        raise ApiError(400, "parameter_invalid", "companies must be a list of objects")
    for company in companies:
        if company.get("id") not in ws.store.companies:
            raise ApiError(404, "company_not_found", "Company Not Found")
    tag = ws.upsert_tag(name)
    for company in companies:
        ws.tag_company(company["id"], tag["id"])
    return render_tag(tag)
