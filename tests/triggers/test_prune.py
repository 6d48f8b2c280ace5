"""What prune keeps of the six triggers: keys as long as the events they guard can be met again (for ever for
contact-unsubscribed), markers 90 days after their contact was last seen, deleted before the key rows."""

from __future__ import annotations

import time

from pydantic import SecretStr

from intercom_sim import Simulator
from shared.settings import Connection, Settings
from shared.triggers import poll as polling
from shared.triggers.eventlog import EventLog, NewEvent
from shared.triggers.markers import MARKER_RETENTION_SECONDS, Markers
from shared.triggers.registry import TRIGGERS
from tests.triggers.scenario import SIX
from tests.triggers.support import Harness

DAY = 86_400


def test_key_bounds_of_the_six() -> None:
    w, lookback = 1_000_000_000, 600
    window = w - lookback - polling.KEY_MARGIN_SECONDS
    marked = w - MARKER_RETENTION_SECONDS - polling.KEY_MARGIN_SECONDS
    assert {t: polling.key_bound(t, w, lookback, now=w) for t in SIX} == {
        "lead-converted": marked,
        "lead-email-added": marked,
        "contact-tagged": marked,
        "conversation-closed": window,
        "company-created": window,
        "contact-unsubscribed": 0,
    }


def test_prune_of_the_six_keeps_keys_and_markers_as_long_as_needed(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn, triggers=SIX)
    h.poll_all()
    settings = Settings(
        connections={h.name: Connection(h.name, SecretStr(sim.token), sim.base_url, "2.16")},
        storage_connection_string=SecretStr(storage_conn),
        poll_lookback_seconds=30,
    )
    for trigger in SIX:
        log = EventLog(storage_conn, h.name, trigger)
        checkpoint = log.checkpoint()
        assert checkpoint is not None
        old = checkpoint.watermark - 100 * DAY
        events = [NewEvent("old", "old", old, {}), NewEvent("week", "week", checkpoint.watermark - 7 * DAY, {})]
        log.commit(checkpoint, events, watermark=checkpoint.watermark)
        markers = Markers(storage_conn, h.name, trigger)
        markers.mark({"stale": checkpoint.watermark - MARKER_RETENTION_SECONDS - 1, "fresh": checkpoint.watermark})
        polling.prune_trigger(settings, h.name, trigger, now=time.time())
        spec = TRIGGERS[trigger]
        kept = log.logged(["old", "week"])
        if spec.keys_forever:
            assert kept == {"old", "week"}, trigger
        elif spec.identity_keys:
            assert kept == {"week"}, trigger
        else:
            assert kept == set(), trigger
        expected = {"fresh"} if spec.markers else {"stale", "fresh"}  # rows of triggers without markers: none read
        assert markers.marked(["stale", "fresh"]) == expected, trigger


def test_the_key_bounds_of_the_lifecycle_triggers() -> None:
    w, lookback, now = 1_000_000_000, 600, 1_000_000_500
    window = w - lookback - polling.KEY_MARGIN_SECONDS
    marked = w - MARKER_RETENTION_SECONDS - polling.KEY_MARGIN_SECONDS
    nine = [t for t, spec in TRIGGERS.items() if spec.interface == 9]
    assert {t: polling.key_bound(t, w, lookback, now=now) for t in nine} == {
        "conversation-contact-replied": window,
        "conversation-admin-replied": window,
        "conversation-assigned": window,
        "conversation-snoozed": marked,  # keyed by snoozed_until, met again by later updates
        "conversation-rated": 0,  # rated again: nothing more, ever
        "conversation-tagged": marked,
        "ticket-created": window,
        "ticket-state-changed": 0,  # the changes are numbered from them
        "lead-updated": window,
        "contact-deleted": now - polling.NOTIFIED_KEY_SECONDS,  # webhook only: our clock
        "intercom-notification": now - polling.NOTIFIED_KEY_SECONDS,
    }


def test_a_webhook_only_trigger_keeps_its_keys_a_week(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn)
    log = EventLog(storage_conn, h.name, "intercom-notification")
    now = time.time()
    checkpoint = log.begin(int(now) - 30 * DAY)
    old, young = int(now) - polling.NOTIFIED_KEY_SECONDS - 60, int(now) - 60
    log.commit(checkpoint, [NewEvent("old", "old", old, {}), NewEvent("young", "young", young, {})], watermark=0)
    settings = Settings(
        connections={h.name: Connection(h.name, SecretStr(sim.token), sim.base_url, "2.16")},
        storage_connection_string=SecretStr(storage_conn),
    )
    polling.prune_trigger(settings, h.name, "intercom-notification", now=now)
    assert log.logged(["old", "young"]) == {"young"}
    floor = polling.key_bound("intercom-notification", 0, 600, now=now)
    assert log.append([NewEvent("older", "older", old, {})], start=0, floor=lambda _: floor) == []  # not after it
