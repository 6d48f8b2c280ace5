"""Fixtures of the action service tests: a fresh in-process simulator and a client on it. (The HTTP tests run one
devserver per module in front of their own simulator; see test_actions_http.py.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devserver.intercom import Simulator
from shared.intercom.client import IntercomClient
from tests.actions.support import TOKEN, make_client


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
