# ruff: noqa: PT018
"""Delivery of the simulator's webhooks: seeded drops, duplicates and delays, retries, 410, and never on the lock."""

from __future__ import annotations

import time
from collections import Counter

import httpx

from intercom_sim import Simulator
from tests.simulator.conftest import SECRET
from tests.simulator.receiver import Receiver

FAULTS = {"webhook_drop_rate": 0.3, "webhook_duplicate_rate": 0.2, "webhook_max_delay_seconds": 0.3}


def run_faulty(sim: Simulator, receiver: Receiver, n: int) -> list[tuple[str, str | None, list[float]]]:
    sim.configure(webhook_url=receiver.url, webhook_secret=SECRET, **FAULTS)
    for i in range(n):
        sim.add_contact("lead", email=f"f{i}@example.com")
    assert sim.flush_webhooks(10)
    return [(d.status, d.id, d.delays) for d in sim.webhook_deliveries()]


def test_seeded_drops_duplicates_and_delays(sim: Simulator, receiver: Receiver) -> None:
    first = run_faulty(sim, receiver, 120)
    statuses = Counter(s for s, _, _ in first)
    assert set(statuses) == {"dropped", "sent", "duplicated"}
    assert 20 <= statuses["dropped"] <= 55  # 30% of 120 = 36
    assert 8 <= statuses["duplicated"] <= 32  # 20% of the ~84 kept
    arrived = Counter(r.json["id"] for r in receiver.received())
    assert arrived == Counter({i: 2 if s == "duplicated" else 1 for s, i, _ in first if s != "dropped"})
    delays = [d for _, _, ds in first for d in ds]
    assert all(0 <= d <= 0.3 for d in delays) and max(delays) > 0.2
    sim.reset()  # the same seed again: the same fate for every notification
    assert run_faulty(sim, receiver, 120) == first


def test_another_seed_draws_differently(sim: Simulator, receiver: Receiver) -> None:
    first = run_faulty(sim, receiver, 30)
    sim.reset()
    sim.configure(seed=7)
    assert run_faulty(sim, receiver, 30) != first


def test_delays_deliver_out_of_order(sim: Simulator, receiver: Receiver) -> None:
    sim.configure(webhook_url=receiver.url, webhook_secret=SECRET, webhook_max_delay_seconds=0.5)
    ids = [sim.add_contact("user", email=f"o{i}@example.com")["id"] for i in range(20)]
    assert sim.flush_webhooks(5)
    arrived = [r.json["data"]["item"]["id"] for r in receiver.received()]
    assert sorted(arrived) == sorted(ids) and arrived != ids


def test_a_500_is_resent_once_after_the_retry_delay(hooked: Simulator, receiver: Receiver) -> None:
    receiver.statuses = [500]
    hooked.add_contact("user", email="r@example.com")
    assert hooked.flush_webhooks(5)
    first, second = receiver.received()
    assert first.json["id"] == second.json["id"] and second.at - first.at >= 0.2
    assert (first.json["delivery_attempts"], second.json["delivery_attempts"]) == (1, 2)
    assert first.json["first_sent_at"] == second.json["first_sent_at"]
    [d] = hooked.webhook_deliveries()
    assert d.status == "retried" and [(a.number, a.status) for a in d.attempts] == [(1, 500), (2, 200)]


def test_two_failures_mark_it_failed(hooked: Simulator, receiver: Receiver) -> None:
    receiver.statuses = [503, 404]
    hooked.add_contact("user", email="f@example.com")
    assert hooked.flush_webhooks(5)
    assert len(receiver.received()) == 2
    [d] = hooked.webhook_deliveries()
    assert d.status == "failed" and [a.status for a in d.attempts] == [503, 404]


def test_a_timeout_is_resent(sim: Simulator) -> None:
    with Receiver(delay=0.5) as slow:
        sim.configure(
            webhook_url=slow.url, webhook_secret=SECRET, webhook_timeout_seconds=0.2, webhook_retry_delay_seconds=0.1
        )
        sim.add_contact("user", email="t@example.com")
        assert sim.flush_webhooks(5)
    [d] = sim.webhook_deliveries()
    assert d.status == "failed" and [(a.status, a.error) for a in d.attempts] == [(None, "ReadTimeout")] * 2


def test_410_disables_delivery_until_reconfigured(hooked: Simulator, receiver: Receiver) -> None:
    receiver.statuses = [410]
    hooked.add_contact("user", email="g1@example.com")
    assert hooked.flush_webhooks(5)
    hooked.add_contact("user", email="g2@example.com")
    assert hooked.flush_webhooks(5)
    assert len(receiver.received()) == 1
    assert hooked.webhooks.disabled is not None and "410" in hooked.webhooks.disabled
    assert [d.status for d in hooked.webhook_deliveries()] == ["failed", "disabled"]
    hooked.configure(webhook_url=receiver.url)
    hooked.add_contact("user", email="g3@example.com")
    assert hooked.flush_webhooks(5)
    assert len(receiver.received()) == 2 and hooked.webhooks.disabled is None


def test_a_slow_receiver_never_slows_the_rest_api(sim: Simulator) -> None:
    with Receiver(delay=1.0) as slow:
        sim.configure(webhook_url=slow.url, webhook_secret=SECRET)
        with httpx.Client(base_url=sim.base_url, headers={"Authorization": f"Bearer {sim.token}"}) as api:
            started = time.monotonic()
            for i in range(8):  # 8 notifications, 4 senders, each answer takes 1 s
                assert api.post("/contacts", json={"role": "user", "email": f"s{i}@example.com"}).status_code == 200
                assert api.get("/contacts").status_code == 200
            elapsed = time.monotonic() - started
        assert elapsed < 0.8
        assert len(slow.wait_for(4, timeout=2)) >= 4
        assert sim.flush_webhooks(5)
    assert [d.status for d in sim.webhook_deliveries()] == ["sent"] * 8


def test_stop_ends_the_senders(receiver: Receiver) -> None:
    sim = Simulator().start()
    sim.configure(webhook_url=receiver.url, webhook_retry_delay_seconds=60)
    receiver.statuses = [500]
    sim.add_contact("user", email="x@example.com")
    receiver.wait_for(1)
    started = time.monotonic()
    sim.stop()  # a resend is queued for a minute from now: stop does not wait for it
    assert time.monotonic() - started < 2
    assert not sim.flush_webhooks(0.1)
