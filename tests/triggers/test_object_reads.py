"""One read per Intercom object per cycle (interface §9, "Cost"): all 21 triggers cost at most 4 calls a quiet cycle
per connection (one per object; GET /me aside), and N changed objects cost about N / 150 pages of their object's
read, not that times the triggers that watch it; each trigger still logs its own events."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping

from devserver.process import DevServerProcess
from intercom_sim import Simulator
from shared.triggers.eventlog import EventLog
from shared.triggers.registry import SOURCES, TRIGGERS, of_source
from tests.triggers.support import Harness, read_all

READS = {
    ("POST", "/contacts/search"),
    ("POST", "/conversations/search"),
    ("GET", "/companies"),
    ("POST", "/tickets/search"),
}


def calls(sim: Simulator, h: Harness) -> Counter[tuple[str, str]]:
    sim.clear_requests()
    outcomes = h.poll_all()
    assert {o.status for o in outcomes} == {"ok"}, outcomes
    assert len(outcomes) == sum(len(of_source(s)) for s in SOURCES)  # every polled trigger, one outcome each
    return Counter((r.method, r.path) for r in sim.requests())


def test_a_quiet_cycle_of_every_trigger_costs_one_call_per_object(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn, lookback=30, seal_margin=0, triggers=tuple(TRIGGERS))
    first = calls(sim, h)
    assert first.pop(("GET", "/me")) == 2  # the timezone of the day-safe reads (contacts, tickets), once a day
    assert first == Counter(dict.fromkeys(READS, 1))
    for _ in range(2):
        assert calls(sim, h) == Counter(dict.fromkeys(READS, 1))

    time.sleep(1.05)  # the changes below are after every trigger's start
    leads = [sim.add_contact("lead", name=f"Busy {i}", index=False)["id"] for i in range(200)]
    time.sleep(1.05)  # an update in the second of the creation is no lead update
    for lead in leads[:100]:
        sim.update_contact(lead, name="Busier")
    busy = calls(sim, h)
    assert busy[("POST", "/contacts/search")] == 2  # 200 contacts in the window: 2 pages for 8 contact triggers
    assert sum(busy.values()) == 5
    assert sorted(h.keys("lead-created")) == sorted(leads)
    assert len(h.keys("lead-updated")) == 100
    assert h.keys("user-created") == h.keys("user-updated") == []

    sim.configure(clock_offset=h.lookback + 5)  # the look-back passes over the burst: the next complete poll seals it
    calls(sim, h)
    assert calls(sim, h) == Counter(dict.fromkeys(READS, 1))


def test_running_an_object_timer_polls_each_of_its_triggers_at_once(
    sim: Simulator,
    storage_conn: str,
    unique_name: str,
    app_env: dict[str, str],
    devserver_factory: Callable[[Mapping[str, str]], DevServerProcess],
) -> None:
    """`POST /admin/functions/poll_tickets` runs the ticket read now, for both ticket triggers (the schedule is yearly
    here, and TRIGGER_START P1D lets the first run log what the last day held)."""
    server = devserver_factory({**app_env, "POLL_SCHEDULE": "0 0 0 1 1 *", "TRIGGER_START": "P1D"})
    user = sim.add_contact("user", email="run@example.com", index=False)
    ticket = sim.add_ticket("2001", user["id"], attributes={"Platform": "opt-web"}, index=False)
    sim.clear_requests()
    assert server.run_function("poll_tickets") == (200, {"function": "poll_tickets", "status": "succeeded"})
    assert [e.key for e in read_all(EventLog(storage_conn, unique_name, "ticket-created"))] == [ticket["id"]]
    assert EventLog(storage_conn, unique_name, "ticket-state-changed").checkpoint() is not None
    searches = [r.path for r in sim.requests() if r.path != "/me"]
    assert searches == ["/tickets/search"] * 2  # one read for both triggers, on each connection (`default` too)
