"""Routing of the Intercom REST API: `/me`, `/tags`, `/companies`, `/conversations`; `/contacts` has its own module."""

from __future__ import annotations

from typing import Any

from devserver.intercom.contact_routes import contacts_route, events_route
from devserver.intercom.errors import ApiError
from devserver.intercom.paging import list_by_seq, pages, query_per_page
from devserver.intercom.render import APP_ID, render_company, render_conversation, render_tag
from devserver.intercom.search import search
from devserver.intercom.workspace import Workspace

COMPANY_FIELDS = (
    "name",
    "company_id",
    "plan",
    "size",
    "website",
    "industry",
    "custom_attributes",
    "monthly_spend",
    "remote_created_at",
)


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
    if seg[0] == "companies":
        return _companies_route(ws, method, seg, query, body)
    if seg == ["tags"]:
        if method == "GET":
            return 200, {"type": "list", "data": [render_tag(t) for t in ws.store.tags.values()]}
        if method == "POST":
            name = body.get("name")
            if not isinstance(name, str) or not name:
                raise ApiError(400, "parameter_not_found", "name is required")
            return 200, render_tag(ws.upsert_tag(name))
    if seg[0] == "conversations":
        return _conversations_route(ws, method, seg, query, body)
    raise ApiError(404, "not_found", "Resource Not Found")


def _me(ws: Workspace) -> dict[str, Any]:
    return {
        "type": "admin",
        "id": "991267001",
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


def _companies_route(
    ws: Workspace, method: str, seg: list[str], query: dict[str, list[str]], body: dict[str, Any]
) -> tuple[int, Any]:
    if len(seg) == 1 and method == "POST":
        data = {k: body[k] for k in COMPANY_FIELDS if k in body}
        return 200, render_company(ws.store, ws.upsert_company(data))
    if len(seg) == 1 and method == "GET":
        wanted = query.get("company_id", [None])[0]
        if wanted is not None:
            for c in ws.store.companies.values():
                if c["company_id"] == wanted:
                    return 200, render_company(ws.store, c)
            raise ApiError(404, "company_not_found", "Company Not Found")
        return 200, _list_companies(ws, query)
    if len(seg) == 2 and method == "GET":
        company = ws.store.companies.get(seg[1])
        if company is None:
            raise ApiError(404, "company_not_found", "Company Not Found")
        return 200, render_company(ws.store, company)
    raise ApiError(404, "not_found", "Resource Not Found")


def _list_companies(ws: Workspace, query: dict[str, list[str]]) -> dict[str, Any]:
    size = query_per_page(query, 15)
    try:
        page = int(query.get("page", ["1"])[0])
    except ValueError:
        raise ApiError(400, "parameter_invalid", "page must be an integer") from None
    allc = list(ws.store.companies.values())
    chunk = allc[(page - 1) * size : page * size]
    return {
        "type": "list",
        "data": [render_company(ws.store, c) for c in chunk],
        "pages": pages(size, len(allc), None, page),
        "total_count": len(allc),
    }


def _conversations_route(
    ws: Workspace, method: str, seg: list[str], query: dict[str, list[str]], body: dict[str, Any]
) -> tuple[int, Any]:
    if len(seg) == 1 and method == "GET":
        ids, nxt, total = list_by_seq(ws.conversation_seq, query, 20)
        size = query_per_page(query, 20)
        return 200, {
            "type": "conversation.list",
            "conversations": [render_conversation(ws.store.conversations[i]) for i in ids],
            "total_count": total,
            "pages": pages(size, total, nxt),
        }
    if seg[1:] == ["search"] and method == "POST":
        return 200, search(ws, body, contacts=False)
    if len(seg) == 2 and method == "GET":
        conv = ws.store.conversations.get(seg[1])
        if conv is None:
            raise ApiError(404, "not_found", "Resource Not Found")
        rendered = render_conversation(conv)
        rendered["conversation_parts"] = {
            "type": "conversation_part.list",
            "conversation_parts": [],
            "total_count": 0,
        }
        return 200, rendered
    raise ApiError(404, "not_found", "Resource Not Found")
