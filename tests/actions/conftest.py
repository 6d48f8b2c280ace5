"""Fixtures of the action tests: an in-process simulator and a client on it (service tests), and one devserver per
module in front of its own simulator (HTTP tests; a devserver start costs ~1-2 s, so it is shared)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from devserver.intercom import Simulator
from shared.intercom.client import IntercomClient
from shared.settings import Connection
from shared.throttle import MemoryLimiter

TOKEN = "sim-actions-token-0123456789abcdef"


@pytest.fixture
def intercom() -> Iterator[Simulator]:
    """A fresh simulator (immediate search index, no faults) for one test."""
    with Simulator(token=TOKEN) as simulator:
        yield simulator


def make_client(simulator: Simulator, token: str = TOKEN) -> IntercomClient:
    """A client on its own connection name (so the process-wide name cache starts empty for it)."""
    name = "a" + uuid.uuid4().hex[:12]
    conn = Connection(name=name, access_token=SecretStr(token), base_url=simulator.base_url, api_version="2.16")
    return IntercomClient(conn, MemoryLimiter(10_000, 60.0))


@pytest.fixture
def client(intercom: Simulator) -> Iterator[IntercomClient]:
    c = make_client(intercom)
    yield c
    c.close()
