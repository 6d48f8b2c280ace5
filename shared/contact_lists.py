"""List all leads and List all users (CONTRACT §2, §7): one Intercom search page per call, oldest first, with a
sealed cursor to the next page; an optional exact `email` filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.contact_requests import ListLeads, ListUsers
from shared.contacts import contact_model, items_of
from shared.cursors import seal, unseal
from shared.errors import BadRequest
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest
from shared.models import Lead, User

CURSOR_PURPOSE = {"lead": "list-leads", "user": "list-users"}
C = TypeVar("C", User, Lead)


@dataclass(frozen=True)
class Page(Generic[C]):
    value: list[C]
    next_cursor: str | None


def list_leads(client: IntercomClient, query: ListLeads, cursor_key: bytes, deadline: Deadline) -> Page[Lead]:
    """One page of leads; `next_cursor` is sealed, None on the last page."""
    return _list(client, Lead, query, cursor_key, deadline)


def list_users(client: IntercomClient, query: ListUsers, cursor_key: bytes, deadline: Deadline) -> Page[User]:
    """One page of users; `next_cursor` is sealed, None on the last page."""
    return _list(client, User, query, cursor_key, deadline)


def _list(
    client: IntercomClient, shape: type[C], query: ListLeads | ListUsers, key: bytes, deadline: Deadline
) -> Page[C]:
    role = "lead" if shape is Lead else "user"
    found = _search(client, role, query, key, deadline)
    models = [contact_model(client, c, deadline) for c in _matching(found, role, query.email)]
    return Page([m for m in models if isinstance(m, shape)], _next_cursor(client, found, role, query, key))


def _search(client: IntercomClient, role: str, query: ListLeads | ListUsers, key: bytes, deadline: Deadline) -> Any:
    after = _starting_after(client, role, query, key)
    pagination: dict[str, Any] = {"per_page": query.per_page}
    if after is not None:
        pagination["starting_after"] = after
    where: dict[str, Any] = {"field": "role", "operator": "=", "value": role}
    if query.email is not None:
        where = {"operator": "AND", "value": [where, {"field": "email", "operator": "=", "value": query.email}]}
    body = {"query": where, "sort": {"field": "created_at", "order": "ascending"}, "pagination": pagination}
    try:
        return client.search("/contacts/search", body, deadline=deadline)
    except IntercomBadRequest:
        if after is None:
            raise
        raise BadRequest.field(
            "cursor", "Intercom no longer accepts this position; list again without a cursor"
        ) from None


def _matching(found: Any, role: str, email: str | None) -> list[dict[str, Any]]:
    """The page's contacts of the role; with `email`, only exact (case-insensitive) matches: Intercom's `=` on
    email is not documented as exact."""
    wanted = None if email is None else email.lower()
    return [
        c
        for c in items_of(found)
        if c.get("role") == role and (wanted is None or str(c.get("email") or "").lower() == wanted)
    ]


def _starting_after(client: IntercomClient, role: str, query: ListLeads | ListUsers, key: bytes) -> str | None:
    if query.cursor is None:
        return None
    payload = unseal(key, CURSOR_PURPOSE[role], query.cursor)
    after = payload.get("a")
    if payload.get("c") != client.connection.name:
        raise BadRequest.field("cursor", "this cursor belongs to another connection")
    if payload.get("e") != query.email:
        raise BadRequest.field("cursor", "this cursor belongs to a list with another email filter")
    if not isinstance(after, str) or not after:
        raise BadRequest.field("cursor", "malformed cursor")
    return after


def _next_cursor(client: IntercomClient, found: Any, role: str, query: ListLeads | ListUsers, key: bytes) -> str | None:
    pages = found.get("pages") if isinstance(found, dict) else None
    following = pages.get("next") if isinstance(pages, dict) else None
    after = following.get("starting_after") if isinstance(following, dict) else None
    if not isinstance(after, str) or not after:
        return None
    payload: dict[str, Any] = {"c": client.connection.name, "a": after}
    if query.email is not None:
        payload["e"] = query.email
    return seal(key, CURSOR_PURPOSE[role], payload)
