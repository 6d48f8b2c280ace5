"""What a poll of the six triggers costs: one Intercom call per trigger when nothing changed, a few more when things
did (not more with a bigger workspace), and the company listing read from its tail across page boundaries."""

from __future__ import annotations

from intercom_sim import Simulator
from tests.triggers.scenario import SIX
from tests.triggers.support import Harness

LOOKBACK = 30


def calls(h: Harness, sim: Simulator) -> dict[str, int]:
    """Poll each trigger once; the Intercom calls each one made."""
    spent: dict[str, int] = {}
    for trigger in SIX:
        sim.clear_requests()
        outcome = h.poll(trigger)
        assert outcome.status == "ok", outcome
        spent[trigger] = len(sim.requests())
    return spent


def test_quiet_polls_cost_one_call_per_trigger_and_the_listing_is_read_from_its_tail(
    sim: Simulator, storage_conn: str
) -> None:
    now = int(sim.now())
    sim.bulk_add_contacts(1500, role="lead", start=now - 30 * 86_400, spacing_seconds=1700)
    sim.bulk_add_contacts(1500, role="user", start=now - 30 * 86_400, spacing_seconds=1700)
    for i in range(120):  # 3 pages of the listing (50 a page), all before the start
        sim.add_company(f"Old {i}", company_id=f"old-{i}", created_at=now - 86_400 + i)
    h = Harness(sim, storage_conn, lookback=LOOKBACK, seal_margin=0, triggers=SIX)
    first = calls(h, sim)
    assert first["company-created"] == 2  # page 1 names the tail (page 3), whose first company is old
    assert all(n <= 2 for t, n in first.items() if t != "company-created")  # contacts: GET /me once
    assert calls(h, sim) == dict.fromkeys(SIX, 1)

    fresh = [sim.add_company(f"New {i}", company_id=f"new-{i}")["id"] for i in range(70)]  # pages 3 to 4
    conversation = sim.add_conversation(sim.add_contact("user", email="c@example.com", index=False)["id"], index=False)
    closed = sim.close_conversation(conversation["id"])
    busy = calls(h, sim)
    assert busy["company-created"] == 2  # the tail page and the new one after it
    assert sorted(h.keys("company-created")) == sorted(fresh)
    assert h.keys("conversation-closed") == [f"{conversation['id']}:{closed['statistics']['last_close_at']}"]

    sim.configure(clock_offset=LOOKBACK + 5)  # the look-back passes over the burst: the next complete poll seals it
    calls(h, sim)
    assert calls(h, sim) == dict.fromkeys(SIX, 1)
    assert sorted(h.keys("company-created")) == sorted(fresh)  # read again inside the look-back, logged once
