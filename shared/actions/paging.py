"""What the list actions share: the sealed cursor of a nextLink (bound to its list, its connection and its filters)
and one page of an Intercom search read from the position such a cursor holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.cursors import seal, unseal
from shared.errors import BadRequest
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest

T = TypeVar("T", covariant=True)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list action: its items and the sealed cursor of the next page (None on the last)."""

    value: Sequence[T]
    next_cursor: str | None


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


def search_position(key: bytes, purpose: str, connection: str, cursor: str | None, **filters: Any) -> str | None:
    """Intercom's search position (`starting_after`) a cursor holds, None without one; a 400 naming `cursor` when it
    was made for other `filters` (a nextLink keeps them: a cursor is followed with the filters it was made with)."""
    payload = open_cursor(key, purpose, connection, cursor)
    if payload is None:
        return None
    if any(payload.get(name) != value for name, value in filters.items()):
        raise BadRequest.field("cursor", "this cursor belongs to a list with other filters; use the nextLink as it is")
    after = payload.get("a")
    if not isinstance(after, str) or not after:
        raise BadRequest.field("cursor", "malformed cursor")
    return after


def next_search_cursor(key: bytes, purpose: str, connection: str, found: Any, **filters: Any) -> str | None:
    """The sealed cursor of the page after a search answer (None on the last page), bound to `filters`."""
    pages = found.get("pages") if isinstance(found, dict) else None
    following = pages.get("next") if isinstance(pages, dict) else None
    after = following.get("starting_after") if isinstance(following, dict) else None
    if not isinstance(after, str) or not after:
        return None
    bound = {name: value for name, value in filters.items() if value is not None}
    return seal_cursor(key, purpose, connection, a=after, **bound)


def search_page(
    client: IntercomClient, path: str, where: dict[str, Any], per_page: int, after: str | None, deadline: Deadline
) -> Any:
    """One page of an Intercom search (`path`: `/contacts/search`, `/conversations/search`), oldest first by
    `created_at`, from `after`. Intercom refusing a position it handed out is a 400 naming `cursor`."""
    pagination: dict[str, Any] = {"per_page": per_page}
    if after is not None:
        pagination["starting_after"] = after
    body = {"query": where, "sort": {"field": "created_at", "order": "ascending"}, "pagination": pagination}
    try:
        return client.search(path, body, deadline=deadline)
    except IntercomBadRequest:
        if after is None:
            raise
        raise BadRequest.field(
            "cursor", "Intercom no longer accepts this position; list again without a cursor"
        ) from None
