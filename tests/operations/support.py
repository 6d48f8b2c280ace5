"""Helpers of the operations tests: settings with one fresh connection, and records of polls as the poll runner
leaves them."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import ConnectorError
from shared.settings import Settings, load_settings

TOKEN = "tok-operations-0123456789"


@dataclass(frozen=True)
class Outcome:
    """A poll that returned (what PollOutcome carries for recording), with the error it stopped at, if any."""

    trigger: str
    connection: str
    status: str = "ok"
    events: int = 0
    failure: ConnectorError | None = None


def one_connection(storage_conn: str, name: str, **extra: str) -> Settings:
    """Settings with the single connection `name` (no `default`: nothing shared with other tests)."""
    env = {
        "INTERCOM_CONNECTIONS": name,
        f"INTERCOM_ACCESS_TOKEN__{name}": TOKEN,
        "AzureWebJobsStorage": storage_conn,
        "THROTTLE_CALLS": "10",
        "THROTTLE_PERIOD_SECONDS": "60",
    }
    return load_settings(env | extra)
