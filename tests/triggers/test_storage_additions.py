"""What the polls added to the event log (point lookups, transactions split by size) and the lead markers."""

from __future__ import annotations

from shared.triggers.bodies import BUILDERS, MAX_TEXT_CHARS
from shared.triggers.eventlog import EVENTS_PER_TRANSACTION, TRANSACTION_BODY_BYTES, EventLog, NewEvent, _transactions
from shared.triggers.markers import Markers
from shared.triggers.registry import TRIGGERS
from tests.triggers.support import read_all


def event(n: int, size: int = 10) -> NewEvent:
    return NewEvent(f"id{n}", f"id{n}", 1_700_000_000 + n, {"text": "x" * size})


def test_transactions_hold_at_most_49_events_and_about_3_mb() -> None:
    small = [event(n) for n in range(120)]
    assert [len(g) for g in _transactions(small)] == [49, 49, 22]
    big = [event(n, 400_000) for n in range(10)]
    groups = _transactions(big)
    assert [e.key for g in groups for e in g] == [e.key for e in big]  # order kept
    assert all(sum(len(e.body["text"]) * 2 for e in g) <= TRANSACTION_BODY_BYTES for g in groups)
    assert len(groups) == 4
    assert _transactions([]) == []
    assert len(_transactions([event(0, 2_000_000)])) == 1  # a single event always goes (the entity limit is the log's)
    assert EVENTS_PER_TRANSACTION == 49


def test_large_events_commit_in_several_transactions(storage_conn: str, unique_name: str) -> None:
    log = EventLog(storage_conn, unique_name, "conversation-started")
    checkpoint = log.begin(1_700_000_000)
    events = [event(n, 300_000) for n in range(12)]
    moved = log.commit(checkpoint, events, watermark=1_700_000_100)
    assert moved.seq == 12
    assert moved.watermark == 1_700_000_100
    assert [e.key for e in read_all(log)] == [e.key for e in events]
    assert log.logged(["id0", "id11", "nope"]) == {"id0", "id11"}
    assert log.logged([]) == set()


def test_lead_markers(storage_conn: str, unique_name: str) -> None:
    markers = Markers(storage_conn, unique_name, "user-created")
    markers.mark({f"lead{n}": 1_000 + n for n in range(130)})  # two transactions
    assert markers.marked(["lead0", "lead129", "user1"]) == {"lead0", "lead129"}
    markers.mark({"lead0": 5_000})  # refreshed
    assert markers.prune(1_100) == 99  # lead1..lead99: last seen before 1100
    assert markers.marked(["lead0", "lead1", "lead99", "lead100"]) == {"lead0", "lead100"}
    markers.forget(["lead0", "never-marked"])
    assert markers.marked(["lead0"]) == set()
    # The markers share the user-created table without showing up in its log or its keys.
    log = EventLog(storage_conn, unique_name, "user-created")
    log.begin(0)
    assert log.read(0) == []
    assert log.seen_keys(0) == set()


def test_a_huge_conversation_body_is_cut() -> None:
    item = {"id": "1", "created_at": 1, "source": {"body": "y" * (MAX_TEXT_CHARS + 10), "author": {}}}
    body = BUILDERS[TRIGGERS["conversation-started"].body](None, item, None)  # type: ignore[arg-type]
    assert len(body["conversation_message"]["body"]) == MAX_TEXT_CHARS
