"""Company and tag names for the connector's shapes, from a small per-connection, per-process cache.

Intercom's contact carries only company and tag ids. Names change rarely, so they are cached:
- tags: `GET /tags` lists every tag in one call; the whole list is kept for TAG_TTL_SECONDS (10 minutes) and
  re-read early (at most once per REFRESH_FLOOR_SECONDS) when a contact carries a tag id the list does not know;
- companies: `GET /companies/{id}` once per id, kept for COMPANY_TTL_SECONDS (10 minutes); an id Intercom does not
  know is remembered as unknown for MISSING_TTL_SECONDS (1 minute).
The cache lives in the process (a Functions instance), is keyed by connection name and base URL, and holds at
most MAX_COMPANIES companies (the oldest entries go first). A renamed company or tag shows its new name within
the TTL. Nothing here is secret.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomNotFound
from shared.settings import Connection

TAG_TTL_SECONDS = 600.0
COMPANY_TTL_SECONDS = 600.0
MISSING_TTL_SECONDS = 60.0
REFRESH_FLOOR_SECONDS = 30.0
MAX_COMPANIES = 5000


class _Client(Protocol):
    """The part of shared.intercom.client.IntercomClient this module uses."""

    connection: Connection

    def get(self, path: str, *, params: dict[str, Any] | None = None, deadline: Deadline) -> Any: ...


@dataclass
class _Entry:
    name: str | None
    expires: float
    missing: bool = False


@dataclass
class NameCache:
    """One connection's names. Thread-safe; no lock is held while Intercom is asked."""

    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _tags: dict[str, str] = field(default_factory=dict)
    _tags_expire: float = float("-inf")
    _tags_read: float = float("-inf")
    _companies: OrderedDict[str, _Entry] = field(default_factory=OrderedDict)

    # -- tags ------------------------------------------------------------------------------------------------------

    def tag_names(
        self, client: _Client, ids: Iterable[str], deadline: Deadline, *, recheck_unknown: bool = False
    ) -> dict[str, str]:
        """Names of the tags that have one. An id the list does not know re-reads it at most once per
        REFRESH_FLOOR_SECONDS, or at once with `recheck_unknown` (a tag an event names was likely just made)."""
        wanted = [i for i in ids if i]
        if not wanted:
            return {}
        now = self.clock()
        with self._lock:
            stale = now >= self._tags_expire
            unknown = any(i not in self._tags for i in wanted)
            floor = 0.0 if recheck_unknown else REFRESH_FLOOR_SECONDS
            refresh = stale or (unknown and now - self._tags_read >= floor)
        if refresh:
            self._read_tags(client, deadline)
        with self._lock:
            return {i: self._tags[i] for i in wanted if i in self._tags}

    def _read_tags(self, client: _Client, deadline: Deadline) -> None:
        body = client.get("/tags", deadline=deadline)
        items = body.get("data") if isinstance(body, dict) else None
        tags = {
            str(t["id"]): str(t["name"])
            for t in items or []
            if isinstance(t, dict) and t.get("id") is not None and isinstance(t.get("name"), str)
        }
        now = self.clock()
        with self._lock:
            self._tags = tags
            self._tags_expire = now + TAG_TTL_SECONDS
            self._tags_read = now

    # -- companies -------------------------------------------------------------------------------------------------

    def company_name(
        self, client: _Client, company_id: str, deadline: Deadline, *, recheck_missing: bool = False
    ) -> str | None:
        """The company's name (None when it has none); raises IntercomNotFound when Intercom does not know the id."""
        now = self.clock()
        with self._lock:
            entry = self._companies.get(company_id)
            if entry is not None and now < entry.expires and not (recheck_missing and entry.missing):
                self._companies.move_to_end(company_id)
                if entry.missing:
                    raise IntercomNotFound(f"Intercom has no company with id {company_id}")
                return entry.name
        try:
            company = client.get(f"/companies/{company_id}", deadline=deadline)
        except IntercomNotFound:
            self._remember(company_id, None, MISSING_TTL_SECONDS, missing=True)
            raise
        name = company.get("name") if isinstance(company, dict) else None
        name = name if isinstance(name, str) else None
        self._remember(company_id, name, COMPANY_TTL_SECONDS)
        return name

    def company_names(self, client: _Client, ids: Iterable[str], deadline: Deadline) -> dict[str, str]:
        """Names of the companies that have one; ids Intercom does not know are left out."""
        names: dict[str, str] = {}
        for company_id in dict.fromkeys(i for i in ids if i):
            try:
                name = self.company_name(client, company_id, deadline)
            except IntercomNotFound:
                continue
            if name is not None:
                names[company_id] = name
        return names

    def remember_company(self, company_id: str, name: str | None) -> None:
        """A name learnt elsewhere (e.g. from `GET /contacts/{id}/companies`)."""
        self._remember(company_id, name, COMPANY_TTL_SECONDS)

    def _remember(self, company_id: str, name: str | None, ttl: float, *, missing: bool = False) -> None:
        with self._lock:
            self._companies[company_id] = _Entry(name, self.clock() + ttl, missing)
            self._companies.move_to_end(company_id)
            while len(self._companies) > MAX_COMPANIES:
                self._companies.popitem(last=False)


_caches: dict[tuple[str, str], NameCache] = {}
_caches_lock = threading.Lock()


def cache_for(connection: Connection) -> NameCache:
    """The process's name cache of a connection."""
    key = (connection.name, connection.base_url)
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = NameCache()
        return cache


def reset_caches() -> None:
    """For tests: forget every cached name."""
    with _caches_lock:
        _caches.clear()


def _ids(refs: Any) -> list[str]:
    if not isinstance(refs, Mapping):
        return []
    return [str(item["id"]) for item in refs.get("data") or [] if isinstance(item, Mapping) and item.get("id")]


def contact_names(
    client: _Client, contact: Mapping[str, Any], deadline: Deadline
) -> tuple[dict[str, str], dict[str, str]]:
    """(company names by id, tag names by id) for the companies and tags an Intercom contact carries.

    Costs no call when the names are cached; at most one `GET /tags` and one `GET /companies/{id}` per unknown
    company otherwise. Intercom errors (401, 429, 5xx, unreachable) propagate; an unknown company id is left out.
    """
    cache = cache_for(client.connection)
    companies = cache.company_names(client, _ids(contact.get("companies")), deadline)
    tags = cache.tag_names(client, _ids(contact.get("tags")), deadline)
    return companies, tags
