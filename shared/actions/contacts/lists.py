"""List all leads and List all users (interface §2, §7): one Intercom search page per call, oldest first, with a
sealed cursor to the next page; an optional exact `email` filter."""

from __future__ import annotations

from typing import Any, TypeVar

from shared.actions.contacts.requests import ListLeads, ListUsers
from shared.actions.contacts.service import contact_model, items_of
from shared.actions.paging import Page, next_search_cursor, search_page, search_position
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.contacts import Lead, User

CURSOR_PURPOSE = {"lead": "list-leads", "user": "list-users"}
C = TypeVar("C", User, Lead)


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
    following = next_search_cursor(key, CURSOR_PURPOSE[role], client.connection.name, found, e=query.email)
    return Page([m for m in models if isinstance(m, shape)], following)


def _search(client: IntercomClient, role: str, query: ListLeads | ListUsers, key: bytes, deadline: Deadline) -> Any:
    after = search_position(key, CURSOR_PURPOSE[role], client.connection.name, query.cursor, e=query.email)
    where: dict[str, Any] = {"field": "role", "operator": "=", "value": role}
    if query.email is not None:
        where = {"operator": "AND", "value": [where, {"field": "email", "operator": "=", "value": query.email}]}
    return search_page(client, "/contacts/search", where, query.per_page, after, deadline)


def _matching(found: Any, role: str, email: str | None) -> list[dict[str, Any]]:
    """The page's contacts of the role; with `email`, only exact (case-insensitive) matches: Intercom's `=` on
    email is not documented as exact."""
    wanted = None if email is None else email.lower()
    return [
        c
        for c in items_of(found)
        if c.get("role") == role and (wanted is None or str(c.get("email") or "").lower() == wanted)
    ]
