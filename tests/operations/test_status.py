"""`/api/status`'s document and `/api/health`'s verdict on Azurite (interface §11): records and states per trigger,
the throttle's use read without spending budget, the webhook subscribers' backlog, 503 only when storage fails."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devserver.azurite import Azurite
from shared.consumers.subscriptions import Subscription, SubscriptionStore
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomServerError, IntercomUnauthorized
from shared.intercom.throttle import TableLimiter, budget_use
from shared.notifications import tally
from shared.operations.health import health, trigger_problem
from shared.operations.recorder import count_webhook_only, record_poll
from shared.operations.status import status_report
from shared.operations.store import forget_all
from shared.operations.verdicts import stale_after
from shared.settings import reset_settings_cache
from shared.storage import unavailable
from shared.triggers.registry import TRIGGERS
from tests.consumers.support import append_events
from tests.operations.support import one_connection, polled
from tests.triggers.support import TcpProxy


@pytest.fixture(autouse=True)
def _fresh_memory() -> Iterator[None]:
    forget_all()
    yield
    forget_all()


def by_trigger(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (connection,) = report["connections"]
    return {t["trigger"]: t for t in connection["triggers"]}


def test_status_document(storage_conn: str, unique_name: str) -> None:
    settings = one_connection(storage_conn, unique_name)
    now = time.time()
    append_events(storage_conn, unique_name, "lead-created", [1, 2, 3])
    record_poll(storage_conn, polled("lead-created", unique_name, events=3), now=now - 5)
    append_events(storage_conn, unique_name, "lead-created", [4])
    record_poll(storage_conn, polled("lead-created", unique_name), now=now - 1)
    record_poll(
        storage_conn, polled("user-created", unique_name, IntercomUnauthorized("Access Token Invalid")), now=now - 2
    )
    record_poll(
        storage_conn, polled("user-updated", unique_name, IntercomServerError("Intercom failed: 503")), now=now - 2
    )
    limiter = TableLimiter(storage_conn, unique_name, calls=10, period=60)
    for _ in range(3):
        limiter.acquire(Deadline.after(5))
    store = SubscriptionStore(storage_conn, unique_name)
    store.insert(
        Subscription(
            f"{unique_name}-{'0' * 32}", unique_name, "lead-created", "https://example.com/cb", datetime.now(UTC)
        )
    )

    for outcome in ("accepted", "accepted", "refused"):
        tally.count(storage_conn, unique_name, outcome)

    report = status_report(settings, now=now)
    assert report.status_code == 200
    body = report.body
    assert (body["status"], body["storage"], body["poll_period_seconds"]) == ("degraded", "ok", 120)
    (connection,) = body["connections"]
    assert connection["connection"] == unique_name
    assert connection["throttle"] == {"calls": 3, "budget": 10, "period_seconds": 60.0}
    assert connection["webhook_notifications_24h"] == {"accepted": 2, "refused": 1, "unreadable": 0}
    triggers = by_trigger(body)
    assert list(triggers) == list(TRIGGERS)
    lead = triggers["lead-created"]
    assert (lead["state"], lead["cause"], lead["last_outcome"], lead["consecutive_failures"]) == ("ok", None, "ok", 0)
    assert (lead["events_last_hour"], lead["events_last_24_hours"]) == (4, 4)
    assert len(lead["events_per_hour"]) == 24
    assert lead["events_per_hour"][-1]["events"] == 4
    assert lead["watermark"] == "2023-11-14T22:13:24.000Z"  # START + 4
    assert lead["watermark_age_seconds"] > 0
    assert lead["webhook_subscribers"] == {
        "subscribers": 1,
        "pending": 4,
        "oldest_pending_age_seconds": pytest.approx(0, abs=30),
    }
    user = triggers["user-created"]
    assert (user["state"], user["cause"], user["consecutive_failures"]) == ("failing", "unauthorized", 1)
    assert "Access Token Invalid" in user["message"]
    assert user["since"] == user["last_poll"]
    updated = triggers["user-updated"]
    assert (updated["state"], updated["cause"]) == ("behind", "intercom_unavailable")  # transient, not stale yet
    assert triggers["conversation-started"]["state"] == "waiting"
    assert triggers["conversation-started"]["last_poll"] is None
    # Reading the budget spent none of it.
    assert budget_use(storage_conn, unique_name, 10, 60).calls == 3


def test_health_lists_the_failing_triggers_only(
    storage_conn: str, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "INTERCOM_CONNECTIONS": unique_name,
        f"INTERCOM_ACCESS_TOKEN__{unique_name}": "tok-health-0123456789",
        "AzureWebJobsStorage": storage_conn,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("INTERCOM_ACCESS_TOKEN", raising=False)
    reset_settings_cache()
    try:
        assert health(env).body["status"] == "healthy"
        record_poll(storage_conn, polled("user-created", unique_name, IntercomUnauthorized("Access Token Invalid")))
        record_poll(storage_conn, polled("user-updated", unique_name, IntercomServerError("Intercom failed: 503")))
        found = health(env)
    finally:
        reset_settings_cache()
    assert found.status_code == 200
    assert found.body["status"] == "degraded"
    (item,) = found.body["unhealthy"]
    assert set(item) == {"connection", "trigger", "cause", "since"}
    assert (item["connection"], item["trigger"], item["cause"]) == (unique_name, "user-created", "unauthorized")
    assert "tok-health" not in str(found.body)


def test_trigger_problem_is_the_feeds_502(storage_conn: str, unique_name: str) -> None:
    settings = one_connection(storage_conn, unique_name)
    assert trigger_problem(settings, unique_name, "lead-created") is None  # never polled: not failing
    record_poll(storage_conn, polled("lead-created", unique_name, IntercomServerError("Intercom failed: 503")))
    assert trigger_problem(settings, unique_name, "lead-created") is None  # transient and recent
    later = time.time() + stale_after(120) + 1
    problem = trigger_problem(settings, unique_name, "lead-created", now=later)
    assert problem is not None
    assert problem.body()["error"]["details"][0]["cause"] == "intercom_unavailable"
    record_poll(storage_conn, polled("lead-created", unique_name), now=later - 1)
    assert trigger_problem(settings, unique_name, "lead-created", now=later) is None  # the first success ends it


def test_storage_down_is_503_with_what_this_process_knows(azurite: Azurite, unique_name: str) -> None:
    proxy = TcpProxy(azurite.port)
    storage = proxy.connection_string
    try:
        settings = one_connection(storage, unique_name)
        record_poll(storage, polled("lead-created", unique_name))
        assert status_report(settings).status_code == 200
        proxy.cut()
        down = unavailable("event storage", ConnectionError())
        record_poll(storage, polled("lead-created", unique_name, down))
        report = status_report(settings)
        assert report.status_code == 503
        assert report.body["status"] == "unhealthy"
        assert "unreachable" in report.body["storage"]
        lead = by_trigger(report.body)["lead-created"]
        assert (lead["state"], lead["cause"], lead["consecutive_failures"]) == ("behind", "storage_unavailable", 1)
        assert by_trigger(report.body)["lead-created"]["since"] is not None
        assert report.body["connections"][0]["throttle"] is None
    finally:
        proxy.close()


def test_backlog_age_is_the_oldest_undelivered_event(storage_conn: str, unique_name: str) -> None:
    from shared.operations.backlog import backlogs

    append_events(storage_conn, unique_name, "lead-created", [1, 2])
    store = SubscriptionStore(storage_conn, unique_name)
    created = datetime.now(UTC)
    store.insert(Subscription(f"{unique_name}-{'1' * 32}", unique_name, "lead-created", "https://a.example/", created))
    store.insert(
        Subscription(f"{unique_name}-{'2' * 32}", unique_name, "lead-created", "https://b.example/", created, cursor=2)
    )
    found = backlogs(storage_conn, unique_name, now=datetime.now(UTC) + timedelta(seconds=100))
    backlog = found["lead-created"]
    assert (backlog.subscribers, backlog.pending) == (2, 2)
    assert backlog.oldest_pending_age == pytest.approx(100, abs=30)


def test_webhook_only_triggers_count_what_notifications_logged(storage_conn: str, unique_name: str) -> None:
    settings = one_connection(storage_conn, unique_name)
    webhook_only = [t.name for t in TRIGGERS.values() if t.source is None]
    assert webhook_only, "the registry declares webhook-only triggers"
    trigger = webhook_only[0]
    now = time.time()
    count_webhook_only(settings, now=now - 60)  # before anything was logged: counts nothing
    append_events(storage_conn, unique_name, trigger, [1, 2])
    count_webhook_only(settings, now=now - 30)
    append_events(storage_conn, unique_name, trigger, [3])
    count_webhook_only(settings, now=now)
    count_webhook_only(settings, now=now)  # nothing new: counted once
    body = status_report(settings, now=now).body
    view = by_trigger(body)[trigger]
    assert (view["state"], view["last_poll"]) == ("webhook_only", None)
    assert "webhooks alone" in view["message"]
    assert view["events_last_24_hours"] == 3
    assert body["status"] == "healthy"  # never failing for lack of polls
