"""Webhook delivery: a scheduled queue, worker threads that POST signed notifications, faults, retries, a log.

`Workspace.emit` publishes under the simulator's lock (drawing drops, duplicates and delays from its seeded RNG);
the workers send without that lock, so a slow receiver never slows the REST API.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from intercom_sim.config import Config
from intercom_sim.notifications import PING_ITEM, envelope, signature

WORKERS = 4
USER_AGENT = "intercom-parrot-service-client/1.0"


@dataclass(frozen=True)
class Target:
    """Where and how one notification is sent: the settings when it was published."""

    url: str
    secret: str
    timeout: float
    retry_delay: float
    clock_offset: float

    @classmethod
    def of(cls, config: Config) -> Target:
        if config.webhook_url is None:
            raise ValueError("webhook_url is not set")
        return cls(
            config.webhook_url,
            config.webhook_secret or "",
            config.webhook_timeout_seconds,
            config.webhook_retry_delay_seconds,
            config.clock_offset,
        )


@dataclass
class Attempt:
    copy: int
    number: int
    at: float
    status: int | None
    error: str | None = None


@dataclass
class Delivery:
    """One notification: `status` is pending, sent, retried, duplicated, dropped, failed or disabled."""

    id: str | None
    topic: str
    object_id: str | None
    created_at: int
    status: str
    copies: int
    delays: list[float]
    published_at: float
    attempts: list[Attempt] = field(default_factory=list)
    first_sent_at: int | None = None
    done_at: float | None = None
    outcomes: list[str] = field(default_factory=list)  # per copy: sent, retried, failed, disabled


@dataclass(order=True)
class _Job:
    due: float
    order: int
    delivery: Delivery = field(compare=False)
    item: dict[str, Any] = field(compare=False)
    target: Target = field(compare=False)
    copy: int = field(compare=False)
    number: int = field(compare=False, default=1)


class WebhookSender:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: list[_Job] = []
        self._order = itertools.count()
        self._busy = 0
        self._log: list[Delivery] = []
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.disabled: str | None = None

    # ---- lifecycle -------------------------------------------------------------------------------------------------
    def start(self) -> None:
        with self._cond:
            self._stopping = False
        self._threads = [
            threading.Thread(target=self._work, name=f"intercom-sim-webhooks-{i}", daemon=True) for i in range(WORKERS)
        ]
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout=10)
        self._threads = []

    def clear(self) -> None:
        """Forget queued notifications, the log and a 410's disabling (what `Simulator.reset` does)."""
        with self._cond:
            self._queue.clear()
            self._log.clear()
            self.disabled = None
            self._cond.notify_all()

    def enable(self) -> None:
        with self._cond:
            self.disabled = None

    # ---- publishing ------------------------------------------------------------------------------------------------
    def publish(
        self, topic: str, object_id: str, item: dict[str, Any], created_at: int, config: Config, rng: random.Random
    ) -> Delivery:
        """Queue one notification, drawing (always in this order) drop, duplicate, two delays and the id from `rng`."""
        drop = rng.random() < config.webhook_drop_rate
        duplicate = rng.random() < config.webhook_duplicate_rate
        delays = [rng.uniform(0, config.webhook_max_delay_seconds) for _ in range(2)]
        notif_id = f"notif_{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        copies = 0 if drop else 2 if duplicate else 1
        status = "dropped" if drop else "pending"
        delivery = Delivery(notif_id, topic, object_id, created_at, status, copies, delays[:copies], time.time())
        if drop:
            delivery.done_at = delivery.published_at
        self._queue_copies(delivery, item, Target.of(config))
        return delivery

    def ping(self, config: Config, created_at: int) -> Delivery:
        delivery = Delivery(None, "ping", None, created_at, "pending", 1, [0.0], time.time())
        self._queue_copies(delivery, dict(PING_ITEM), Target.of(config))
        return delivery

    def _queue_copies(self, delivery: Delivery, item: dict[str, Any], target: Target) -> None:
        with self._cond:
            self._log.append(delivery)
            for copy, delay in enumerate(delivery.delays):
                self._push(_Job(delivery.published_at + delay, 0, delivery, item, target, copy))

    def _push(self, job: _Job) -> None:
        job.order = next(self._order)
        heapq.heappush(self._queue, job)
        self._cond.notify_all()

    # ---- reading ---------------------------------------------------------------------------------------------------
    def deliveries(self) -> list[Delivery]:
        """A snapshot of the delivery log, oldest first."""
        with self._cond:
            return [replace(d, attempts=list(d.attempts), outcomes=list(d.outcomes)) for d in self._log]

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or being sent (retries included); False if `timeout` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and self._busy == 0, timeout)

    # ---- sending ---------------------------------------------------------------------------------------------------
    def _work(self) -> None:
        with httpx.Client(trust_env=False) as client:
            while True:
                job = self._next()
                if job is None:
                    return
                try:
                    self._send(client, job)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()

    def _next(self) -> _Job | None:
        with self._cond:
            while not self._stopping:
                wait = self._queue[0].due - time.time() if self._queue else None
                if wait is not None and wait <= 0:
                    self._busy += 1
                    return heapq.heappop(self._queue)
                self._cond.wait(wait)
            return None

    def _send(self, client: httpx.Client, job: _Job) -> None:
        d, target = job.delivery, job.target
        with self._cond:
            if self.disabled is not None:
                self._finish(job, "disabled")
                return
            if d.first_sent_at is None:
                d.first_sent_at = int(time.time() + target.clock_offset)
            first_sent_at = d.first_sent_at
        body = json.dumps(envelope(d.id, d.topic, job.item, d.created_at, job.number, first_sent_at)).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Hub-Signature": signature(body, target.secret),
        }
        status: int | None = None
        error: str | None = None
        try:
            status = client.post(target.url, content=body, headers=headers, timeout=target.timeout).status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        with self._cond:
            d.attempts.append(Attempt(job.copy, job.number, time.time(), status, error))
            if status is not None and 200 <= status < 300:
                self._finish(job, "retried" if job.number > 1 else "sent")
            elif status == 410:
                self.disabled = f"410 from {target.url} for {d.id or 'ping'}"
                self._finish(job, "failed")
            elif job.number == 1:
                self._push(replace(job, due=time.time() + target.retry_delay, number=2))
            else:
                self._finish(job, "failed")

    def _finish(self, job: _Job, outcome: str) -> None:
        """Record one copy's outcome; when every copy is done, the notification's status (caller holds the lock)."""
        d = job.delivery
        d.outcomes.append(outcome)
        if len(d.outcomes) < d.copies:
            return
        d.done_at = time.time()
        ok = [o for o in d.outcomes if o in ("sent", "retried")]
        if not ok:
            d.status = "failed" if "failed" in d.outcomes else "disabled"
        elif d.copies > 1:
            d.status = "duplicated"
        else:
            d.status = ok[0]
