"""Fixtures of the simulator's tests: a webhook receiver, and the simulator pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from intercom_sim import Simulator
from tests.simulator.receiver import Receiver

SECRET = "sim-test-client-secret"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def hooked(sim: Simulator, receiver: Receiver) -> Simulator:
    """`sim` sending every topic to `receiver` at once, signed with SECRET, items in the classic (REST) shapes."""
    sim.configure(
        webhook_url=receiver.url, webhook_secret=SECRET, webhook_shapes="classic", webhook_retry_delay_seconds=0.2
    )
    return sim


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    """An Intercom API client for `sim`."""
    with httpx.Client(
        base_url=sim.base_url,
        headers={"Authorization": f"Bearer {sim.token}", "Intercom-Version": "2.16"},
        timeout=10,
    ) as c:
        yield c
