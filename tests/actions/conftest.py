"""Fixtures of the action tests.

- service tests: `intercom`, a fresh in-process simulator per test, and `client` on it;
- HTTP tests: one devserver per test module (`base_url`, `http`) in front of the module's own simulator (`msim`;
  `sim` is it, reset to no faults after each test) and Azurite; `seen_bodies` records every answer.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from devserver.azurite import Azurite
from intercom_sim import Simulator
from shared.intercom.client import IntercomClient
from tests.actions.support import MAX_BODY, TOKEN, WRONG_TOKEN, make_client


@pytest.fixture
def intercom() -> Iterator[Simulator]:
    """A fresh simulator (immediate search index, no faults) for one test."""
    with Simulator(token=TOKEN) as simulator:
        yield simulator


@pytest.fixture
def client(intercom: Simulator) -> Iterator[IntercomClient]:
    c = make_client(intercom)
    yield c
    c.close()


@pytest.fixture(scope="module")
def msim() -> Iterator[Simulator]:
    with Simulator(token=TOKEN) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def conn_name() -> str:
    return "act" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def base_url(azurite: Azurite, msim: Simulator, conn_name: str) -> Iterator[str]:
    from devserver.process import DevServerProcess

    env = {
        "AzureWebJobsStorage": azurite.connection_string,
        "INTERCOM_ACCESS_TOKEN": TOKEN,
        "INTERCOM_BASE_URL": msim.base_url,
        "INTERCOM_CONNECTIONS": f"{conn_name},{conn_name}bad",
        f"INTERCOM_ACCESS_TOKEN__{conn_name}": TOKEN,
        f"INTERCOM_BASE_URL__{conn_name}": msim.base_url,
        f"INTERCOM_ACCESS_TOKEN__{conn_name}bad": WRONG_TOKEN,
        f"INTERCOM_BASE_URL__{conn_name}bad": msim.base_url,
        "THROTTLE_CALLS": "1500",
        "MAX_BODY_BYTES": str(MAX_BODY),
    }
    server = DevServerProcess(env).start()
    try:
        yield server.base_url.rstrip("/")
    finally:
        server.stop()


@pytest.fixture(scope="module")
def seen_bodies() -> list[str]:
    return []


@pytest.fixture(scope="module")
def http(base_url: str, conn_name: str, seen_bodies: list[str]) -> Iterator[httpx.Client]:
    def remember(response: httpx.Response) -> None:
        response.read()
        seen_bodies.append(response.text)
        seen_bodies.append(json.dumps(dict(response.headers)))

    with httpx.Client(
        base_url=base_url,
        headers={"X-Intercom-Connection": conn_name},
        timeout=30,
        event_hooks={"response": [remember]},
    ) as http_client:
        yield http_client


@pytest.fixture
def sim(msim: Simulator) -> Iterator[Simulator]:
    """The module's simulator, back to no faults and an immediate index after each test."""
    yield msim
    msim.configure(fault_rate=0.0, index_delay=(0, 0), fault_methods=None, rate_limit_per_10s=None)
