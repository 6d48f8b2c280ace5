"""Nothing missed, nothing doubled whatever fails: Intercom faults (5xx, 429, timeouts), storage going away in the
middle of a poll, an instance dying between its search and its commit, polls running at the same time, a poll cut
short by the budget, a saved cursor Intercom refuses, company names that cannot be read."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest

from devserver.azurite import Azurite
from intercom_sim import Simulator
from shared.errors import Unavailable
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.throttle import MemoryLimiter
from shared.triggers.eventlog import Checkpoint, EventLog
from shared.triggers.poll import cutoff_of
from tests.triggers.support import (
    FIRST_FOUR,
    BackgroundPoller,
    Harness,
    TcpProxy,
    doubles,
    make_client,
    verdicts,
    wait_until,
)


def write_some(sim: Simulator, tag: str, *, index: bool = True) -> set[str]:
    """Users, leads, updates and conversations; returns the user versions written. `index=False`: searchable now."""
    versions: set[str] = set()
    users = [sim.add_contact("user", email=f"{tag}-u{i}@example.com", index=index) for i in range(3)]
    leads = [sim.add_contact("lead", email=f"{tag}-l{i}@example.com", index=index) for i in range(2)]
    for c in users:
        versions.add(f"{c['id']}:{c['updated_at']}")
    for c in users[:2] + leads[:1]:
        sim.add_conversation(c["id"], index=index)
    u = sim.update_contact(users[0]["id"], name=f"{tag} again")
    versions.add(f"{u['id']}:{u['updated_at']}")
    return versions


def start_of(h: Harness) -> int:
    checkpoint = h.log("user-updated").checkpoint()
    assert checkpoint is not None
    return checkpoint.start


def assert_exact(h: Harness, versions: set[str]) -> None:
    for trigger, verdict in verdicts(h, start_of(h), versions).items():
        assert verdict.exact, (trigger, verdict)


# -- Intercom faults ----------------------------------------------------------------------------------------------


def test_exactly_once_with_20_percent_intercom_faults(sim: Simulator, storage_conn: str) -> None:
    sim.configure(
        index_delay=(0.0, 3.0),
        fault_rate=0.2,
        fault_kinds=("500", "503", "429", "timeout"),
        timeout_seconds=0.3,
        seed=18,  # its first faults are 503, 500, timeouts, then a 429
    )
    # A short deadline: a 429 whose window resets later cuts the poll short, as the budget would.
    h = Harness(sim, storage_conn, lookback=8, deadline_seconds=2.0)
    h.poll_all()
    versions: set[str] = set()
    poller = BackgroundPoller(h, every=0.2)
    for i in range(12):
        versions |= write_some(sim, f"f{i}")
        time.sleep(0.5)
    time.sleep(3.5)  # the last writes reach search

    def settled() -> bool:
        return all(v.exact for v in verdicts(h, start_of(h), versions).values())

    # A 429 holds the connection's calls until Intercom's window resets (up to 10 s): give it a few windows.
    done = wait_until(settled, timeout=40.0, step=1.0)
    errors = poller.stop()
    h.poll_all()
    assert not errors, errors
    assert done
    assert_exact(h, versions)
    statuses = [r.status for r in sim.requests()]
    assert 429 in statuses
    assert statuses.count(500) + statuses.count(503) >= 2
    assert any(o.status == "partial" for o in h.outcomes)


# -- storage outages ----------------------------------------------------------------------------------------------


class CuttingClient(IntercomClient):
    """Cuts the storage as soon as Intercom has answered a search: the poll's commit meets a dead table service."""

    def __init__(self, base: IntercomClient, proxy: TcpProxy) -> None:
        super().__init__(base.connection, base.limiter)
        self.proxy = proxy

    def search(self, path: str, body: Any, *, deadline: Deadline) -> Any:
        page = super().search(path, body, deadline=deadline)
        self.proxy.cut()
        return page


