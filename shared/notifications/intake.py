"""Intercom's webhook notifications in (interface §6, §11): size, signature, envelope, workspace, then the inbox.

Checked in this order, so that a caller without a secret learns nothing about the body:
1. over MAX_BODY_BYTES: 413;
2. `X-Hub-Signature` missing or malformed, or no connection's client secret signs the raw body: 401;
3. not JSON, or not a notification envelope (`type`, `topic`, `id`, `app_id`, `created_at`, `data.item`): 400
   naming the field;
4. the envelope's `app_id` is the known workspace of none of the connections whose secret signed it: 401 (a
   connection whose workspace is not known yet takes it, and the worker checks `app_id` against `GET /me`);
5. `ping` and topics no trigger uses: 200, ignored;
6. stored in the inbox queue before the answer (storage down: 503, and Intercom sends it again).
The item itself is not judged here: once the signature and the envelope are good, the notification is taken (200)
and the worker interprets it, keeping what it cannot read as unreadable (shared/notifications/worker.py). Nothing here
calls Intercom, so the answer comes in milliseconds whatever Intercom or the budget are doing. Each answer but a 503
is counted (shared/notifications/tally.py).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from shared.errors import BadRequest, ConnectorError, PayloadTooLarge, Unauthorized
from shared.intercom.workspaces import WorkspaceDirectory
from shared.notifications import inbox, tally
from shared.notifications.signature import SIGNATURE_HEADER, parse_signature, signed_by
from shared.notifications.topics import ROUTES
from shared.settings import Settings
from shared.triggers.topic_rules import unix_seconds

log = logging.getLogger("shared.notifications.intake")


@dataclass(frozen=True)
class Intake:
    """What became of a notification: `queued` for a trigger, or `ignored` (ping, a topic no trigger uses)."""

    status: str
    connection: str
    topic: str


def accept(settings: Settings, body: bytes, signature: str | None, *, now: float | None = None) -> Intake:
    """Check one notification, store it durably and count the answer; raises the contract's errors (413, 401, 400,
    503)."""
    storage = settings.storage_connection_string.get_secret_value()
    received = time.time() if now is None else now
    door = _Door(settings)
    try:
        result = door.take(body, signature, received)
    except ConnectorError as error:
        if error.status < 500:
            tally.count(storage, door.connection, "refused", now=received)
        raise
    tally.count(storage, result.connection, "accepted", now=received)
    return result


class _Door:
    """One notification's checks; `connection` is whom a refusal is counted under: the connection whose secret signed
    it when only one did, else None (the deployment's: no secret signed it, or several did)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection: str | None = None

    def take(self, body: bytes, signature: str | None, received: float) -> Intake:
        settings = self.settings
        if len(body) > settings.max_body_bytes:
            raise PayloadTooLarge(
                f"body is larger than {settings.max_body_bytes} bytes",
                details=[{"field": "body", "message": "too large"}],
            )
        signers = _signers(settings, body, signature)
        self.connection = signers[0] if len(signers) == 1 else None
        envelope = parse_envelope(body)
        connection, verified = _route(settings, signers, envelope["app_id"])
        self.connection = connection
        topic = envelope["topic"]
        if topic not in ROUTES:
            log.info("notification %s topic=%s connection=%s ignored", envelope.get("id"), topic, connection)
            return Intake("ignored", connection, topic)
        notification = inbox.Notification(connection, verified, received, body.decode("utf-8"))
        inbox.enqueue(settings.storage_connection_string.get_secret_value(), notification)
        log.info("notification %s topic=%s connection=%s queued", envelope.get("id"), topic, connection)
        return Intake("queued", connection, topic)


def _signers(settings: Settings, body: bytes, signature: str | None) -> list[str]:
    """The connections whose client secret signed `body` (at least one, else 401)."""
    digest = parse_signature(signature)
    if digest is None:
        raise _unauthorized(f"{SIGNATURE_HEADER} is missing or is not sha1=<40 hex digits>")
    signers = [
        name
        for name, connection in settings.connections.items()
        if connection.client_secret is not None and signed_by(body, digest, connection.client_secret.get_secret_value())
    ]
    if not signers:
        raise _unauthorized(f"{SIGNATURE_HEADER} does not match the body under any connection's client secret")
    return signers


def _route(settings: Settings, signers: list[str], app_id: str) -> tuple[str, bool]:
    """(connection, verified): the signer whose known workspace is `app_id`, else one whose workspace is unknown."""
    known = WorkspaceDirectory(settings.storage_connection_string.get_secret_value()).known()
    for name in signers:
        if known.get(name) == app_id:
            return name, True
    for name in signers:
        if name not in known:
            return name, False
    raise _unauthorized("app_id is not the workspace of a connection whose client secret signed the body")


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(message, details=[{"field": SIGNATURE_HEADER, "message": message}])


def parse_envelope(body: bytes) -> dict[str, Any]:
    """The notification envelope, checked as far as the connector relies on it (400 naming the field). The item in
    `data.item` must be an object; what it holds is the worker's to judge."""
    try:
        envelope = json.loads(body.decode("utf-8"))  # strict: json.loads(bytes) would let lone surrogates through
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest.field("body", f"malformed JSON: {exc}") from exc
    except RecursionError:
        raise BadRequest.field("body", "malformed JSON: nested too deeply") from None
    if not isinstance(envelope, dict):
        raise BadRequest.field("body", "must be a JSON object (a notification_event)")
    if envelope.get("type") != "notification_event":
        raise BadRequest.field("type", "must be 'notification_event'")
    for name in ("topic", "app_id"):
        if not isinstance(envelope.get(name), str) or not envelope[name].strip():
            raise BadRequest.field(name, "must be a non-empty string")
    if envelope.get("id") is not None and not isinstance(envelope["id"], str):
        raise BadRequest.field("id", "must be a string (or null, as on ping)")
    if unix_seconds(envelope.get("created_at")) is None:
        raise BadRequest.field("created_at", "must be Unix seconds or an ISO-8601 timestamp with an offset")
    data = envelope.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("item"), dict):
        raise BadRequest.field("data.item", "must be an object")
    return envelope
