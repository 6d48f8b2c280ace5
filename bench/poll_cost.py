"""Intercom calls per poll cycle, for 1, 10 and all the polled triggers, before and after one read per object.

    .venv/bin/python -m bench.poll_cost [--sizes 1000,10000] [--changes 10,500] [--lookback 600]

Starts its own Azurite and Intercom simulator on loopback. Each workspace holds SIZE contacts (half users, half
leads, created over the last 30 days), SIZE/10 conversations, SIZE/100 companies and SIZE/100 tickets. Three sets of
triggers are polled on it, each in two ways, each on its own connection (its own checkpoints), all over the same
changes:

- "before": each trigger's read alone (`poll`: its own search, as every trigger polled until one read per object);
- "after": one read per object for all of the set's triggers that read it (`poll_object`, as the timers poll now).

The sets: `user-updated` alone; the ten triggers of interface §4 and §8; all the polled triggers (19: contact-deleted
and intercom-notification are webhook only). Rows: the first cycle (TRIGGER_START now; the contact reads add
`GET /me`), a quiet cycle, then for each N of `--changes` the cycle after N changes (N users tagged, updated and
unsubscribed, N conversations closed, N leads, conversations, companies and tickets created, N conversations replied
to by their contact and N/2 by a teammate and N/2 assigned, N/2 tickets moved to another state, and the leads of the
previous round half tagged and given an email, half converted), then three quiet cycles after the last changes: one
inside their look-back, one a look-back (+ SEAL_MARGIN_SECONDS) later, which seals them, and the next one. Cells:
Intercom calls of the cycle (GET /me included), and in brackets the events logged. The budget is not limited here
(calls are counted, not spread out).
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypedDict

from pydantic import SecretStr

from devserver.azurite import Azurite
from intercom_sim import Simulator
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.throttle import MemoryLimiter
from shared.settings import Connection
from shared.triggers.eventlog import EventLog
from shared.triggers.poll import SEAL_MARGIN_SECONDS, PollOutcome, poll, poll_object
from shared.triggers.registry import TRIGGERS, of_interface

TOKEN = "bench-poll-token"
MONTH = 30 * 86_400
POLLED = tuple(name for name, t in TRIGGERS.items() if t.source is not None)
SETS = {
    "1 (user-updated)": ("user-updated",),
    "10 (§4, §8)": of_interface(4, 8),
    f"all {len(POLLED)} polled": POLLED,
}
TICKET_TYPE = "2001"  # the simulator's Bug report, which needs a Platform
TICKET_STATES = ("8322", "8323", "8324")


class _Options(TypedDict):
    trigger_start: timedelta
    lookback: int
    deadline: Deadline
    clock: Callable[[], float]


@dataclass
class Reader:
    """One set of triggers on its own connection, polled alone (`shared`: False) or by object reads (True)."""

    sim: Simulator
    storage: str
    lookback: int
    triggers: tuple[str, ...]
    shared: bool
    name: str = field(default_factory=lambda: "b" + uuid.uuid4().hex[:10])
    shift: float = 0.0

    def __post_init__(self) -> None:
        conn = Connection(self.name, SecretStr(TOKEN), self.sim.base_url, "2.16")
        self.client = IntercomClient(conn, MemoryLimiter(1_000_000, 60.0))

    def cycle(self) -> tuple[int, int]:
        """(Intercom calls, events logged) of one poll cycle of the set."""
        self.sim.clear_requests()
        outcomes: list[PollOutcome] = []
        if self.shared:
            for source in dict.fromkeys(TRIGGERS[t].source for t in self.triggers):
                logs = [self.log(t) for t in self.triggers if TRIGGERS[t].source is source]
                outcomes += poll_object(logs, self.client, **self._options())
        else:
            outcomes = [poll(self.log(t), self.client, **self._options()) for t in self.triggers]
        return len(self.sim.requests()), sum(o.events for o in outcomes)

    def _options(self) -> _Options:
        return {
            "trigger_start": timedelta(0),
            "lookback": self.lookback,
            "deadline": Deadline.after(240),
            "clock": lambda: self.sim.now() + self.shift,
        }

    def log(self, trigger: str) -> EventLog:
        return EventLog(self.storage, self.name, trigger)


@dataclass
class Objects:
    users: list[str]
    conversations: list[str]
    tickets: list[str]
    previous: list[str] = field(default_factory=list)  # the leads the last round created


def fill(sim: Simulator, size: int) -> Objects:
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
    tickets = [
        sim.add_ticket(TICKET_TYPE, users[n], attributes={"Platform": "opt-web"}, index=False)["id"]
        for n in range(size // 100)
    ]
    return Objects(users, conversations, tickets)


def change(sim: Simulator, objects: Objects, n: int, rng: random.Random) -> None:
    """The changes of one round (see the module's docstring)."""
    tag = sim.add_tag("bench")["id"]
    for user_id in rng.sample(objects.users, n):
        sim.tag_contact(user_id, tag)
        sim.update_contact(user_id, name=f"changed {rng.random():.6f}", unsubscribed_from_emails=True)
    touched = rng.sample(objects.conversations, min(n, len(objects.conversations)))
    for i, conversation in enumerate(touched):
        sim.close_conversation(conversation)
        sim.reply_as_contact(conversation)
        if i % 2:
            sim.reply_as_admin(conversation)
        else:
            sim.assign_conversation(conversation, "991267002")
    for i, ticket in enumerate(rng.sample(objects.tickets, min(n // 2, len(objects.tickets)))):
        sim.set_ticket_state(ticket, TICKET_STATES[i % len(TICKET_STATES)])
    mark = uuid.uuid4().hex[:8]
    for i, lead_id in enumerate(objects.previous):
        if i % 2:
            sim.update_contact(lead_id, role="user", email=f"converted-{mark}-{i}@example.com")
        else:
            sim.tag_contact(lead_id, tag)
            sim.update_contact(lead_id, email=f"added-{mark}-{i}@example.com")
    objects.previous = []
    for i in range(n):
        objects.previous.append(sim.add_contact("lead", name=f"New {mark} {i}", index=False)["id"])
        sim.add_conversation(objects.previous[-1], index=False)
        sim.add_company(f"New {mark} {i}", company_id=f"new-{mark}-{i}")
        made = sim.add_ticket(TICKET_TYPE, objects.users[i % len(objects.users)], attributes={"Platform": "opt-web"})
        objects.tickets.append(made["id"])


Row = tuple[str, dict[tuple[str, bool], tuple[int, int]]]  # (what happened, {(set, shared): (calls, events)})


def measure(size: int, changes: list[int], lookback: int, storage: str, note: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    rng = random.Random(size)
    with Simulator(token=TOKEN) as sim:
        started = time.perf_counter()
        objects = fill(sim, size)
        note(f"{size:,} contacts: workspace filled in {time.perf_counter() - started:.1f} s")
        readers = {
            (label, shared): Reader(sim, storage, lookback, triggers, shared)
            for label, triggers in SETS.items()
            for shared in (False, True)
        }

        def cycle(label: str) -> None:
            rows.append((label, {key: reader.cycle() for key, reader in readers.items()}))

        cycle("first cycle")
        time.sleep(1.05)  # the changes get a second of their own
        cycle("0 (quiet)")
        for n in changes:
            time.sleep(1.05)
            change(sim, objects, n, rng)
            cycle(f"{n}")
        for label, shift in (("0, inside look-back", 0.0), ("0, sealing", lookback + SEAL_MARGIN_SECONDS + 1.0)):
            for reader in readers.values():
                reader.shift += shift  # our clock: the look-back (and its margin) has passed
            cycle(label)
        cycle("0, sealed")
        for reader in readers.values():
            reader.client.close()
    return rows


def table(size: int, rows: list[Row]) -> str:
    keys = [(label, shared) for label in SETS for shared in (False, True)]
    header = "| contacts | changes | " + " | ".join(f"{label}, {'after' if s else 'before'}" for label, s in keys)
    lines = [header + " |", "|" + "---|" * (2 + len(keys))]
    for label, cells in rows:
        shown = [f"{cells[key][0]} ({cells[key][1]} ev)" for key in keys]
        lines.append(f"| {size:,} | {label} | " + " | ".join(shown) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--changes", default="10,500")
    parser.add_argument("--lookback", type=int, default=600)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    changes = [int(c) for c in args.changes.split(",")]
    with Azurite() as azurite:
        tables = [
            table(size, measure(size, changes, args.lookback, azurite.connection_string, print)) for size in sizes
        ]
    print()
    print(f"Intercom calls per poll cycle (events logged); POLL_LOOKBACK_SECONDS = {args.lookback}")
    print("before: each trigger's read alone; after: one read per object for the set's triggers")
    for text in tables:
        print()
        print(text)


if __name__ == "__main__":
    main()
