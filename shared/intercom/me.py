"""The token's own admin and workspace, from `GET /me`, cached per connection in the process.

- `admin_id`: the admin who owns the token, the default `admin_id` of actions that act as an admin;
- `app_id`: the workspace's `app.id_code`, which Intercom's webhook notifications carry as `app_id`;
- `timezone`: the workspace's `app.timezone` (contact search compares whole days in it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from shared.intercom.deadline import Deadline
from shared.settings import Connection

ME_TTL_SECONDS = 3600.0


class _Client(Protocol):
    connection: Connection

    def get(self, path: str, *, params: dict[str, Any] | None = None, deadline: Deadline) -> Any: ...


@dataclass(frozen=True)
class Me:
    admin_id: str | None
    app_id: str | None
    timezone: str | None


def parse_me(body: Any) -> Me:
    """The fields of a `GET /me` answer that the connector uses; anything missing or oddly typed is None."""
    me = body if isinstance(body, dict) else {}
    app = me.get("app")
    app = app if isinstance(app, dict) else {}
    return Me(admin_id=_text(me.get("id")), app_id=_text(app.get("id_code")), timezone=_text(app.get("timezone")))


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    return str(value) if isinstance(value, str | int) else None


_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[float, Me]] = {}


def read_me(client: _Client, deadline: Deadline, *, clock: Callable[[], float] = time.monotonic) -> Me:
    """`GET /me` of the client's connection, at most once per ME_TTL_SECONDS per process."""
    key = (client.connection.name, client.connection.base_url)
    now = clock()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and now < cached[0]:
        return cached[1]
    me = parse_me(client.get("/me", deadline=deadline))
    with _lock:
        _cache[key] = (now + ME_TTL_SECONDS, me)
    return me


def reset_me_cache() -> None:
    with _lock:
        _cache.clear()
