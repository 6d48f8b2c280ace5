"""Each connection's budget of calls to Intercom: never more than CALLS in ANY window of PERIOD seconds.

The budget is shared by every process and instance of the app through one Table Storage entity per connection,
updated with ETag optimistic concurrency. See docs/throttle.md for the argument that the window is exact.

The entity holds one *grant* per call that may still fall inside a window: `[start, end, id]`, wall-clock seconds.
A grant's call happens at some instant in `[start, end]`; a new grant at time `t` is allowed when fewer than CALLS
grants have `end > t - PERIOD - margin`. Any window that could hold the new call starts after `t - PERIOD`, so it
can only hold grants that end after that, and there are fewer than CALLS of them: by induction no window ever
holds more than CALLS calls. An instance writes its grants with one conditional write, uses each only while its
own clock is inside `[start, end]`, and at its next write narrows used grants to their real instant and drops
the ones it let expire unused.
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from azure.core import MatchConditions
from azure.core.exceptions import AzureError, ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.intercom.deadline import Deadline
from shared.intercom.errors import BudgetExhausted
from shared.storage import LazyTable, table_name, unavailable

log = logging.getLogger("shared.intercom.throttle")

TABLE_PREFIX = "IcThrottle"
PARTITION = "budget"
ROW = "grants"
# Entity string properties hold at most 64 KiB; one grant is ~40 bytes of JSON.
MAX_CALLS = 1500
# The SDK's default retries take ~5 s to give up on a dead endpoint; a caller has seconds. One retry, then 503.
STORAGE_RETRIES = 1


class Limiter(Protocol):
    """A budget of calls: `acquire` returns when one call may be made now, or raises BudgetExhausted."""

    def acquire(self, deadline: Deadline) -> None: ...


def _exhausted(wait: float) -> BudgetExhausted:
    return BudgetExhausted(f"the connection's call budget is spent; retry in {wait:.1f}s", retry_after=wait)


class MemoryLimiter:
    """The same exact sliding window, in one process only (unit tests, the devserver's single process)."""

    def __init__(
        self,
        calls: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("calls must be >= 1 and period > 0")
        self.calls, self.period = calls, period
        self._clock, self._sleep = clock, sleep
        self._grants: list[float] = []
        self._lock = threading.Lock()
        self.granted: list[float] = []

    def acquire(self, deadline: Deadline) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._grants = [g for g in self._grants if g > now - self.period]
                if len(self._grants) < self.calls:
                    self._grants.append(now)
                    self.granted.append(now)
                    return
                wait = self._grants[0] + self.period - now
            if wait > deadline.remaining():
                raise _exhausted(wait)
            self._sleep(wait)


@dataclass
class _Grant:
    start: float
    end: float
    id: str

    def row(self) -> list[Any]:
        # Stored to 0.1 ms, rounded outwards so the stored interval always covers the real one.
        return [math.floor(self.start * 1e4) / 1e4, math.ceil(self.end * 1e4) / 1e4, self.id]


@dataclass
class _Lease:
    """Grants this instance holds and may spend without asking storage, while its clock is before `end`."""

    ids: list[str] = field(default_factory=list)
    end: float = 0.0


@dataclass
class LimiterStats:
    """Counters for tests and the bench: how often storage was asked, and how often the fast path answered."""

    reads: int = 0
    writes: int = 0
    conflicts: int = 0
    fast: int = 0
    late: int = 0
    storage_seconds: float = 0.0
    slept: float = 0.0  # waiting for budget or after a lost race


class TableLimiter:
    """The exact sliding window shared through Table Storage (module docstring; docs/throttle.md)."""

    def __init__(
        self,
        connection_string: str,
        connection_name: str,
        calls: int,
        period: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        margin: float = 0.05,
        prefetch: int | None = None,
        lease_seconds: float | None = None,
        table_prefix: str = TABLE_PREFIX,
    ) -> None:
        if not 1 <= calls <= MAX_CALLS or period <= 0:
            raise ValueError(f"calls must be 1..{MAX_CALLS} and period > 0")
        self.calls, self.period, self.margin = calls, period, margin
        self._clock, self._sleep = clock, sleep
        self.name = connection_name
        self._client = LazyTable(connection_string, table_name(table_prefix, connection_name))
        # Spare grants reserved with a write when the budget has room; each one may cost up to lease_seconds of
        # budget (it counts as used until its lease ends), so both stay small next to the period.
        self.prefetch = max(0, calls // 20) if prefetch is None else prefetch
        self.lease_seconds = min(1.0, period / 20) if lease_seconds is None else lease_seconds
        self._instance = uuid.uuid4().hex[:8]
        self._seq = 0
        self._lock = threading.Lock()
        self._cached: tuple[list[_Grant], str | None] | None = None  # entity as last seen, and its ETag
        self._lease = _Lease()
        self._used: dict[str, float] = {}  # our grants spent at a known instant, to narrow at the next write
        self._write_latency = 0.02
        self.stats = LimiterStats()
        # When the budget opened for the last grant, and when that grant was used (this limiter's clock): for the
        # tests and the bench; not per thread.
        self.last_grant_start = 0.0
        self.last_used_at = 0.0

    # -- public ---------------------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Create the table and read the entity now, so that the first acquire costs a single write."""
        with self._lock:
            self._cached = self._read()

    def acquire(self, deadline: Deadline) -> None:
        lost = 0
        while True:
            with self._lock:
                if self._spend_lease():
                    return
                outcome = self._try_storage(deadline)
            if isinstance(outcome, _Grant):
                # Ours from outcome.start; the write already happened, so the wait costs no storage round trip.
                wait = outcome.start - self._clock()
                if wait > 0:
                    self.stats.slept += wait
                    self._sleep(wait)
                with self._lock:
                    now = self._clock()
                    if now <= outcome.end:
                        self._used[outcome.id] = self.last_used_at = max(now, outcome.start)
                        self.last_grant_start = outcome.start
                        return
                    # Too late to use it inside its interval (a slow write, an oversleep): it is dropped at our
                    # next write, and we ask again.
                    self.stats.late += 1
                    continue
            # Lost an ETag race: someone else made progress; back off a little, with jitter, and re-read.
            lost += 1
            wait = random.uniform(0, min(0.2, 0.005 * 2**lost))
            if wait >= deadline.remaining():
                raise _exhausted(wait)
            self.stats.slept += wait
            self._sleep(wait)

    # -- the fast path ----------------------------------------------------------------------------------------

    def _spend_lease(self) -> bool:
        now = self._clock()
        if self._lease.ids and now <= self._lease.end:
            self._used[self._lease.ids.pop()] = now
            self.stats.fast += 1
            self.last_grant_start = self.last_used_at = now
            return True
        return False

    # -- the storage path -------------------------------------------------------------------------------------

    def _try_storage(self, deadline: Deadline) -> _Grant | None:
        """One conditional write: the grant won (maybe starting later), None after losing a race.

        Raises BudgetExhausted when the first free instant lies past the deadline.
        """
        if self._cached is None:
            self._cached = self._read()
        grants, etag = self._cached
        now = self._clock()
        live = self._prune(grants, now)
        self._cached = (live, etag)
        start = now
        if len(live) >= self.calls:
            # The earliest instant at which fewer than CALLS grants can share a window with a new one.
            ends = sorted(g.end for g in live)
            start = max(now, ends[len(ends) - self.calls] + self.period + self.margin)
        if start - now >= deadline.remaining():
            log.info("throttle %s: budget spent, next call free in %.2fs (past the deadline)", self.name, start - now)
            raise _exhausted(start - now)
        slack = min(1.0, max(0.05, 3 * self._write_latency))
        mine = self._new_grant(start, start + slack)
        spare: list[_Grant] = []
        if start == now:
            free = self.calls - len(live)
            spare = [self._new_grant(now, now + self.lease_seconds) for _ in range(min(self.prefetch, free - 1))]
        entity_grants = [*live, mine, *spare]
        new_etag = self._write(entity_grants, etag)
        if new_etag is None:
            self._cached = None
            return None
        self._cached = (entity_grants, new_etag)
        if spare and self._clock() <= now + self.lease_seconds:
            self._lease = _Lease([g.id for g in spare], now + self.lease_seconds)
        return mine

    def _new_grant(self, start: float, end: float) -> _Grant:
        self._seq += 1
        return _Grant(start, end, f"{self._instance}.{self._seq}")

    def _prune(self, grants: list[_Grant], now: float) -> list[_Grant]:
        """Grants that still count at `now`, with ours narrowed to when they were used or dropped if never used."""
        horizon = now - self.period - self.margin
        mine = f"{self._instance}."
        leased = set(self._lease.ids) if now <= self._lease.end else set()
        if not leased:
            self._lease = _Lease()
        live: list[_Grant] = []
        used: dict[str, float] = {}
        for g in grants:
            if g.id.startswith(mine):
                if g.id in self._used:
                    g = _Grant(self._used[g.id], self._used[g.id], g.id)
                elif g.id not in leased and now > g.end:
                    continue  # never used and can no longer be: it never happened
            if g.end > horizon:
                live.append(g)
                if g.id in self._used:
                    used[g.id] = self._used[g.id]
        self._used = used
        return live

    def _read(self) -> tuple[list[_Grant], str | None]:
        self.stats.reads += 1
        started = time.perf_counter()
        try:
            entity = self._client().get_entity(PARTITION, ROW, retry_total=STORAGE_RETRIES)
        except ResourceNotFoundError:
            return [], None
        except AzureError as exc:
            raise unavailable("throttle storage", exc) from exc
        finally:
            self.stats.storage_seconds += time.perf_counter() - started
        rows = json.loads(str(entity.get("Grants") or "[]"))
        return [_Grant(float(r[0]), float(r[1]), str(r[2])) for r in rows], str(entity.metadata["etag"])

    def _write(self, grants: list[_Grant], etag: str | None) -> str | None:
        """Write the entity if nobody changed it since `etag` (None: it must not exist yet); None when we lost."""
        self.stats.writes += 1
        entity = {
            "PartitionKey": PARTITION,
            "RowKey": ROW,
            "Grants": json.dumps([g.row() for g in grants], separators=(",", ":")),
            "Calls": self.calls,
            "Period": float(self.period),
        }
        started = time.perf_counter()
        try:
            if etag is None:
                meta = self._client().create_entity(entity, retry_total=STORAGE_RETRIES)
            else:
                meta = self._client().update_entity(
                    entity,
                    mode=UpdateMode.REPLACE,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                    retry_total=STORAGE_RETRIES,
                )
        except (ResourceModifiedError, ResourceExistsError):
            self.stats.conflicts += 1
            return None
        except AzureError as exc:
            # The outcome is unknown: forget the cache (re-read next time) and grant nothing.
            self._cached = None
            raise unavailable("throttle storage", exc) from exc
        finally:
            elapsed = time.perf_counter() - started
            self.stats.storage_seconds += elapsed
            self._write_latency = 0.8 * self._write_latency + 0.2 * elapsed
        return str(meta["etag"])


@dataclass(frozen=True)
class BudgetUse:
    """A connection's calls in its current window (the last PERIOD seconds), against its budget."""

    calls: int
    budget: int
    period: float


def budget_use(
    connection_string: str,
    connection_name: str,
    budget: int,
    period: float,
    *,
    now: float | None = None,
    table_prefix: str = TABLE_PREFIX,
) -> BudgetUse:
    """How many calls the current window holds: the grants that end within the last `period` (a grant reserved but
    not used yet counts, as it does for the limiter). One read of the budget's entity; it spends no budget."""
    client = LazyTable(connection_string, table_name(table_prefix, connection_name))
    try:
        entity = client().get_entity(PARTITION, ROW, retry_total=STORAGE_RETRIES)
    except ResourceNotFoundError:
        return BudgetUse(0, budget, period)
    except AzureError as exc:
        raise unavailable("throttle storage", exc) from exc
    horizon = (time.time() if now is None else now) - period
    ends = [float(row[1]) for row in json.loads(str(entity.get("Grants") or "[]"))]
    return BudgetUse(sum(1 for end in ends if end > horizon), budget, period)
