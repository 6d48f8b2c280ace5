"""The worker behind the intake: one stored notification -> its events in the trigger logs -> pushed to subscribers.

Runs from the queue-triggered function (functions/intake.py). For each trigger the topic feeds
(shared/notifications/topics.py) it logs the event under the key a poll would give it, through the same ETag-guarded
log (`EventLog.append`), so webhook and poll together log it once.

Interpreting the item happens here, not at the intake (which answers within milliseconds and only checks the
signature and the envelope): an item the connector cannot read (a missing field, an unexpected shape, a body
builder that fails on it) or a notification from another workspace is kept as unreadable with its reason
(shared/notifications/unreadable.py), and the message is done. An error it cannot get past now (Intercom down, the
budget spent, storage down) is raised: the host retries the message; on the last attempt the notification is kept
as unreadable with that error as its reason, and a message the host poisons anyway (a run that crashed or timed out)
is kept by `poisoned`. The polls still log the events.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.consumers.delivery import deliver_pending
from shared.errors import ConnectorError
from shared.intercom.client import IntercomClient, client_for
from shared.intercom.deadline import Deadline
from shared.intercom.workspaces import WorkspaceDirectory
from shared.notifications import inbox, unreadable
from shared.notifications.topics import ROUTES, Route, item_problem, notification_item
from shared.settings import Settings
from shared.triggers.bodies import BUILDERS
from shared.triggers.eventlog import Checkpoint, EventLog, NewEvent
from shared.triggers.poll import key_bound
from shared.triggers.registry import TRIGGERS
from shared.triggers.topic_rules import Found

log = logging.getLogger("shared.notifications.worker")

# Time for one notification: names through the throttled client may wait for budget.
WORKER_SECONDS = 45.0
# A trigger that no poll has started yet starts this long before the first notification it gets (with TRIGGER_START
# now): Intercom sends a notification seconds to a minute (a retry) after the write.
FIRST_NOTIFICATION_SLACK_SECONDS = 300
# The host's attempts at a message: host.json extensions.queues.maxDequeueCount (tests/notifications check they agree).
MAX_ATTEMPTS = 5


def process(
    settings: Settings, text: str, *, clock: Callable[[], float] = time.time, final_attempt: bool = False
) -> dict[str, int]:
    """Log the events of one inbox message; {trigger: events logged}. A notification it cannot interpret is kept as
    unreadable (shared/notifications/unreadable.py) and gives {}. Any other failure is raised for the host to retry,
    but on the final attempt (`final_attempt`: the host's last dequeue) it is kept as unreadable with the failure as
    its reason, so that no message is lost to the poison queue."""
    storage = settings.storage_connection_string.get_secret_value()
    try:
        notification = inbox.decode(storage, text)
    except ValueError as exc:
        log.warning("inbox message dropped: %s", exc)
        return {}
    try:
        logged = _events(settings, notification, clock)
    except NotInterpretable as exc:
        unreadable.record(storage, notification, exc.reason)
        logged = {}
    except Exception as exc:
        if not final_attempt:
            raise
        unreadable.record(storage, notification, f"failed on every one of {MAX_ATTEMPTS} attempts: {described(exc)}")
        logged = {}
    else:
        if notification.replay is not None:
            unreadable.forget(storage, notification.connection, notification.replay)
    inbox.release(storage, text)
    return logged


def poisoned(settings: Settings, text: str) -> None:
    """A message the host moved to the poison queue (its runs crashed or timed out): kept as unreadable."""
    storage = settings.storage_connection_string.get_secret_value()
    try:
        notification = inbox.decode(storage, text)
    except ValueError as exc:
        log.error("poisoned inbox message dropped: %s", exc)
        return
    reason = f"every attempt crashed or timed out; the host moved it to {inbox.QUEUE}-poison"
    unreadable.record(storage, notification, reason)
    inbox.release(storage, text)


class NotInterpretable(Exception):
    """A notification the connector cannot turn into events, with the reason an operator reads."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownConnection(Exception):
    """A stored notification names a connection the settings do not have (anymore)."""


# What a body builder raises for an item it cannot read (a pydantic ValidationError is a ValueError); Intercom's and
# storage's errors are ConnectorErrors and are retried.
SHAPE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError)


