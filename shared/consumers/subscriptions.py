"""Webhook subscriptions of the triggers (interface §4, the Logic Apps HTTP Webhook contract) in Table Storage.

One table per connection (`IcSubs<connection>`), one partition per trigger, one row per subscription. A row holds
the callback URL and the delivery state that shared/consumers/delivery.py keeps in it: the sequence number of
the last event
delivered (`Cursor`, moved only after a 2xx), the retry state (`Attempts`, `NextAttemptAt`, `LastError`) and a
lease (`LeaseOwner`, `LeaseUntil`) that keeps two instances from delivering to one subscriber at once. Every write
of delivery state is conditioned on the row's ETag.

A subscription's id is `<connection>-<32 hex>`: the hex part is an HMAC of (connection, trigger, callback URL), so
subscribing the same callback twice gives the same subscription (a workflow saved again does not get every event
twice), and the connection part lets `DELETE .../subscriptions/{id}` find it when the caller does not repeat the
X-Intercom-Connection header.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.consumers.callbacks import FIELD as CALLBACK_FIELD
from shared.consumers.callbacks import Resolver, check_callback, system_resolver
from shared.errors import BadRequest, NotFound, Unavailable
from shared.settings import CONNECTION_HEADER, Connection, Settings
from shared.storage import LazyTable, table_name, unavailable
from shared.triggers.eventlog import EventLog
from shared.triggers.registry import TRIGGERS

TABLE_PREFIX = "IcSubs"
STORAGE_RETRIES = 2
_ID = re.compile(r"^(?P<connection>[A-Za-z0-9]{1,40})-(?P<hash>[0-9a-f]{32})$")


def known_trigger(name: str | None) -> str:
    """The trigger's name; 404 for a name that is not one of the triggers."""
    if name is None or name not in TRIGGERS:
        raise NotFound(f"no trigger named {name!r}; triggers: {', '.join(TRIGGERS)}")
    return name