def test_storage_outage_mid_poll_loses_and_doubles_nothing(sim: Simulator, azurite: Azurite) -> None:
    proxy = TcpProxy(azurite.port)
    try:
        h = Harness(sim, proxy.connection_string, lookback=30)
        h.poll_all()
        versions = write_some(sim, "s", index=False)
        cutting = CuttingClient(h.client, proxy)
        for trigger in FIRST_FOUR:
            before = h.log(trigger).checkpoint()
            with pytest.raises(Unavailable):
                h.poll(trigger, client=cutting)
            proxy.restore()
            assert h.keys(trigger) == []
            assert h.log(trigger).checkpoint() == before

        # Storage already down when the poll starts: no Intercom call is spent.
        proxy.cut()
        calls = len(sim.requests())
        with pytest.raises(Unavailable):
            h.poll("user-updated")
        assert len(sim.requests()) == calls
        proxy.restore()

        h.poll_all()
        assert_exact(h, versions)
        h.poll_all()
        assert_exact(h, versions)
    finally:
        proxy.close()


class CutAfterFirstTransaction(EventLog):
    """Storage goes away after the first of a commit's transactions (of at most 49 events each)."""

    def __init__(self, proxy: TcpProxy, *args: Any) -> None:
        super().__init__(*args)
        self.proxy = proxy

    def _commit_chunk(
        self, checkpoint: Checkpoint, events: Any, *, watermark: int, state: dict[str, Any]
    ) -> Checkpoint:
        done = super()._commit_chunk(checkpoint, events, watermark=watermark, state=state)
        self.proxy.cut()
        return done


def test_storage_outage_between_transactions_of_one_commit(sim: Simulator, azurite: Azurite) -> None:
    proxy = TcpProxy(azurite.port)
    try:
        h = Harness(sim, proxy.connection_string, lookback=30)
        h.poll("user-updated")
        first = h.log("user-updated").checkpoint()
        assert first is not None
        second = int(sim.now())
        ids = sim.bulk_add_contacts(120, role="user", start=second, spacing_seconds=0)
        cutting = CutAfterFirstTransaction(proxy, proxy.connection_string, h.name, "user-updated")
        with pytest.raises(Unavailable):
            h.poll("user-updated", event_log=cutting)
        proxy.restore()
        assert len(h.keys("user-updated")) == 49
        after = h.log("user-updated").checkpoint()
        assert after is not None
        assert after.watermark == first.watermark
        h.poll("user-updated")
        keys = h.keys("user-updated")
        assert sorted(keys) == sorted(f"{i}:{second}" for i in ids)
        assert not doubles(keys)
    finally:
        proxy.close()


# -- a crash between search and commit ----------------------------------------------------------------------------


class CrashingLog(EventLog):
    def commit(self, checkpoint: Checkpoint, events: Any, *, watermark: int, state: Any = None) -> Checkpoint:
        raise RuntimeError("the instance was recycled before its commit")


def test_crash_between_search_and_commit(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn, lookback=30)
    h.poll_all()
    versions = write_some(sim, "c", index=False)
    for trigger in FIRST_FOUR:
        before = h.log(trigger).checkpoint()
        with pytest.raises(RuntimeError):
            h.poll(trigger, event_log=CrashingLog(storage_conn, h.name, trigger))
        assert h.keys(trigger) == []
        assert h.log(trigger).checkpoint() == before
    h.poll_all()
    assert_exact(h, versions)


# -- polls at the same time ---------------------------------------------------------------------------------------


def test_overlapping_polls_never_double(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn, lookback=30)
    versions: set[str] = set()
    errors: list[BaseException] = []
    for round_ in range(5):
        if round_:  # the first round races on the very first checkpoint
            versions |= write_some(sim, f"o{round_}", index=False)
        barrier = threading.Barrier(3 * len(FIRST_FOUR))

        def race(trigger: str, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                h.poll(trigger)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=race, args=(t,)) for t in FIRST_FOUR for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert sum(o.status == "concurrent" for o in h.outcomes) >= 4  # they really overlapped
    h.poll_all()
    assert_exact(h, versions)


# -- cut short by the budget --------------------------------------------------------------------------------------