def described(exc: BaseException) -> str:
    """An exception in words for the record: the connector's code and message (they never carry a secret), else the
    exception's type only (a library's message might carry an address or a key)."""
    if isinstance(exc, ConnectorError):
        return f"{exc.code}: {exc.message}"
    return type(exc).__name__


def _events(settings: Settings, notification: inbox.Notification, clock: Callable[[], float]) -> dict[str, int]:
    connection = settings.connections.get(notification.connection)
    if connection is None:  # settings changed since the intake: retried, then kept as unreadable
        raise UnknownConnection(f"notification for connection {notification.connection}, which is not configured")
    envelope = json.loads(notification.body)
    topic = str(envelope["topic"])
    item = notification_item(envelope)
    problem = item_problem(topic, item)
    if problem is not None:
        raise NotInterpretable(f"{problem[0]}: {problem[1]}")
    client = client_for(connection, settings)
    deadline = Deadline.after(WORKER_SECONDS)
    app_id = str(envelope["app_id"])
    if not notification.verified and not _same_workspace(settings, client, app_id, deadline):
        raise NotInterpretable(f"sent by workspace {app_id}, which is not connection {connection.name}'s")
    job = _Job(settings, connection.name, client, deadline, clock)
    logged: dict[str, int] = {}
    for route in ROUTES.get(topic, ()):
        obj = route.object(item)  # the item itself, or the object a wrapper item holds
        found = None if obj is None else route.event(obj)
        if obj is not None and found is not None:
            logged[route.trigger] = job.log_event(route, found, obj)
    for trigger, count in logged.items():
        if count:
            deliver_pending(settings, connection.name, trigger, deadline)
    log.info(
        "notification %s topic=%s connection=%s logged=%s (%.0f ms after intake)",
        envelope.get("id"),
        topic,
        connection.name,
        logged,
        (clock() - notification.received_at) * 1000,
    )
    return logged


def _same_workspace(settings: Settings, client: IntercomClient, app_id: str, deadline: Deadline) -> bool:
    """Whether the connection's workspace (`GET /me`) sent it; the workspace is remembered for the intake."""
    directory = WorkspaceDirectory(settings.storage_connection_string.get_secret_value())
    return directory.read(client, deadline) == app_id


@dataclass(frozen=True)
class _Job:
    settings: Settings
    connection: str
    client: IntercomClient
    deadline: Deadline
    clock: Callable[[], float]

    def log_event(self, route: Route, found: Found, item: Mapping[str, Any]) -> int:
        """Append one event unless it is logged already (or superseded: `newest_only`); how many were logged."""
        storage = self.settings.storage_connection_string.get_secret_value()
        event_log = EventLog(storage, self.connection, route.trigger)
        if event_log.logged([found.key]):
            return 0
        trigger = TRIGGERS[route.trigger]
        if trigger.newest_only and _superseded(event_log, found):
            return 0
        try:
            body = BUILDERS[trigger.body](self.client, item, self.deadline)
        except SHAPE_ERRORS as exc:
            raise NotInterpretable(f"its {route.trigger} event cannot be built: {described(exc)}") from exc
        lookback = self.settings.poll_lookback_seconds

        def floor(checkpoint: Checkpoint) -> int:
            return key_bound(route.trigger, checkpoint.watermark, lookback)

        start = int(self.clock() - self.settings.trigger_start.total_seconds()) - FIRST_NOTIFICATION_SLACK_SECONDS
        event = NewEvent(found.key, found.object_id, found.occurred_at, body)
        return len(event_log.append([event], start=start, floor=floor))


def _superseded(event_log: EventLog, found: Found) -> bool:
    """A later version of this object is logged already: this one arrived out of order and is no longer its latest
    update (a poll would never see it either); logging it now would hand flows a stale user after a fresh one."""
    for key in event_log.versions(found.object_id):
        stamp = key.rpartition(":")[2]
        if stamp.isdigit() and int(stamp) > found.occurred_at:
            return True
    return False
