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
    assert {t: polling.key_bound(t, w, lookback) for t in SIX} == {
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
