"""A trigger's durable state in Table Storage: its checkpoint, its append-only event log and its seen-keys.

One table per trigger and connection (e.g. `IcLeadCreateddefault`), one partition, so that a poll appends its
events and moves its checkpoint in ONE entity-group transaction:

- `checkpoint`       the sequence number of the last event, the poll's watermark, where the trigger started and
                     free-form poll state (JSON); written only with its ETag, so two overlapping polls cannot both
                     commit on the same checkpoint;
- `e<seq:016d>`      one row per event, in append order (the polling trigger's cursor is a sequence number);
- `k<event key>`     one row per event key ("<id>" or "<id>:<updated_at>"): created, never overwritten, so a key
                     that is already logged makes the whole transaction fail instead of doubling the event.

Either the events, their keys and the new checkpoint are all stored, or none is: a crash between a poll's reads and
its commit loses nothing (the next poll reads the same window again) and doubles nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, TableTransactionError, UpdateMode

from shared.errors import Unavailable
from shared.storage import LazyTable, table_name, text_of, text_properties, unavailable
from shared.triggers import registry

log = logging.getLogger("shared.triggers.eventlog")

PARTITION = "log"
CHECKPOINT = "checkpoint"
EVENT_PREFIX = "e"
KEY_PREFIX = "k"
# A transaction holds at most 100 operations: the checkpoint plus two rows per event.
EVENTS_PER_TRANSACTION = 49
# ... and at most 4 MiB of payload: events are also grouped so that their bodies (as JSON, escaped) stay below this.
TRANSACTION_BODY_BYTES = 3_000_000
# Point lookups (`logged`, `existing_row_keys`) run this many at a time.
LOOKUP_THREADS = 8
STORAGE_RETRIES = 2
# How often an append re-reads the checkpoint after another writer moved it first.
APPEND_ATTEMPTS = 8


class ConcurrentCommit(Exception):
    """Another poll moved the checkpoint (or logged one of these keys) first; this poll's commit was discarded."""


@dataclass(frozen=True)
class NewEvent:
    """An event a poll found: `key` is its identity for exactly-once, `occurred_at` Intercom's Unix seconds."""

    key: str
    object_id: str
    occurred_at: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Event:
    """An event as logged: its place in the log (`seq`) and when it was appended."""

    seq: int
    key: str
    object_id: str
    occurred_at: int
    body: dict[str, Any]
    logged_at: datetime


@dataclass(frozen=True)
class Checkpoint:
    """Where a trigger stands. `etag` is the version read; `commit` succeeds only if it is still current."""

    seq: int
    start: int
    watermark: int
    state: dict[str, Any] = field(default_factory=dict)
    etag: str | None = None


def trigger_table_name(trigger: str, connection: str) -> str:
    return table_name(registry.trigger(trigger).table, connection)


def event_row_key(seq: int) -> str:
    return f"{EVENT_PREFIX}{seq:016d}"


def key_row_key(key: str) -> str:
    # Row keys may not hold / \ # ? or control characters; Intercom ids and timestamps never do.
    if any(c in key for c in "/\\#?") or any(ord(c) < 32 for c in key):
        raise ValueError(f"event key {key!r} cannot be a row key")
    return KEY_PREFIX + key


