"""Queue triggers on the devserver against Azurite's queue service, serving tests/devserver/sample_app.py with its
host.json (visibilityTimeout 1 s, maxDequeueCount 3, batchSize 4): delivery with the body and the dequeue count,
retries, the poison queue, `%SETTING%` queue names, concurrency, messageEncoding none, and a restart mid-run."""

from __future__ import annotations

import base64
import contextlib
import json
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from tests.devserver.test_host_http import SAMPLE_APP

SAMPLE_HOST_JSON = Path(__file__).with_name("host.json")


def queue_env(azurite: Azurite, queue: str, record: Path) -> dict[str, str]:
    return {
        "AzureWebJobsStorage": azurite.connection_string,
        "SAMPLE_QUEUE": queue,
        "SAMPLE_QUEUE_FILE": str(record),
        "SAMPLE_SCHEDULE": "0 0 0 1 1 *",
        "SAMPLE_TIMER_FILE": str(record.with_suffix(".timers")),
    }


class Deliveries:
    """What the sample app's queue functions recorded (tests/devserver/sample_app.py `received`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def of(self, tag: str) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = [json.loads(line) for line in self.path.read_text().splitlines()]
        return [line for line in lines if tag in line["body"]]

    def wait(self, tag: str, ready: Callable[[list[dict[str, Any]]], bool], timeout: float = 10.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while not ready(found := self.of(tag)):
            assert time.monotonic() < deadline, f"{tag}: got {found}"
            time.sleep(0.02)
        return found


def client(azurite: Azurite, queue: str) -> QueueClient:
    return QueueClient.from_connection_string(azurite.connection_string, queue)


def send(azurite: Azurite, queue: str, body: dict[str, Any], *, encode: bool = True) -> tuple[str, float]:
    """Enqueue `body` as JSON (base64-encoded, as the app must); returns the message id and the time sent."""
    text = json.dumps(body)
    queue_client = client(azurite, queue)
    with contextlib.suppress(ResourceExistsError):  # a producer creates the queue as the app's intake does: the
        queue_client.create_queue()  # devserver may not have created it yet when a test sends right after start
    sent = queue_client.send_message(base64.b64encode(text.encode()).decode() if encode else text)
    return sent.id, time.time()


def contents(azurite: Azurite, queue: str) -> list[str]:
    """The messages visible in `queue` now (a missing queue is empty)."""
    try:
        return [m.content for m in client(azurite, queue).peek_messages(max_messages=32)]
    except Exception:
        return []


def done(count: int = 1) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda found: sum(1 for line in found if line["event"] == "done") >= count


@pytest.fixture(scope="module")
def queue_name() -> str:
    return f"q{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("queues") / "messages.jsonl"


@pytest.fixture(scope="module")
def server(azurite: Azurite, queue_name: str, record: Path) -> Iterator[DevServerProcess]:
    with DevServerProcess(queue_env(azurite, queue_name, record), app=SAMPLE_APP) as process:
        yield process


@pytest.fixture(scope="module")
def deliveries(record: Path) -> Deliveries:
    return Deliveries(record)


def test_a_message_reaches_the_function_at_once_and_is_deleted(
    azurite: Azurite, server: DevServerProcess, queue_name: str, deliveries: Deliveries
) -> None:
    time.sleep(0.6)  # the poll loop has backed off to its idle interval
    tag = "hello-" + uuid.uuid4().hex
    message_id, sent = send(azurite, queue_name, {"tag": tag, "text": "héllo"})
    started, _ = deliveries.wait(tag, done())
    assert json.loads(started["body"]) == {"tag": tag, "text": "héllo"}
    assert started["id"] == message_id
    assert started["dequeue_count"] == 1
    assert started["pop_receipt"]
    assert started["insertion_time"].startswith(time.strftime("%Y-", time.gmtime()))
    assert started["t"] - sent < 1.0  # picked up within the local polling cap (~250 ms), with slack for load
    time.sleep(0.3)
    assert contents(azurite, queue_name) == []  # deleted after success
    log = server.log_text()
    assert f"queued started (message {message_id}, dequeue count 1)" in log
    assert tag not in log  # bodies are never logged


def test_a_failing_message_is_retried_after_the_visibility_timeout_then_succeeds(
    azurite: Azurite, server: DevServerProcess, queue_name: str, deliveries: Deliveries
) -> None:
    tag = "flaky-once-" + uuid.uuid4().hex
    send(azurite, f"{queue_name}-flaky", {"tag": tag, "fail": 1})
    found = deliveries.wait(tag, done())
    assert [(line["event"], line["dequeue_count"]) for line in found] == [("started", 1), ("started", 2), ("done", 2)]
    assert found[1]["t"] - found[0]["t"] >= 0.9  # visibilityTimeout 1 s
    assert contents(azurite, f"{queue_name}-flaky-poison") == []


def test_a_message_that_keeps_failing_lands_in_the_poison_queue_after_max_dequeue_count(
    azurite: Azurite, server: DevServerProcess, queue_name: str, deliveries: Deliveries
) -> None:
    tag = "flaky-always-" + uuid.uuid4().hex
    message_id, _ = send(azurite, f"{queue_name}-flaky", {"tag": tag, "fail": 99})
    poison = f"{queue_name}-flaky-poison"
    deadline = time.monotonic() + 10
    while not any(tag in base64.b64decode(c).decode() for c in contents(azurite, poison)):
        assert time.monotonic() < deadline, server.log_tail()
        time.sleep(0.05)
    attempts = deliveries.of(tag)
    assert [line["dequeue_count"] for line in attempts] == [1, 2, 3]  # maxDequeueCount 3 (the sample's host.json)
    assert all(line["event"] == "started" for line in attempts)
    assert not any(tag in base64.b64decode(c).decode() for c in contents(azurite, f"{queue_name}-flaky"))
    assert f"flaky: message {message_id} moved to queue {poison}: it reached maxDequeueCount 3" in server.log_text()
    entry = httpx.get(f"{server.base_url}/admin/functions/flaky", trust_env=False).json()
    assert entry["poisoned"] >= 1
    assert entry["failed"] >= 3


def test_a_message_that_is_not_base64_goes_to_the_poison_queue_unrun(
    azurite: Azurite, server: DevServerProcess, queue_name: str, deliveries: Deliveries
) -> None:
    tag = "raw-" + uuid.uuid4().hex
    send(azurite, queue_name, {"tag": tag}, encode=False)
    deadline = time.monotonic() + 10
    while not any(tag in c for c in contents(azurite, f"{queue_name}-poison")):
        assert time.monotonic() < deadline, server.log_tail()
        time.sleep(0.05)
    assert deliveries.of(tag) == []
    server.wait_for_log("not valid base64", timeout=5)  # logged just after the move to the poison queue


def test_a_batch_runs_concurrently(
    azurite: Azurite, server: DevServerProcess, queue_name: str, deliveries: Deliveries
) -> None:
    tag = "batch-" + uuid.uuid4().hex
    for index in range(4):
        send(azurite, queue_name, {"tag": f"{tag}-{index}", "sleep": 3.0})
    found = deliveries.wait(tag, done(4))
    starts = sorted(line["t"] for line in found if line["event"] == "started")
    ends = sorted(line["t"] for line in found if line["event"] == "done")
    assert starts[-1] < ends[0]  # all four were running at once (batchSize 4)


def test_listing_shows_queue_functions_with_resolved_names(server: DevServerProcess, queue_name: str) -> None:
    listing = {f["name"]: f for f in httpx.get(f"{server.base_url}/admin/functions", trust_env=False).json()}
    flaky = listing["flaky"]
    assert flaky["kind"] == "queue"
    assert flaky["declared_queue_name"] == "%SAMPLE_QUEUE%-flaky"
    assert flaky["queue_name"] == f"{queue_name}-flaky"
    assert flaky["poison_queue_name"] == f"{queue_name}-flaky-poison"
    assert flaky["connection"] == "AzureWebJobsStorage"
    assert flaky["error"] is None
    assert listing["queued"]["succeeded"] >= 1
    assert "AccountKey" not in json.dumps(listing)
    assert f"queued: queueTrigger {queue_name}" in server.log_text()  # the banner


def test_a_restart_mid_run_loses_nothing(azurite: Azurite, tmp_path: Path) -> None:
    queue = f"r{uuid.uuid4().hex[:12]}"
    env = queue_env(azurite, queue, tmp_path / "messages.jsonl")
    deliveries = Deliveries(tmp_path / "messages.jsonl")
    tag = "restart-" + uuid.uuid4().hex
    first = DevServerProcess(env, app=SAMPLE_APP).start()
    try:
        send(azurite, queue, {"tag": tag, "sleep": 30})
        deliveries.wait(tag, lambda found: len(found) == 1)
    finally:
        clock = time.monotonic()
        assert first.stop(signal.SIGTERM) == 0
    assert time.monotonic() - clock < 6  # a run in progress gets 2 s, then the host stops anyway
    assert "still in flight" in first.log_text()
    with DevServerProcess(env | {"SAMPLE_QUEUE_FILE": str(tmp_path / "again.jsonl")}, app=SAMPLE_APP) as second:
        again = Deliveries(tmp_path / "again.jsonl").wait(tag, lambda found: len(found) >= 1)
        assert again[0]["dequeue_count"] == 2, first.log_text()  # the same message, back once its lease (2 s) ended
        assert again[0]["id"] == deliveries.of(tag)[0]["id"]
        second.stop()


def test_message_encoding_none(azurite: Azurite, tmp_path: Path) -> None:
    host_json = json.loads(SAMPLE_HOST_JSON.read_text())
    host_json["extensions"]["queues"]["messageEncoding"] = "none"
    (tmp_path / "host.json").write_text(json.dumps(host_json))
    queue = f"n{uuid.uuid4().hex[:12]}"
    env = queue_env(azurite, queue, tmp_path / "messages.jsonl")
    args = ["--host-json", str(tmp_path / "host.json")]
    with DevServerProcess(env, app=SAMPLE_APP, args=args):
        tag = "plain-" + uuid.uuid4().hex
        send(azurite, queue, {"tag": tag}, encode=False)
        (line, *_) = Deliveries(tmp_path / "messages.jsonl").wait(tag, done())
        assert json.loads(line["body"]) == {"tag": tag}
