"""Unreadable notifications over HTTP (devserver, Azurite, the simulator): a signed notification whose item the
connector cannot interpret is answered 200, kept with its reason and counted; the operator lists it, reads it,
replays it and dismisses it through the function-key routes; a message the host poisoned is kept too, and its replay
logs its event once Intercom's item is readable."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from azure.storage.queue import QueueClient

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from shared.notifications import inbox
from shared.notifications.tally import webhook_counts
from shared.storage import expand_connection_string
from shared.triggers.eventlog import EventLog
from tests.notifications.support import app_env, envelope, signed
from tests.triggers.support import read_all, wait_until

TOKEN = "sim-unreadable-token-0123456789"
ROUTE = "/api/intercom/webhooks/unreadable"


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(token=TOKEN) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def name() -> str:
    return "wu" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def http(azurite: Azurite, sim: Simulator, name: str) -> Iterator[httpx.Client]:
    server = DevServerProcess(app_env(azurite, sim, name))
    with (
        server,
        httpx.Client(
            base_url=server.base_url, timeout=30, trust_env=False, headers={"X-Intercom-Connection": name}
        ) as client,
    ):
        yield client


def listed(http: httpx.Client) -> dict[str, Any]:
    answer = http.get(ROUTE)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def wait_listed(http: httpx.Client, key: str, **expected: Any) -> dict[str, Any]:
    """The listing's entry for `key`, once it has the expected values."""
    found: dict[str, Any] = {}

    def ready() -> bool:
        nonlocal found
        found = next((item for item in listed(http)["value"] if item["key"] == key), {})
        return bool(found) and all(found.get(k) == v for k, v in expected.items())

    assert wait_until(ready, 15), found
    return found


def test_a_notification_the_connector_cannot_read_is_taken_kept_replayed_and_dismissed(
    http: httpx.Client, azurite: Azurite, name: str
) -> None:
    before = webhook_counts(azurite.connection_string, name)
    payload = envelope("contact.lead.created", {"type": "contact", "role": "lead", "name": None, "created_at": 1})
    answer = signed(http, payload)
    assert answer.status_code == 200  # never a 4xx for the item: Intercom would resend, then give up
    assert signed(http, payload).status_code == 200  # Intercom's resend: kept once
    key = payload["id"]
    entry = wait_listed(http, key, replayed_at=None)
    assert entry["topic"] == "contact.lead.created"
    assert entry["notification_id"] == key
    assert entry["reason"].startswith("data.item.id: must be an Intercom id")
    overview = listed(http)
    assert overview["total"] == len(overview["value"]) == 1
    assert overview["connection"] == name
    counts = overview["counts"]
    assert counts["accepted"] - before["accepted"] == 2
    assert counts["unreadable"] - before["unreadable"] == 1

    detail = http.get(f"{ROUTE}/{key}")
    assert detail.status_code == 200
    assert detail.json()["notification"] == payload  # the raw notification, as Intercom sent it

    replayed = http.post(f"{ROUTE}/{key}/replay")
    assert replayed.status_code == 202
    assert replayed.json()["status"] == "queued"
    assert replayed.json()["replayed_at"] is not None
    again = wait_listed(http, key, replayed_at=None)  # processed again: still unreadable, its record renewed
    assert again["recorded_at"] >= entry["recorded_at"]
    assert webhook_counts(azurite.connection_string, name)["unreadable"] == counts["unreadable"]

    assert http.delete(f"{ROUTE}/{key}").status_code == 204
    assert http.get(f"{ROUTE}/{key}").status_code == 404
    assert http.delete(f"{ROUTE}/{key}").status_code == 404
    assert http.post(f"{ROUTE}/{key}/replay").status_code == 404
    assert listed(http)["total"] == 0


def test_a_poisoned_message_is_kept_and_its_replay_logs_the_event_once(
    http: httpx.Client, azurite: Azurite, sim: Simulator, name: str
) -> None:
    lead = sim.add_contact("lead", email="poisoned@example.com")
    payload = envelope("contact.lead.created", lead)
    notification = inbox.Notification(name, True, time.time(), json.dumps(payload))
    message = {
        "connection": notification.connection,
        "verified": True,
        "received_at": notification.received_at,
        "body": notification.body,
    }
    poison = QueueClient.from_connection_string(
        expand_connection_string(azurite.connection_string), f"{inbox.QUEUE}-poison"
    )
    poison.send_message(base64.b64encode(json.dumps(message).encode()).decode())  # as the host moves a message
    entry = wait_listed(http, payload["id"])
    assert "poison" in entry["reason"]
    assert read_all(EventLog(azurite.connection_string, name, "lead-created")) == []

    assert http.post(f"{ROUTE}/{payload['id']}/replay").status_code == 202
    log = EventLog(azurite.connection_string, name, "lead-created")
    assert wait_until(lambda: [e.key for e in read_all(log)] == [lead["id"]], 15)
    assert wait_until(lambda: listed(http)["total"] == 0, 15)  # processed: its record is gone
    assert [e.key for e in read_all(log)] == [lead["id"]]


def test_the_routes_need_a_known_connection(http: httpx.Client) -> None:
    answer = http.get(ROUTE, headers={"X-Intercom-Connection": "nosuchconnection"})
    assert answer.status_code == 400
    assert http.get(f"{ROUTE}/not%20a%20key").status_code == 404
