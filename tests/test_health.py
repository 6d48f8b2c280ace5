"""GET /api/health (interface §5) through the devserver: 200 when storage answers, else 503; never a secret."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from devserver.ports import free_port
from devserver.process import DevServerProcess
from shared.storage import azurite_connection_string

Factory = Callable[[Mapping[str, str]], DevServerProcess]


def _health(server: DevServerProcess) -> httpx.Response:
    return httpx.get(f"{server.base_url}/api/health", timeout=30, trust_env=False)


def test_healthy_when_storage_answers(devserver_factory: Factory, app_env: dict[str, str]) -> None:
    response = _health(devserver_factory(app_env))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["settings"] == "ok"
    assert app_env["INTERCOM_ACCESS_TOKEN"] not in response.text


def test_storage_down_is_503_without_the_account_key(devserver_factory: Factory, app_env: dict[str, str]) -> None:
    dead = azurite_connection_string(free_port())
    response = _health(devserver_factory({**app_env, "AzureWebJobsStorage": dead}))
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert "AccountKey" not in response.text


def test_bad_setting_is_named_but_health_still_checks_storage(devserver_factory: Factory, storage_conn: str) -> None:
    env = {"AzureWebJobsStorage": storage_conn, "INTERCOM_ACCESS_TOKEN": "tok-health-1234", "THROTTLE_CALLS": "many"}
    response = _health(devserver_factory(env))
    assert response.status_code == 200
    assert "THROTTLE_CALLS" in response.json()["settings"]
    assert "many" not in response.text
