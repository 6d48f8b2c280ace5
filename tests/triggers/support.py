"""Helpers of the trigger tests: a harness that polls the triggers of interface §4 in-process against the simulator and
Azurite, reads the logs back, and compares them with the simulator's ground truth; a TCP proxy that cuts storage."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import SecretStr

from devserver.ports import free_port
from intercom_sim import Simulator
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.throttle import Limiter, MemoryLimiter
from shared.settings import Connection
from shared.triggers.eventlog import Event, EventLog
from shared.triggers.poll import SEAL_MARGIN_SECONDS, PollOutcome, poll, poll_object
from shared.triggers.registry import TRIGGERS, of_interface

# The triggers of interface §4, which most tests of this folder check; test_poll_only checks those of §8.
FIRST_FOUR = of_interface(4)


def make_client(sim: Simulator, name: str, limiter: Limiter | None = None) -> IntercomClient:
    conn = Connection(name=name, access_token=SecretStr(sim.token), base_url=sim.base_url, api_version="2.16")
    return IntercomClient(conn, limiter or MemoryLimiter(100_000, 60.0))


@dataclass
class Harness:
    """The triggers of one connection (those of §4 unless told), polled directly (no timer), with the simulator's
    clock as "now"."""

    sim: Simulator
    storage_conn: str
    lookback: int = 30
    trigger_start: timedelta = timedelta(0)
    deadline_seconds: float = 20.0
    limiter: Limiter | None = None
    seal_margin: int = SEAL_MARGIN_SECONDS
    clock_shift: float = 0.0  # our clock = Intercom's + this (the timezone refresh, or a host clock that is off)
    name: str = field(default_factory=lambda: "p" + uuid.uuid4().hex[:10])
    outcomes: list[PollOutcome] = field(default_factory=list)
    triggers: tuple[str, ...] = FIRST_FOUR  # what poll_all polls

    def __post_init__(self) -> None:
        self.client = make_client(self.sim, self.name, self.limiter)
        self._lock = threading.Lock()

    def log(self, trigger: str, storage_conn: str | None = None) -> EventLog:
        return EventLog(storage_conn or self.storage_conn, self.name, trigger)

    def poll(
        self,
        trigger: str,
        *,
        event_log: EventLog | None = None,
        client: IntercomClient | None = None,
        deadline_seconds: float | None = None,
        storage_conn: str | None = None,
    ) -> PollOutcome:
        conn = storage_conn or self.storage_conn
        outcome = poll(
            event_log or self.log(trigger, conn),
            client or self.client,
            trigger_start=self.trigger_start,
            lookback=self.lookback,
            deadline=Deadline.after(self.deadline_seconds if deadline_seconds is None else deadline_seconds),
            clock=lambda: self.sim.now() + self.clock_shift,
            seal_margin=self.seal_margin,
        )
        with self._lock:
            self.outcomes.append(outcome)
        return outcome

    def poll_all(self) -> list[PollOutcome]:
        """One read of each object for the harness's triggers that read it, as the timers poll."""
        outcomes: list[PollOutcome] = []
        for source in dict.fromkeys(TRIGGERS[t].source for t in self.triggers if TRIGGERS[t].source is not None):
            outcomes += poll_object(
                [self.log(t) for t in self.triggers if TRIGGERS[t].source is source],
                self.client,
                trigger_start=self.trigger_start,
                lookback=self.lookback,
                deadline=Deadline.after(self.deadline_seconds),
                clock=lambda: self.sim.now() + self.clock_shift,
                seal_margin=self.seal_margin,
            )
        with self._lock:
            self.outcomes += outcomes
        return outcomes

    def events(self, trigger: str) -> list[Event]:
        return read_all(self.log(trigger))

    def keys(self, trigger: str) -> list[str]:
        return [e.key for e in self.events(trigger)]


def faulty_search(sim: Simulator, max_lag: float) -> None:
    """Search lags writes by up to `max_lag` seconds (out of order) and 20% of Intercom's answers are faults (500,
    503, 429, a dropped connection)."""
    sim.configure(
        index_delay=(0.0, max_lag), fault_rate=0.2, fault_kinds=("500", "503", "429", "timeout"), timeout_seconds=0.3
    )


class BackgroundPoller:
    """Polls the harness's triggers every `every` seconds in a thread, like the timers; `stop()` returns its errors."""

    def __init__(self, h: Harness, every: float) -> None:
        self.h, self.every = h, every
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.h.poll_all()
            except BaseException as exc:
                self.errors.append(exc)
            self._stop.wait(self.every)

    def stop(self) -> list[BaseException]:
        self._stop.set()
        self._thread.join()
        return self.errors


def read_all(event_log: EventLog) -> list[Event]:
    events: list[Event] = []
    while True:
        page = event_log.read(events[-1].seq if events else 0, limit=100)
        if not page:
            return events
        events += page


def doubles(keys: Iterable[str]) -> list[str]:
    return sorted(k for k, n in Counter(keys).items() if n > 1)


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()


class TcpProxy:
    """A loopback TCP forwarder in front of Azurite; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._down = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def connection_string(self) -> str:
        from shared.storage import azurite_connection_string

        return azurite_connection_string(self.port)

    def cut(self) -> None:
        self._down.set()
        with self._lock:
            for sock in self._socks:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._socks.clear()

    def restore(self) -> None:
        self._down.clear()

    def close(self) -> None:
        self.cut()
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self._down.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._socks += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.close()


@dataclass
class Verdict:
    """One trigger's log against the simulator's ground truth."""

    missed: set[str]
    doubled: list[str]
    unexpected: set[str]

    @property
    def exact(self) -> bool:
        return not (self.missed or self.doubled or self.unexpected)


def ground_truth(sim: Simulator, start: int) -> dict[str, set[str]]:
    """What each log must hold, from the simulator's live objects (merged leads excluded): ids, and for
    user-updated the LATEST (id, updated_at) of every user updated since start."""
    contacts = sim.contacts()
    users = [c for c in contacts if c["role"] == "user"]
    return {
        "lead-created": {c["id"] for c in contacts if c["role"] == "lead" and c["created_at"] >= start},
        "user-created": {c["id"] for c in users if c["created_at"] >= start},
        "conversation-started": {c["id"] for c in sim.conversations() if c["created_at"] >= start},
        "user-updated": {f"{c['id']}:{c['updated_at']}" for c in users if c["updated_at"] >= start},
    }


def verdicts(h: Harness, start: int, user_versions: set[str]) -> dict[str, Verdict]:
    """missed: expected but not logged; doubled: logged twice; unexpected: logged but not a real event (for
    user-updated: not a (user id, updated_at) version that existed after start)."""
    truth = ground_truth(h.sim, start)
    out: dict[str, Verdict] = {}
    for trigger, expected in truth.items():
        keys = h.keys(trigger)
        allowed = user_versions if trigger == "user-updated" else expected
        if trigger == "user-updated":
            allowed = {v for v in user_versions if int(v.rsplit(":", 1)[1]) >= start}
        out[trigger] = Verdict(expected - set(keys), doubles(keys), set(keys) - allowed)
    return out
