"""The triggers' states from their poll records, for `/api/health` and the polling trigger's 502 (interface §11).

Records come from Table Storage merged with this process's own (shared/operations/store.py): a poll that could
not reach storage is still known to the instance that ran it.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError

from shared.errors import ConnectorError, TriggerUnhealthy
from shared.operations.records import PollRecord
from shared.operations.schedule import period_seconds
from shared.operations.store import RecordStore, merged, remembered
from shared.operations.verdicts import BEHIND, FAILING, timestamp, unhealthy, verdict
from shared.settings import Settings, SettingsError, get_settings, storage_setting
from shared.storage import service_client


def poll_period(settings: Settings) -> int:
    return period_seconds(settings.poll_schedule)


def records(settings: Settings, connection: str) -> dict[str, PollRecord]:
    """{trigger: record} of one connection; storage errors raise (Unavailable)."""
    storage = settings.storage_connection_string.get_secret_value()
    return merged(storage, connection, RecordStore(storage, connection).list())


def trigger_problem(
    settings: Settings, connection: str, trigger: str, *, now: float | None = None
) -> TriggerUnhealthy | None:
    """The polling trigger's 502 when `trigger` is failing on `connection`, else None (the feed's hook)."""
    storage = settings.storage_connection_string.get_secret_value()
    stored = RecordStore(storage, connection).get(trigger)
    record = merged(storage, connection, [] if stored is None else [stored]).get(trigger)
    found = verdict(record, now=time.time() if now is None else now, period=poll_period(settings))
    if record is None or found.state != FAILING:
        return None
    return unhealthy(record, found)


@dataclass(frozen=True)
class Health:
    """`/api/health`: 503 only when storage fails (interface §11)."""

    status_code: int
    body: dict[str, Any]


def health(env: Mapping[str, str], *, now: float | None = None) -> Health:
    """Storage answers (checked even when other settings are invalid; a bad setting is named, never its value),
    and the failing triggers of every connection: (connection, trigger, cause, since). No secret in it."""
    moment = time.time() if now is None else now
    body: dict[str, Any] = {"status": "healthy", "storage": "ok"}
    settings: Settings | None = None
    try:
        settings = get_settings()
        body["connections"] = sorted(settings.connections)
        body["settings"] = "ok"
    except SettingsError as exc:
        body["settings"] = exc.message
    failing: list[dict[str, Any]] = []
    try:
        if settings is None:
            next(iter(service_client(storage_setting(env)).list_tables(results_per_page=1)), None)
        else:
            for name in settings.connections:
                failing += _failing(settings, records(settings, name).values(), moment)
    except (ConnectorError, AzureError, ValueError) as exc:
        reason = exc.message if isinstance(exc, ConnectorError) else f"unreachable ({type(exc).__name__})"
        body.update(status="unhealthy", storage=reason, unhealthy=_remembered_failing(settings, moment))
        return Health(503, body)
    body["unhealthy"] = failing
    if failing:
        body["status"] = "degraded"
    return Health(200, body)


def _failing(
    settings: Settings, found: Iterable[PollRecord], now: float, states: Collection[str] = (FAILING,)
) -> list[dict[str, Any]]:
    """(connection, trigger, cause, since) of the records in one of `states`."""
    period = poll_period(settings)
    out = []
    for record in sorted(found, key=lambda r: r.trigger):
        state = verdict(record, now=now, period=period)
        if state.state in states:
            out.append(
                {
                    "connection": record.connection,
                    "trigger": record.trigger,
                    "cause": state.cause,
                    "since": timestamp(state.since),
                }
            )
    return out


def _remembered_failing(settings: Settings | None, now: float) -> list[dict[str, Any]]:
    """What this process knows of triggers whose polls fail, when storage cannot tell (behind ones too: with storage
    down, every poll fails)."""
    if settings is None:
        return []
    storage = settings.storage_connection_string.get_secret_value()
    return [
        item
        for name in settings.connections
        for item in _failing(settings, remembered(storage, name).values(), now, (FAILING, BEHIND))
    ]
