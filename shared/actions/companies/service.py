"""The company actions (interface §7): create or update, get, list, tag.

Each function takes the connection's IntercomClient, a validated request (shared/actions/companies/requests.py) and the
caller's Deadline, and returns the connector's shapes (shared/models/companies.py). Intercom's typed errors propagate
and become the contract's statuses in functions/http.py; the decisions are written up in docs/actions.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.actions.companies.requests import ListCompanies, TagByName, UpsertCompany
from shared.actions.paging import Page, open_cursor, seal_cursor
from shared.actions.tagging import tag_by_name
from shared.errors import BadRequest, NotFound, UpstreamFailed
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomConflict, IntercomNotFound
from shared.intercom.names import cache_for
from shared.models.companies import Company, company_to_model
from shared.models.tags import Tag

CURSOR_PURPOSE = "list-companies"
# Intercom's created_at is compared with the call's start to tell "created" from "updated" when the look-up missed
# an existing company; the slack covers the clock difference between Intercom and this app.
CREATED_SLACK_SECONDS = 60


@dataclass(frozen=True)
class UpsertedCompany:
    company: Company
    created: bool


def create_or_update_company(
    client: IntercomClient, request: UpsertCompany, deadline: Deadline, *, clock: Callable[[], float] = time.time
) -> UpsertedCompany:
    """Intercom's upsert by `company_id` (`POST /companies`), after a look-up that tells 201 from 200.

    The upsert is keyed on `company_id`, so sending it again (after a lost answer, or a 409 from a concurrent create
    of the same id) updates the same company: one company whatever the races. "Created" means the look-up found none
    and Intercom's `created_at` is not older than this call; two callers racing to create one id may both hear 201.
    """
    started = clock()
    existing = _find(client, "company_id", request.company_id, deadline)
    body = request.model_dump(exclude_none=True)
    try:
        company = client.request("POST", "/companies", json=body, deadline=deadline, idempotent=True)
    except IntercomConflict:
        company = client.request("POST", "/companies", json=body, deadline=deadline, idempotent=True)
    model = _model(company)
    created_at = company.get("created_at")
    fresh = not isinstance(created_at, int | float) or created_at >= started - CREATED_SLACK_SECONDS
    cache_for(client.connection).remember_company(model.id, model.name)
    return UpsertedCompany(model, created=existing is None and fresh)


def get_company(client: IntercomClient, company_id: str, deadline: Deadline) -> Company:
    """The company with this Intercom id; 404 naming `id` when there is none."""
    try:
        return _model(client.get(f"/companies/{company_id}", deadline=deadline))
    except IntercomNotFound:
        raise _no_company(company_id) from None


def _no_company(company_id: str) -> NotFound:
    return NotFound(f"no company with id {company_id}", details=[{"field": "id", "message": "no such company"}])


def list_companies(
    client: IntercomClient, query: ListCompanies, cursor_key: bytes, deadline: Deadline
) -> Page[Company]:
    """One page of `GET /companies` (every company, by page number; see docs/actions.md for why not scroll or
    `POST /companies/list`), or the one company an exact `company_id` or `name` finds."""
    exact = query.exact()
    if exact is not None:
        found = _find(client, *exact, deadline)
        return Page([] if found is None else [_model(found)], None)
    position = open_cursor(cursor_key, CURSOR_PURPOSE, client.connection.name, query.cursor)
    page = 1 if position is None else position.get("p")
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise BadRequest.field("cursor", "malformed cursor")
    params = {"page": page, "per_page": query.per_page}
    try:
        answer = client.get("/companies", params=params, deadline=deadline)
    except IntercomBadRequest:
        if position is None:
            raise
        raise BadRequest.field("cursor", "Intercom no longer accepts this page; list again without a cursor") from None
    companies = [_model(c) for c in _data(answer)]
    total_pages = _obj(_obj(answer).get("pages")).get("total_pages")
    more = isinstance(total_pages, int) and page < total_pages and bool(companies)
    following = seal_cursor(cursor_key, CURSOR_PURPOSE, client.connection.name, p=page + 1) if more else None
    return Page(companies, following)


def tag_company(client: IntercomClient, company_id: str, request: TagByName, deadline: Deadline) -> Tag:
    """Tag the company (Intercom id) with the tag called `name`: the tag `tag_by_name` finds or creates (with its
    fallback for two callers creating one tag at once), then `POST /tags {name, companies}`, Intercom's way to tag a
    company, safe to repeat. The company is read first, so a wrong id is a 404 rather than a new, unused tag."""
    get_company(client, company_id, deadline)
    tag = tag_by_name(client, request.name, deadline)
    body = {"name": tag.name, "companies": [{"id": company_id}]}
    try:
        client.request("POST", "/tags", json=body, deadline=deadline, idempotent=True)
    except IntercomNotFound:
        raise _no_company(company_id) from None
    return tag


def untag_company(client: IntercomClient, company_id: str, tag_id: str, deadline: Deadline) -> None:
    """Remove the tag from the company. Intercom untags a company by the tag's name (`POST /tags` with `companies:
    [{id, untag: true}]`), so the company is read first: a 404 naming `id` when there is none, naming `tag_id` when
    it does not carry the tag. The untag leaves the same state when repeated, so it may be retried."""
    company = get_company(client, company_id, deadline)
    tag = next((t for t in company.tags.tags if t.id == tag_id), None)
    if tag is None or tag.name is None:
        raise NotFound(
            f"company {company_id} has no tag with id {tag_id}",
            details=[{"field": "tag_id", "message": "no such tag on this company"}],
        )
    body = {"name": tag.name, "companies": [{"id": company_id, "untag": True}]}
    try:
        client.request("POST", "/tags", json=body, deadline=deadline, idempotent=True)
    except IntercomNotFound:
        raise NotFound(
            f"no company with id {company_id}", details=[{"field": "id", "message": "no such company"}]
        ) from None


def _find(client: IntercomClient, key: str, value: str, deadline: Deadline) -> dict[str, Any] | None:
    """The company `GET /companies?company_id=` or `?name=` finds (an exact match), None when Intercom has none.

    Intercom's 2.16 schema answers a list; older answers are the company itself: both are read."""
    try:
        answer = client.get("/companies", params={key: value}, deadline=deadline)
    except IntercomNotFound:
        return None
    candidates = [answer] if _obj(answer).get("type") == "company" else _data(answer)
    return next((c for c in candidates if c.get(key) == value and c.get("id") is not None), None)


def _model(answer: Any) -> Company:
    if not isinstance(answer, dict) or answer.get("id") is None:
        raise UpstreamFailed("Intercom answered a company without an id")
    return company_to_model(answer)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _data(answer: Any) -> list[dict[str, Any]]:
    items = _obj(answer).get("data")
    return [c for c in items or [] if isinstance(c, dict) and c.get("id") is not None]
