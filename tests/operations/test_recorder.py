"""Recording each poll's outcome (interface §11) on Azurite: stored per (connection, trigger), logged with the
structured fields, kept in memory when storage is down, and never an exception into the poll runner."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from devserver.azurite import Azurite
from shared.errors import ConnectorError
from shared.intercom.errors import IntercomServerError, IntercomUnauthorized
from shared.operations.recorder import record_poll, record_polls
from shared.operations.store import RecordStore, forget_all, merged, remembered
from shared.storage import unavailable
from shared.triggers.poll import PollOutcome
from tests.consumers.support import append_events
from tests.operations.support import one_connection, polled
from tests.triggers.support import TcpProxy

TRIGGER = "lead-created"
T0 = 1_800_000_000.0
TOKEN = "tok-never-in-a-log-0123456789"


@pytest.fixture(autouse=True)
def _fresh_memory() -> Iterator[None]:
    forget_all()
    yield
    forget_all()


def test_outcomes_are_stored_per_connection_and_trigger(storage_conn: str, unique_name: str) -> None:
    append_events(storage_conn, unique_name, TRIGGER, [1, 2])
    ok = PollOutcome(TRIGGER, unique_name, "ok", events=2, watermark=100)
    first = record_poll(storage_conn, ok, now=T0)
    append_events(storage_conn, unique_name, TRIGGER, [3, 4, 5])  # the webhook path logs three more
    record_poll(storage_conn, ok, now=T0 + 60)
    record_poll(
        storage_conn, polled("user-created", unique_name, IntercomUnauthorized("Access Token Invalid")), now=T0 + 61
    )
    stored = {r.trigger: r for r in RecordStore(storage_conn, unique_name).list()}
    assert set(stored) == {TRIGGER, "user-created"}
    lead = stored[TRIGGER]
    assert (lead.outcome, lead.failures, lead.last_success, lead.last_poll) == ("ok", 0, T0 + 60, T0 + 60)
    assert lead.seq == 5
    assert lead.watermark == 1_700_000_005
    assert lead.events_last_hour(T0 + 60) == 5
    assert lead.events_last_day(T0 + 60) == 5
    assert first.etag is not None
    assert lead.etag != first.etag
    user = stored["user-created"]
    assert (user.outcome, user.failures, user.since, user.detail) == (
        "unauthorized",
        1,
        T0 + 61,
        "Access Token Invalid",
    )


def test_a_poll_that_returned_with_a_failure_is_a_failure(storage_conn: str, unique_name: str) -> None:
    failure = IntercomServerError("Intercom failed: 503")
    partial = PollOutcome(TRIGGER, unique_name, "partial", error=f"IntercomServerError: {failure}", failure=failure)
    record = record_poll(storage_conn, partial, now=T0)
    assert (record.outcome, record.failures, record.detail) == ("intercom_unavailable", 1, "Intercom failed: 503")
    record = record_poll(storage_conn, polled(TRIGGER, unique_name), now=T0 + 1)
    assert (record.outcome, record.failures) == ("ok", 0)


def test_log_lines_carry_connection_trigger_and_cause(
    storage_conn: str, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="shared.operations")
    record_poll(storage_conn, polled(TRIGGER, unique_name, IntercomUnauthorized("Access Token Invalid")), now=T0)
    record_poll(storage_conn, polled(TRIGGER, unique_name, IntercomServerError("Intercom failed: 503")), now=T0 + 1)
    record_poll(storage_conn, polled(TRIGGER, unique_name), now=T0 + 2)
    lines = [r for r in caplog.records if getattr(r, "trigger", None) == TRIGGER]
    assert [(r.levelno, getattr(r, "cause", None)) for r in lines] == [
        (logging.ERROR, "unauthorized"),
        (logging.WARNING, "intercom_unavailable"),
        (logging.INFO, "ok"),  # recovered
    ]
    assert all(getattr(r, "connection", None) == unique_name for r in lines)
    assert "cause=unauthorized" in lines[0].getMessage()
    assert "Access Token Invalid" in lines[0].getMessage()
    assert "recovered after 2 failed polls" in lines[2].getMessage()
    assert TOKEN not in caplog.text


def test_a_bug_is_unexpected_and_its_text_is_not_logged(
    storage_conn: str, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    record = record_poll(storage_conn, polled(TRIGGER, unique_name, RuntimeError(f"boom {TOKEN}")), now=T0)
    assert (record.outcome, record.detail) == ("unexpected", "RuntimeError")
    assert TOKEN not in caplog.text


def test_recording_never_raises(storage_conn: str) -> None:
    # A connection name no table can carry: the record cannot be stored or even looked up, and the poll goes on.
    record = record_poll(storage_conn, polled(TRIGGER, "not a name!", IntercomUnauthorized("no")), now=T0)
    assert record.outcome == "unauthorized"
    assert remembered(storage_conn, "not a name!")[TRIGGER] == record


def test_storage_down_keeps_the_outcome_in_memory_then_stores_it(azurite: Azurite, unique_name: str) -> None:
    proxy = TcpProxy(azurite.port)
    storage = proxy.connection_string
    try:
        record_poll(storage, polled(TRIGGER, unique_name), now=T0)
        proxy.cut()
        down = unavailable("event storage", ConnectionError())
        for n in (1, 2):
            record = record_poll(storage, polled(TRIGGER, unique_name, down), now=T0 + n)
        assert (record.outcome, record.failures, record.since) == ("storage_unavailable", 2, T0 + 1)
        assert remembered(storage, unique_name)[TRIGGER] == record
        with pytest.raises(ConnectorError):
            RecordStore(storage, unique_name).get(TRIGGER)
        proxy.restore()
        stored = RecordStore(storage, unique_name).get(TRIGGER)
        assert stored is not None
        assert stored.failures == 0
        assert merged(storage, unique_name, [stored])[TRIGGER].failures == 2  # ...this process did not
        record = record_poll(storage, polled(TRIGGER, unique_name, IntercomServerError("503")), now=T0 + 3)
        assert (record.failures, record.since) == (3, T0 + 1)  # the run of failures carries on from memory
        assert RecordStore(storage, unique_name).get(TRIGGER) == record
    finally:
        proxy.close()


def test_two_writers_lose_no_count(storage_conn: str, unique_name: str) -> None:
    store = RecordStore(storage_conn, unique_name)
    record_poll(storage_conn, polled(TRIGGER, unique_name, IntercomServerError("503")), now=T0)
    stale = store.get(TRIGGER)
    assert stale is not None
    record_poll(storage_conn, polled(TRIGGER, unique_name, IntercomServerError("503")), now=T0 + 1)
    assert store.put(stale) is None  # written over a version that changed: refused
    forget_all()  # another instance: nothing in its memory
    record = record_poll(storage_conn, polled(TRIGGER, unique_name, IntercomServerError("503")), now=T0 + 2)
    assert record.failures == 3


def test_a_concurrent_poll_is_no_failure(storage_conn: str, unique_name: str) -> None:
    record_poll(storage_conn, polled(TRIGGER, unique_name, IntercomServerError("503")), now=T0)
    done = record_poll(storage_conn, PollOutcome(TRIGGER, unique_name, "concurrent"), now=T0 + 1)
    assert (done.outcome, done.failures) == ("ok", 0)  # another poll committed: not a failure


def test_record_polls_records_each_connections_outcome(storage_conn: str, unique_name: str) -> None:
    other = unique_name + "b"
    settings = one_connection(storage_conn, unique_name)
    record_polls(settings, [polled(TRIGGER, unique_name), polled(TRIGGER, other, IntercomUnauthorized("no"))])
    assert [r.outcome for r in RecordStore(storage_conn, unique_name).list()] == ["ok"]
    assert [r.outcome for r in RecordStore(storage_conn, other).list()] == ["unauthorized"]
