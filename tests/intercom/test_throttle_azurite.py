"""The shared budget against real Table Storage (Azurite): the exact window across processes, ETag races, fast path."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devserver.azurite import Azurite
from shared.errors import Unavailable
from shared.intercom.deadline import Deadline
from shared.intercom.errors import BudgetExhausted
from shared.intercom.throttle import PARTITION, ROW, TABLE_PREFIX, TableLimiter
from shared.storage import table, table_name
from tests.intercom.windows import max_in_window

REPO = Path(__file__).resolve().parents[2]


def stored_grants(conn: str, name: str) -> list[list[object]]:
    entity = table(conn, table_name(TABLE_PREFIX, name)).get_entity(PARTITION, ROW)
    rows: list[list[object]] = json.loads(str(entity["Grants"]))
    return rows


def test_max_in_window_counts_half_open_windows() -> None:
    assert max_in_window([0.0, 1.0, 2.0, 3.0], 3.0) == 3
    assert max_in_window([0.0, 2.9, 2.95, 5.8], 3.0) == 3
    assert max_in_window([], 3.0) == 0


def test_several_processes_never_exceed_the_budget_in_any_window(storage_conn: str, unique_name: str) -> None:
    calls, period, processes, run = 10, 3.0, 4, 7.0
    until = time.time() + 2.0 + run  # children need ~1-2 s to start; they all stop at the same instant
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.intercom.throttle_worker",
                storage_conn,
                unique_name,
                str(calls),
                str(period),
                str(until),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    results = [json.loads(child.communicate(timeout=60)[0]) for child in children]
    assert all(child.returncode == 0 for child in children)
    grants = [t for result in results for t in result["grants"]]
    assert max_in_window(grants, period) <= calls
    # The window was used: over the ~run seconds every process competed, nearly CALLS per PERIOD were granted.
    first = min(grants)
    granted_in_run = [t for t in grants if t >= first]
    allowed = calls * ((until - first) // period + 1)
    assert len(granted_in_run) >= 0.8 * allowed - calls
    assert sum(1 for result in results if result["grants"]) >= 2, "the budget was shared, not taken by one process"


def test_lost_etag_race_rereads_and_keeps_the_count(storage_conn: str, unique_name: str) -> None:
    a = TableLimiter(storage_conn, unique_name, 3, 30.0, prefetch=0)
    b = TableLimiter(storage_conn, unique_name, 3, 30.0, prefetch=0)
    a.acquire(Deadline.after(1))  # a caches the entity and its ETag
    b.acquire(Deadline.after(1))  # b changes it
    a.acquire(Deadline.after(1))  # a's write with the stale ETag must fail, re-read, and write again
    assert a.stats.conflicts == 1
    assert len(stored_grants(storage_conn, unique_name)) == 3
    with pytest.raises(BudgetExhausted) as info:
        b.acquire(Deadline.after(1))
    assert 25 < info.value.retry_after <= 31


def test_racing_limiters_share_one_budget_exactly(storage_conn: str, unique_name: str) -> None:
    calls, period = 8, 2.0
    limiters = [TableLimiter(storage_conn, unique_name, calls, period, prefetch=0) for _ in range(4)]
    granted: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(limiters))

    def hammer(limiter: TableLimiter) -> None:
        limiter.prepare()  # all read "no entity yet" ...
        gate.wait()  # ... then all try to create it at once: three must lose the race
        end = time.time() + 3.0
        while time.time() < end:
            try:
                limiter.acquire(Deadline.after(end - time.time()))
            except BudgetExhausted:
                return
            with lock:
                granted.append(limiter.last_used_at)

    threads = [threading.Thread(target=hammer, args=(limiter,)) for limiter in limiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max_in_window(granted, period) <= calls
    assert len(granted) >= calls  # nobody livelocked: the first window filled
    assert sum(limiter.stats.conflicts for limiter in limiters) > 0


def test_fast_path_spends_leased_grants_without_storage(storage_conn: str, unique_name: str) -> None:
    a = TableLimiter(storage_conn, unique_name, 10, 30.0, prefetch=4, lease_seconds=10.0)
    for _ in range(5):
        a.acquire(Deadline.after(1))
    assert a.stats.writes == 1  # one conditional write granted 1 and leased 4
    assert a.stats.reads == 1
    assert a.stats.fast == 4
    # Another instance sees the leased grants as spent: only 5 remain for it.
    b = TableLimiter(storage_conn, unique_name, 10, 30.0, prefetch=0)
    for _ in range(5):
        b.acquire(Deadline.after(1))
    with pytest.raises(BudgetExhausted):
        b.acquire(Deadline.after(1))


def test_unused_lease_is_returned_at_the_next_write(storage_conn: str, unique_name: str) -> None:
    a = TableLimiter(storage_conn, unique_name, 10, 30.0, prefetch=4, lease_seconds=0.3)
    a.acquire(Deadline.after(1))  # 1 used + 4 leased
    assert len(stored_grants(storage_conn, unique_name)) == 5
    time.sleep(0.4)  # the lease ends unused
    a.acquire(Deadline.after(1))  # the write drops the 4 unused grants, adds 1 used + 4 new leased
    rows = stored_grants(storage_conn, unique_name)
    assert len(rows) == 6
    used = [r for r in rows if float(str(r[1])) - float(str(r[0])) <= 0.0002]
    assert len(used) == 1  # the first grant narrowed to the instant it was used


def test_storage_down_is_unavailable_and_grants_nothing(unique_name: str) -> None:
    server = Azurite().start()
    try:
        limiter = TableLimiter(server.connection_string, unique_name, 10, 30.0, prefetch=0)
        limiter.acquire(Deadline.after(2))
    finally:
        server.stop()
    started = time.monotonic()
    with pytest.raises(Unavailable) as info:
        limiter.acquire(Deadline.after(8))
    assert time.monotonic() - started < 3  # a dead store answers 503 within an action's deadline
    assert "AccountKey" not in info.value.message


def test_full_budget_reserves_the_next_slot_and_waits_without_another_round_trip(
    storage_conn: str, unique_name: str
) -> None:
    limiter = TableLimiter(storage_conn, unique_name, 2, 1.0, prefetch=0, margin=0.05)
    granted = []
    for _ in range(3):
        limiter.acquire(Deadline.after(5))
        granted.append(limiter.last_used_at)
    assert granted[2] - granted[0] >= 1.05
    assert limiter.stats.writes == 3  # the third write reserved the slot; the wait cost no further storage call
    assert limiter.stats.reads == 1
    assert max_in_window(granted, 1.0) <= 2
