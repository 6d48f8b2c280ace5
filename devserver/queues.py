"""Queue-triggered functions, run against Azure Storage queues (Azurite's locally) as the Functions host's Storage
extension 5.x runs them.

Per function: the queue is created if missing; it is polled every 100 ms while messages come, backing off when idle
(doubling, up to host.json `maxPollingInterval` but never above LOCAL_POLL_CAP, so a local message is picked up within
~250 ms); up to `batchSize` messages are received at a time, and another batch is fetched once no more than
`newBatchThreshold` are still in flight. Each message is decoded (`messageEncoding`: base64 by default, or none),
handed to the function as a real `azure.functions.QueueMessage` on a worker thread, and deleted when the function
returns. When it raises, the message becomes visible again after `visibilityTimeout`; once its dequeue count has
reached `maxDequeueCount` it is copied to `<queue>-poison` and deleted, as is a message that cannot be decoded.

The host leases a message for 10 minutes and renews the lease while the function runs; here the lease is
`visibilityTimeout` (at least 2 s), renewed every third of it, so a message whose devserver was killed mid-run comes
back within seconds. Log lines name the message id and dequeue count, never the body.
"""

from __future__ import annotations

import base64
import binascii
import logging
import math
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from azure.core.exceptions import AzureError, ResourceExistsError
from azure.functions.queue import QueueMessage as FunctionQueueMessage
from azure.storage.queue import LinearRetry, QueueClient, QueueMessage

from devserver.catalog import QueueFunction
from devserver.config import QueueOptions
from shared.storage import expand_connection_string

log = logging.getLogger("devserver.queues")

POLL_FLOOR = 0.1  # the host's shortest polling interval
LOCAL_POLL_CAP = 0.2  # the longest idle wait locally, whatever maxPollingInterval says
ERROR_BACKOFF_CAP = 2.0  # storage unreachable: retry at least this often
LEASE_FLOOR = 2  # seconds (the queue service counts visibility in whole seconds)
STOP_GRACE = 2.0  # seconds a run in progress gets at stop, as timers do


class UndecodableMessage(ValueError):
    """A message body that is not valid under the host's messageEncoding."""