class EventLog:
    """One trigger's log on one connection."""

    def __init__(self, storage_connection_string: str, connection: str, trigger: str) -> None:
        self.connection = connection
        self.trigger = trigger
        self.storage = storage_connection_string
        self._client = LazyTable(storage_connection_string, trigger_table_name(trigger, connection))

    # -- checkpoint --------------------------------------------------------------------------------------------

    def checkpoint(self) -> Checkpoint | None:
        """The stored checkpoint with its ETag, or None before the trigger's first poll."""
        try:
            entity = self._client().get_entity(PARTITION, CHECKPOINT, retry_total=STORAGE_RETRIES)
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return Checkpoint(
            seq=int(entity["Seq"]),
            start=int(entity["Start"]),
            watermark=int(entity["Watermark"]),
            state=json.loads(str(entity.get("State") or "{}")),
            etag=str(entity.metadata["etag"]),
        )

    def begin(self, start: int, state: dict[str, Any] | None = None) -> Checkpoint:
        """Create the first checkpoint (nothing before `start` is ever emitted); if a racing poll did, read its."""
        first = Checkpoint(seq=0, start=start, watermark=start, state=state or {})
        try:
            meta = self._client().create_entity(_checkpoint_entity(first), retry_total=STORAGE_RETRIES)
        except ResourceExistsError:
            existing = self.checkpoint()
            if existing is None:
                raise ConcurrentCommit("checkpoint vanished while being created") from None
            return existing
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return Checkpoint(seq=0, start=start, watermark=start, state=first.state, etag=str(meta["etag"]))

    # -- appending ---------------------------------------------------------------------------------------------

    def seen_keys(self, since: int) -> set[str]:
        """Keys already logged whose event occurred at or after `since` (Unix seconds)."""
        query = (
            f"PartitionKey eq '{PARTITION}' and RowKey ge '{KEY_PREFIX}' and RowKey lt '{chr(ord(KEY_PREFIX) + 1)}'"
            f" and OccurredAt ge {int(since)}"
        )
        try:
            rows = self._client().query_entities(query, select=["RowKey"], retry_total=STORAGE_RETRIES)
            return {str(row["RowKey"])[len(KEY_PREFIX) :] for row in rows}
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def logged(self, keys: Iterable[str]) -> set[str]:
        """Which of these keys are logged (point reads, whatever the event's age; for keys seen_keys cannot bound)."""
        wanted = {key: key_row_key(key) for key in keys}
        found = existing_row_keys(self._client(), wanted.values())
        return {key for key, row in wanted.items() if row in found}

    def commit(
        self,
        checkpoint: Checkpoint,
        events: Sequence[NewEvent],
        *,
        watermark: int,
        state: dict[str, Any] | None = None,
    ) -> Checkpoint:
        """Append `events` in the given order and move the checkpoint, atomically per transaction.

        More than EVENTS_PER_TRANSACTION events take several transactions, each one moving the checkpoint past
        the events it holds (the watermark moves only with the last one). ConcurrentCommit when another poll
        committed since `checkpoint` was read, or one of the keys is already logged: nothing of that
        transaction is stored.
        """
        if checkpoint.etag is None:
            raise ValueError("commit needs a checkpoint read from storage (with its ETag)")
        current = checkpoint
        chunks = _transactions(events) or [[]]
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            current = self._commit_chunk(
                current,
                chunk,
                watermark=max(watermark, current.watermark) if last else current.watermark,
                state=state if (last and state is not None) else current.state,
            )
        return current

    def append(self, events: Sequence[NewEvent], *, start: int, floor: Callable[[Checkpoint], int]) -> list[NewEvent]:
        """Log the events whose keys are not logged yet, leaving the watermark and the poll state as they are (the
        webhook path); the events it logged. `start`: where the trigger starts if it has no checkpoint yet; an event
        that occurred before the trigger's start or before `floor(checkpoint)` (older than the key rows are kept) is
        not logged. Racing writers: the checkpoint is re-read and the keys checked again (a key row is created, never
        overwritten, so nothing is logged twice whoever wins)."""
        for _ in range(APPEND_ATTEMPTS):
            checkpoint = self.checkpoint() or self.begin(start)
            bound = max(checkpoint.start, floor(checkpoint))
            fresh = [e for e in events if e.occurred_at >= bound]
            logged = self.logged(e.key for e in fresh) if fresh else set()
            fresh = [e for e in fresh if e.key not in logged]
            if not fresh:
                return []
            try:
                self.commit(checkpoint, fresh, watermark=checkpoint.watermark, state=checkpoint.state)
            except ConcurrentCommit:
                continue
            return fresh
        raise ConcurrentCommit(f"{self.trigger}: the checkpoint kept moving; append given up for now")

    def versions(self, object_id: str) -> set[str]:
        """The logged keys `<object_id>:<stamp>` of one object (user-updated keys every version of a user)."""
        low, high = key_row_key(f"{object_id}:"), key_row_key(f"{object_id};")
        query = f"PartitionKey eq '{PARTITION}' and RowKey ge '{low}' and RowKey lt '{high}'"
        try:
            rows = self._client().query_entities(query, select=["RowKey"], retry_total=STORAGE_RETRIES)
            return {str(row["RowKey"])[len(KEY_PREFIX) :] for row in rows}
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def _commit_chunk(
        self, checkpoint: Checkpoint, events: Sequence[NewEvent], *, watermark: int, state: dict[str, Any]
    ) -> Checkpoint:
        now = datetime.now(UTC)
        ops: list[Any] = []
        seq = checkpoint.seq
        for event in events:
            seq += 1
            ops.append(("create", _event_entity(seq, event, now)))
            ops.append(("create", _key_entity(seq, event)))
        moved = Checkpoint(seq=seq, start=checkpoint.start, watermark=watermark, state=state)
        ops.append(
            (
                "update",
                _checkpoint_entity(moved),
                {"mode": UpdateMode.REPLACE, "etag": checkpoint.etag, "match_condition": MatchConditions.IfNotModified},
            )
        )
        try:
            results = self._client().submit_transaction(ops, retry_total=STORAGE_RETRIES)
        except TableTransactionError as exc:
            if exc.status_code in (409, 412):
                raise ConcurrentCommit(f"{self.trigger}: another poll committed first ({exc.status_code})") from exc
            raise _unavailable(exc) from exc
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return Checkpoint(
            seq=seq, start=checkpoint.start, watermark=watermark, state=state, etag=str(results[-1]["etag"])
        )

    # -- reading -----------------------------------------------------------------------------------------------

    def head(self) -> int:
        """The sequence number of the newest event (0 when none)."""
        found = self.checkpoint()
        return 0 if found is None else found.seq

    def read(self, after: int, limit: int = 100) -> list[Event]:
        """Up to `limit` events with seq > `after`, oldest first."""
        query = f"PartitionKey eq '{PARTITION}' and RowKey gt '{event_row_key(after)}' and RowKey lt 'f'"
        events: list[Event] = []
        try:
            for row in self._client().query_entities(query, results_per_page=limit, retry_total=STORAGE_RETRIES):
                events.append(_event_from(row))
                if len(events) >= limit:
                    break
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return events

    # -- retention ---------------------------------------------------------------------------------------------

    def prune(self, *, logged_before: datetime, keys_before: int) -> int:
        """Delete events appended before `logged_before` and keys of events that occurred before `keys_before`.

        Keys must outlive the poll's look-back (the poll never re-reads anything older), so the caller passes
        a bound no later than the oldest instant a poll may still look at.
        """
        stamp = logged_before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        events = (
            f"PartitionKey eq '{PARTITION}' and RowKey ge '{EVENT_PREFIX}' and RowKey lt 'f'"
            f" and LoggedAt lt datetime'{stamp}'"
        )
        keys = (
            f"PartitionKey eq '{PARTITION}' and RowKey ge '{KEY_PREFIX}' and RowKey lt 'l'"
            f" and OccurredAt lt {int(keys_before)}"
        )
        return self._delete_matching(events) + self._delete_matching(keys)

    def _delete_matching(self, query: str) -> int:
        deleted = 0
        try:
            rows = self._client().query_entities(query, select=["PartitionKey", "RowKey"])
            for batch in _batches(rows, 100):
                self._client().submit_transaction([("delete", row) for row in batch])
                deleted += len(batch)
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return deleted


