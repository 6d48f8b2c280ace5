"""The sealed cursors of the list actions (a nextLink's `cursor`): bound to their list and to the connection."""

from __future__ import annotations

from typing import Any

from shared.cursors import seal, unseal
from shared.errors import BadRequest


def open_cursor(key: bytes, purpose: str, connection: str, cursor: str | None) -> dict[str, Any] | None:
    """The position a cursor holds (None without one); a 400 naming `cursor` when it is altered, from another
    list, or from another connection."""
    if cursor is None:
        return None
    payload = unseal(key, purpose, cursor)
    if payload.get("c") != connection:
        raise BadRequest.field("cursor", "this cursor belongs to another connection")
    return payload


def seal_cursor(key: bytes, purpose: str, connection: str, **position: Any) -> str:
    return seal(key, purpose, {"c": connection, **position})


def next_starting_after(found: Any) -> str | None:
    """Intercom's `pages.next.starting_after` of a cursor-paged answer (None on the last page)."""
    pages = found.get("pages") if isinstance(found, dict) else None
    following = pages.get("next") if isinstance(pages, dict) else None
    after = following.get("starting_after") if isinstance(following, dict) else None
    return after if isinstance(after, str) and after else None
