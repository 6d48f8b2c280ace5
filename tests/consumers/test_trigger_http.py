"""The polling trigger, the subscriptions and the delivery timer over real HTTP: one devserver for the module, on
Azurite, with loopback callbacks allowed; events are appended to the logs in-process, as the pollers do."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from shared.consumers.subscriptions import SubscriptionStore
from tests.consumers.support import TOKEN, Receiver, append_events, body_of, run_receiver

TRIGGER = "lead-created"
CODE = "function-key-123"


@pytest.fixture(scope="module")
def conn_name() -> str:
    return "tap" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def server(azurite: Azurite, conn_name: str) -> Iterator[DevServerProcess]:
    with Simulator(token=TOKEN) as simulator:
        env = {
            "AzureWebJobsStorage": azurite.connection_string,
            "INTERCOM_ACCESS_TOKEN": TOKEN,
            "INTERCOM_BASE_URL": simulator.base_url,
            "INTERCOM_CONNECTIONS": conn_name,
            f"INTERCOM_ACCESS_TOKEN__{conn_name}": TOKEN,
            f"INTERCOM_BASE_URL__{conn_name}": simulator.base_url,
            "WEBHOOK_ALLOW_LOOPBACK": "true",
            "POLL_SCHEDULE": "0 0 0 1 1 *",  # the pollers stay out of the way: these tests write the logs
        }
        with DevServerProcess(env) as process:
            yield process


@pytest.fixture(scope="module")
def http(server: DevServerProcess, conn_name: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30, trust_env=False) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from run_receiver(Receiver())


def follow(http: httpx.Client, location: str, **headers: str) -> httpx.Response:
    """What Logic Apps does with a Location: GET it as it is."""
    return http.get(location, headers=headers)


def error_field(response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    return str(body["error"]["details"][0]["field"])


def test_polling_trigger_flow(http: httpx.Client, azurite: Azurite, conn_name: str) -> None:
    trigger = "user-created"
    append_events(azurite.connection_string, conn_name, trigger, [1])  # history: not replayed
    first = http.get(f"/api/triggers/{trigger}", params={"code": CODE}, headers={"X-Intercom-Connection": conn_name})
    assert first.status_code == 202
    assert first.headers["Retry-After"] == "120"
    assert first.content == b""
    location = first.headers["Location"]
    parts = urlsplit(location)
    assert parts.path == f"/api/triggers/{trigger}"
    query = parse_qs(parts.query)
    assert query["code"] == [CODE]
    assert len(query["cursor"]) == 1

    idle = follow(http, location)  # Logic Apps does not repeat custom headers: the cursor names the connection
    assert (idle.status_code, idle.headers["Location"], idle.headers["Retry-After"]) == (202, location, "120")

    append_events(azurite.connection_string, conn_name, trigger, [2, 3])
    got = follow(http, location)
    assert got.status_code == 200
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.json() == {"value": [body_of(2), body_of(3)]}
    assert got.headers["Retry-After"] == "120"
    assert parse_qs(urlsplit(got.headers["Location"]).query)["code"] == [CODE]

    done = follow(http, got.headers["Location"], **{"X-Intercom-Connection": conn_name})
    assert (done.status_code, done.headers["Location"]) == (202, got.headers["Location"])


def test_polling_in_pages_of_at_most_100(http: httpx.Client, azurite: Azurite, conn_name: str) -> None:
    trigger = "conversation-started"
    location = http.get(f"/api/triggers/{trigger}", headers={"X-Intercom-Connection": conn_name}).headers["Location"]
    append_events(azurite.connection_string, conn_name, trigger, list(range(1, 151)))
    answers = []
    while True:
        response = follow(http, location)
        answers.append((response.status_code, response.headers["Retry-After"]))
        if response.status_code == 202:
            break
        assert len(response.json()["value"]) == (100 if len(answers) == 1 else 50)
        location = response.headers["Location"]
    assert answers == [(200, "0"), (200, "120"), (202, "120")]
    small = http.get(f"/api/triggers/{trigger}", params={"limit": "5"}, headers={"X-Intercom-Connection": conn_name})
    assert parse_qs(urlsplit(small.headers["Location"]).query)["limit"] == ["5"]
    assert error_field(http.get(f"/api/triggers/{trigger}", params={"limit": "500"})) == "limit"


def test_polling_errors(http: httpx.Client, conn_name: str) -> None:
    assert http.get("/api/triggers/lead-deleted").status_code == 404
    assert http.get("/api/triggers/lead-deleted").json()["error"]["code"] == "not_found"
    bad = http.get(f"/api/triggers/{TRIGGER}", params={"cursor": "not-a-cursor"})
    assert (bad.status_code, error_field(bad)) == (400, "cursor")
    other = http.get("/api/triggers/user-updated", headers={"X-Intercom-Connection": conn_name})
    cursor = parse_qs(urlsplit(other.headers["Location"]).query)["cursor"][0]
    foreign = http.get(f"/api/triggers/{TRIGGER}", params={"cursor": cursor})
    assert (foreign.status_code, error_field(foreign)) == (400, "cursor")
    mine = http.get(f"/api/triggers/{TRIGGER}", headers={"X-Intercom-Connection": conn_name}).headers["Location"]
    contradicted = http.get(mine, headers={"X-Intercom-Connection": "default"})
    assert (contradicted.status_code, error_field(contradicted)) == (400, "cursor")
    unknown = http.get(f"/api/triggers/{TRIGGER}", headers={"X-Intercom-Connection": "nosuch"})
    assert (unknown.status_code, error_field(unknown)) == (400, "X-Intercom-Connection")


def test_subscribe_and_unsubscribe(http: httpx.Client, azurite: Azurite, conn_name: str, receiver: Receiver) -> None:
    headers = {"X-Intercom-Connection": conn_name}
    url = f"/api/triggers/{TRIGGER}/subscriptions"
    callback = receiver.url("/run?sig=abc")
    created = http.post(url, params={"code": CODE}, json={"callbackUrl": callback}, headers=headers)
    assert created.status_code == 201, created.text
    sub = created.json()
    assert set(sub) == {"id", "trigger", "connection", "callbackUrl", "createdAt"}
    assert (sub["trigger"], sub["callbackUrl"], sub["connection"]) == (TRIGGER, callback, conn_name)
    location = created.headers["Location"]
    assert urlsplit(location).path == f"{url}/{sub['id']}"
    assert parse_qs(urlsplit(location).query)["code"] == [CODE]

    again = http.post(url, json={"callbackUrl": callback}, headers=headers)
    assert (again.status_code, again.json()["id"], again.headers["Location"].split("?")[0]) == (
        200,
        sub["id"],
        location.split("?")[0],
    )

    status = http.get(location)
    assert status.status_code == 200
    assert status.json()["delivery"]["failedAttempts"] == 0

    # DELETE on the Location, without the connection header: the id names its connection
    assert http.delete(location).status_code == 204
    assert http.get(location).status_code == 404
    assert http.delete(location).status_code == 204  # idempotent
    store = SubscriptionStore(azurite.connection_string, conn_name)
    assert store.get(TRIGGER, sub["id"]) is None

    # DELETE with the same body
    http.post(url, json={"callbackUrl": callback}, headers=headers)
    assert store.list(TRIGGER) != []
    gone = http.request("DELETE", url, json={"callbackUrl": callback}, headers=headers)
    assert gone.status_code == 204
    assert store.list(TRIGGER) == []
    assert http.request("DELETE", url, json={"callbackUrl": callback}, headers=headers).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"callbackUrl": "https://169.254.169.254/latest/meta-data"}, "callbackUrl"),
        ({"callbackUrl": "https://10.0.0.5/hook"}, "callbackUrl"),
        ({"callbackUrl": "https://[::ffff:192.168.0.1]/hook"}, "callbackUrl"),
        ({"callbackUrl": "ftp://127.0.0.1/hook"}, "callbackUrl"),
        ({"callbackUrl": "https://u:p@127.0.0.1/hook"}, "callbackUrl"),
        ({}, "callbackUrl"),
        ({"callbackUrl": "http://127.0.0.1:9/", "x": 1}, "x"),
    ],
)
def test_subscribe_rejects_bad_callbacks(http: httpx.Client, conn_name: str, body: dict[str, Any], field: str) -> None:
    response = http.post(
        f"/api/triggers/{TRIGGER}/subscriptions", json=body, headers={"X-Intercom-Connection": conn_name}
    )
    assert (response.status_code, error_field(response)) == (400, field)


def test_subscription_routes_errors(http: httpx.Client, conn_name: str) -> None:
    assert http.post("/api/triggers/nope/subscriptions", json={"callbackUrl": "http://127.0.0.1:9/"}).status_code == 404
    assert http.delete(f"/api/triggers/nope/subscriptions/{conn_name}-{'0' * 32}").status_code == 404
    headers = {"X-Intercom-Connection": conn_name}
    malformed = http.post(f"/api/triggers/{TRIGGER}/subscriptions", content=b"{nope", headers=headers)
    assert (malformed.status_code, error_field(malformed)) == (400, "body")
    # nested thousands deep: json's parser raised RecursionError, a 500
    for deep in (b"[" * 5000, b'{"callbackUrl": ' + b"[" * 3000 + b"]" * 3000 + b"}"):
        nested = http.post(f"/api/triggers/{TRIGGER}/subscriptions", content=deep, headers=headers)
        assert (nested.status_code, error_field(nested)) == (400, "body")
        unsubscribe = http.request("DELETE", f"/api/triggers/{TRIGGER}/subscriptions", content=deep, headers=headers)
        assert (unsubscribe.status_code, error_field(unsubscribe)) == (400, "body")
    # a non-ASCII cursor (here: a repeated parameter, joined with ","): was a TypeError in compare_digest, a 500
    garbled = http.get(f"/api/triggers/{TRIGGER}", params=[("cursor", "a.b"), ("cursor", "\u00e9")])
    assert (garbled.status_code, error_field(garbled)) == (400, "cursor")
    assert http.delete(f"/api/triggers/{TRIGGER}/subscriptions/whatever").status_code == 204


def test_delivery_timer_pushes_events(
    http: httpx.Client, server: DevServerProcess, azurite: Azurite, conn_name: str, receiver: Receiver
) -> None:
    trigger = "user-updated"
    response = http.post(
        f"/api/triggers/{trigger}/subscriptions",
        json={"callbackUrl": receiver.url("/e2e")},
        headers={"X-Intercom-Connection": conn_name},
    )
    assert response.status_code == 201
    append_events(azurite.connection_string, conn_name, trigger, [1, 2, 3])
    status, body = server.run_function("deliver_webhooks")
    assert (status, body) == (200, {"function": "deliver_webhooks", "status": "succeeded"})
    deadline = time.monotonic() + 10  # the timer may also have run on its own schedule
    while len(receiver.accepted()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    got = receiver.accepted()
    assert [r.body for r in got] == [body_of(1), body_of(2), body_of(3)]
    assert [r.headers["x-event-id"] for r in got] == [f"{conn_name}:{trigger}:lead{n}" for n in (1, 2, 3)]
    listing = http.get("/admin/functions/deliver_webhooks").json()
    assert listing["kind"] == "timer"
    assert listing["schedule"] == "*/15 * * * * *"