def decode(content: str, encoding: str) -> bytes:
    """The message body as the host hands it to the worker: base64-decoded (whitespace ignored, as .NET does) or,
    with messageEncoding none, the text itself."""
    if encoding == "none":
        return content.encode("utf-8")
    try:
        return base64.b64decode("".join(content.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UndecodableMessage("not valid base64 (host.json messageEncoding is base64)") from exc


def create_if_missing(client: QueueClient) -> None:
    with suppress(ResourceExistsError):
        client.create_queue()


def poison_queue_name(queue_name: str) -> str:
    return f"{queue_name}-poison"


@dataclass
class Stats:
    succeeded: int = 0
    failed: int = 0
    poisoned: int = 0
    last_run: datetime | None = None


class _Lease:
    """One received message's current pop receipt (each visibility update issues a new one)."""

    def __init__(self, message: QueueMessage) -> None:
        self.id: str = message.id
        self.pop_receipt: str = message.pop_receipt or ""
        self.lost = False
        self.lock = threading.Lock()


class QueueRunner:
    """One queue-triggered function: its poll loop and its worker threads."""

    def __init__(self, function: QueueFunction, options: QueueOptions, stop: threading.Event) -> None:
        if function.queue_name is None or function.connection_string is None:
            raise ValueError(f"{function.name}: {function.error}")
        self.function = function
        self.options = options
        self.queue_name = function.queue_name
        conn = expand_connection_string(function.connection_string)
        self.client = QueueClient.from_connection_string(conn, self.queue_name, retry_policy=_retry())
        self.poison = QueueClient.from_connection_string(
            conn, poison_queue_name(self.queue_name), retry_policy=_retry()
        )
        self.lease = max(LEASE_FLOOR, math.ceil(options.visibility_timeout))
        self.stats = Stats()
        self.concurrency = options.batch_size + options.threshold
        self._jobs: queue.SimpleQueue[QueueMessage | None] = queue.SimpleQueue()
        self._in_flight = 0
        self._idle = threading.Condition()  # guards _in_flight and stats
        self._workers: list[threading.Thread] = []
        self._stop = stop
        self._queue_ready = False

    @property
    def name(self) -> str:
        return self.function.name

    # polling

    def loop(self) -> None:
        """Receive batches until the host stops; every received message is handed to a free worker at once."""
        for index in range(self.concurrency):
            worker = threading.Thread(target=self._work, name=f"queue-{self.name}-{index}", daemon=True)
            worker.start()
            self._workers.append(worker)
        delay, failing = POLL_FLOOR, False
        idle_cap = min(self.options.max_polling_interval, LOCAL_POLL_CAP)
        while not self._stop.is_set():
            if not self._wait_for_room():
                break
            try:
                self._ensure_queue()
                messages = list(self._receive())
            except AzureError as exc:
                if not failing:
                    log.warning(
                        "%s: queue %s unreachable (%s); retrying", self.name, self.queue_name, type(exc).__name__
                    )
                failing, delay = True, min(max(delay, POLL_FLOOR) * 2, ERROR_BACKOFF_CAP)
                self._stop.wait(delay)
                continue
            if failing:
                log.info("%s: queue %s reachable again", self.name, self.queue_name)
                failing = False
            if messages:
                delay = POLL_FLOOR
                for message in messages:
                    with self._idle:
                        self._in_flight += 1
                    self._jobs.put(message)
                continue
            self._stop.wait(delay)
            delay = min(delay * 2, idle_cap)

    def _ensure_queue(self) -> None:
        if not self._queue_ready:
            create_if_missing(self.client)
            self._queue_ready = True

    def _receive(self) -> Iterable[QueueMessage]:
        size = self.options.batch_size
        return self.client.receive_messages(messages_per_page=size, max_messages=size, visibility_timeout=self.lease)

    def _wait_for_room(self) -> bool:
        """Block until no more than newBatchThreshold messages are in flight (False: stopping)."""
        with self._idle:
            while self._in_flight > self.options.threshold and not self._stop.is_set():
                self._idle.wait(0.1)
        return not self._stop.is_set()

    # processing

    def _work(self) -> None:
        while (message := self._jobs.get()) is not None:
            try:
                if not self._stop.is_set():  # else left leased: it comes back when the lease ends
                    self.process(message)
            except Exception:  # a storage call that failed after the run: the lease brings the message back
                log.exception("%s: message %s: storage call failed", self.name, message.id)
            finally:
                with self._idle:
                    self._in_flight -= 1
                    self._idle.notify_all()

    def process(self, message: QueueMessage) -> None:
        """Run the function on one message; then delete it, leave it for a retry, or move it to the poison queue."""
        lease = _Lease(message)
        count = int(message.dequeue_count or 0)
        if count > self.options.max_dequeue_count:  # it came back after crashes without a completed failure
            self._move_to_poison(message, lease, f"dequeue count {count} is over maxDequeueCount")
            return
        try:
            body = decode(message.content or "", self.options.message_encoding)
        except UndecodableMessage as exc:
            self._move_to_poison(message, lease, str(exc))
            return
        with self._idle:
            self.stats.last_run = datetime.now(UTC)
        log.info("%s started (message %s, dequeue count %d)", self.name, message.id, count)
        clock = time.monotonic()
        try:
            with self._renewing(lease):
                self.function.invoke(_function_message(message, body))
        except Exception:
            self._count("failed")
            elapsed = (time.monotonic() - clock) * 1000
            log.exception(
                "%s failed after %.0f ms (message %s, dequeue count %d)", self.name, elapsed, message.id, count
            )
            if count >= self.options.max_dequeue_count:
                self._move_to_poison(message, lease, f"it reached maxDequeueCount {self.options.max_dequeue_count}")
            else:
                self._release(lease)
            return
        self._count("succeeded")
        log.info("%s succeeded in %.0f ms (message %s)", self.name, (time.monotonic() - clock) * 1000, message.id)
        self._delete(lease)

    def _count(self, outcome: Literal["succeeded", "failed", "poisoned"]) -> None:
        with self._idle:
            setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)

    @contextmanager
    def _renewing(self, lease: _Lease) -> Iterator[None]:
        """Keep the message invisible while the function runs: renew the lease every third of it."""
        done = threading.Event()

        def renew() -> None:
            while not done.wait(self.lease / 3):  # a third, not the host's half: slack for a loaded machine
                self._update(lease, self.lease)

        thread = threading.Thread(target=renew, name=f"lease-{lease.id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def _update(self, lease: _Lease, visibility: int) -> None:
        with lease.lock:
            if lease.lost:
                return
            try:
                receipt = self.client.update_message(lease.id, lease.pop_receipt, visibility_timeout=visibility)
            except AzureError as exc:
                lease.lost = True
                log.warning("%s: lost the lease of message %s (%s)", self.name, lease.id, type(exc).__name__)
                return
            lease.pop_receipt = receipt.pop_receipt or lease.pop_receipt

    def _release(self, lease: _Lease) -> None:
        """A failed run: the message comes back after visibilityTimeout (the host's retry delay)."""
        delay = int(self.options.visibility_timeout)
        self._update(lease, delay)
        log.info("%s: message %s will be retried in %d s", self.name, lease.id, delay)

    def _delete(self, lease: _Lease) -> None:
        with lease.lock:
            if lease.lost:
                log.warning(
                    "%s: message %s was processed but its lease was lost: it may run again", self.name, lease.id
                )
                return
            self.client.delete_message(lease.id, lease.pop_receipt)

    def _move_to_poison(self, message: QueueMessage, lease: _Lease, why: str) -> None:
        """Copy the message (as stored, still encoded) to `<queue>-poison`, then delete it, as the host does."""
        create_if_missing(self.poison)
        self.poison.send_message(message.content or "")
        self._delete(lease)
        self._count("poisoned")
        log.warning("%s: message %s moved to queue %s: %s", self.name, message.id, self.poison.queue_name, why)

    def stop(self, deadline: float) -> None:
        for _ in self._workers:
            self._jobs.put(None)
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        if self._in_flight:
            log.warning(
                "%s: %d message(s) still in flight; they come back when their lease ends", self.name, self._in_flight
            )

    def describe(self) -> dict[str, Any]:
        return {
            "in_flight": self._in_flight,
            "succeeded": self.stats.succeeded,
            "failed": self.stats.failed,
            "poisoned": self.stats.poisoned,
            "last_run": self.stats.last_run.isoformat() if self.stats.last_run else None,
        }


def _retry() -> LinearRetry:
    """One quick retry (the SDK's default waits 15 s, then 45 s): a local queue that is down is polled again soon."""
    return LinearRetry(backoff=1, retry_total=1, random_jitter_range=0)


def _function_message(message: QueueMessage, body: bytes) -> FunctionQueueMessage:
    """What the Python worker builds from the host's trigger metadata."""
    return FunctionQueueMessage(
        id=message.id,
        body=body,
        dequeue_count=message.dequeue_count,
        expiration_time=message.expires_on,
        insertion_time=message.inserted_on,
        time_next_visible=message.next_visible_on,
        pop_receipt=message.pop_receipt,
    )


class QueueHost:
    """Every servable queue function of the app: one poll thread each; a clean stop."""

    def __init__(self, functions: Iterable[QueueFunction], options: QueueOptions) -> None:
        self.options = options
        self.functions = list(functions)
        self._stop = threading.Event()
        self.runners = {
            f.name.lower(): QueueRunner(f, options, self._stop)
            for f in self.functions
            if f.error is None and not f.disabled
        }
        self._threads: list[threading.Thread] = []

    def runner(self, name: str) -> QueueRunner | None:
        return self.runners.get(name.lower())

    def describe(self, function: QueueFunction) -> dict[str, Any]:
        """The admin listing's entry (the connection by its setting's name only, never its value)."""
        runner = self.runner(function.name)
        queue_name = function.queue_name
        return {
            "kind": "queue",
            "declared_queue_name": function.queue_name_text,
            "queue_name": queue_name,
            "poison_queue_name": poison_queue_name(queue_name) if queue_name else None,
            "connection": function.connection,
            "error": function.error,
        } | (runner.describe() if runner else {})

    def start(self) -> None:
        for function in self.functions:
            if function.error:
                log.error("%s will not run: %s", function.name, function.error)
            elif function.disabled:
                log.info(
                    "%s is disabled (AzureWebJobs.%s.Disabled): its queue is not read", function.name, function.name
                )
        for runner in self.runners.values():
            thread = threading.Thread(target=runner.loop, name=f"poll-{runner.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = STOP_GRACE) -> None:
        """Stop polling; runs in progress get up to `timeout` (their threads are daemons: never a hang). Messages
        received but not finished stay leased and come back when the lease ends: nothing is lost."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for runner in self.runners.values():
            runner.stop(deadline)
