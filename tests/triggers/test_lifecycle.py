"""The life of a trigger: its first poll (TRIGGER_START now or P1D), what a quiet poll costs, lead conversion and
merge, pruning, and the timer functions as the Functions host runs them."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import azure.functions as func
import pytest
from azure.functions.decorators.function_app import Function
from azure.functions.timer import TimerRequest
from pydantic import SecretStr

from functions import triggers
from intercom_sim import Simulator
from shared.consumers.subscriptions import subscribe
from shared.intercom.client import reset_clients
from shared.intercom.deadline import Deadline
from shared.settings import Connection, Settings, get_settings, reset_settings_cache
from shared.triggers import poll as polling
from shared.triggers.markers import MARKER_RETENTION_SECONDS, Markers
from shared.triggers.registry import TRIGGERS
from tests.triggers.support import FIRST_FOUR, Harness, doubles

DAY = 86_400


def history(sim: Simulator, now: int) -> dict[str, dict[str, str]]:
    """Users, leads and conversations from 2 days ago and from an hour ago, all searchable."""
    made: dict[str, dict[str, str]] = {}
    for label, at in (("old", now - 2 * DAY), ("recent", now - 3600)):
        user = sim.add_contact("user", email=f"{label}-u@example.com", created_at=at, index=False)
        lead = sim.add_contact("lead", email=f"{label}-l@example.com", created_at=at, index=False)
        conv = sim.add_conversation(user["id"], created_at=at, index=False)
        made[label] = {"user": user["id"], "lead": lead["id"], "conversation": conv["id"]}
    return made


# -- the first poll -----------------------------------------------------------------------------------------------


def test_first_poll_with_trigger_start_now_replays_no_history(sim: Simulator, storage_conn: str) -> None:
    history(sim, int(sim.now()))
    h = Harness(sim, storage_conn)
    assert all(o.events == 0 for o in h.poll_all())
    assert all(h.keys(t) == [] for t in FIRST_FOUR)
    time.sleep(1.05)
    fresh = sim.add_contact("user", email="fresh@example.com", index=False)
    h.poll_all()
    assert h.keys("user-created") == [fresh["id"]]
    assert h.keys("user-updated") == [f"{fresh['id']}:{fresh['updated_at']}"]
    assert h.keys("lead-created") == h.keys("conversation-started") == []


def test_first_poll_with_trigger_start_p1d_replays_the_last_day(sim: Simulator, storage_conn: str) -> None:
    now = int(sim.now())
    made = history(sim, now)
    updated = sim.update_contact(made["old"]["user"], at=now - 1800, name="changed")  # an old user, updated today
    h = Harness(sim, storage_conn, trigger_start=timedelta(days=1))
    h.poll_all()
    recent = made["recent"]
    assert h.keys("user-created") == [recent["user"]]
    assert h.keys("lead-created") == [recent["lead"]]
    assert h.keys("conversation-started") == [recent["conversation"]]
    # Oldest first in the log.
    assert h.keys("user-updated") == [f"{recent['user']}:{now - 3600}", f"{updated['id']}:{now - 1800}"]
    checkpoint = h.log("user-updated").checkpoint()
    assert checkpoint is not None
    assert abs(checkpoint.start - (now - DAY)) <= 2
    h.poll_all()
    assert all(not doubles(h.keys(t)) for t in FIRST_FOUR)


# -- cost ---------------------------------------------------------------------------------------------------------


def test_a_quiet_poll_costs_one_intercom_call_per_trigger(sim: Simulator, storage_conn: str) -> None:
    now = int(sim.now())
    sim.bulk_add_contacts(2000, role="user", start=now - 20_000, spacing_seconds=10)
    sim.bulk_add_contacts(2000, role="lead", start=now - 20_000, spacing_seconds=10)
    h = Harness(sim, storage_conn, lookback=30)
    sim.clear_requests()
    h.poll_all()
    first = [(r.method, r.path) for r in sim.requests()]
    assert first.count(("GET", "/me")) == 3  # once per contact trigger: the timezone, kept in its checkpoint
    assert len(first) == 3 + 4

    for _ in range(3):
        sim.clear_requests()
        outcomes = h.poll_all()
        calls = [(r.method, r.path) for r in sim.requests()]
        assert calls == [
            ("POST", "/contacts/search"),
            ("POST", "/contacts/search"),
            ("POST", "/contacts/search"),
            ("POST", "/conversations/search"),
        ]
        assert [o.pages for o in outcomes] == [1, 1, 1, 1]

    # 10 changes: still one page each.
    time.sleep(1.05)
    for i in range(10):
        sim.add_contact("user" if i % 2 else "lead", email=f"c{i}@example.com", index=False)
    sim.clear_requests()
    outcomes = h.poll_all()
    assert len(sim.requests()) == 4
    assert [o.events for o in outcomes] == [5, 5, 5, 0]

    # A day later (our clock), the timezone is read again: one more call, once.
    h.clock_shift = DAY + 1
    sim.clear_requests()
    h.poll_all()
    assert [r.path for r in sim.requests()].count("/me") == 3
    sim.clear_requests()
    h.poll_all()
    assert len(sim.requests()) == 4


def test_quiet_polls_after_a_burst_cost_one_call_once_the_look_back_has_passed(
    sim: Simulator, storage_conn: str
) -> None:
    """400 changes in one second are 3 pages. While they are inside the look-back every poll reads them again (a
    late write could still land among them); once a complete poll ran POLL_LOOKBACK_SECONDS + SEAL_MARGIN_SECONDS
    after them, they are sealed and a quiet poll is one call again."""
    h = Harness(sim, storage_conn, lookback=30)
    h.poll("user-updated")
    time.sleep(1.05)
    ids = sim.bulk_add_contacts(400, role="user", start=int(sim.now()), spacing_seconds=0)
    assert h.poll("user-updated").events == 400
    assert h.poll("user-updated").pages == 3  # inside the look-back: read again
    h.clock_shift = 30 + polling.SEAL_MARGIN_SECONDS + 1  # our clock: the look-back and its margin have passed
    sealing = h.poll("user-updated")
    assert (sealing.pages, sealing.events) == (3, 0)
    sim.clear_requests()
    quiet = h.poll("user-updated")
    assert (quiet.pages, len(sim.requests())) == (1, 1)
    time.sleep(1.05)
    changed = sim.update_contact(ids[0], name="after the seal")
    assert h.poll("user-updated").events == 1
    assert h.keys("user-updated")[-1] == f"{ids[0]}:{changed['updated_at']}"
    assert not doubles(h.keys("user-updated"))


# -- lead conversion and merge ------------------------------------------------------------------------------------


def test_lead_conversion_and_merge(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn, lookback=5, trigger_start=timedelta(days=1))
    now = int(sim.now())
    lead = sim.add_contact("lead", email="lead@example.com", created_at=now - 3600, index=False)
    before_start = sim.add_contact("lead", email="early@example.com", created_at=now - 3 * DAY, updated_at=now - 60)
    user = sim.add_contact("user", email="user@example.com", created_at=now - 7200, index=False)
    h.poll_all()
    assert h.keys("lead-created") == [lead["id"]]  # the other lead was created before the trigger's start
    assert h.keys("user-created") == [user["id"]]
    markers = Markers(storage_conn, h.name, "user-created")
    assert markers.marked([lead["id"], before_start["id"], user["id"]]) == {lead["id"], before_start["id"]}

    # Conversion through the API (what "Create or update user" does with a lead's email): PUT role=user.
    time.sleep(1.05)
    converted = h.client.put(f"/contacts/{lead['id']}", {"role": "user"}, deadline=Deadline.after(5))
    assert converted["created_at"] == now - 3600  # same id, old created_at: a created_at search cannot see it
    h.poll_all()
    assert h.keys("user-created") == [user["id"], lead["id"]]
    assert h.keys("user-updated")[-1] == f"{lead['id']}:{converted['updated_at']}"
    assert h.keys("lead-created") == [lead["id"]]
    assert markers.marked([lead["id"]]) == set()  # its marker went with its event
    body = h.events("user-created")[-1].body
    assert body["type"] == "user"
    assert body["id"] == lead["id"]

    # A lead created before the start, but seen as a lead since: its conversion makes a user-created.
    sim.update_contact(before_start["id"], role="user")
    h.poll_all()
    assert h.keys("user-created")[-1] == before_start["id"]

    # Merged into a user: the lead vanishes; no user-created, the user's update is a user-updated.
    merged = sim.add_contact("lead", email="merged@example.com", index=False)
    h.poll_all()
    assert h.keys("lead-created")[-1] == merged["id"]
    time.sleep(1.05)
    target = sim.merge_contact(merged["id"], user["id"])
    # A lead created and merged between two polls is never seen: no event at all.
    ghost = sim.add_contact("lead", email="ghost@example.com", index=False)
    sim.merge_contact(ghost["id"], user["id"])
    created_before = h.keys("user-created")
    h.poll_all()
    assert h.keys("user-created") == created_before
    assert ghost["id"] not in h.keys("lead-created")
    assert h.keys("user-updated")[-1] == f"{user['id']}:{target['updated_at']}"

    # Created and converted between two polls: a user-created (it is new), never a lead-created.
    quick = sim.add_contact("lead", email="quick@example.com", index=False)
    sim.update_contact(quick["id"], role="user")
    h.poll_all()
    assert h.keys("user-created")[-1] == quick["id"]
    assert quick["id"] not in h.keys("lead-created")

    # Documented limit: a lead no poll saw as a lead (created long before the start, untouched since) that is
    # converted now looks like an old user that was updated: user-updated, but no user-created.
    dormant = sim.add_contact("lead", email="dormant@example.com", created_at=now - 5 * DAY, index=False)
    time.sleep(1.05)
    woke = sim.update_contact(dormant["id"], role="user")
    h.poll_all()
    assert dormant["id"] not in h.keys("user-created")
    assert h.keys("user-updated")[-1] == f"{dormant['id']}:{woke['updated_at']}"
    for trigger in FIRST_FOUR:
        assert not doubles(h.keys(trigger)), trigger


def test_a_marker_left_behind_never_fires_twice(sim: Simulator, storage_conn: str) -> None:
    """The marker's delete after the event may fail; the key rows (read one by one, whatever their age) still
    hold the conversion to one user-created, also once the event is older than the look-back."""
    h = Harness(sim, storage_conn, lookback=1, trigger_start=timedelta(days=1))
    lead = sim.add_contact("lead", email="lead@example.com", created_at=int(sim.now()) - 3600, index=False)
    h.poll_all()
    time.sleep(1.05)
    converted = sim.update_contact(lead["id"], role="user")
    h.poll_all()
    assert h.keys("user-created") == [lead["id"]]
    Markers(storage_conn, h.name, "user-created").mark({lead["id"]: converted["updated_at"]})
    time.sleep(2.1)  # the event is now older than the look-back: seen_keys(cutoff) no longer lists its key
    again = sim.update_contact(lead["id"], name="again")
    newcomer = sim.add_contact("user", email="new@example.com", index=False)
    outcome = h.poll("user-created")
    # Not merely no double (a second key row would fail the commit): the poll must not stall on it either.
    assert outcome.status == "ok"
    assert h.keys("user-created") == [lead["id"], newcomer["id"]]
    h.poll("user-updated")
    assert f"{lead['id']}:{again['updated_at']}" in h.keys("user-updated")


# -- pruning ------------------------------------------------------------------------------------------------------


def settings_for(h: Harness, storage_conn: str, lookback: int) -> Settings:
    conn = Connection(h.name, SecretStr(h.sim.token), h.sim.base_url, "2.16")
    return Settings(
        connections={h.name: conn},
        storage_connection_string=SecretStr(storage_conn),
        poll_lookback_seconds=lookback,
        event_retention_days=7,
    )


def test_prune_keeps_what_exactly_once_needs(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn, lookback=30, trigger_start=timedelta(days=3))
    now = int(sim.now())
    old_lead = sim.add_contact("lead", email="o@example.com", created_at=now - 2 * DAY, index=False)
    new_lead = sim.add_contact("lead", email="n@example.com", created_at=now - 60, index=False)
    old_user = sim.add_contact("user", email="ou@example.com", created_at=now - 2 * DAY, index=False)
    h.poll_all()
    settings = settings_for(h, storage_conn, 30)
    log = h.log("lead-created")

    polling.prune_trigger(settings, h.name, "lead-created", now=time.time())
    assert [e.object_id for e in h.events("lead-created")] == [old_lead["id"], new_lead["id"]]  # events: 7 days
    assert log.logged([old_lead["id"], new_lead["id"]]) == {new_lead["id"]}  # keys: look-back + a day
    polling.prune_trigger(settings, h.name, "user-created", now=time.time())
    assert h.log("user-created").logged([old_user["id"]]) == {old_user["id"]}  # user-created keys: 91 days

    marker_log = Markers(storage_conn, h.name, "user-created")
    checkpoint = h.log("user-created").checkpoint()
    assert checkpoint is not None
    marker_log.mark({"aaaa": checkpoint.watermark - MARKER_RETENTION_SECONDS - 1, "bbbb": checkpoint.watermark})
    polling.prune_trigger(settings, h.name, "user-created", now=time.time())
    assert marker_log.marked(["aaaa", "bbbb"]) == {"bbbb"}

    removed = polling.prune_trigger(settings, h.name, "lead-created", now=time.time() + 8 * DAY)
    assert removed == 2
    assert h.events("lead-created") == []
    assert log.head() == 2  # the cursor position survives
    h.poll_all()  # nothing comes back
    assert h.events("lead-created") == []


def test_key_bounds_per_trigger() -> None:
    w, lookback = 10_000_000, 600
    for trigger in ("user-updated", "lead-created", "conversation-started"):
        assert polling.key_bound(trigger, w, lookback) == w - lookback - polling.KEY_MARGIN_SECONDS
    assert polling.key_bound("user-created", w, lookback) == w - MARKER_RETENTION_SECONDS - polling.KEY_MARGIN_SECONDS


# -- the timer functions ------------------------------------------------------------------------------------------


@pytest.fixture
def two_connections(
    sim: Simulator, storage_conn: str, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    """App settings with a connection whose token Intercom refuses, then a good one."""
    bad, good = unique_name + "x", unique_name + "y"
    for key in ("INTERCOM_ACCESS_TOKEN", "INTERCOM_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AzureWebJobsStorage", storage_conn)
    monkeypatch.setenv("INTERCOM_CONNECTIONS", f"{bad},{good}")
    monkeypatch.setenv(f"INTERCOM_ACCESS_TOKEN__{bad}", "refused-token-0123456789")
    monkeypatch.setenv(f"INTERCOM_BASE_URL__{bad}", sim.base_url)
    monkeypatch.setenv(f"INTERCOM_ACCESS_TOKEN__{good}", sim.token)
    monkeypatch.setenv(f"INTERCOM_BASE_URL__{good}", sim.base_url)
    monkeypatch.setenv("TRIGGER_START", "PT1H")
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")
    reset_settings_cache()
    reset_clients()
    yield bad, good
    reset_settings_cache()
    reset_clients()


def timer_functions() -> list[Function]:
    """The blueprint's functions as the host indexes them (an app of their own: azure.functions indexes an app
    once, and function_app.app belongs to whoever imports it first)."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    app.register_functions(triggers.bp)
    return app.get_functions()


