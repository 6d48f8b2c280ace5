"""Intercom calls per trigger poll, by workspace size and by the changes since the last poll.

    .venv/bin/python -m bench.poll_cost [--sizes 1000,10000,50000] [--changes 0,10,500] [--lookback 600]

Starts its own Azurite and Intercom simulator on loopback. Each workspace holds SIZE contacts (half users, half
leads, created over the last 30 days), SIZE/10 conversations and SIZE/100 companies; every trigger is polled once
(its first poll, TRIGGER_START now, reads the timezone), then for each number of changes N: N existing users are
tagged, then updated and unsubscribed in one update, N existing conversations closed, N leads (without an email),
N conversations and N companies created, the leads of the previous round (which the polls saw) half tagged and
given an email, half converted, and each trigger is polled once, counting the requests the simulator received and
the poll's wall time (Azurite included). user-created, lead-converted and contact-tagged read every contact updated
in their window, so they see about 2N changes. After the last row, three quiet polls (no change at all): one
inside the look-back of the last changes, one a look-back (+ SEAL_MARGIN_SECONDS) later, which seals them, and
the next one. The budget is not limited here (calls are counted, not spread out).
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from pydantic import SecretStr

from devserver.azurite import Azurite
from intercom_sim import Simulator
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.throttle import MemoryLimiter
from shared.settings import Connection
from shared.triggers.eventlog import EventLog
from shared.triggers.poll import SEAL_MARGIN_SECONDS, PollOutcome, poll
from shared.triggers.registry import TRIGGERS

TOKEN = "bench-poll-token"
MONTH = 30 * 86_400


@dataclass(frozen=True)
class Row:
    size: int
    changes: str
    trigger: str
    calls: int
    seconds: float
    events: int


class Workspace:
    """One simulated workspace and the triggers of one connection on it."""

    def __init__(self, sim: Simulator, storage: str, lookback: int) -> None:
        self.sim, self.storage, self.lookback = sim, storage, lookback
        self.name = "b" + uuid.uuid4().hex[:10]
        conn = Connection(self.name, SecretStr(TOKEN), sim.base_url, "2.16")
        self.client = IntercomClient(conn, MemoryLimiter(1_000_000, 60.0))
        self.shift = 0.0

    def now(self) -> float:
        return self.sim.now() + self.shift

    def poll(self, trigger: str) -> tuple[PollOutcome, int, float]:
        self.sim.clear_requests()
        started = time.perf_counter()
        outcome = poll(
            EventLog(self.storage, self.name, trigger),
            self.client,
            trigger_start=timedelta(0),
            lookback=self.lookback,
            deadline=Deadline.after(240),
            clock=self.now,
        )
        return outcome, len(self.sim.requests()), time.perf_counter() - started


def fill(sim: Simulator, size: int) -> tuple[list[str], list[str]]:
    """(user ids, conversation ids) of a workspace of `size` contacts."""
    now = int(sim.now())
    half = size // 2
    spacing = MONTH / max(1, half)
    users = sim.bulk_add_contacts(half, role="user", start=now - MONTH, spacing_seconds=spacing)
    sim.bulk_add_contacts(size - half, role="lead", start=now - MONTH, spacing_seconds=spacing)
    count = size // 10
    conversations = []
    for n in range(count):
        at = int(now - MONTH + n * MONTH / max(1, count))
        conversations.append(sim.add_conversation(users[n % len(users)], created_at=at, index=False)["id"])
    for n in range(size // 100):
        sim.add_company(f"Company {n}", company_id=f"c{n}", created_at=int(now - MONTH + n * 100))
    return users, conversations


def change(
    sim: Simulator, users: list[str], conversations: list[str], previous: list[str], n: int, rng: random.Random
) -> list[str]:
    """Make the changes of one round; the ids of the leads it created."""
    tag = sim.add_tag("bench")["id"]
    for user_id in rng.sample(users, n):
        sim.tag_contact(user_id, tag)
        sim.update_contact(user_id, name=f"changed {rng.random():.6f}", unsubscribed_from_emails=True)
    for conversation in rng.sample(conversations, min(n, len(conversations))):
        sim.close_conversation(conversation)
    mark = uuid.uuid4().hex[:8]
    for i, lead_id in enumerate(previous):
        if i % 2:
            sim.update_contact(lead_id, role="user", email=f"converted-{mark}-{i}@example.com")
        else:
            sim.tag_contact(lead_id, tag)
            sim.update_contact(lead_id, email=f"added-{mark}-{i}@example.com")
    leads = []
    for i in range(n):
        leads.append(sim.add_contact("lead", name=f"New {mark} {i}", index=False)["id"])
        sim.add_conversation(leads[-1], index=False)
        sim.add_company(f"New {mark} {i}", company_id=f"new-{mark}-{i}")
    return leads


def measure(size: int, changes: list[int], lookback: int, storage: str, note: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    rng = random.Random(size)
    with Simulator(token=TOKEN) as sim:
        started = time.perf_counter()
        users, conversations = fill(sim, size)
        note(f"{size} contacts: workspace filled in {time.perf_counter() - started:.1f} s")
        ws = Workspace(sim, storage, lookback)
        for trigger in TRIGGERS:
            outcome, calls, seconds = ws.poll(trigger)
            rows.append(Row(size, "first poll", trigger, calls, seconds, outcome.events))
        previous: list[str] = []
        for n in changes:
            time.sleep(1.05)  # the changes get a second of their own
            previous = change(sim, users, conversations, previous, n, rng)
            for trigger in TRIGGERS:
                outcome, calls, seconds = ws.poll(trigger)
                rows.append(Row(size, str(n), trigger, calls, seconds, outcome.events))
        quiet = [
            ("0, inside look-back", 0.0),
            ("0, sealing poll", lookback + SEAL_MARGIN_SECONDS + 1.0),
            ("0, sealed", 0),
        ]
        for label, shift in quiet:
            ws.shift += shift  # our clock: the look-back (and its margin) has passed
            for trigger in TRIGGERS:
                outcome, calls, seconds = ws.poll(trigger)
                rows.append(Row(size, label, trigger, calls, seconds, outcome.events))
        ws.client.close()
    return rows


def table(rows: list[Row], triggers: list[str]) -> str:
    header = "| contacts | changes since last poll | " + " | ".join(triggers) + " |"
    lines = [header, "|" + "---|" * (2 + len(triggers))]
    keys = list(dict.fromkeys((r.size, r.changes) for r in rows))
    for size, changes in keys:
        cells = []
        for trigger in triggers:
            row = next(r for r in rows if (r.size, r.changes, r.trigger) == (size, changes, trigger))
            cells.append(f"{row.calls} ({row.seconds:.2f} s, {row.events} ev)")
        lines.append(f"| {size:,} | {changes} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--changes", default="0,10,500")
    parser.add_argument("--lookback", type=int, default=600)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    changes = [int(c) for c in args.changes.split(",")]
    rows: list[Row] = []
    with Azurite() as azurite:
        for size in sizes:
            rows += measure(size, changes, args.lookback, azurite.connection_string, print)
    print()
    print("Intercom calls per poll (poll wall time, events logged); POLL_LOOKBACK_SECONDS =", args.lookback)
    print()
    names = list(TRIGGERS)
    print(table(rows, names[:4]))
    print()
    print(table(rows, names[4:]))


if __name__ == "__main__":
    main()
