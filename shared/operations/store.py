"""Poll records in Table Storage, one table per connection (`IcPollOutcomes<connection>`), one row per trigger;
and the records this process wrote last, kept in memory so that a poll that cannot reach storage still leaves its
outcome where health and the polling trigger can see it (`remembered`, `merged`).

Writes are conditioned on the row's ETag: two instances recording the same trigger never lose each other's count.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import AzureError, ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.errors import Unavailable
from shared.operations.records import PollRecord, newer
from shared.storage import LazyTable, table_name, unavailable

TABLE_PREFIX = "IcPollOutcomes"
PARTITION = "poll"
# A poll's record is not worth the wait a dead storage account costs: one retry, then the poll goes on.
STORAGE_RETRIES = 1

_lock = threading.Lock()
_memory: dict[tuple[str, str, str], PollRecord] = {}


class RecordStore:
    """The poll records of one connection."""

    def __init__(self, storage_connection_string: str, connection: str) -> None:
        self.storage, self.connection = storage_connection_string, connection
        self._client = LazyTable(storage_connection_string, table_name(TABLE_PREFIX, connection))

    def get(self, trigger: str) -> PollRecord | None:
        try:
            entity = self._client().get_entity(PARTITION, trigger, retry_total=STORAGE_RETRIES)
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return _record(self.connection, entity)

    def list(self) -> list[PollRecord]:
        try:
            rows = self._client().query_entities(f"PartitionKey eq '{PARTITION}'", retry_total=STORAGE_RETRIES)
            return [_record(self.connection, row) for row in rows]
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def put(self, record: PollRecord) -> PollRecord | None:
        """Write `record` over the version its `etag` names (None: the row must not exist yet); None when another
        writer got there first."""
        entity = _entity(record)
        try:
            if record.etag is None:
                meta = self._client().create_entity(entity, retry_total=STORAGE_RETRIES)
            else:
                meta = self._client().update_entity(
                    entity,
                    mode=UpdateMode.REPLACE,
                    etag=record.etag,
                    match_condition=MatchConditions.IfNotModified,
                    retry_total=STORAGE_RETRIES,
                )
        except (ResourceExistsError, ResourceModifiedError):
            return None
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return replace(record, etag=str(meta["etag"]))


# -- the process's own records --------------------------------------------------------------------------------------


def remember(storage: str, record: PollRecord) -> None:
    with _lock:
        key = (storage, record.connection, record.trigger)
        _memory[key] = newer(_memory.get(key), record) or record


def remembered(storage: str, connection: str) -> dict[str, PollRecord]:
    """{trigger: record} of the polls this process recorded on `connection`."""
    with _lock:
        return {t: r for (s, c, t), r in _memory.items() if s == storage and c == connection}


def merged(storage: str, connection: str, stored: Iterable[PollRecord]) -> dict[str, PollRecord]:
    """{trigger: the later of the stored record and this process's own}."""
    records: dict[str, PollRecord] = {record.trigger: record for record in stored}
    for trigger, mine in remembered(storage, connection).items():
        records[trigger] = newer(records.get(trigger), mine) or mine
    return records


def forget_all() -> None:
    """For tests: forget the records of this process."""
    with _lock:
        _memory.clear()


# -- entities ---------------------------------------------------------------------------------------------------------


def _entity(record: PollRecord) -> dict[str, Any]:
    # Table Storage has no null: an absent value is an absent property.
    optional = {
        "LastPoll": record.last_poll,
        "Since": record.since,
        "LastSuccess": record.last_success,
        "Watermark": None if record.watermark is None else float(record.watermark),
        "Seq": record.seq,
    }
    return {
        "PartitionKey": PARTITION,
        "RowKey": record.trigger,
        "Outcome": record.outcome,
        "Detail": record.detail[:1000],
        "Failures": record.failures,
        "Minutes": _buckets_text(record.minutes),
        "Hours": _buckets_text(record.hours),
        "LastEvents": record.last_events,
        **{name: value for name, value in optional.items() if value is not None},
    }


def _record(connection: str, row: Mapping[str, Any]) -> PollRecord:
    watermark = _number(row.get("Watermark"))
    seq = row.get("Seq")
    return PollRecord(
        connection=connection,
        trigger=str(row["RowKey"]),
        last_poll=_number(row.get("LastPoll")),
        outcome=str(row.get("Outcome") or "ok"),
        detail=str(row.get("Detail") or ""),
        failures=int(row.get("Failures") or 0),
        since=_number(row.get("Since")),
        last_success=_number(row.get("LastSuccess")),
        watermark=None if watermark is None else int(watermark),
        seq=seq if isinstance(seq, int) else None,
        minutes=_buckets(row.get("Minutes")),
        hours=_buckets(row.get("Hours")),
        last_events=int(row.get("LastEvents") or 0),
        etag=str(row.metadata["etag"]) if hasattr(row, "metadata") else None,
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _buckets_text(buckets: Mapping[int, int]) -> str:
    return json.dumps({str(k): v for k, v in sorted(buckets.items())}, separators=(",", ":"))


def _buckets(text: object) -> dict[int, int]:
    try:
        raw = json.loads(str(text or "{}"))
        return {int(k): int(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    except (ValueError, TypeError):
        return {}


def _unavailable(exc: Exception) -> Unavailable:
    return unavailable("poll record storage", exc)
