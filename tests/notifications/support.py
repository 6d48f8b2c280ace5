"""Helpers of the intake tests: settings for one connection with a client secret, notification envelopes like
Intercom's (and items shaped as its 2026 captures), inbox messages as the intake writes them, and the app (devserver)
taking signed notifications over HTTP."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
from pydantic import SecretStr

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from intercom_sim.render import APP_ID
from intercom_sim.shapes import shape_item
from shared.notifications.signature import SIGNATURE_HEADER, sign
from shared.settings import Connection, Settings
from shared.triggers.registry import SOURCES, TRIGGERS

SECRET = "test-client-secret-0123456789"
INTAKE = "/api/intercom/webhooks"


def settings_for(sim: Simulator, storage_conn: str, name: str, *, lookback: int = 30, secret: str = SECRET) -> Settings:
    connection = Connection(
        name=name,
        access_token=SecretStr(sim.token),
        base_url=sim.base_url,
        api_version="2.16",
        client_secret=SecretStr(secret),
    )
    return Settings(
        connections={name: connection},
        storage_connection_string=SecretStr(storage_conn),
        throttle_calls=1000,
        throttle_period_seconds=10,
        poll_lookback_seconds=lookback,
    )


def envelope(
    topic: str, item: dict[str, Any] | None, *, app_id: str = APP_ID, created_at: int | None = None
) -> dict[str, Any]:
    """A notification as Intercom sends it (fact sheet A2: every envelope field of the captures)."""
    now = int(time.time()) if created_at is None else created_at
    return {
        "type": "notification_event",
        "app_id": app_id,
        "data": {"type": "notification_event_data", "item": item if item is not None else {"type": "ping"}},
        "links": {},
        "id": None if topic == "ping" else f"notif_{uuid.uuid4()}",
        "topic": topic,
        "delivery_status": None if topic == "ping" else "pending",
        "delivery_attempts": 1,
        "delivered_at": 0,
        "first_sent_at": now,
        "created_at": now,
        "self": None,
    }


def as_captured(item: dict[str, Any]) -> dict[str, Any]:
    """An item as Intercom's 2026 captures carry it (fact sheet A2), from the simulator's REST JSON: a contact's and a
    company's `*_at` as ISO-8601 with milliseconds and `+00:00`, conversation statistics' with `.000Z`, a
    `contact_tag` without `created_at`, ... (intercom_sim/shapes.py, the simulator's `webhook_shapes` 2026)."""
    return shape_item(item, "2026")


def message(connection: str, topic: str, item: dict[str, Any], *, verified: bool = True, app_id: str = APP_ID) -> str:
    """An inbox message as shared.notifications.inbox writes it (inline body)."""
    body = json.dumps(envelope(topic, item, app_id=app_id))
    return json.dumps({"connection": connection, "verified": verified, "received_at": time.time(), "body": body})


def app_env(azurite: Azurite, sim: Simulator, name: str, **extra: str) -> dict[str, str]:
    """The app on one connection with a client secret, no poll (only webhooks log events) and no delivery timer."""
    return {
        "AzureWebJobsStorage": azurite.connection_string,
        "INTERCOM_CONNECTIONS": name,
        f"INTERCOM_ACCESS_TOKEN__{name}": sim.token,
        f"INTERCOM_BASE_URL__{name}": sim.base_url,
        f"INTERCOM_CLIENT_SECRET__{name}": SECRET,
        "POLL_SCHEDULE": "0 0 0 1 1 *",
        "MAX_BODY_BYTES": "20000",
        "WEBHOOK_ALLOW_LOOPBACK": "true",
        "AzureWebJobs.deliver_webhooks.Disabled": "true",  # subscribers get events only from the worker's push
        **extra,
    }


def post(http: httpx.Client, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return http.post(INTAKE, content=body, headers=headers)


def signed(http: httpx.Client, payload: dict[str, Any]) -> httpx.Response:
    """POST the notification signed with the connection's client secret, as Intercom does."""
    body = json.dumps(payload).encode()
    return post(http, body, sign(body, SECRET))


def lossy_webhooks(sim: Simulator, server: DevServerProcess, max_lag: float, **settings: Any) -> None:
    """The simulator sends its notifications to the app as Intercom may: 30% dropped, 20% twice, up to 2 s late
    (out of order), a failed one once more after 1 s; search lags writes by up to `max_lag` seconds."""
    sim.configure(
        index_delay=(0.0, max_lag),
        webhook_url=f"{server.base_url}{INTAKE}",
        webhook_secret=SECRET,
        webhook_drop_rate=0.3,
        webhook_duplicate_rate=0.2,
        webhook_max_delay_seconds=2.0,
        webhook_retry_delay_seconds=1.0,
        **settings,
    )


class Feed:
    """The polling trigger of one trigger, followed as Logic Apps does."""

    def __init__(self, http: httpx.Client, name: str, trigger: str, **params: str) -> None:
        self.http, self.headers = http, {"X-Intercom-Connection": name}
        first = http.get(f"/api/triggers/{trigger}", headers=self.headers, params=params)
        assert first.status_code == 202
        self.location = first.headers["Location"]

    def read(self) -> list[dict[str, Any]]:
        answer = self.http.get(self.location, headers=self.headers)
        self.location = answer.headers["Location"]
        return list(answer.json()["value"]) if answer.status_code == 200 else []

    def wait(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        end = time.monotonic() + timeout
        while len(seen) < count and time.monotonic() < end:
            seen += self.read()
            time.sleep(0.05)
        return seen


World = tuple[Simulator, DevServerProcess, str]


@contextlib.contextmanager
def webhook_world(
    azurite: Azurite, *, token: str, seed: int, polled: Iterable[str] = tuple(TRIGGERS)
) -> Iterator[World]:
    """A simulator and the app (devserver) on one new connection with a client secret: the objects the `polled`
    triggers read are polled every second with a 30 s look-back (the other poll timers are off: 2 cores), and the
    app takes the webhooks the test points the simulator at."""
    read = {TRIGGERS[t].source for t in polled}
    name = "w" + uuid.uuid4().hex[:11]
    with Simulator(token=token, seed=seed) as sim:
        env = {
            "AzureWebJobsStorage": azurite.connection_string,
            "INTERCOM_CONNECTIONS": name,
            f"INTERCOM_ACCESS_TOKEN__{name}": token,
            f"INTERCOM_BASE_URL__{name}": sim.base_url,
            f"INTERCOM_CLIENT_SECRET__{name}": SECRET,
            "POLL_SCHEDULE": "*/1 * * * * *",
            "POLL_LOOKBACK_SECONDS": "30",
            "THROTTLE_CALLS": "1000",
            "THROTTLE_PERIOD_SECONDS": "10",
            **{f"AzureWebJobs.{s.timer}.Disabled": "true" for s in SOURCES if s not in read},
        }
        with DevServerProcess(env) as server:
            yield sim, server, name