def existing_row_keys(client: TableClient, row_keys: Iterable[str]) -> set[str]:
    """The row keys (of partition PARTITION) that exist, by point reads, LOOKUP_THREADS at a time."""
    wanted = sorted(set(row_keys))

    def exists(row_key: str) -> bool:
        try:
            client.get_entity(PARTITION, row_key, select=["RowKey"], retry_total=STORAGE_RETRIES)
        except ResourceNotFoundError:
            return False
        return True

    try:
        if len(wanted) <= 2:
            return {row for row in wanted if exists(row)}
        with ThreadPoolExecutor(max_workers=min(LOOKUP_THREADS, len(wanted))) as pool:
            return {row for row, hit in zip(wanted, pool.map(exists, wanted), strict=True) if hit}
    except AzureError as exc:
        raise _unavailable(exc) from exc


def _transactions(events: Sequence[NewEvent]) -> list[Sequence[NewEvent]]:
    """Consecutive groups of at most EVENTS_PER_TRANSACTION events and about TRANSACTION_BODY_BYTES of bodies."""
    groups: list[Sequence[NewEvent]] = []
    begin, size = 0, 0
    for index, event in enumerate(events):
        # Escaped JSON inside the batch's JSON: at most 6 bytes per character (\uXXXX), usually about 1.
        weight = len(json.dumps(event.body, separators=(",", ":"))) * 2 + 1_000
        count = index - begin
        if count and (count >= EVENTS_PER_TRANSACTION or size + weight > TRANSACTION_BODY_BYTES):
            groups.append(events[begin:index])
            begin, size = index, 0
        size += weight
    if begin < len(events):
        groups.append(events[begin:])
    return groups


def _unavailable(exc: Exception) -> Unavailable:
    return unavailable("event storage", exc)


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _checkpoint_entity(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "PartitionKey": PARTITION,
        "RowKey": CHECKPOINT,
        "Seq": checkpoint.seq,
        "Start": checkpoint.start,
        "Watermark": checkpoint.watermark,
        "State": json.dumps(checkpoint.state, separators=(",", ":"), sort_keys=True),
    }


def _event_entity(seq: int, event: NewEvent, now: datetime) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "PartitionKey": PARTITION,
        "RowKey": event_row_key(seq),
        "Key": event.key,
        "ObjectId": event.object_id,
        "OccurredAt": event.occurred_at,
        "LoggedAt": now,
        **text_properties(json.dumps(event.body, separators=(",", ":"))),
    }
    return entity


def _key_entity(seq: int, event: NewEvent) -> dict[str, Any]:
    return {
        "PartitionKey": PARTITION,
        "RowKey": key_row_key(event.key),
        "Seq": seq,
        "OccurredAt": event.occurred_at,
    }


def _event_from(row: Any) -> Event:
    logged = row.get("LoggedAt")
    return Event(
        seq=int(str(row["RowKey"])[len(EVENT_PREFIX) :]),
        key=str(row["Key"]),
        object_id=str(row["ObjectId"]),
        occurred_at=int(row["OccurredAt"]),
        body=json.loads(text_of(row)),
        logged_at=logged if isinstance(logged, datetime) else datetime.now(UTC),
    )
