"""The durable inbox of accepted webhook notifications: the Azure Storage Queue `intercom-notifications`, drained by
the queue-triggered worker (functions/intake.py), with the host's retries and its `-poison` queue.

A message is JSON `{"connection", "verified", "received_at", "body"}` with Intercom's raw body as text, and
`"replay"` (the unreadable record's key) when an operator replays an unreadable notification. A body too
large for a queue message (64 KiB, base64-encoded) goes to the table `IcInbox` and the message carries its row key
(`"ref"`) instead: the claim-check pattern. Messages are base64 text, the Functions host's default encoding.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy

from shared.errors import PayloadTooLarge
from shared.storage import (
    MAX_TEXT_CHUNKS,
    TEXT_CHUNK,
    LazyTable,
    ensure_exists,
    expand_connection_string,
    text_of,
    text_properties,
    unavailable,
)

QUEUE = "intercom-notifications"
TABLE = "IcInbox"
PARTITION = "n"
# A queue message holds 64 KiB of base64 (48 KiB of text); the envelope around the body needs a little.
MAX_INLINE_CHARS = 45_000
STORAGE_RETRIES = 2


@dataclass(frozen=True)
class Notification:
    """An accepted notification. `verified`: its app_id matched the connection's known workspace at intake (when the
    workspace was not known yet, the worker checks it against `GET /me` before using it). `replay`: the key of the
    unreadable record this is a replay of (shared/notifications/unreadable.py), None for a notification as received."""

    connection: str
    verified: bool
    received_at: float
    body: str
    replay: str | None = None


_lock = threading.Lock()
_queues: dict[str, QueueClient] = {}


def queue_client(storage_connection_string: str) -> QueueClient:
    """The inbox queue's client (the queue created on first use in this process)."""
    with _lock:
        found = _queues.get(storage_connection_string)
    if found is not None:
        return found
    client = QueueClient.from_connection_string(
        expand_connection_string(storage_connection_string),
        QUEUE,
        message_encode_policy=TextBase64EncodePolicy(),
        message_decode_policy=TextBase64DecodePolicy(),
    )
    ensure_exists(client.create_queue, "notification queue")
    with _lock:
        _queues[storage_connection_string] = client
    return client


def enqueue(storage_connection_string: str, notification: Notification) -> None:
    """Store the notification durably (Unavailable when storage fails: nothing was accepted)."""
    message: dict[str, Any] = {
        "connection": notification.connection,
        "verified": notification.verified,
        "received_at": notification.received_at,
    }
    if notification.replay is not None:
        message["replay"] = notification.replay
    if len(notification.body) <= MAX_INLINE_CHARS:
        message["body"] = notification.body
    else:
        message["ref"] = _store_body(storage_connection_string, notification.body)
    try:
        queue_client(storage_connection_string).send_message(json.dumps(message, separators=(",", ":")))
    except AzureError as exc:
        raise unavailable("notification queue", exc) from exc


def decode(storage_connection_string: str, text: str) -> Notification:
    """A queue message back to its notification; ValueError for a message this module did not write."""
    message = json.loads(text)
    if not isinstance(message, dict) or not isinstance(message.get("connection"), str):
        raise ValueError("not an inbox message")
    body = message.get("body")
    if body is None and isinstance(message.get("ref"), str):
        body = _load_body(storage_connection_string, message["ref"])
    if not isinstance(body, str):
        raise ValueError("inbox message without a body")
    return Notification(
        connection=message["connection"],
        verified=message.get("verified") is True,
        received_at=float(message.get("received_at") or 0),
        body=body,
        replay=message["replay"] if isinstance(message.get("replay"), str) else None,
    )


def release(storage_connection_string: str, text: str) -> None:
    """After processing: delete the stored body of a large notification (none for an inline one)."""
    try:
        ref = json.loads(text).get("ref")
    except (ValueError, AttributeError):
        return
    if isinstance(ref, str):
        try:
            _table(storage_connection_string)().delete_entity(PARTITION, ref, retry_total=STORAGE_RETRIES)
        except ResourceNotFoundError:
            pass
        except AzureError as exc:
            raise unavailable("notification storage", exc) from exc


def _table(storage_connection_string: str) -> LazyTable:
    return LazyTable(storage_connection_string, TABLE)


def _store_body(storage_connection_string: str, body: str) -> str:
    try:
        text = text_properties(body)
    except ValueError:
        limit = TEXT_CHUNK * MAX_TEXT_CHUNKS
        raise PayloadTooLarge(
            f"body is larger than {limit} characters", details=[{"field": "body", "message": "too large"}]
        ) from None
    ref = uuid.uuid4().hex
    entity: dict[str, Any] = {"PartitionKey": PARTITION, "RowKey": ref, **text}
    try:
        _table(storage_connection_string)().create_entity(entity, retry_total=STORAGE_RETRIES)
    except AzureError as exc:
        raise unavailable("notification storage", exc) from exc
    return ref


def _load_body(storage_connection_string: str, ref: str) -> str:
    try:
        row = _table(storage_connection_string)().get_entity(PARTITION, ref, retry_total=STORAGE_RETRIES)
    except ResourceNotFoundError:
        raise ValueError(f"the stored body {ref} is gone") from None
    except AzureError as exc:
        raise unavailable("notification storage", exc) from exc
    return text_of(row)
