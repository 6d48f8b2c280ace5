"""Starting and stopping the devserver: SIGINT mid-request, an app that does not load, a port in use,
local.settings.json and host.json; and a smoke test of the real function_app."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import pytest

from devserver.config import ConfigError, apply_local_settings, route_prefix
from devserver.process import DevServerProcess, is_app_setting
from tests.devserver.test_host_http import SAMPLE_APP


def test_sigint_stops_cleanly_even_mid_request(tmp_path: Path) -> None:
    env = {
        "SAMPLE_SCHEDULE": "*/1 * * * * *",
        "SAMPLE_TIMER_FILE": str(tmp_path / "runs"),
        "AzureWebJobs__laggard__Disabled": "true",  # a timer run in progress gets up to 2 s to finish
    }
    server = DevServerProcess(env, app=SAMPLE_APP).start()

    def slow_request() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server goes away mid-request
            httpx.get(f"{server.base_url}/api/slow?seconds=30", timeout=35, trust_env=False)

    threading.Thread(target=slow_request, daemon=True).start()
    server.wait_for_log("tick succeeded")
    time.sleep(0.2)  # the slow request is in the handler
    clock = time.monotonic()
    assert server.stop(signal.SIGINT, timeout=5) == 0
    assert time.monotonic() - clock < 2
    log = server.log_text()
    assert "SIGINT: stopping" in log
    assert "Traceback" not in log


def test_an_app_that_does_not_load_exits_1_with_the_reason() -> None:
    server = DevServerProcess({}, app="tests.devserver.no_such_module:app")
    with pytest.raises(RuntimeError, match="exited with code 1") as failure:
        server.start()
    assert "cannot load the function app tests.devserver.no_such_module:app" in str(failure.value)


def test_a_port_in_use_exits_1() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = DevServerProcess({"SAMPLE_SCHEDULE": "0 0 0 1 1 *"}, port=busy.getsockname()[1], app=SAMPLE_APP)
        with pytest.raises(RuntimeError, match="cannot listen on"):
            server.start()


def test_app_settings_of_the_caller_are_not_inherited() -> None:
    assert all(is_app_setting(n) for n in ("INTERCOM_ACCESS_TOKEN", "AzureWebJobsStorage", "POLL_SCHEDULE"))
    assert all(is_app_setting(n) for n in ("AzureWebJobs.tick.Disabled", "CURSOR_SECRET", "WEBHOOK_ALLOW_LOOPBACK"))
    assert not any(is_app_setting(n) for n in ("PATH", "HOME", "PYTHONPATH", "SAMPLE_SCHEDULE"))


def test_local_settings_never_override_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "local.settings.json"
    values = {"A": "from-file", "B": "from-file", "C": 100, "D": True, "E": None}
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values, "Host": {"LocalHttpPort": 7077}}))
    env = {"A": "from-env"}
    copied, port = apply_local_settings(path, env)
    assert env == {"A": "from-env", "B": "from-file", "C": "100", "D": "true"}
    assert sorted(copied) == ["B", "C", "D"]
    assert port == 7077
    assert apply_local_settings(tmp_path / "missing.json", env) == ([], None)
    path.write_text(json.dumps({"IsEncrypted": True, "Values": {}}))
    with pytest.raises(ConfigError, match="encrypted"):
        apply_local_settings(path, {})
    path.write_text("{not json")
    with pytest.raises(ConfigError):
        apply_local_settings(path, {})


def test_route_prefix_from_host_json(tmp_path: Path) -> None:
    host_json = tmp_path / "host.json"
    assert route_prefix(host_json) == "api"
    host_json.write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": "/v1/"}}}))
    assert route_prefix(host_json) == "v1"
    host_json.write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}))
    assert route_prefix(host_json) == ""
    assert route_prefix(Path("host.json")) == "api"  # the repo's own


def test_the_real_function_app(
    app_env: dict[str, str], devserver_factory: Callable[[Mapping[str, str]], DevServerProcess]
) -> None:
    server = devserver_factory(app_env)
    health = httpx.get(f"{server.base_url}/api/health", timeout=30, trust_env=False)
    assert health.status_code == 200, health.text
    unknown = httpx.post(f"{server.base_url}/admin/functions/no_such_function", json={"input": ""}, trust_env=False)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    listing = {f["name"]: f for f in httpx.get(f"{server.base_url}/admin/functions", trust_env=False).json()}
    assert listing["health"]["auth_level"] == "anonymous"
    assert listing["list_leads"]["route"] == "api/leads"
    assert app_env["INTERCOM_ACCESS_TOKEN"] not in server.log_text()