def timestamp(moment: datetime) -> str:
    """The contract's timestamp format, yyyy-MM-ddTHH:mm:ss.fffZ (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Subscription:
    """A subscriber of one trigger on one connection, with its delivery state."""

    id: str
    connection: str
    trigger: str
    callback_url: str
    created_at: datetime
    cursor: int = 0
    epoch: int | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    lease_owner: str = ""
    lease_until: datetime | None = None
    delivered: int = 0
    etag: str | None = None

    def public(self) -> dict[str, Any]:
        """The subscription as callers see it (201 of a subscribe, GET of the subscription)."""
        return {
            "id": self.id,
            "trigger": self.trigger,
            "connection": self.connection,
            "callbackUrl": self.callback_url,
            "createdAt": timestamp(self.created_at),
        }

    def status(self) -> dict[str, Any]:
        """`public()` plus the delivery state, for operators."""
        return {
            **self.public(),
            "delivery": {
                "delivered": self.delivered,
                "lastDeliveredSeq": self.cursor,
                "failedAttempts": self.attempts,
                "nextAttemptAt": timestamp(self.next_attempt_at) if self.next_attempt_at else None,
                "lastError": self.last_error or None,
            },
        }

    def due(self, now: datetime) -> bool:
        """Not waiting for a retry, and not leased by a deliverer."""
        waiting = self.next_attempt_at is not None and self.next_attempt_at > now
        leased = self.lease_until is not None and self.lease_until > now
        return not waiting and not leased


def subscription_id(key: bytes, connection: str, trigger: str, callback_url: str) -> str:
    mac = hmac.new(key, f"subscription:{connection}:{trigger}:{callback_url}".encode(), hashlib.sha256)
    return f"{connection}-{mac.hexdigest()[:32]}"


class SubscriptionStore:
    """The subscriptions of one connection."""

    def __init__(self, storage_connection_string: str, connection: str) -> None:
        self.connection = connection
        self._client = LazyTable(storage_connection_string, table_name(TABLE_PREFIX, connection))

    def get(self, trigger: str, sub_id: str) -> Subscription | None:
        try:
            entity = self._client().get_entity(trigger, sub_id, retry_total=STORAGE_RETRIES)
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return self._from(entity)

    def list(self, trigger: str | None = None) -> list[Subscription]:
        """The subscriptions of `trigger` (every trigger when None), in id order."""
        try:
            if trigger is None:
                rows = self._client().list_entities(retry_total=STORAGE_RETRIES)
            else:
                rows = self._client().query_entities(
                    "PartitionKey eq @trigger", parameters={"trigger": trigger}, retry_total=STORAGE_RETRIES
                )
            return [self._from(row) for row in rows if str(row["PartitionKey"]) in TRIGGERS]
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def insert(self, sub: Subscription) -> tuple[Subscription, bool]:
        """Store a new subscription; (the stored one, False) when one with the same id exists already."""
        try:
            meta = self._client().create_entity(_entity(sub), retry_total=STORAGE_RETRIES)
        except ResourceExistsError:
            existing = self.get(sub.trigger, sub.id)
            if existing is not None:
                return existing, False
            return self.insert(sub)  # deleted in between: create it again
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return replace(sub, etag=str(meta["etag"])), True

    def delete(self, trigger: str, sub_id: str) -> None:
        """Delete a subscription; deleting one that does not exist is not an error (the SDK ignores a 404)."""
        try:
            self._client().delete_entity(trigger, sub_id, retry_total=STORAGE_RETRIES)
        except ResourceNotFoundError:
            pass
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def update(self, sub: Subscription, **changes: Any) -> Subscription | None:
        """Write `sub` with `changes` if the row is still the version `sub` was read at; None when it changed or
        was deleted since (another deliverer leased it, or the subscriber unsubscribed)."""
        if sub.etag is None:
            raise ValueError("update needs a subscription read from storage (with its ETag)")
        new = replace(sub, **changes)
        try:
            meta = self._client().update_entity(
                _entity(new),
                mode=UpdateMode.REPLACE,
                etag=sub.etag,
                match_condition=MatchConditions.IfNotModified,
                retry_total=STORAGE_RETRIES,
            )
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            if getattr(exc, "status_code", None) in (409, 412):
                return None
            raise _unavailable(exc) from exc
        return replace(new, etag=str(meta["etag"]))

    def _from(self, row: Mapping[str, Any]) -> Subscription:
        epoch = row.get("Epoch")
        return Subscription(
            id=str(row["RowKey"]),
            connection=self.connection,
            trigger=str(row["PartitionKey"]),
            callback_url=str(row["CallbackUrl"]),
            created_at=_moment(row.get("CreatedAt")) or datetime.now(UTC),
            cursor=int(row.get("Cursor") or 0),
            epoch=None if epoch is None or int(epoch) < 0 else int(epoch),
            attempts=int(row.get("Attempts") or 0),
            next_attempt_at=_moment(row.get("NextAttemptAt")),
            last_error=str(row.get("LastError") or ""),
            lease_owner=str(row.get("LeaseOwner") or ""),
            lease_until=_moment(row.get("LeaseUntil")),
            delivered=int(row.get("Delivered") or 0),
            etag=str(row.metadata["etag"]) if hasattr(row, "metadata") else None,
        )


# Table Storage has no null: absent times are stored as this instant and read back as None.
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _moment(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return None if moment <= _NEVER else moment


def _entity(sub: Subscription) -> dict[str, Any]:
    return {
        "PartitionKey": sub.trigger,
        "RowKey": sub.id,
        "CallbackUrl": sub.callback_url,
        "CreatedAt": sub.created_at,
        "Cursor": sub.cursor,
        "Epoch": -1 if sub.epoch is None else sub.epoch,
        "Attempts": sub.attempts,
        "NextAttemptAt": sub.next_attempt_at or _NEVER,
        "LastError": sub.last_error[:1000],
        "LeaseOwner": sub.lease_owner,
        "LeaseUntil": sub.lease_until or _NEVER,
        "Delivered": sub.delivered,
    }


def _unavailable(exc: Exception) -> Unavailable:
    return unavailable("subscription storage", exc)


# -- the operations behind the HTTP handlers -----------------------------------------------------------------------


def _body_callback(body: Mapping[str, Any]) -> str:
    unknown = sorted(set(body) - {CALLBACK_FIELD})
    if unknown:
        raise BadRequest(
            f"unknown field {unknown[0]!r}",
            details=[{"field": name, "message": "unknown field"} for name in unknown],
        )
    value = body.get(CALLBACK_FIELD)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest.field(CALLBACK_FIELD, "an https URL is required")
    try:
        value.encode()  # the id is an HMAC of it; a lone surrogate ("\ud800" in the JSON) has no UTF-8
    except UnicodeEncodeError:
        raise BadRequest.field(CALLBACK_FIELD, "must be a URL (it holds characters that are not text)") from None
    return value.strip()


def subscribe(
    settings: Settings,
    connection: Connection,
    trigger: str,
    body: Mapping[str, Any],
    *,
    resolver: Resolver = system_resolver,
) -> tuple[Subscription, bool]:
    """Subscribe `body["callbackUrl"]` to the trigger, from the log's head on (history is not replayed).

    (the subscription, True) when created; (the existing one, False) when that callback was subscribed already.
    """
    trigger = known_trigger(trigger)
    url = _body_callback(body)
    checked = check_callback(url, allow_loopback=settings.webhook_allow_loopback, resolver=resolver)
    storage = settings.storage_connection_string.get_secret_value()
    store = SubscriptionStore(storage, connection.name)
    sub_id = subscription_id(settings.cursor_key, connection.name, trigger, checked.url)
    existing = store.get(trigger, sub_id)
    if existing is not None:
        return existing, False
    checkpoint = EventLog(storage, connection.name, trigger).checkpoint()
    sub = Subscription(
        id=sub_id,
        connection=connection.name,
        trigger=trigger,
        callback_url=checked.url,
        created_at=datetime.now(UTC),
        cursor=0 if checkpoint is None else checkpoint.seq,
        epoch=None if checkpoint is None else checkpoint.start,
    )
    return store.insert(sub)


def connection_of_id(settings: Settings, header: str | None, sub_id: str | None) -> tuple[Connection, str] | None:
    """The connection a subscription id belongs to, and the id; None when no subscription can have that id.

    The id names its connection; an X-Intercom-Connection header that names another one is a 400.
    """
    match = _ID.match(sub_id or "")
    if match is None:
        return None
    if header is not None and header.strip():
        connection = settings.connection(header)
        if connection.name.lower() != match["connection"].lower():
            raise BadRequest.field(CONNECTION_HEADER, "names another connection than the subscription's")
    else:
        try:
            connection = settings.connection(match["connection"])
        except BadRequest:
            return None  # a connection no longer configured: nothing of it is delivered any more
    return connection, f"{connection.name}-{match['hash']}"


def get_subscription(settings: Settings, header: str | None, trigger: str, sub_id: str | None) -> Subscription:
    trigger = known_trigger(trigger)
    found = connection_of_id(settings, header, sub_id)
    sub = None
    if found is not None:
        connection, canonical = found
        sub = SubscriptionStore(settings.storage_connection_string.get_secret_value(), connection.name).get(
            trigger, canonical
        )
    if sub is None:
        raise NotFound(f"no subscription {sub_id!r} of trigger {trigger!r}")
    return sub


def unsubscribe(settings: Settings, header: str | None, trigger: str, sub_id: str | None) -> None:
    """Delete the subscription; one that does not exist (any more) is not an error: unsubscribing is idempotent."""
    trigger = known_trigger(trigger)
    found = connection_of_id(settings, header, sub_id)
    if found is not None:
        connection, canonical = found
        SubscriptionStore(settings.storage_connection_string.get_secret_value(), connection.name).delete(
            trigger, canonical
        )


def unsubscribe_callback(settings: Settings, connection: Connection, trigger: str, body: Mapping[str, Any]) -> None:
    """Delete the subscription of `body["callbackUrl"]` (the URL is not checked again: it may have gone away);
    idempotent like `unsubscribe`."""
    trigger = known_trigger(trigger)
    url = _body_callback(body)
    sub_id = subscription_id(settings.cursor_key, connection.name, trigger, url)
    SubscriptionStore(settings.storage_connection_string.get_secret_value(), connection.name).delete(trigger, sub_id)
