"""Timers on the devserver: NCRONTAB from a `%SETTING%`, the Disabled setting, past_due after an overrun,
run_on_startup, never two runs of one timer at once; and SIGTERM stops it all with exit code 0."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx
import pytest

from devserver.process import DevServerProcess
from tests.devserver.test_host_http import SAMPLE_APP

WATCH_SECONDS = 4.5


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the sample app with per-second timers for a few seconds; what its timers recorded, and its listing."""
    timer_file = tmp_path_factory.mktemp("timers") / "runs.jsonl"
    env = {
        "SAMPLE_SCHEDULE": "*/1 * * * * *",
        "SAMPLE_TIMER_FILE": str(timer_file),
        "SAMPLE_LAGGARD_SECONDS": "2.2",
        "AzureWebJobs.tock.Disabled": "true",
    }
    server = DevServerProcess(env, app=SAMPLE_APP).start()
    try:
        started = time.time()
        time.sleep(WATCH_SECONDS)
        listing = {f["name"]: f for f in httpx.get(f"{server.base_url}/admin/functions", trust_env=False).json()}
        recorded = [json.loads(line) for line in timer_file.read_text().splitlines()]
        status, body = server.run_function("tock")
    finally:
        exit_code = server.stop()
    return {
        "started": started,
        "runs": recorded,
        "listing": listing,
        "admin_run": (status, body),
        "exit_code": exit_code,
        "log": server.log_text(),
        "after_admin": [json.loads(line) for line in timer_file.read_text().splitlines()],
    }


def runs_of(observed: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [run for run in observed["runs"] if run["name"] == name]


def test_schedule_from_a_setting_fires_every_second_on_time(observed: dict[str, Any]) -> None:
    ticks = runs_of(observed, "tick")
    assert WATCH_SECONDS - 2 <= len(ticks) <= WATCH_SECONDS + 1
    times = [run["t"] for run in ticks]
    assert len({int(t) for t in times}) == len(times)  # one run per scheduled second
    assert all(0.5 < later - earlier < 1.5 for earlier, later in itertools.pairwise(times))
    assert not any(run["past_due"] for run in ticks)
    assert observed["listing"]["tick"]["resolved_schedule"] == "*/1 * * * * *"
    assert ticks[-1]["status"]["Last"] is not None  # schedule_status carries the previous run


def test_disabled_timer_does_not_run_on_schedule_but_runs_on_demand(observed: dict[str, Any]) -> None:
    assert runs_of(observed, "tock") == []
    assert observed["listing"]["tock"]["disabled"] is True
    assert observed["admin_run"] == (200, {"function": "tock", "status": "succeeded"})
    assert [run["name"] for run in observed["after_admin"]].count("tock") == 1


def test_overrun_makes_the_next_run_past_due_and_runs_never_overlap(observed: dict[str, Any]) -> None:
    laggard = runs_of(observed, "laggard")
    assert len(laggard) >= 2
    assert laggard[0]["past_due"] is False
    assert all(run["past_due"] for run in laggard[1:])
    starts = [run["t"] for run in laggard]
    assert all(later - earlier >= 2.1 for earlier, later in itertools.pairwise(starts))
    assert "laggard started (schedule, past due by" in observed["log"]


def test_run_on_startup(observed: dict[str, Any]) -> None:
    startup = runs_of(observed, "on_startup")
    assert len(startup) == 1
    assert startup[0]["past_due"] is False
    assert startup[0]["t"] - observed["started"] < 1.0


def test_sigterm_stops_cleanly(observed: dict[str, Any]) -> None:
    assert observed["exit_code"] == 0
    assert "SIGTERM: stopping" in observed["log"]
    assert observed["log"].rstrip().endswith("stopped")
