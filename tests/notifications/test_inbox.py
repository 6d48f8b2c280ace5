"""The inbox against Azurite's queue and table services: a notification is stored as a base64 queue message (what
the Functions host decodes), a body too large for a message goes to the table and comes back whole, and its row is
deleted once processed."""

from __future__ import annotations

import base64
import json

import pytest
from azure.storage.queue import QueueClient

from shared.errors import PayloadTooLarge
from shared.notifications import inbox
from shared.storage import MAX_TEXT_CHUNKS, TEXT_CHUNK, expand_connection_string


def take(storage_conn: str) -> str:
    """The next message's text, as the host hands it to the function (base64-decoded); the message is deleted."""
    plain = QueueClient.from_connection_string(expand_connection_string(storage_conn), inbox.QUEUE)
    message = next(iter(plain.receive_messages(max_messages=1, visibility_timeout=30)))
    plain.delete_message(message)
    return base64.b64decode(message.content).decode("utf-8")


def drain(storage_conn: str) -> None:
    inbox.queue_client(storage_conn).clear_messages()


@pytest.mark.parametrize("size", [100, inbox.MAX_INLINE_CHARS + 1, 200_000])
def test_a_notification_comes_back_whole(storage_conn: str, size: int) -> None:
    drain(storage_conn)
    body = json.dumps({"topic": "contact.user.created", "pad": "é" * size}, ensure_ascii=False)
    inbox.enqueue(storage_conn, inbox.Notification("conn1", True, 1.5, body))
    text = take(storage_conn)
    message = json.loads(text)
    assert ("ref" in message) == (len(body) > inbox.MAX_INLINE_CHARS)
    assert inbox.decode(storage_conn, text) == inbox.Notification("conn1", True, 1.5, body)
    inbox.release(storage_conn, text)
    if "ref" in message:
        with pytest.raises(ValueError, match="gone"):
            inbox.decode(storage_conn, text)


def test_a_body_larger_than_the_table_can_hold_is_refused(storage_conn: str) -> None:
    body = "x" * (TEXT_CHUNK * MAX_TEXT_CHUNKS + 1)
    with pytest.raises(PayloadTooLarge):
        inbox.enqueue(storage_conn, inbox.Notification("conn1", True, 0, body))


def test_a_message_the_inbox_did_not_write_is_a_value_error(storage_conn: str) -> None:
    for text in ('{"x": 1}', "[]", '{"connection": "c"}'):
        with pytest.raises(ValueError, match="inbox message"):
            inbox.decode(storage_conn, text)
