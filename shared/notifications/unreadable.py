"""Unreadable notifications (interface §11): correctly signed and answered 200, but not turned into events: an item
the connector cannot interpret (an unexpected shape, a missing field), a notification whose processing failed on
every attempt, or one sent by a workspace that is not its connection's.

Each is kept with its reason, never refused and never lost, in the connection's table `IcUnreadable<connection>`:
one row per notification (Intercom's resend of the same notification id updates its row and is counted once), with
the raw notification (split over properties as the inbox's claim check does), its topic, its id, the reason, when
it was received and recorded. It stays until an operator replays it (back into the inbox; the row goes once the
worker has processed it, or is updated with the new reason) or dismisses it. docs/webhooks.md tells how.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.models.common import format_timestamp
from shared.notifications import inbox, tally
from shared.storage import LazyTable, table_name, text_of, text_properties, unavailable

log = logging.getLogger("shared.notifications.unreadable")

TABLE_PREFIX = "IcUnreadable"
PARTITION = "n"
MAX_LISTED = 1000
LISTED = 100
REASON_CHARS = 1000
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")  # Intercom's `notif_<uuid>` ids are; others are hashed
_SUMMARY = ["RowKey", "Topic", "NotificationId", "Reason", "ReceivedAt", "RecordedAt", "Verified", "ReplayedAt"]


@dataclass(frozen=True)
class Unreadable:
    """A kept notification. `body` is Intercom's raw notification ("" in a listing)."""

    key: str
    connection: str
    topic: str | None
    notification_id: str | None
    reason: str
    received_at: float
    recorded_at: float
    verified: bool
    replayed_at: float | None
    body: str = ""

    def summary(self) -> dict[str, Any]:
        """The record as an operator's listing shows it (without the body)."""
        return {
            "key": self.key,
            "topic": self.topic,
            "notification_id": self.notification_id,
            "reason": self.reason,
            "received_at": format_timestamp(self.received_at),
            "recorded_at": format_timestamp(self.recorded_at),
            "replayed_at": format_timestamp(self.replayed_at),
        }

    def detail(self) -> dict[str, Any]:
        """The record with the notification as Intercom sent it (parsed, as it was JSON when it was accepted)."""
        try:
            notification: Any = json.loads(self.body)
        except (ValueError, RecursionError):
            notification = self.body
        return {**self.summary(), "verified": self.verified, "notification": notification}


def record(
    storage_connection_string: str, notification: inbox.Notification, reason: str, *, now: float | None = None
) -> Unreadable:
    """Keep the notification with its reason (a new one is counted in the tally); Unavailable when storage fails."""
    topic, notification_id = _peek(notification.body)
    kept = Unreadable(
        key=_key(notification_id, notification.body),
        connection=notification.connection,
        topic=topic,
        notification_id=notification_id,
        reason=reason[:REASON_CHARS],
        received_at=notification.received_at,
        recorded_at=time.time() if now is None else now,
        verified=notification.verified,
        replayed_at=None,
        body=notification.body,
    )
    entity: dict[str, Any] = {
        "PartitionKey": PARTITION,
        "RowKey": kept.key,
        "Topic": topic,
        "NotificationId": notification_id,
        "Reason": kept.reason,
        "ReceivedAt": kept.received_at,
        "RecordedAt": kept.recorded_at,
        "Verified": kept.verified,
        **text_properties(notification.body),
    }
    table = _table(storage_connection_string, notification.connection)
    try:
        try:
            table().create_entity(entity)
            tally.count(storage_connection_string, notification.connection, "unreadable", now=kept.recorded_at)
        except ResourceExistsError:
            table().upsert_entity(entity, mode=UpdateMode.REPLACE)
    except AzureError as exc:
        raise unavailable("unreadable notifications", exc) from exc
    log.warning(
        "notification %s topic=%s connection=%s kept as unreadable: %s",
        notification_id,
        topic,
        notification.connection,
        kept.reason,
    )
    return kept


