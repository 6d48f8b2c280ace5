"""The triggers of interface §9 fed by Intercom's webhooks and their polls together, against ground truth: the simulator
sends its notifications to the app (devserver: intake, queue, worker) in the 2026 shapes, 30% dropped, 20% sent twice
and up to 2 s late, search lags writes by up to 10 s and the workspace day is not UTC's. Every event a poll can see or
whose notification arrived is logged exactly once, nothing else is; contact-deleted and intercom-notification, which
only webhooks feed, log exactly the notifications that arrived (a duplicate collapses on the notification id)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator

import pytest

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from shared.triggers.eventlog import EventLog
from tests.notifications.support import World, lossy_webhooks, webhook_world
from tests.triggers.lifecycle_scenario import NINE, LifecycleScenario
from tests.triggers.support import doubles, read_all, wait_until

TOKEN = "sim-lifecycle-webhooks-token-0123"
MAX_LAG = 10.0


@pytest.fixture
def world(azurite: Azurite) -> Iterator[World]:
    # Only the objects the triggers of §9 read are polled (2 cores).
    with webhook_world(azurite, token=TOKEN, seed=11, polled=NINE) as found:
        yield found


def arrived(sim: Simulator, scenario: LifecycleScenario) -> tuple[dict[str, set[str]], set[str]]:
    """({trigger: the keys of the events whose notification the app answered with a 2xx}, the ids of every
    notification it answered so): the deliveries, in publish order, matched with the writes that published them."""
    keys: dict[str, set[str]] = defaultdict(set)
    ids: set[str] = set()
    pending = list(scenario.published)
    for delivery in sim.webhook_deliveries():
        ok = any(a.status is not None and 200 <= a.status < 300 for a in delivery.attempts)
        if ok and delivery.id is not None:
            ids.add(delivery.id)
        match = next((p for p in pending if (p[0], p[1]) == (delivery.topic, delivery.object_id)), None)
        if match is not None:
            pending.remove(match)
            if ok:
                keys[match[2]].add(match[3])
    return keys, ids


def test_the_lifecycle_triggers_with_webhooks_log_every_event_once(
    world: tuple[Simulator, DevServerProcess, str], azurite: Azurite
) -> None:
    sim, server, name = world
    storage = azurite.connection_string

    def keys(trigger: str) -> list[str]:
        return [e.key for e in read_all(EventLog(storage, name, trigger))]

    assert wait_until(lambda: all(EventLog(storage, name, t).checkpoint() for t in NINE), 15)
    time.sleep(1.1)  # every write below is after every trigger's start
    sim.configure(timezone="Asia/Kathmandu")
    scenario = LifecycleScenario(sim)
    scenario.setup()
    time.sleep(3)  # the app's polls see phase 1
    lossy_webhooks(sim, server, MAX_LAG)
    scenario.run()
    assert sim.flush_webhooks(timeout=30)
    time.sleep(MAX_LAG + 4)  # every write is searchable, and polls ran over it

    sent, ids = arrived(sim, scenario)
    for trigger in NINE:
        logged = keys(trigger)
        assert doubles(logged) == [], trigger
        if trigger == "ticket-state-changed":
            assert scenario.ticket_changes_hold(logged) == [], logged
            continue
        assert (scenario.required[trigger] | sent[trigger]) - set(logged) == set(), (trigger, "missed")
        assert set(logged) - scenario.allowed[trigger] == set(), (trigger, "unexpected")
    assert keys("contact-deleted") == sorted(sent["contact-deleted"]) != []  # webhook only: what arrived
    only_notified = {t: sent[t] - scenario.required[t] for t in NINE}
    assert any(only_notified.values()), "no event that only a webhook could log"
    notifications = keys("intercom-notification")
    assert doubles(notifications) == []
    assert set(notifications) == ids  # every notification that arrived, once; nothing else
    deliveries = sim.webhook_deliveries()
    assert any(d.status == "dropped" for d in deliveries)
    assert any(d.copies > 1 for d in deliveries)
    assert {d.topic for d in deliveries} >= {p[0] for p in scenario.published}
