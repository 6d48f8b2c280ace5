"""Helpers of the operations tests: settings with one fresh connection, and polls' outcomes as the poll timers pass
them to the recorder."""

from __future__ import annotations

from shared.settings import Settings, load_settings
from shared.triggers.poll import PollOutcome

TOKEN = "tok-operations-0123456789"


def polled(trigger: str, connection: str, failure: Exception | None = None, *, events: int = 0) -> PollOutcome:
    """A poll that completed (logging `events`), or one that `failure` stopped (shared/triggers/timers.poll_all)."""
    if failure is None:
        return PollOutcome(trigger, connection, "ok", events)
    return PollOutcome(trigger, connection, "failed", error=type(failure).__name__, failure=failure)


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
