"""Pushing a trigger's logged events to its webhook subscribers (interface §4); the polling trigger's pages are in
shared/consumers/feed.py.

Webhooks (`Deliverer`): every subscription has its own cursor (the last event delivered), moved only after a 2xx.
Events go one at a time, in log order, each in its own POST; the first failure stops that subscription (head of
line: nothing is delivered out of order) and schedules a retry with exponential backoff and jitter, kept in the
subscription's row, so a restart or another instance carries on where this one stopped. A deliverer leases a
subscription (an ETag-conditioned write) before it sends anything, so two instances never deliver to one subscriber
at once. Delivery is at least once: a crash after a POST and before its cursor is written sends that event again,
with the same `X-Event-Id`.
"""

from __future__ import annotations

import json
import logging
import random
import ssl
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from shared.consumers.callbacks import Resolver, check_callback, redacted, system_resolver
from shared.consumers.feed import reconciled
from shared.consumers.subscriptions import Subscription, SubscriptionStore, known_trigger
from shared.errors import BadRequest
from shared.intercom.deadline import Deadline
from shared.settings import CONNECTION_HEADER, Settings
from shared.triggers.eventlog import Checkpoint, Event, EventLog
from shared.triggers.poll import PollOutcome

log = logging.getLogger("shared.consumers.delivery")

# -- webhook delivery ----------------------------------------------------------------------------------------------

DELIVERY_TIMEOUT_SECONDS = 10.0
LEASE_SECONDS = 60.0
BACKOFF_BASE_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 3600.0
READ_BATCH = 50
MAX_PARALLEL = 8
USER_AGENT = "intercom-connector-webhooks/1"


def event_id(connection: str, trigger: str, event: Event) -> str:
    """The X-Event-Id of an event: stable across re-deliveries, unique per connection and trigger."""
    return f"{connection}:{trigger}:{event.key}"


def backoff_seconds(attempts: int, *, base: float, cap: float, rand: Callable[[], float]) -> float:
    """The wait after the `attempts`-th failure in a row: base * 2^(attempts-1), at most `cap`, with equal jitter
    (between half of it and all of it), so that a subscriber that comes back is not hit by every retry at once."""
    delay: float = min(cap, base * float(2 ** min(max(attempts - 1, 0), 30)))
    return delay / 2 + rand() * delay / 2


@dataclass(frozen=True)
class Outcome:
    """What one POST to a subscriber came to."""

    ok: bool
    gone: bool = False
    error: str = ""
    retry_after: float | None = None


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _retry_after(response: httpx.Response) -> float | None:
    raw = str(response.headers.get("Retry-After", "")).strip()
    return float(raw) if raw.isdigit() else None


