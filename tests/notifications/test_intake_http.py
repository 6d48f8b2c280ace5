"""The webhook intake over real HTTP (devserver, Azurite's table and queue services, the simulator): every refusal of
interface §6 with its status and nothing kept; an accepted notification readable in the polling trigger within
seconds; HEAD, ping and unused topics; an app restart between intake and processing loses nothing."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from shared.notifications.signature import sign
from tests.consumers.support import Receiver, run_receiver
from tests.notifications.support import SECRET, envelope
from tests.triggers.support import wait_until

TOKEN = "sim-intake-token-0123456789"
URL = "/api/intercom/webhooks"


def app_env(azurite: Azurite, sim: Simulator, name: str, **extra: str) -> dict[str, str]:
    return {
        "AzureWebJobsStorage": azurite.connection_string,
        "INTERCOM_CONNECTIONS": name,
        f"INTERCOM_ACCESS_TOKEN__{name}": TOKEN,
        f"INTERCOM_BASE_URL__{name}": sim.base_url,
        f"INTERCOM_CLIENT_SECRET__{name}": SECRET,
        "POLL_SCHEDULE": "0 0 0 1 1 *",  # no poll during these tests: only webhooks log events
        "MAX_BODY_BYTES": "20000",
        "WEBHOOK_ALLOW_LOOPBACK": "true",
        "AzureWebJobs.deliver_webhooks.Disabled": "true",  # subscribers get events only from the worker's push
        **extra,
    }


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(token=TOKEN) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def name() -> str:
    return "wh" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def http(azurite: Azurite, sim: Simulator, name: str) -> Iterator[httpx.Client]:
    server = DevServerProcess(app_env(azurite, sim, name))
    with server, httpx.Client(base_url=server.base_url, timeout=30, trust_env=False) as client:
        yield client


def post(http: httpx.Client, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature"] = signature
    return http.post(URL, content=body, headers=headers)


def signed(http: httpx.Client, payload: dict[str, Any]) -> httpx.Response:
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


def test_head_answers_200(http: httpx.Client) -> None:
    assert http.head(URL).status_code == 200


def test_a_signed_notification_is_readable_in_the_polling_trigger_at_once(
    http: httpx.Client, sim: Simulator, name: str
) -> None:
    feed = Feed(http, name, "lead-created")
    lead = sim.add_contact("lead", email="fast@example.com")
    started = time.monotonic()
    answer = signed(http, envelope("contact.lead.created", lead))
    assert answer.status_code == 200
    assert answer.json() == {"status": "queued", "topic": "contact.lead.created"}
    events = feed.wait(1)
    assert [e["id"] for e in events] == [lead["id"]]
    assert time.monotonic() - started < 5.0
    # The same notification again (Intercom resends): accepted, and nothing more is logged.
    assert signed(http, envelope("contact.lead.created", lead)).status_code == 200
    time.sleep(1.0)
    assert feed.read() == []


def test_the_intake_answers_at_once_while_intercom_hangs(http: httpx.Client, sim: Simulator, name: str) -> None:
    feed = Feed(http, name, "lead-created")
    lead = sim.add_contact("lead", email="hang@example.com")
    sim.configure(fault_rate=1.0, fault_kinds=("timeout",), timeout_seconds=3.0)
    try:
        started = time.monotonic()
        answer = signed(http, envelope("contact.lead.created", lead))
        elapsed = time.monotonic() - started
    finally:
        sim.configure(fault_rate=0.0)
    assert answer.status_code == 200
    assert elapsed < 1.0
    assert [e["id"] for e in feed.wait(1, timeout=30)] == [lead["id"]]  # the worker got through once Intercom did


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from run_receiver(Receiver())


def test_subscribers_get_a_webhook_sourced_event_at_once(
    http: httpx.Client, sim: Simulator, name: str, receiver: Receiver
) -> None:
    subscribed = http.post(
        "/api/triggers/conversation-started/subscriptions",
        json={"callbackUrl": receiver.url()},
        headers={"X-Intercom-Connection": name},
    )
    assert subscribed.status_code == 201
    user = sim.add_contact("user", email="talks@example.com")
    conversation = sim.add_conversation(user["id"], body="<p>hello</p>")
    assert signed(http, envelope("conversation.user.created", conversation)).status_code == 200
    assert wait_until(lambda: len(receiver.accepted()) == 1, 10)
    assert receiver.accepted()[0].body["id"] == conversation["id"]


def refusals(lead: dict[str, Any]) -> list[tuple[str, bytes, str | None, int, str]]:
    good = json.dumps(envelope("contact.lead.created", lead)).encode()
    foreign = json.dumps(envelope("contact.lead.created", lead, app_id="someoneelse")).encode()
    no_id = json.dumps(envelope("contact.lead.created", {**lead, "id": None})).encode()
    not_event = json.dumps({**envelope("contact.lead.created", lead), "type": "something"}).encode()
    big = json.dumps({**envelope("contact.lead.created", lead), "pad": "x" * 25_000}).encode()
    surrogate = good.replace(lead["id"].encode(), b"\xed\xa0\x80")
    slash_id = good.replace(lead["id"].encode(), b"a/b")
    return [
        ("unsigned", good, None, 401, "X-Hub-Signature"),
        ("invalid UTF-8", surrogate, sign(surrogate, SECRET), 400, "body"),
        ("id that is no Intercom id", slash_id, sign(slash_id, SECRET), 400, "data.item.id"),
        ("malformed signature", good, "sha1=xyz", 401, "X-Hub-Signature"),
        ("sha256 signature", good, "sha256=" + "0" * 64, 401, "X-Hub-Signature"),
        ("wrong secret", good, sign(good, "not-the-secret"), 401, "X-Hub-Signature"),
        ("tampered", good.replace(b"lead", b"user", 1), sign(good, SECRET), 401, "X-Hub-Signature"),
        ("foreign workspace", foreign, sign(foreign, SECRET), 401, "X-Hub-Signature"),
        ("malformed JSON", b"{not json", sign(b"{not json", SECRET), 400, "body"),
        ("not an object", b"[1]", sign(b"[1]", SECRET), 400, "body"),
        ("not a notification", not_event, sign(not_event, SECRET), 400, "type"),
        ("item without id", no_id, sign(no_id, SECRET), 400, "data.item.id"),
        ("oversized", big, sign(big, SECRET), 413, "body"),
    ]


def test_refused_notifications_change_nothing(http: httpx.Client, sim: Simulator, name: str) -> None:
    feed = Feed(http, name, "lead-created")
    # A first accepted notification makes the workspace known, so a foreign app_id is refused at the door.
    warm = sim.add_contact("lead", email="warm@example.com")
    assert signed(http, envelope("contact.lead.created", warm)).status_code == 200
    assert [e["id"] for e in feed.wait(1)] == [warm["id"]]
    for case, body, signature, status, field in refusals(sim.add_contact("lead", email="refused@example.com")):
        answer = post(http, body, signature)
        assert answer.status_code == status, case
        error = answer.json()["error"]
        assert [d["field"] for d in error["details"]] == [field], case
        assert SECRET not in answer.text
    marker = sim.add_contact("lead", email="after@example.com")
    assert signed(http, envelope("contact.lead.created", marker)).status_code == 200
    assert [e["id"] for e in feed.wait(1)] == [marker["id"]]  # and none of the refused ones before it


@pytest.mark.parametrize(
    ("topic", "item"),
    [("ping", None), ("contact.archived", {"type": "contact", "id": "x"}), ("visitor.signed_up", {"id": 1})],
)
def test_ping_and_unused_topics_are_answered_200_and_ignored(
    http: httpx.Client, topic: str, item: dict[str, Any] | None
) -> None:
    answer = signed(http, envelope(topic, item))
    assert answer.status_code == 200
    assert answer.json()["status"] == "ignored"


def test_a_restart_between_intake_and_processing_loses_nothing(sim: Simulator) -> None:
    name = "wr" + uuid.uuid4().hex[:10]
    with Azurite() as azurite:  # its own queue: the module's app instance must not take this notification
        restart(azurite, sim, name)


def restart(azurite: Azurite, sim: Simulator, name: str) -> None:
    lead = sim.add_contact("lead", email="restart@example.com")
    # The first app instance takes the notification but its worker never runs (as if it crashed after the 200).
    stopped = app_env(azurite, sim, name, **{"AzureWebJobs.process_notification.Disabled": "true"})
    with DevServerProcess(stopped) as server, httpx.Client(base_url=server.base_url, trust_env=False) as client:
        feed = Feed(client, name, "lead-created")
        assert signed(client, envelope("contact.lead.created", lead)).status_code == 200
    with (
        DevServerProcess(app_env(azurite, sim, name)) as server,
        httpx.Client(base_url=server.base_url, trust_env=False) as client,
    ):
        feed.http = client
        feed.location = feed.location.replace(feed.location.split("/api/")[0], server.base_url)
        assert [e["id"] for e in feed.wait(1)] == [lead["id"]]
