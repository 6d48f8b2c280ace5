"""`GET /api/status` (interface §11): per connection and trigger, the poll record and its state; per connection,
the throttle's use, the webhook notifications of the last 24 hours and the webhook subscribers' backlog.

One JSON document; the status page (shared/operations/page.py) renders the same document. 503 when storage fails,
with what this process itself knows of its polls.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import AzureError

from shared.errors import ConnectorError
from shared.intercom.throttle import budget_use
from shared.notifications.tally import webhook_counts
from shared.operations.backlog import Backlog, backlogs
from shared.operations.causes import EXPLAINED
from shared.operations.health import poll_period, records
from shared.operations.records import PollRecord
from shared.operations.store import remembered
from shared.operations.verdicts import FAILING, OK, WAITING, WEBHOOK_ONLY, Verdict, explanation, timestamp, verdict
from shared.settings import Settings
from shared.triggers.registry import TRIGGERS


@dataclass(frozen=True)
class Report:
    status_code: int
    body: dict[str, Any]


def status_report(settings: Settings, *, now: float | None = None) -> Report:
    moment = time.time() if now is None else now
    period = poll_period(settings)
    storage_error: str | None = None
    connections = []
    for name in settings.connections:
        try:
            connections.append(_connection(settings, name, moment, period))
        except (ConnectorError, AzureError) as exc:
            storage_error = exc.message if isinstance(exc, ConnectorError) else type(exc).__name__
            storage = settings.storage_connection_string.get_secret_value()
            connections.append(_connection_view(name, remembered(storage, name), {}, None, None, moment, period))
    unrouted = None if storage_error else _unrouted(settings, moment)
    states = {t["state"] for c in connections for t in c["triggers"]}
    status = "unhealthy" if storage_error else "degraded" if FAILING in states else "healthy"
    body = {
        "status": status,
        "generated_at": timestamp(moment),
        "storage": storage_error or "ok",
        "poll_schedule": settings.poll_schedule,
        "poll_period_seconds": period,
        # Notifications refused before any connection was known (no connection's client secret signed them).
        "webhook_refusals_unrouted_24h": unrouted,
        "connections": connections,
    }
    return Report(503 if storage_error else 200, body)


def _unrouted(settings: Settings, now: float) -> int | None:
    storage = settings.storage_connection_string.get_secret_value()
    try:
        return webhook_counts(storage, None, now=now)["refused"]
    except ConnectorError:
        return None


def _connection(settings: Settings, name: str, now: float, period: int) -> dict[str, Any]:
    storage = settings.storage_connection_string.get_secret_value()
    use = budget_use(storage, name, settings.throttle_calls, settings.throttle_period_seconds, now=now)
    throttle = {"calls": use.calls, "budget": use.budget, "period_seconds": use.period}
    found = records(settings, name)
    waiting = backlogs(storage, name, now=datetime.fromtimestamp(now, UTC))
    counts = webhook_counts(storage, name, now=now)
    return _connection_view(name, found, waiting, throttle, counts, now, period)


def _connection_view(
    name: str,
    found: dict[str, PollRecord],
    waiting: dict[str, Backlog],
    throttle: dict[str, Any] | None,
    counts: dict[str, int] | None,
    now: float,
    period: int,
) -> dict[str, Any]:
    names = [*TRIGGERS, *sorted(set(found) - set(TRIGGERS))]
    return {
        "connection": name,
        "throttle": throttle,
        "webhook_notifications_24h": counts,
        "triggers": [_trigger_view(name, t, found.get(t), waiting.get(t), now, period) for t in names],
    }


def _trigger_view(
    connection: str, trigger: str, record: PollRecord | None, backlog: Backlog | None, now: float, period: int
) -> dict[str, Any]:
    found = verdict(record, now=now, period=period)
    if trigger in TRIGGERS and TRIGGERS[trigger].source is None:
        found = Verdict(WEBHOOK_ONLY)  # no poll can see its events: it never waits for one, nor fails for lack of it
    known = record or PollRecord(connection, trigger)
    age = known.watermark_age(now)
    return {
        "trigger": trigger,
        "state": found.state,
        "cause": found.cause,
        "message": _message(known, found),
        "last_poll": timestamp(known.last_poll),
        "last_outcome": known.outcome if record else None,
        "consecutive_failures": known.failures,
        "since": timestamp(found.since),
        "last_success": timestamp(known.last_success),
        "watermark": timestamp(None if known.watermark is None else float(known.watermark)),
        "watermark_age_seconds": None if age is None else round(age, 1),
        "events_last_hour": known.events_last_hour(now),
        "events_last_24_hours": known.events_last_day(now),
        "events_per_hour": [{"hour": timestamp(hour), "events": n} for hour, n in known.events_per_hour(now)],
        "webhook_subscribers": None if backlog is None else backlog.public(),
    }


def _message(record: PollRecord, found: Verdict) -> str:
    if found.state == WAITING:
        return "no poll recorded yet"
    if found.state == WEBHOOK_ONLY:
        return "no poll can see these events: Intercom's webhooks alone feed it"
    if found.state == OK:
        return EXPLAINED["ok"]
    return explanation(record, found)