def run_timer(name: str) -> None:
    function = next(f for f in timer_functions() if f.get_function_name() == name)
    function.get_user_function()(TimerRequest(past_due=False))


def test_timer_functions_poll_every_connection(
    sim: Simulator, storage_conn: str, two_connections: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    bad, good = two_connections
    bindings: dict[str | None, list[Any]] = {f.get_function_name(): f.get_bindings() for f in timer_functions()}
    timers = {name: [(b.schedule, b.use_monitor) for b in found] for name, found in bindings.items()}
    assert timers == {
        **{t.timer: [("%POLL_SCHEDULE%", True)] for t in TRIGGERS.values()},
        "prune_events": [("0 30 3 * * *", True)],
    }
    # A webhook subscriber of user-created on the good connection: the poll that logs the event pushes it.
    received: list[dict[str, Any]] = []

    class Callback(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = get_settings()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    subscribe(settings, settings.connection(good), "user-created", {"callbackUrl": url})
    user = sim.add_contact("user", email="timer@example.com", created_at=int(sim.now()) - 60, index=False)
    lead = sim.add_contact("lead", email="timer-lead@example.com", created_at=int(sim.now()) - 60, index=False)
    conv = sim.add_conversation(user["id"], created_at=int(sim.now()) - 60, index=False)
    caplog.set_level(logging.INFO)
    for trigger in FIRST_FOUR:
        run_timer(TRIGGERS[trigger].timer)
    harness = Harness(sim, storage_conn, name=good)
    assert harness.keys("user-created") == [user["id"]]
    assert harness.keys("lead-created") == [lead["id"]]
    assert harness.keys("conversation-started") == [conv["id"]]
    assert harness.keys("user-updated") == [f"{user['id']}:{user['updated_at']}"]
    refused = Harness(sim, storage_conn, name=bad)
    assert all(refused.keys(t) == [] for t in FIRST_FOUR)
    assert f"connection={bad} status=partial" in caplog.text
    assert "refused-token" not in caplog.text
    assert sim.token not in caplog.text
    assert [event["id"] for event in received] == [user["id"]]
    server.shutdown()
    run_timer("prune_events")
    assert harness.keys("user-created") == [user["id"]]  # nothing young is pruned
