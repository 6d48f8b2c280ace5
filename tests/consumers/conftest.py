"""Fixtures of the webhook tests: settings on Azurite with a fresh connection, and a real HTTP receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.settings import Settings
from tests.consumers.support import Receiver, make_settings, run_receiver


@pytest.fixture
def settings(storage_conn: str, unique_name: str) -> Settings:
    return make_settings(storage_conn, unique_name)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from run_receiver(Receiver())
