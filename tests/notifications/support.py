"""Helpers of the intake tests: settings for one connection with a client secret, notification envelopes like
Intercom's (and items shaped as its 2026 captures), inbox messages as the intake writes them, and the app (devserver)
taking signed notifications over HTTP."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from intercom_sim.render import APP_ID
from shared.notifications.signature import SIGNATURE_HEADER, sign
from shared.settings import Connection, Settings
from shared.triggers.registry import TRIGGERS

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


def as_captured(value: Any) -> Any:
    """An item as Intercom's 2026 captures carry it (fact sheet A2), hand-built from the simulator's REST JSON: a
    contact's and a company's `*_at` as ISO-8601 with milliseconds and `+00:00`, conversation statistics' with `.000Z`,
    a `contact_tag` without `created_at`, a conversation's unassigned `admin_assignee_id` null. (Until the
    simulator's `webhook_shapes` switch is on main.)"""
    if isinstance(value, list):
        return [as_captured(inner) for inner in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("type")
    out = {key: as_captured(inner) for key, inner in value.items()}
    for key, inner in value.items():
        if key.endswith("_at") and isinstance(inner, int) and not isinstance(inner, bool):
            moment = datetime.fromtimestamp(inner, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            if kind in ("contact", "company"):
                out[key] = f"{moment}.{(inner * 7) % 1000:03d}+00:00"
            elif kind == "conversation_statistics":
                out[key] = f"{moment}.000Z"
    if kind == "contact_tag":
        out.pop("created_at", None)
    if kind == "conversation" and out.get("admin_assignee_id") == 0:
        out["admin_assignee_id"] = None
    return out


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


class Feed:
    """The polling trigger of one trigger, followed as Logic Apps does."""

    def __init__(self, http: httpx.Client, name: str, trigger: str) -> None:
        self.http, self.headers = http, {"X-Intercom-Connection": name}
        first = http.get(f"/api/triggers/{trigger}", headers=self.headers)
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
def webhook_world(azurite: Azurite, *, token: str, seed: int, timers_off: Iterable[str] = ()) -> Iterator[World]:
    """A simulator and the app (devserver) on one new connection with a client secret: the triggers poll every
    second with a 30 s look-back (but those in `timers_off`), and the app takes the webhooks the test points the
    simulator at."""
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
            **{f"AzureWebJobs.{TRIGGERS[t].timer}.Disabled": "true" for t in timers_off},
        }
        with DevServerProcess(env) as server:
            yield sim, server, name
