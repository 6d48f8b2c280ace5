"""client_for: one client (one pooled httpx.Client, one limiter) per connection, process-wide."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from shared.intercom.client import client_for, reset_clients
from shared.intercom.throttle import TableLimiter
from shared.settings import Connection, Settings


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    reset_clients()
    yield
    reset_clients()


def settings(*connections: Connection, calls: int = 7, period: float = 9.0) -> Settings:
    return Settings(
        connections={c.name: c for c in connections},
        storage_connection_string=SecretStr("UseDevelopmentStorage=true"),
        throttle_calls=calls,
        throttle_period_seconds=period,
    )


def connection(name: str) -> Connection:
    return Connection(name=name, access_token=SecretStr("tok"), base_url="http://127.0.0.1:9", api_version="2.16")


def test_one_client_per_connection_with_the_settings_budget() -> None:
    a, b = connection("a"), connection("b")
    s = settings(a, b)
    first = client_for(a, s)
    assert client_for(a, s) is first
    assert client_for(b, s) is not first
    assert isinstance(first.limiter, TableLimiter)
    assert (first.limiter.calls, first.limiter.period) == (7, 9.0)


def test_a_changed_budget_gives_a_new_client() -> None:
    a = connection("a")
    assert client_for(a, settings(a, calls=7)) is not client_for(a, settings(a, calls=8))