class Deliverer:
    """Pushes logged events to the webhook subscribers. The knobs are for tests; the defaults serve production."""

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver = system_resolver,
        now: Callable[[], datetime] = _utcnow,
        timeout: float = DELIVERY_TIMEOUT_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        backoff_cap: float = BACKOFF_CAP_SECONDS,
        rand: Callable[[], float] = random.random,
        max_parallel: int = MAX_PARALLEL,
        owner: str | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.settings = settings
        self.resolver = resolver
        self.now = now
        self.timeout = timeout
        self.lease = timedelta(seconds=lease_seconds)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rand = rand
        self.max_parallel = max_parallel
        self.owner = owner or uuid.uuid4().hex
        self.verify = verify
        self._storage = settings.storage_connection_string.get_secret_value()

    # -- entry points: never raise -------------------------------------------------------------------------------

    def deliver_pending(self, connection: str, trigger: str, deadline: Deadline) -> int:
        """Deliver what is pending for the subscribers of one trigger; the number of events delivered."""
        try:
            name = self._connection_name(connection)
            subs = SubscriptionStore(self._storage, name).list(known_trigger(trigger))
            return self._deliver(name, subs, deadline)
        except Exception:
            log.exception("webhook delivery of %s/%s failed", connection, trigger)
            return 0

    def deliver_all(self, deadline: Deadline) -> int:
        """Deliver what is pending for every subscription of every connection and trigger."""
        total = 0
        for name in self.settings.connections:
            if deadline.expired():
                break
            try:
                total += self._deliver(name, SubscriptionStore(self._storage, name).list(), deadline)
            except Exception:
                log.exception("webhook delivery of connection %s failed", name)
        return total

    # -- the work ------------------------------------------------------------------------------------------------

    def _connection_name(self, connection: str) -> str:
        try:
            return self.settings.connection(connection).name
        except BadRequest:
            return connection

    def _deliver(self, connection: str, subs: Sequence[Subscription], deadline: Deadline) -> int:
        now = self.now()
        due = [sub for sub in subs if sub.due(now)]
        if not due:
            return 0
        logs: dict[str, tuple[EventLog, Checkpoint | None]] = {}
        for trigger in sorted({sub.trigger for sub in due}):
            event_log = EventLog(self._storage, connection, trigger)
            logs[trigger] = (event_log, event_log.checkpoint())
        jobs: list[tuple[Subscription, EventLog, Checkpoint]] = []
        for sub in due:
            event_log, checkpoint = logs[sub.trigger]
            if checkpoint is not None and self._has_news(sub, checkpoint):
                jobs.append((sub, event_log, checkpoint))
        if not jobs:
            return 0
        store = SubscriptionStore(self._storage, connection)
        if len(jobs) == 1:
            return self._deliver_subscription(store, *jobs[0], deadline)
        with ThreadPoolExecutor(max_workers=min(self.max_parallel, len(jobs))) as pool:
            futures = [pool.submit(self._deliver_subscription, store, *job, deadline) for job in jobs]
            return sum(future.result() for future in futures)

    @staticmethod
    def _has_news(sub: Subscription, checkpoint: Checkpoint) -> bool:
        seq, _, restarted = reconciled(checkpoint, sub.cursor, sub.epoch)
        return restarted or seq < checkpoint.seq

    def _deliver_subscription(
        self,
        store: SubscriptionStore,
        sub: Subscription,
        event_log: EventLog,
        checkpoint: Checkpoint,
        deadline: Deadline,
    ) -> int:
        """Deliver to one subscriber until it is caught up, fails, or the deadline comes; never raises."""
        where = f"{sub.connection}/{sub.trigger} subscription {sub.id} ({redacted(sub.callback_url)})"
        held: Subscription | None = None
        delivered = 0
        try:
            seq, epoch, restarted = reconciled(checkpoint, sub.cursor, sub.epoch)
            if restarted:
                log.warning("%s: the event log was re-created; delivery restarts at its beginning", where)
            held = store.update(
                sub, cursor=seq, epoch=epoch, lease_owner=self.owner, lease_until=self.now() + self.lease
            )
            if held is None:
                return 0  # another deliverer leased it first, or it was deleted
            with httpx.Client(follow_redirects=False, trust_env=False, verify=self.verify) as client:
                while held is not None and not deadline.expired():
                    events = event_log.read(held.cursor, READ_BATCH)
                    if not events:
                        break
                    if events[0].seq > held.cursor + 1:
                        log.error(
                            "%s: events %d..%d expired (EVENT_RETENTION_DAYS) before they could be delivered",
                            where,
                            held.cursor + 1,
                            events[0].seq - 1,
                        )
                    for event in events:
                        if deadline.remaining() < self.timeout + 1:
                            return delivered
                        held = self._renew(store, held)
                        if held is None:
                            return delivered
                        held, sent = self._send(store, client, held, event, deadline, where)
                        delivered += sent
                        if held is None:
                            return delivered
            return delivered
        except Exception:
            log.exception("%s: delivery failed", where)
            return delivered
        finally:
            if held is not None and held.lease_owner == self.owner:
                try:
                    store.update(held, lease_owner="", lease_until=None)
                except Exception:
                    log.warning("%s: could not release the lease (it expires by itself)", where)

    def _renew(self, store: SubscriptionStore, held: Subscription) -> Subscription | None:
        """Extend the lease when it would not outlast one more POST; None when it was lost."""
        if held.lease_until is not None and held.lease_until - self.now() > timedelta(seconds=self.timeout + 5):
            return held
        return store.update(held, lease_until=self.now() + self.lease)

    def _send(
        self,
        store: SubscriptionStore,
        client: httpx.Client,
        held: Subscription,
        event: Event,
        deadline: Deadline,
        where: str,
    ) -> tuple[Subscription | None, bool]:
        """POST one event and record the outcome: (the subscription as now held, or None to stop; whether the
        subscriber took the event)."""
        outcome = self._post(client, held, event, deadline)
        if outcome.ok:
            moved = store.update(
                held,
                cursor=event.seq,
                attempts=0,
                next_attempt_at=None,
                last_error="",
                delivered=held.delivered + 1,
                lease_until=self.now() + self.lease,
            )
            return moved, True
        if outcome.gone:
            store.delete(held.trigger, held.id)
            log.warning("%s: the subscriber answered 410 Gone; subscription deleted", where)
            return None, False
        attempts = held.attempts + 1
        delay = backoff_seconds(attempts, base=self.backoff_base, cap=self.backoff_cap, rand=self.rand)
        if outcome.retry_after is not None:
            delay = max(delay, min(outcome.retry_after, self.backoff_cap))
        retry_at = self.now() + timedelta(seconds=delay)
        log.warning(
            "%s: delivery of event %s failed (%s), attempt %d; retrying in %.0f s",
            where,
            event.seq,
            outcome.error,
            attempts,
            delay,
        )
        store.update(
            held,
            attempts=attempts,
            next_attempt_at=retry_at,
            last_error=f"{outcome.error} (event {event.seq})",
            lease_owner="",
            lease_until=None,
        )
        return None, False

    def _post(self, client: httpx.Client, sub: Subscription, event: Event, deadline: Deadline) -> Outcome:
        """POST the event to the address the callback's host resolves to right now, if that address is allowed."""
        try:
            checked = check_callback(
                sub.callback_url, allow_loopback=self.settings.webhook_allow_loopback, resolver=self.resolver
            )
        except BadRequest as exc:
            return Outcome(ok=False, error=f"callback refused: {exc.details[0]['message'] if exc.details else exc}")
        url, host = checked.pinned()
        headers = {
            "Host": host,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Event-Id": event_id(sub.connection, sub.trigger, event),
            "X-Event-Trigger": sub.trigger,
            CONNECTION_HEADER: sub.connection,
        }
        extensions = {"sni_hostname": checked.host} if checked.scheme == "https" else {}
        timeout = max(0.5, min(self.timeout, deadline.remaining()))
        body = json.dumps(event.body, separators=(",", ":")).encode()
        try:
            with client.stream(
                "POST", url, content=body, headers=headers, timeout=timeout, extensions=extensions
            ) as response:
                status = response.status_code
                retry_after = _retry_after(response)
        except httpx.TimeoutException:
            return Outcome(ok=False, error=f"timed out after {timeout:g} s")
        except httpx.HTTPError as exc:
            message = str(exc).replace(url, redacted(url)).replace(sub.callback_url, redacted(sub.callback_url))
            return Outcome(ok=False, error=f"{type(exc).__name__}: {message[:200]}")
        if 200 <= status < 300:
            return Outcome(ok=True)
        if status == 410:
            return Outcome(ok=False, gone=True, error="HTTP 410")
        return Outcome(ok=False, error=f"HTTP {status}", retry_after=retry_after)


def deliver_pending(settings: Settings, connection: str, trigger: str, deadline: Deadline) -> int:
    """For the pollers, right after they commit new events: push them to the trigger's subscribers.

    Bounded by `deadline`; logs its own errors and never raises. The number of events delivered.
    """
    return Deliverer(settings).deliver_pending(connection, trigger, deadline)


def deliver_polled(settings: Settings, outcomes: Iterable[PollOutcome], deadline: Deadline) -> int:
    """For the poll timers, once every connection was polled: push the events each poll logged (a slow subscriber
    of one connection never eats another connection's poll time; what is left, the `deliver_webhooks` timer does)."""
    delivered = 0
    for outcome in outcomes:
        if outcome.events > 0:
            try:
                delivered += deliver_pending(settings, outcome.connection, outcome.trigger, deadline)
            except Exception as exc:  # it logs and swallows its own errors; this is a second line
                log.error(
                    "delivery %s connection=%s failed: %s", outcome.trigger, outcome.connection, type(exc).__name__
                )
    return delivered


def deliver_all(settings: Settings, deadline: Deadline) -> int:
    """For the `deliver_webhooks` timer: every pending delivery of every connection; never raises."""
    return Deliverer(settings).deliver_all(deadline)