def test_poll_cut_short_by_the_budget_resumes_and_completes(sim: Simulator, storage_conn: str) -> None:
    """Each poll may make 2 calls; 500 changes are 4 pages. Re-reading the window from the top every time would
    never finish; the saved cursor makes every poll progress, and the watermark moves only once all is read."""
    h = Harness(sim, storage_conn, lookback=30, trigger_start=timedelta(hours=1), deadline_seconds=1.0)
    now = int(sim.now())
    ids = sim.bulk_add_contacts(500, role="user", start=now - 1000, spacing_seconds=2)
    wanted = {f"{i}:{now - 1000 + 2 * n}" for n, i in enumerate(ids)}
    first = h.log("user-updated").checkpoint()
    assert first is None
    statuses = []
    late: dict[str, Any] = {}
    for n in range(8):
        two_calls = make_client(sim, h.name, MemoryLimiter(2, 3600.0))
        outcome = h.poll("user-updated", client=two_calls)
        statuses.append(outcome.status)
        checkpoint = h.log("user-updated").checkpoint()
        assert checkpoint is not None
        if outcome.status == "partial":
            assert checkpoint.watermark == checkpoint.start
            assert "resume" in checkpoint.state
        if n == 1:  # a change while the backlog is being read: found by the next poll's fresh read
            late = sim.update_contact(ids[10], name="late")
            wanted.add(f"{late['id']}:{late['updated_at']}")
            # Its old version sat in the unread part of the backlog: no poll observed it, so it has no event.
            wanted.discard(f"{ids[10]}:{now - 1000 + 20}")
        if outcome.status == "ok":
            break
    assert statuses[0] == "partial", statuses
    assert statuses[-1] == "ok", statuses
    assert len(statuses) <= 5, statuses
    keys = h.keys("user-updated")
    assert set(keys) == wanted
    assert not doubles(keys)
    checkpoint = h.log("user-updated").checkpoint()
    assert checkpoint is not None
    assert "resume" not in checkpoint.state
    assert checkpoint.watermark == max(int(k.rsplit(":", 1)[1]) for k in wanted)
    # Documented: a poll cut short logs the newest events before older ones.
    occurred = [e.occurred_at for e in h.events("user-updated")]
    assert occurred != sorted(occurred)


def test_a_saved_cursor_that_intercom_refuses_restarts_the_window(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn, lookback=30, trigger_start=timedelta(hours=1))
    h.poll("lead-created")
    event_log = h.log("lead-created")
    checkpoint = event_log.checkpoint()
    assert checkpoint is not None
    cutoff = cutoff_of(checkpoint, 30, checkpoint.state.get("sealed"))
    bogus = {**checkpoint.state, "resume": {"after": "not-a-cursor", "top": cutoff, "bound": cutoff, "cutoff": cutoff}}
    event_log.commit(checkpoint, [], watermark=checkpoint.watermark, state=bogus)
    lead = sim.add_contact("lead", email="late@example.com", index=False)
    first = h.poll("lead-created")
    assert first.status == "partial"
    after = event_log.checkpoint()
    assert after is not None
    assert "resume" not in after.state
    second = h.poll("lead-created")
    assert second.status == "ok"
    assert h.keys("lead-created") == [lead["id"]]


def test_names_that_cannot_be_read_hold_the_event_back(sim: Simulator, storage_conn: str) -> None:
    """Company names come from GET /companies/{id}; while that fails the event waits (never logged without)."""
    h = Harness(sim, storage_conn, lookback=30, deadline_seconds=3.0)
    h.poll("user-created")
    company = sim.add_company("Acme", company_id="acme")
    plain = sim.add_contact("user", email="plain@example.com", index=False)
    user = sim.add_contact("user", email="acme@example.com", index=False, created_at=plain["created_at"] + 1)
    sim.attach_company(user["id"], company["id"])
    time.sleep(0.05)
    sim.configure(fault_rate=1.0, fault_kinds=("500",), fault_methods={"GET"})
    stuck = h.poll("user-created")
    assert stuck.status == "partial"
    assert h.keys("user-created") == [plain["id"]]
    sim.configure(fault_rate=0.0)
    h.poll("user-created")
    events = h.events("user-created")
    assert [e.object_id for e in events] == [plain["id"], user["id"]]
    assert events[1].body["companies"] == {"companies": [{"id": company["id"], "name": "Acme"}]}


def test_poll_outcomes_are_all_known(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn)
    outcomes = h.poll_all()
    assert [o.trigger for o in outcomes] == list(FIRST_FOUR)
    assert all(o.status == "ok" and o.events == 0 for o in outcomes)
