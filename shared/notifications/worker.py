"""The worker behind the intake: one stored notification -> its events in the trigger logs -> pushed to subscribers.

Runs from the queue-triggered function (functions/intake.py). For each trigger the topic feeds
(shared/notifications/topics.py) it logs the event under the key a poll would give it, through the same ETag-guarded
log (`EventLog.append`), so webhook and poll together log it once. An error it cannot get past now (Intercom down,
the budget spent, storage down) is raised: the host retries the message, and after its last attempt the message goes
to the `-poison` queue; the polls still log the event.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.consumers.delivery import deliver_pending
from shared.intercom.client import IntercomClient, client_for
from shared.intercom.deadline import Deadline
from shared.intercom.workspaces import WorkspaceDirectory
from shared.notifications import inbox
from shared.notifications.topics import ROUTES, Found, Route, normalized
from shared.settings import Connection, Settings
from shared.triggers.eventlog import Checkpoint, EventLog, NewEvent
from shared.triggers.poll import key_bound
from shared.triggers.registry import SPECS

log = logging.getLogger("shared.notifications.worker")

# Time for one notification: names through the throttled client may wait for budget.
WORKER_SECONDS = 45.0
# A trigger that no poll has started yet starts this long before the first notification it gets (with TRIGGER_START
# now): Intercom sends a notification seconds to a minute (a retry) after the write.
FIRST_NOTIFICATION_SLACK_SECONDS = 300


def process(settings: Settings, text: str, *, clock: Callable[[], float] = time.time) -> dict[str, int]:
    """Log the events of one inbox message; {trigger: events logged}. Raises what should be retried."""
    storage = settings.storage_connection_string.get_secret_value()
    try:
        notification = inbox.decode(storage, text)
    except ValueError as exc:
        log.warning("inbox message dropped: %s", exc)
        return {}
    connection = settings.connections.get(notification.connection)
    if connection is None:  # settings changed since the intake: retried, then kept in the poison queue
        raise UnknownConnection(f"notification for connection {notification.connection}, which is not configured")
    envelope = json.loads(notification.body)
    topic = str(envelope["topic"])
    item = normalized(envelope["data"]["item"])
    client = client_for(connection, settings)
    deadline = Deadline.after(WORKER_SECONDS)
    logged: dict[str, int] = {}
    if notification.verified or _same_workspace(settings, connection, client, str(envelope["app_id"]), deadline):
        job = _Job(settings, connection.name, client, deadline, clock)
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
    inbox.release(storage, text)
    return logged


class UnknownConnection(Exception):
    """A stored notification names a connection the settings do not have (anymore)."""


def _same_workspace(
    settings: Settings, connection: Connection, client: IntercomClient, app_id: str, deadline: Deadline
) -> bool:
    """Whether the connection's workspace (`GET /me`) sent it; the workspace is remembered for the intake."""
    directory = WorkspaceDirectory(settings.storage_connection_string.get_secret_value())
    if directory.read(client, deadline) != app_id:
        log.warning("notification from workspace %s is not connection %s's: dropped", app_id, connection.name)
        return False
    return True


@dataclass(frozen=True)
class _Job:
    settings: Settings
    connection: str
    client: IntercomClient
    deadline: Deadline
    clock: Callable[[], float]

    def log_event(self, route: Route, found: Found, item: Mapping[str, Any]) -> int:
        """Append one event unless it is logged already (or superseded, for user-updated); how many were logged."""
        storage = self.settings.storage_connection_string.get_secret_value()
        event_log = EventLog(storage, self.connection, route.trigger)
        if event_log.logged([found.key]):
            return 0
        if route.trigger == "user-updated" and _superseded(event_log, found):
            return 0
        body = SPECS[route.trigger].body(self.client, item, self.deadline)
        lookback = self.settings.poll_lookback_seconds

        def floor(checkpoint: Checkpoint) -> int:
            return key_bound(route.trigger, checkpoint.watermark, lookback)

        start = int(self.clock() - self.settings.trigger_start.total_seconds()) - FIRST_NOTIFICATION_SLACK_SECONDS
        event = NewEvent(found.key, found.object_id, found.occurred_at, body)
        return len(event_log.append([event], start=start, floor=floor))


def _superseded(event_log: EventLog, found: Found) -> bool:
    """A later version of this user is logged already: this one arrived out of order and is no longer its latest
    update (a poll would never see it either); logging it now would hand flows a stale user after a fresh one."""
    for key in event_log.versions(found.object_id):
        stamp = key.rpartition(":")[2]
        if stamp.isdigit() and int(stamp) > found.occurred_at:
            return True
    return False
