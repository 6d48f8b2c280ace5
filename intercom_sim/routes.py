"""Routing of the Intercom REST API: `/me`, `/admins`, `/teams`, `/tags`, `/data_attributes`, `/messages` here;
`/contacts`, `/companies`, `/conversations` and the ticket endpoints in their own modules."""

from __future__ import annotations

from typing import Any

from intercom_sim.admins import ME_ADMIN_ID, admin_list, team_list
from intercom_sim.company_routes import companies_route
from intercom_sim.contact_routes import contacts_route, events_route
from intercom_sim.conversation_routes import conversations_route
from intercom_sim.data_attributes import data_attribute_list
from intercom_sim.errors import ApiError
from intercom_sim.messages import create_message
from intercom_sim.render import APP_ID, render_tag
from intercom_sim.ticket_routes import ticket_types_route, tickets_route
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
    if seg[0] == "tickets":
        return tickets_route(ws, method, seg, body)
    if seg[0] in ("ticket_types", "ticket_states"):
        return ticket_types_route(ws, method, seg)
    if seg == ["messages"] and method == "POST":
        return 200, create_message(ws, body)
    if seg == ["data_attributes"] and method == "GET":
        return 200, data_attribute_list(ws.data_attributes, _used_attributes(ws), query, ws.stamp())
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


def _used_attributes(ws: Workspace) -> dict[str, dict[str, Any]]:
    """The custom attribute values in use, per model (one value per name)."""
    used: dict[str, dict[str, Any]] = {"contact": {}, "company": {}}
    for model, records in (("contact", ws.store.contacts.values()), ("company", ws.store.companies.values())):
        for record in records:
            for name, value in (record.get("custom_attributes") or {}).items():
                if value is not None:
                    used[model].setdefault(name, value)
    return used


def _create_tag(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    """`POST /tags`: create (or find) a tag by name; with `companies: [{id or company_id, untag?}]`, tag those
    companies, or untag those marked `untag: true`; the answer lists them with `tagged`."""
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "parameter_not_found", "name is required")
    companies = body.get("companies", [])
    if not isinstance(companies, list) or not all(isinstance(c, dict) for c in companies):
        raise ApiError(400, "parameter_invalid", "companies must be a list of objects")
    found = [(_company_id(ws, c), c.get("untag") in (True, "true")) for c in companies]
    tag = ws.upsert_tag(name)
    for company_id, untag in found:
        if untag:
            ws.untag_company(company_id, tag["id"])
        else:
            ws.tag_company(company_id, tag["id"])
    answer = render_tag(tag)
    if companies:
        answer["companies"] = [{"id": i, "tagged": not untag} for i, untag in found]
    return answer


def _company_id(ws: Workspace, ref: dict[str, Any]) -> str:
    """A company named by its Intercom `id` or by the `company_id` the workspace gave it."""
    if ref.get("id") in ws.store.companies:
        return str(ref["id"])
    for company in ws.store.companies.values():
        if ref.get("company_id") is not None and company["company_id"] == ref.get("company_id"):
            return str(company["id"])
    raise ApiError(404, "company_not_found", "Company Not Found")
