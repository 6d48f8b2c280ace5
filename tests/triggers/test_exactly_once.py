"""Exactly-once under Intercom's search behaviour: a workspace-timezone midnight passes while contacts and
conversations are written, each write reaches search after a random delay of up to 20 s (out of timestamp order),
hundreds of writes share one second, and a few users are updated again and again. Polls run every second, as in
production but faster (POLL_LOOKBACK_SECONDS 30 covers the 20 s delay)."""

from __future__ import annotations

import itertools
import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from intercom_sim import Simulator
from tests.triggers.support import BackgroundPoller, Harness, verdicts

TZ = "Asia/Kathmandu"  # UTC+05:45: the workspace day does not start at a UTC hour
MAX_DELAY = 20.0
WRITE_SECONDS = 14.0


def seconds_to_next_local_midnight(moment: float, tz: str) -> float:
    zone = ZoneInfo(tz)
    day = datetime.fromtimestamp(moment, zone).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() - moment


def test_exactly_once_across_a_workspace_midnight_with_index_delay(sim: Simulator, storage_conn: str) -> None:
    real = time.time()
    # Intercom's clock reads 6 s before the workspace's midnight when the writes begin.
    sim.configure(
        timezone=TZ,
        clock_offset=seconds_to_next_local_midnight(real, TZ) - 6,
        index_delay=(0.0, MAX_DELAY),
        seed=11,
    )
    # Sealing with no margin (our clock is Intercom's here): windows close as early as the look-back allows.
    h = Harness(sim, storage_conn, lookback=30, seal_margin=0)
    h.poll_all()
    checkpoint = h.log("user-updated").checkpoint()
    assert checkpoint is not None
    start = checkpoint.start

    poller = BackgroundPoller(h, every=1.0)

    rng = random.Random(5)
    versions: set[str] = set()
    users: list[str] = []
    contacts: list[str] = []
    created: list[int] = []
    burst = False
    n = 0
    end = time.monotonic() + WRITE_SECONDS
    while time.monotonic() < end:
        n += 1
        pick = rng.random()
        if pick < 0.25 or not users:
            c = sim.add_contact("user", email=f"u{n}@example.com", name=f"User {n}")
            users.append(c["id"])
        elif pick < 0.4:
            c = sim.add_contact("lead", email=f"l{n}@example.com")
        elif pick < 0.55:
            conv = sim.add_conversation(rng.choice(contacts), body=f"<p>{n}</p>")
            created.append(conv["created_at"])
            time.sleep(0.04)
            continue
        else:
            hot = users[:3] if rng.random() < 0.5 else users
            c = sim.update_contact(rng.choice(hot), name=f"Name {n}")
        contacts.append(c["id"])
        created.append(c["created_at"])
        if c["role"] == "user":
            versions.add(f"{c['id']}:{c['updated_at']}")
        if not burst and seconds_to_next_local_midnight(sim.now(), TZ) > 80_000:
            # Just after midnight: 200 users in one second (more than a page), and one user updated 5 times in it.
            burst = True
            second = int(sim.now())
            for user_id in sim.bulk_add_contacts(200, role="user", start=second, spacing_seconds=0):
                versions.add(f"{user_id}:{second}")
            for _ in range(5):
                u = sim.update_contact(users[0], at=second, name=f"Burst {rng.random()}")
                versions.add(f"{u['id']}:{u['updated_at']}")
        time.sleep(0.04)

    # Every write is searchable MAX_DELAY after it was made; the poller keeps going until then, and a bit more.
    time.sleep(MAX_DELAY + 2.5)
    errors = poller.stop()
    h.poll_all()
    assert not errors, errors

    zone = ZoneInfo(TZ)
    days = {datetime.fromtimestamp(t, zone).date() for t in created}
    assert len(days) == 2, "the writes did not span the workspace's midnight"
    assert burst
    results = verdicts(h, start, versions)
    for trigger, verdict in results.items():
        assert verdict.exact, (trigger, verdict)
    # The scenario did exercise late indexing: some event reached a log after a newer one.
    occurred = [e.occurred_at for e in h.events("user-updated")]
    assert any(b < a for a, b in itertools.pairwise(occurred))
    assert all(o.status in ("ok", "partial") for o in h.outcomes)
