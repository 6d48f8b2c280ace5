"""Helpers of the action tests."""

from __future__ import annotations

import uuid

import httpx
from pydantic import SecretStr

from intercom_sim import Simulator
from shared.intercom.client import IntercomClient
from shared.intercom.throttle import MemoryLimiter
from shared.settings import Connection

TOKEN = "sim-actions-token-0123456789abcdef"
WRONG_TOKEN = "wrong-token-0987654321zyxw"
MAX_BODY = 2048


def make_client(simulator: Simulator, token: str = TOKEN) -> IntercomClient:
    """A client on its own connection name (so the process-wide name cache starts empty for it)."""
    name = "a" + uuid.uuid4().hex[:12]
    conn = Connection(name=name, access_token=SecretStr(token), base_url=simulator.base_url, api_version="2.16")
    return IntercomClient(conn, MemoryLimiter(10_000, 60.0))


def email() -> str:
    """A fresh address."""
    return f"u{uuid.uuid4().hex[:10]}@example.com"


def error_fields(response: httpx.Response) -> list[str]:
    """The fields a contract error body names (asserting it is one)."""
    body = response.json()
    assert set(body) == {"error"}
    return [d.get("field") for d in body["error"]["details"]]
