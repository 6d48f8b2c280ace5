"""The webhook tally against Azurite: counts per connection and outcome over the current hour and the 23 before it,
none lost when threads count at once, refusals before a connection is known under None, old rows pruned, and a
storage outage that never fails a count."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from devserver.ports import free_port
from shared.errors import Unavailable
from shared.notifications import tally
from shared.storage import azurite_connection_string

HOUR = 3600.0
NOW = 1_768_018_948.0  # 2026-01-10T04:22:28Z


def name() -> str:
    return "t" + uuid.uuid4().hex[:12]


def test_counts_per_outcome_and_connection(storage_conn: str) -> None:
    mine, other = name(), name()
    for outcome, times in (("accepted", 3), ("refused", 2), ("unreadable", 1)):
        for _ in range(times):
            tally.count(storage_conn, mine, outcome, now=NOW)  # type: ignore[arg-type]
    tally.count(storage_conn, other, "accepted", now=NOW)
    assert tally.webhook_counts(storage_conn, mine, now=NOW) == {"accepted": 3, "refused": 2, "unreadable": 1}
    assert tally.webhook_counts(storage_conn, other, now=NOW) == {"accepted": 1, "refused": 0, "unreadable": 0}
    assert tally.webhook_counts(storage_conn, name(), now=NOW) == {"accepted": 0, "refused": 0, "unreadable": 0}


def test_the_window_is_the_current_hour_and_the_23_before(storage_conn: str) -> None:
    conn = name()
    for hours_ago in range(30):
        tally.count(storage_conn, conn, "accepted", now=NOW - hours_ago * HOUR)
    assert tally.webhook_counts(storage_conn, conn, now=NOW)["accepted"] == 24
    assert tally.webhook_counts(storage_conn, conn, now=NOW + HOUR)["accepted"] == 23
    assert tally.webhook_counts(storage_conn, conn, now=NOW - 10 * HOUR)["accepted"] == 20  # later ones not yet


def test_threads_counting_at_once_lose_nothing(storage_conn: str) -> None:
    conn = name()
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(lambda _: tally.count(storage_conn, conn, "accepted", now=NOW), range(300)))
    assert tally.webhook_counts(storage_conn, conn, now=NOW)["accepted"] == 300


def test_refusals_before_a_connection_is_known_count_for_the_deployment(storage_conn: str) -> None:
    before = tally.webhook_counts(storage_conn, None, now=NOW + 7 * 86_400)["refused"]
    tally.count(storage_conn, None, "refused", now=NOW + 7 * 86_400)
    assert tally.webhook_counts(storage_conn, None, now=NOW + 7 * 86_400)["refused"] == before + 1


def test_rows_older_than_two_days_are_pruned_while_reading(storage_conn: str) -> None:
    conn = name()
    tally.count(storage_conn, conn, "accepted", now=NOW - 3 * 86_400)
    tally.count(storage_conn, conn, "accepted", now=NOW - 30 * HOUR)
    tally.webhook_counts(storage_conn, conn, now=NOW)
    table = tally._table(storage_conn)()
    left = [row["RowKey"][:10] for row in table.query_entities("PartitionKey eq @p", parameters={"p": conn})]
    assert left == [time.strftime("%Y%m%d%H", time.gmtime(NOW - 30 * HOUR))]


def test_storage_down_never_fails_a_count_and_is_a_503_when_read() -> None:
    dead = azurite_connection_string(free_port(), queue_port=free_port())
    started = time.monotonic()
    tally.count(dead, "c1", "accepted", now=NOW)
    assert time.monotonic() - started < 30
    with pytest.raises(Unavailable):
        tally.webhook_counts(dead, "c1", now=NOW)
