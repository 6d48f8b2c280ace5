"""`POST /contacts/search`, `/conversations/search` and `/tickets/search`: filter the indexed snapshots, sort, and
page by cursor."""

from __future__ import annotations

import bisect
import copy
import json
import time
from typing import Any
from zoneinfo import ZoneInfo

from intercom_sim.errors import ApiError
from intercom_sim.paging import cursor, pages, per_page, sort_key, uncursor
from intercom_sim.query import Fields, Predicate, compile_query
from intercom_sim.search_fields import contact_fields, conversation_fields, ticket_fields
from intercom_sim.state import Indexed
from intercom_sim.workspace import SearchResult, Workspace

CACHE_SIZE = 64


KINDS = {  # kind: (list type, key of the items, default per page)
    "contacts": ("list", "data", 50),
    "conversations": ("conversation.list", "conversations", 20),
    "tickets": ("ticket.list", "tickets", 20),
}


def search(ws: Workspace, body: dict[str, Any], *, contacts: bool = False, kind: str | None = None) -> dict[str, Any]:
    """One search (`kind` contacts, conversations or tickets; `contacts=True` is the older way to say contacts)."""
    kind = kind or ("contacts" if contacts else "conversations")
    list_type, key, default_size = KINDS[kind]
    if "query" not in body:
        raise ApiError(400, "parameter_not_found", "query is required")
    fields = _fields(ws, kind)
    predicate = compile_query(body["query"], fields=fields)
    sort_field, descending = _sort(body.get("sort"))
    pagination = body.get("pagination") or {}
    if not isinstance(pagination, dict):
        raise ApiError(400, "parameter_invalid", "pagination must be an object")
    size = per_page(pagination.get("per_page"), default_size)
    index = {
        "contacts": ws.store.contact_index,
        "conversations": ws.store.conversation_index,
        "tickets": ws.store.ticket_index,
    }[kind]
    asc_keys, asc_items = _matches(ws, index, body["query"], predicate, sort_field, kind, fields)
    keys, items = (asc_keys[::-1], asc_items[::-1]) if descending else (asc_keys, asc_items)
    start = 0
    after = pagination.get("starting_after")
    if after:
        last = tuple(uncursor(str(after)))
        if descending:
            start = len(asc_keys) - bisect.bisect_left(asc_keys, last)
        else:
            start = bisect.bisect_right(asc_keys, last)
    page = items[start : start + size]
    nxt = cursor(list(keys[start + len(page) - 1])) if page and start + size < len(items) else None
    result: dict[str, Any] = {"type": list_type, "total_count": len(items), "pages": pages(size, len(items), nxt)}
    result[key] = [copy.deepcopy(i) for i in page]
    return result


def _fields(ws: Workspace, kind: str) -> Fields:
    """Contact dates match by the workspace's calendar day; conversation and ticket dates to the second unless the
    `*_search_precision` setting says `day` (unconfirmed)."""
    tz = ZoneInfo(ws.config.timezone)
    if kind == "contacts":
        return contact_fields(ws.data_attributes, tz)
    if kind == "conversations":
        return conversation_fields(tz if ws.config.conversation_search_precision == "day" else None)
    return ticket_fields(tz if ws.config.ticket_search_precision == "day" else None)


def _sort(sort: Any) -> tuple[str, bool]:
    """The sort field and whether it is descending; without `sort`, `created_at` ascending."""
    if sort is None:
        return "created_at", False
    if not isinstance(sort, dict) or not isinstance(sort.get("field"), str):
        raise ApiError(400, "parameter_invalid", "sort needs a field")
    order = sort.get("order", "descending")
    if order not in ("ascending", "descending"):
        raise ApiError(400, "invalid_sort_order", f"Invalid sort order: {order}")
    return sort["field"], order == "descending"


def _matches(
    ws: Workspace,
    index: dict[str, Indexed],
    raw_query: Any,
    predicate: Predicate,
    sort_field: str,
    kind: str,
    fields: Fields,
) -> SearchResult:
    """The visible snapshots that match, ascending by sort key; cached until the next write once none is pending."""
    now = time.time()
    cacheable = now >= ws.store.pending_until
    cache_key = (kind, json.dumps(raw_query, sort_keys=True), sort_field, fields.day_tz, ws.store.version)
    if cacheable and cache_key in ws.search_cache:
        return ws.search_cache[cache_key]
    found = []
    for obj_id, entry in index.items():
        snap = entry.versions[0][2] if len(entry.versions) == 1 and entry.versions[0][0] <= now else entry.visible(now)
        if snap is not None and predicate(snap):
            found.append((sort_key(fields.value(snap, sort_field), obj_id), snap))
    found.sort(key=lambda kv: kv[0])
    result = ([k for k, _ in found], [s for _, s in found])
    if cacheable:
        if len(ws.search_cache) > CACHE_SIZE:
            ws.search_cache.clear()
        ws.search_cache[cache_key] = result
    return result
