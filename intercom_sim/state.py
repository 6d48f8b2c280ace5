"""The simulator's data: contacts, companies, tags, conversations, and the delayed search indexes (tickets live in
`tickets.TicketBook`, their index here)."""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

INLINE_LIMIT = 10


def new_id() -> str:
    return secrets.token_hex(12)


@dataclass
class Indexed:
    """What search sees of one object: versions that become visible at given real instants."""

    versions: list[tuple[float, int, dict[str, Any] | None]] = field(default_factory=list)

    def visible(self, now: float) -> dict[str, Any] | None:
        best: tuple[float, int, dict[str, Any] | None] | None = None
        for v in self.versions:
            if v[0] <= now and (best is None or v[1] > best[1]):
                best = v
        return None if best is None else best[2]

    def compact(self, now: float) -> None:
        seen = [v for v in self.versions if v[0] <= now]
        if len(seen) > 1:
            newest = max(seen, key=lambda v: v[1])
            self.versions = [newest] + [v for v in self.versions if v[0] > now]


@dataclass
class Store:
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    merged_into: dict[str, str] = field(default_factory=dict)
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    contact_companies: dict[str, list[str]] = field(default_factory=dict)
    contact_tags: dict[str, list[str]] = field(default_factory=dict)
    contact_index: dict[str, Indexed] = field(default_factory=dict)
    conversation_index: dict[str, Indexed] = field(default_factory=dict)
    ticket_index: dict[str, Indexed] = field(default_factory=dict)
    pending_until: float = 0.0
    write_seq: int = 0
    version: int = 0

    def index(
        self,
        kind: dict[str, Indexed],
        obj_id: str,
        snapshot: dict[str, Any] | None,
        delay: tuple[float, float] | None,
        rng: random.Random,
    ) -> None:
        self.write_seq += 1
        self.version += 1
        lo, hi = delay if delay else (0.0, 0.0)
        wait = rng.uniform(lo, hi) if hi > 0 else 0.0
        visible_at = time.time() + wait
        self.pending_until = max(self.pending_until, visible_at)
        entry = kind.setdefault(obj_id, Indexed())
        entry.versions.append((visible_at, self.write_seq, snapshot))
        entry.compact(time.time())
