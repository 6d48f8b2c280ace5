"""Helpers of the intake tests: settings for one connection with a client secret, notification envelopes like
Intercom's, and inbox messages as the intake writes them."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import SecretStr

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from intercom_sim.render import APP_ID
from shared.settings import Connection, Settings

SECRET = "test-client-secret-0123456789"


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


def envelope(topic: str, item: dict[str, Any] | None, *, app_id: str = APP_ID) -> dict[str, Any]:
    return {
        "type": "notification_event",
        "app_id": app_id,
        "id": None if topic == "ping" else f"notif_{uuid.uuid4()}",
        "topic": topic,
        "created_at": int(time.time()),
        "delivery_attempts": 1,
        "first_sent_at": int(time.time()),
        "delivery_status": "pending",
        "data": {"type": "notification_event_data", "item": item if item is not None else {"type": "ping"}},
    }


def message(connection: str, topic: str, item: dict[str, Any], *, verified: bool = True, app_id: str = APP_ID) -> str:
    """An inbox message as shared.notifications.inbox writes it (inline body)."""
    body = json.dumps(envelope(topic, item, app_id=app_id))
    return json.dumps({"connection": connection, "verified": verified, "received_at": time.time(), "body": body})


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
            **{f"AzureWebJobs.poll_{t.replace('-', '_')}.Disabled": "true" for t in timers_off},
        }
        with DevServerProcess(env) as server:
            yield sim, server, name