def listing(storage_connection_string: str, connection: str, *, limit: int = 100) -> tuple[list[Unreadable], int]:
    """(the `limit` most recently recorded, how many are kept), without their bodies (up to MAX_LISTED are read)."""
    try:
        rows = _table(storage_connection_string, connection)().query_entities(
            "PartitionKey eq @p", parameters={"p": PARTITION}, select=_SUMMARY
        )
        found = [_from_row(connection, row, with_body=False) for _, row in zip(range(MAX_LISTED), rows, strict=False)]
    except AzureError as exc:
        raise unavailable("unreadable notifications", exc) from exc
    found.sort(key=lambda kept: kept.recorded_at, reverse=True)
    return found[:limit], len(found)


def overview(storage_connection_string: str, connection: str) -> dict[str, Any]:
    """What an operator lists: the connection's webhook counts over 24 hours, how many notifications are kept as
    unreadable, and the LISTED most recent of them."""
    kept, total = listing(storage_connection_string, connection, limit=LISTED)
    return {
        "connection": connection,
        "counts": tally.webhook_counts(storage_connection_string, connection),
        "total": total,
        "value": [item.summary() for item in kept],
    }


def get(storage_connection_string: str, connection: str, key: str) -> Unreadable | None:
    """One kept notification with its body; None when there is none under `key`."""
    if not _SAFE_KEY.match(key):
        return None
    try:
        row = _table(storage_connection_string, connection)().get_entity(PARTITION, key)
    except ResourceNotFoundError:
        return None
    except AzureError as exc:
        raise unavailable("unreadable notifications", exc) from exc
    return _from_row(connection, row, with_body=True)


def forget(storage_connection_string: str, connection: str, key: str) -> bool:
    """Delete a kept notification (dismissed, or processed after a replay); whether there was one."""
    if not _SAFE_KEY.match(key):
        return False
    table = _table(storage_connection_string, connection)
    try:
        table().get_entity(PARTITION, key, select=["RowKey"])  # delete_entity answers alike whether it was there
        table().delete_entity(PARTITION, key)
    except ResourceNotFoundError:
        return False
    except AzureError as exc:
        raise unavailable("unreadable notifications", exc) from exc
    return True


def replay(storage_connection_string: str, connection: str, key: str, *, now: float | None = None) -> Unreadable | None:
    """Put a kept notification back into the inbox for the worker (None when there is none under `key`). Its row
    stays, marked replayed, until the worker has processed it: then it goes, or is updated with the new reason."""
    kept = get(storage_connection_string, connection, key)
    if kept is None:
        return None
    again = inbox.Notification(connection, kept.verified, kept.received_at, kept.body, replay=key)
    inbox.enqueue(storage_connection_string, again)
    replayed_at = time.time() if now is None else now
    try:
        _table(storage_connection_string, connection)().update_entity(
            {"PartitionKey": PARTITION, "RowKey": key, "ReplayedAt": replayed_at}, mode=UpdateMode.MERGE
        )
    except ResourceNotFoundError:
        pass  # processed already
    except AzureError as exc:
        raise unavailable("unreadable notifications", exc) from exc
    return dataclasses.replace(kept, replayed_at=replayed_at)


def _table(storage_connection_string: str, connection: str) -> LazyTable:
    return LazyTable(storage_connection_string, table_name(TABLE_PREFIX, connection))


def _peek(body: str) -> tuple[str | None, str | None]:
    """(topic, notification id) of a raw notification, as far as it has them."""
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(envelope, dict):
        return None, None
    topic, notification_id = envelope.get("topic"), envelope.get("id")
    return (topic if isinstance(topic, str) else None), (notification_id if isinstance(notification_id, str) else None)


def _key(notification_id: str | None, body: str) -> str:
    """The row key: Intercom's notification id, or a hash of the body when it has no usable one (ping's is null)."""
    if notification_id is not None and _SAFE_KEY.match(notification_id):
        return notification_id
    return "sha1-" + hashlib.sha1(body.encode("utf-8")).hexdigest()  # noqa: S324 - a name, not security


def _from_row(connection: str, row: Any, *, with_body: bool) -> Unreadable:
    replayed = row.get("ReplayedAt")
    return Unreadable(
        key=str(row["RowKey"]),
        connection=connection,
        topic=row.get("Topic"),
        notification_id=row.get("NotificationId"),
        reason=str(row.get("Reason") or ""),
        received_at=float(row.get("ReceivedAt") or 0),
        recorded_at=float(row.get("RecordedAt") or 0),
        verified=row.get("Verified") is True,
        replayed_at=None if replayed is None else float(replayed),
        body=text_of(row) if with_body else "",
    )
