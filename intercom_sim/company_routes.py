"""The `/companies` endpoints: create or update (by `company_id`), get, find by `company_id` or `name`, list by page."""

from __future__ import annotations

from typing import Any

from intercom_sim.errors import ApiError
from intercom_sim.paging import pages, query_per_page
from intercom_sim.render import render_company
from intercom_sim.workspace import Workspace

TEXT_FIELDS = ("name", "company_id", "plan", "website", "industry")
NUMBER_FIELDS = ("size", "monthly_spend", "remote_created_at")
COMPANY_FIELDS = (*TEXT_FIELDS, *NUMBER_FIELDS, "custom_attributes")


def companies_route(
    ws: Workspace, method: str, seg: list[str], query: dict[str, list[str]], body: dict[str, Any]
) -> tuple[int, Any]:
    if len(seg) == 1 and method == "POST":
        return 200, render_company(ws.store, ws.upsert_company(_company_fields(body)))
    if len(seg) == 1 and method == "GET":
        for key in ("company_id", "name"):
            wanted = query.get(key, [None])[0]
            if wanted is not None:
                return 200, _find(ws, key, wanted)
        return 200, _list_companies(ws, query)
    if len(seg) == 2 and method == "GET":
        company = ws.store.companies.get(seg[1])
        if company is None:
            raise ApiError(404, "company_not_found", "Company Not Found")
        return 200, render_company(ws.store, company)
    raise ApiError(404, "not_found", "Resource Not Found")


def _company_fields(body: dict[str, Any]) -> dict[str, Any]:
    for key in body:
        if key not in COMPANY_FIELDS:
            raise ApiError(400, "bad_request", f"bad '{key}' parameter")
    for key in TEXT_FIELDS:
        if body.get(key) is not None and not isinstance(body[key], str):
            raise ApiError(400, "bad_request", f"bad '{key}' parameter")
    for key in NUMBER_FIELDS:
        value = body.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ApiError(400, "bad_request", f"bad '{key}' parameter")
    if body.get("custom_attributes") is not None and not isinstance(body["custom_attributes"], dict):
        raise ApiError(400, "bad_request", "bad 'custom_attributes' parameter")
    return {k: body[k] for k in COMPANY_FIELDS if k in body}


def _find(ws: Workspace, key: str, wanted: str) -> dict[str, Any]:
    """`?company_id=` or `?name=`: a list holding the one company (exact match), 404 when there is none."""
    for company in ws.store.companies.values():
        if company.get(key) == wanted:
            return {
                "type": "list",
                "data": [render_company(ws.store, company)],
                "pages": pages(1, 1, None),
                "total_count": 1,
            }
    raise ApiError(404, "company_not_found", "Company Not Found")


def _list_companies(ws: Workspace, query: dict[str, list[str]]) -> dict[str, Any]:
    """Every company (with or without contacts), oldest first, `page` and `per_page` (default 15, at most 150)."""
    size = query_per_page(query, 15)
    try:
        page = int(query.get("page", ["1"])[0])
    except ValueError:
        raise ApiError(400, "parameter_invalid", "page must be an integer") from None
    if page < 1:
        raise ApiError(400, "parameter_invalid", "page must be at least 1")
    everything = list(ws.store.companies.values())
    chunk = everything[(page - 1) * size : page * size]
    return {
        "type": "list",
        "data": [render_company(ws.store, c) for c in chunk],
        "pages": pages(size, len(everything), None, page),
        "total_count": len(everything),
    }
