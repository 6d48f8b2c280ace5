"""Pagination: opaque cursors, `per_page` validation, the `pages` object, and sort keys that order any value."""

from __future__ import annotations

import base64
import bisect
import json
from typing import Any

from intercom_sim.errors import ApiError

MAX_PER_PAGE = 150


def cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def uncursor(text: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        raise ApiError(400, "parameter_invalid", "starting_after is not a valid cursor") from None


def sort_key(value: Any, obj_id: str) -> tuple[int, float, str, str]:
    """Nulls first, then numbers (and booleans), then text case-insensitively; ties by id."""
    if value is None:
        return (0, 0.0, "", obj_id)
    if isinstance(value, bool):
        return (1, float(value), "", obj_id)
    if isinstance(value, int | float):
        return (1, float(value), "", obj_id)
    return (2, 0.0, str(value).lower(), obj_id)


def per_page(raw: Any, default: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ApiError(400, "parameter_invalid", "per_page must be an integer") from None
    if value < 1 or value > MAX_PER_PAGE:
        raise ApiError(400, "parameter_invalid", "per_page must be between 1 and 150")
    return value


def query_per_page(query: dict[str, list[str]], default: int) -> int:
    return per_page(query.get("per_page", [None])[0], default)


def list_by_seq(seqs: dict[str, int], query: dict[str, list[str]], default: int) -> tuple[list[str], str | None, int]:
    """One page of ids in insertion order (`per_page`, `starting_after`): the ids, the next cursor, the total."""
    size = query_per_page(query, default)
    ordered = sorted(seqs.items(), key=lambda kv: kv[1])
    after = query.get("starting_after", [None])[0]
    start = 0
    if after:
        last = uncursor(after)
        if not isinstance(last, int):
            raise ApiError(400, "parameter_invalid", "starting_after is not a valid cursor")
        start = bisect.bisect_right([s for _, s in ordered], last)
    page = ordered[start : start + size]
    nxt = cursor(page[-1][1]) if page and start + size < len(ordered) else None
    return [i for i, _ in page], nxt, len(ordered)


def pages(size: int, total: int, nxt: str | None, page: int = 1) -> dict[str, Any]:
    result: dict[str, Any] = {
        "type": "pages",
        "page": page,
        "per_page": size,
        "total_pages": max(1, -(-total // size)),
    }
    if nxt is not None:
        result["next"] = {"per_page": size, "starting_after": nxt}
    return result
