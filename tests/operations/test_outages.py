"""Issue 18's "done when", end to end over the devserver (interface §11): the token revoked in the simulator
mid-run, Intercom answering 503s, and storage cut. Each time the operator sees it where it shows (the polling
trigger's 502, `/api/health`, `/api/status`, a log line with its structured fields), and once it mends, the flow
gets every event written during the outage exactly once and health is back to healthy.

The app polls every 2 s (one timer, lead-created's, the others disabled), on Azurite behind a TCP proxy that can
cut it; the test follows the polling trigger's Location as Logic Apps does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import httpx
import pytest

from devserver.azurite import Azurite
from devserver.catalog import functions_of, load_app
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from shared.operations.verdicts import stale_after
from shared.storage import azurite_connection_string
from tests.triggers.support import TcpProxy

TOKEN = "tok-outages-0123456789abcdef"
REVOKED = "tok-rotated-fedcba9876543210"
PERIOD = 2
SCHEDULE = f"*/{PERIOD} * * * * *"
TRIGGER = "lead-created"
CODE = "function-key-123"
# The timer(s) that poll lead-created; the others stay off so the test's polls are few and quick.
KEEP = {"poll_lead_created", "poll_contacts"}
T = TypeVar("T")


def timers_off() -> dict[str, str]:
    names = [name for f in functions_of(load_app()) if (name := f.get_function_name() or "").startswith("poll_")]
    assert KEEP & set(names), "no timer polls lead-created any more: update KEEP"
    return {f"AzureWebJobs.{name}.Disabled": "true" for name in names if name not in KEEP}


def moment(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def wait_for(probe: Callable[[], T], done: Callable[[T], bool], timeout: float, what: str) -> T:
    end = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > end:
            pytest.fail(f"{what}: not within {timeout:.0f} s; last: {value!r}")
        time.sleep(0.2)


@dataclass
class World:
    sim: Simulator
    proxy: TcpProxy
    server: DevServerProcess
    http: httpx.Client
    name: str

    def health(self) -> httpx.Response:
        return self.http.get("/api/health")

    def status(self) -> httpx.Response:
        return self.http.get("/api/status", params={"code": CODE})

    def lead_created(self) -> dict[str, Any]:
        """The trigger's entry in /api/status."""
        (connection,) = self.status().json()["connections"]
        entry: dict[str, Any] = next(t for t in connection["triggers"] if t["trigger"] == TRIGGER)
        return entry

    def new_leads(self, count: int) -> list[str]:
        return [self.sim.add_contact("lead", email=f"l{time.time_ns()}@example.com")["id"] for _ in range(count)]

    def log_lines(self, level: str) -> list[dict[str, Any]]:
        """customDimensions of the log lines at `level` (E, W, I) that carry structured fields."""
        found = []
        for line in self.server.log_text().splitlines():
            text, marker, dims = line.partition(" | customDimensions ")
            if marker and text.split(" ", 2)[1] == level:
                found.append(json.loads(dims))
        return found


@dataclass
class Feed:
    """A Logic App's polling trigger: follows Location, remembers every event id handed out."""

    world: World
    location: str = ""
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        first = self.world.http.get(
            f"/api/triggers/{TRIGGER}", params={"code": CODE}, headers={"X-Intercom-Connection": self.world.name}
        )
        assert first.status_code == 202, first.text
        self.location = first.headers["Location"]

    def poll(self) -> httpx.Response:
        asked = self.location
        response = self.world.http.get(asked)
        if response.status_code == 200:
            self.seen += [event["id"] for event in response.json()["value"]]
        if response.status_code in (200, 202, 502):
            assert "Retry-After" in response.headers
            self.location = response.headers["Location"]
        if response.status_code in (202, 502):
            assert self.location == asked, "the cursor must stay where it was"
        return response

    def receives(self, ids: list[str], timeout: float = 30) -> None:
        wait_for(self.poll, lambda _: set(ids) <= set(self.seen), timeout, f"the flow gets {ids}")


@pytest.fixture(scope="module")
def world(azurite: Azurite) -> Iterator[World]:
    name = "out" + str(time.time_ns())[-9:]
    proxy = TcpProxy(azurite.port)
    storage = azurite_connection_string(proxy.port, queue_port=azurite.queue_port)
    with Simulator(token=TOKEN) as sim:
        env = {
            "AzureWebJobsStorage": storage,
            "INTERCOM_CONNECTIONS": name,
            f"INTERCOM_ACCESS_TOKEN__{name}": TOKEN,
            f"INTERCOM_BASE_URL__{name}": sim.base_url,
            "POLL_SCHEDULE": SCHEDULE,
            "POLL_LOOKBACK_SECONDS": "30",
            **timers_off(),
        }
        try:
            with (
                DevServerProcess(env) as server,
                httpx.Client(base_url=server.base_url, timeout=30, trust_env=False) as http,
            ):
                found = World(sim, proxy, server, http, name)
                wait_for(found.lead_created, lambda t: t["last_outcome"] == "ok", 30, "a first complete poll")
                yield found
        finally:
            proxy.close()


