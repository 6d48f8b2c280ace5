"""One read per Intercom object per cycle (interface §9, "Cost"): all 21 triggers cost at most 4 calls a quiet cycle
per connection (one per object; GET /me aside), and N changed objects cost about N / 150 pages of their object's
read, not that times the triggers that watch it; each trigger still logs its own events."""

from __future__ import annotations

import time
from collections import Counter

from intercom_sim import Simulator
from shared.triggers.registry import SOURCES, TRIGGERS, of_source
from tests.triggers.support import Harness

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
