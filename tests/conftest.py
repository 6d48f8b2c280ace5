"""Fixtures shared by the whole suite: Azurite (real, never a mock) and the Intercom simulator."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping

import pytest

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite (table and queue services) for the test session, on free loopback ports."""
    with Azurite() as server:
        yield server


@pytest.fixture
def storage_conn(azurite: Azurite) -> str:
    """The Azurite connection string; tests isolate themselves by connection names or table prefixes."""
    return azurite.connection_string


@pytest.fixture
def unique_name() -> str:
    """A fresh alphanumeric name (a connection name, a table suffix) so tests never share state."""
    return "t" + uuid.uuid4().hex[:12]


SIM_TOKEN = "sim-test-token-0123456789"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A fresh Intercom simulator on a free loopback port, in this process (direct access to its state)."""
    with Simulator(token=SIM_TOKEN) as simulator:
        yield simulator


@pytest.fixture
def app_env(storage_conn: str, sim: Simulator, unique_name: str) -> dict[str, str]:
    """App settings for a devserver talking to `sim` and Azurite; a unique connection name isolates state."""
    return {
        "AzureWebJobsStorage": storage_conn,
        "INTERCOM_ACCESS_TOKEN": sim.token,
        "INTERCOM_BASE_URL": sim.base_url,
        "INTERCOM_CONNECTIONS": unique_name,
        f"INTERCOM_ACCESS_TOKEN__{unique_name}": sim.token,
        f"INTERCOM_BASE_URL__{unique_name}": sim.base_url,
        "WEBHOOK_ALLOW_LOOPBACK": "true",
    }


@pytest.fixture
def devserver_factory() -> Iterator[Callable[[Mapping[str, str]], DevServerProcess]]:
    """Start `python -m devserver` as a subprocess with the given app settings; all stop at teardown."""
    started: list[DevServerProcess] = []

    def start(env: Mapping[str, str]) -> DevServerProcess:
        server = DevServerProcess(env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
