"""The client against the project's Intercom simulator (a real HTTP server) and the budget in Azurite."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from intercom_sim import Simulator
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomRateLimited, IntercomUnauthorized
from shared.intercom.throttle import TableLimiter
from shared.settings import Connection


def make(sim: Simulator, storage_conn: str, name: str, token: str) -> IntercomClient:
    conn = Connection(name=name, access_token=SecretStr(token), base_url=sim.base_url, api_version="2.16")
    return IntercomClient(conn, TableLimiter(storage_conn, name, 50, 10.0))


def test_list_contacts_reads_rate_limit_headers(sim: Simulator, storage_conn: str, unique_name: str) -> None:
    client = make(sim, storage_conn, unique_name, sim.token)
    body = client.get("/contacts", params={"per_page": 1}, deadline=Deadline.after(5))
    assert isinstance(body, dict)
    assert client.last_rate_limit is not None


def test_wrong_token_is_unauthorized_without_the_token(sim: Simulator, storage_conn: str, unique_name: str) -> None:
    wrong = "wrong-token-ABCDEF987654321"
    client = make(sim, storage_conn, unique_name, wrong)
    with pytest.raises(IntercomUnauthorized) as info:
        client.get("/contacts", deadline=Deadline.after(5))
    assert info.value.status == 401
    assert wrong not in str(info.value)


def test_simulator_429_past_the_deadline_is_rate_limited(sim: Simulator, storage_conn: str, unique_name: str) -> None:
    sim.configure(rate_limit_per_10s=2)
    client = make(sim, storage_conn, unique_name, sim.token)

    def spend() -> None:
        for _ in range(20):
            client.get("/contacts", params={"per_page": 1}, deadline=Deadline.after(2.0))

    with pytest.raises(IntercomRateLimited) as info:
        spend()
    assert 0 < info.value.retry_after <= 11
    assert info.value.headers["Retry-After"].isdigit()
