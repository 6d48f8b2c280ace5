"""Fixtures shared by the whole suite: Azurite (real, never a mock) and the Intercom simulator."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from devserver.azurite import Azurite


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite table service for the test session, on a free loopback port."""
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