def recovers(world: World, feed: Feed, during: list[str], before: list[str]) -> None:
    """Every event of the outage reaches the flow once, nothing twice, and health is back to healthy."""
    feed.receives(during)
    wait_for(world.health, lambda r: r.json()["status"] == "healthy", 20, "health back to healthy")
    time.sleep(PERIOD)  # another poll: it adds nothing
    assert feed.poll().status_code == 202
    assert sorted(feed.seen) == sorted(before + during)
    assert len(feed.seen) == len(set(feed.seen))
    entry = world.lead_created()
    assert (entry["state"], entry["consecutive_failures"]) == ("ok", 0)


def test_token_revoked_then_restored(world: World) -> None:
    feed = Feed(world)
    before = world.new_leads(1)
    feed.receives(before)

    world.sim.token = REVOKED  # the token the app holds is revoked in Intercom
    revoked = time.monotonic()
    during = world.new_leads(3)
    failed = wait_for(feed.poll, lambda r: r.status_code == 502, PERIOD + 10, "the polling trigger's 502")
    assert time.monotonic() - revoked <= PERIOD + 8  # the next poll (within one period) plus its run
    error = failed.json()["error"]
    assert error["code"] == "trigger_unhealthy"
    assert f"connection '{world.name}'" in error["message"]
    assert "401" in error["message"]
    assert "Access Token Invalid" in error["message"]
    (detail,) = error["details"]
    assert (detail["connection"], detail["trigger"], detail["cause"]) == (world.name, TRIGGER, "unauthorized")
    assert detail["since"] is not None
    assert detail["last_success"] is not None

    health = world.health()
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["unhealthy"] == [
        {"connection": world.name, "trigger": TRIGGER, "cause": "unauthorized", "since": detail["since"]}
    ]
    entry = world.lead_created()
    assert (entry["state"], entry["cause"], entry["since"]) == ("failing", "unauthorized", detail["since"])
    assert entry["consecutive_failures"] >= 1
    errors = [d for d in world.log_lines("E") if d.get("cause") == "unauthorized"]
    assert errors
    assert errors[0] == {"connection": world.name, "trigger": TRIGGER, "cause": "unauthorized"}
    for text in (failed.text, health.text, world.status().text, world.server.log_text()):
        assert TOKEN not in text
        assert REVOKED not in text

    world.sim.token = TOKEN  # a valid token again
    recovers(world, feed, during, before)


def test_intercom_down_then_back(world: World) -> None:
    feed = Feed(world)
    last_success = world.lead_created()["last_success"]
    world.sim.configure(fault_rate=1.0, fault_kinds=("503",))
    during = world.new_leads(2)
    try:
        behind = wait_for(
            world.lead_created, lambda t: t["consecutive_failures"] >= 1, PERIOD + 10, "a failed poll recorded"
        )
        assert behind["cause"] == "intercom_unavailable"
        answers: list[tuple[float, int]] = []

        def poll() -> httpx.Response:
            response = feed.poll()
            answers.append((time.time(), response.status_code))
            return response

        failed = wait_for(poll, lambda r: r.status_code == 502, stale_after(PERIOD) + 15, "the 502 after three periods")
    finally:
        world.sim.configure(fault_rate=0.0)
    # Transient: 202 until three periods passed without a completed poll, then the 502.
    assert answers[-1][0] - moment(last_success) >= 3 * PERIOD
    assert {code for _, code in answers[:-1]} == {202}
    (detail,) = failed.json()["error"]["details"]
    assert detail["cause"] == "intercom_unavailable"
    assert "Intercom failed" in failed.json()["error"]["message"]
    assert world.health().json()["status"] == "degraded"
    warnings = [d for d in world.log_lines("W") if d.get("cause") == "intercom_unavailable"]
    assert warnings
    assert warnings[0] == {"connection": world.name, "trigger": TRIGGER, "cause": "intercom_unavailable"}
    assert not [d for d in world.log_lines("E") if d.get("cause") == "intercom_unavailable"]

    recovers(world, feed, during, [])


def test_storage_down_then_back(world: World) -> None:
    feed = Feed(world)
    world.proxy.cut()
    during = world.new_leads(2)
    try:
        down = wait_for(
            world.health,
            lambda r: any(u["cause"] == "storage_unavailable" for u in r.json().get("unhealthy", [])),
            PERIOD + 20,
            "health naming the storage outage",
        )
        assert down.status_code == 503
        assert down.json()["status"] == "unhealthy"
        (item,) = down.json()["unhealthy"]
        assert (item["connection"], item["trigger"]) == (world.name, TRIGGER)
        assert item["since"] is not None
        status = world.status()
        assert status.status_code == 503
        (connection,) = status.json()["connections"]
        entry = next(t for t in connection["triggers"] if t["trigger"] == TRIGGER)
        assert (entry["cause"], entry["since"]) == ("storage_unavailable", item["since"])
        trigger = feed.poll()
        assert trigger.status_code == 503  # the log itself cannot be read
        assert trigger.json()["error"]["code"] == "unavailable"
        warnings = [d for d in world.log_lines("W") if d.get("cause") == "storage_unavailable"]
        assert warnings
        assert warnings[0] == {"connection": world.name, "trigger": TRIGGER, "cause": "storage_unavailable"}
        assert "AccountKey" not in down.text + status.text + world.server.log_text()
    finally:
        world.proxy.restore()

    recovers(world, feed, during, [])
