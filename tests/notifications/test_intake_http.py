"""The webhook intake over real HTTP (devserver, Azurite's table and queue services, the simulator): every refusal of
interface §6 (signature, envelope, size) with its status, nothing kept and each counted; an accepted notification
readable in the polling trigger within seconds; HEAD, ping and unused topics; an app restart between intake and
processing loses nothing."""

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
from shared.notifications.tally import webhook_counts
from tests.consumers.support import Receiver, run_receiver
from tests.notifications.support import INTAKE, SECRET, Feed, app_env, envelope, post, signed
from tests.triggers.support import wait_until

TOKEN = "sim-intake-token-0123456789"
URL = INTAKE


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
    numeric_id = json.dumps({**envelope("contact.lead.created", lead), "id": 17}).encode()
    no_time = json.dumps({**envelope("contact.lead.created", lead), "created_at": None}).encode()
    no_item = json.dumps({**envelope("contact.lead.created", lead), "data": {"item": [lead]}}).encode()
    not_event = json.dumps({**envelope("contact.lead.created", lead), "type": "something"}).encode()
    big = json.dumps({**envelope("contact.lead.created", lead), "pad": "x" * 25_000}).encode()
    surrogate = good.replace(lead["id"].encode(), b"\xed\xa0\x80")
    return [
        ("unsigned", good, None, 401, "X-Hub-Signature"),
        ("invalid UTF-8", surrogate, sign(surrogate, SECRET), 400, "body"),
        ("malformed signature", good, "sha1=xyz", 401, "X-Hub-Signature"),
        ("sha256 signature", good, "sha256=" + "0" * 64, 401, "X-Hub-Signature"),
        ("wrong secret", good, sign(good, "not-the-secret"), 401, "X-Hub-Signature"),
        ("tampered", good.replace(b"lead", b"user", 1), sign(good, SECRET), 401, "X-Hub-Signature"),
        ("foreign workspace", foreign, sign(foreign, SECRET), 401, "X-Hub-Signature"),
        ("malformed JSON", b"{not json", sign(b"{not json", SECRET), 400, "body"),
        ("not an object", b"[1]", sign(b"[1]", SECRET), 400, "body"),
        ("not a notification", not_event, sign(not_event, SECRET), 400, "type"),
        ("notification id not a string", numeric_id, sign(numeric_id, SECRET), 400, "id"),
        ("no created_at", no_time, sign(no_time, SECRET), 400, "created_at"),
        ("item not an object", no_item, sign(no_item, SECRET), 400, "data.item"),
        ("oversized", big, sign(big, SECRET), 413, "body"),
    ]


# Signed by the connection's secret (only): a refusal after the signature is counted under the connection; the
# others (no valid signature, or over the size limit, which is checked first) under the deployment (None).
SIGNED = {
    "invalid UTF-8", "foreign workspace", "malformed JSON", "not an object", "not a notification",
    "notification id not a string", "no created_at", "item not an object",
}  # fmt: skip


def test_refused_notifications_change_nothing_and_are_counted(
    http: httpx.Client, sim: Simulator, name: str, azurite: Azurite
) -> None:
    feed = Feed(http, name, "lead-created")
    # A first accepted notification makes the workspace known, so a foreign app_id is refused at the door.
    warm = sim.add_contact("lead", email="warm@example.com")
    assert signed(http, envelope("contact.lead.created", warm)).status_code == 200
    assert [e["id"] for e in feed.wait(1)] == [warm["id"]]
    before = {c: webhook_counts(azurite.connection_string, c) for c in (name, None)}
    cases = refusals(sim.add_contact("lead", email="refused@example.com"))
    for case, body, signature, status, field in cases:
        answer = post(http, body, signature)
        assert answer.status_code == status, case
        error = answer.json()["error"]
        assert [d["field"] for d in error["details"]] == [field], case
        assert SECRET not in answer.text
    marker = sim.add_contact("lead", email="after@example.com")
    assert signed(http, envelope("contact.lead.created", marker)).status_code == 200
    assert [e["id"] for e in feed.wait(1)] == [marker["id"]]  # and none of the refused ones before it
    after = {c: webhook_counts(azurite.connection_string, c) for c in (name, None)}
    assert after[name]["refused"] - before[name]["refused"] == len(SIGNED)
    assert after[None]["refused"] - before[None]["refused"] == len(cases) - len(SIGNED)
    assert after[name]["accepted"] - before[name]["accepted"] == 1


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
