"""How many of Intercom's webhook notifications were accepted, refused and unreadable, per connection, over the last
24 hours (interface §11; `/api/status` shows them).

- `accepted`: answered 200 (stored for the worker, or ignored: `ping` and topics no trigger uses);
- `refused`: answered 401, 400 or 413; a refusal before any connection is known (no connection's secret signed it,
  or its `app_id` is no signer's workspace) counts under connection None, the deployment;
- `unreadable`: accepted, then kept in the unreadable table because it could not be turned into events
  (shared/notifications/unreadable.py; each notification once, however often Intercom resends it).

Stored in the table `IcWebhookTally`: a partition per connection (`-` for None) and hourly buckets. A row is one
writer's running count of one outcome in one hour, a writer being one thread of one process: only that thread ever
writes the row, so counting is a single upsert with no read, no ETag and no lost increment, and the intake's answer
pays one table write. A count is never worth failing a notification for: a storage error is logged and the count is
written with the writer's next one. `webhook_counts` sums the current hour and the 23 before it, and prunes rows
older than RETAIN_HOURS as it reads.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from typing import Literal

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.errors import ConnectorError
from shared.storage import LazyTable, unavailable

log = logging.getLogger("shared.notifications.tally")

TABLE = "IcWebhookTally"
DEPLOYMENT = "-"  # the partition of refusals before a connection is known
OUTCOMES = ("accepted", "refused", "unreadable")
Outcome = Literal["accepted", "refused", "unreadable"]
WINDOW_HOURS = 24
RETAIN_HOURS = 48
PRUNE_BATCH = 200
_PROCESS = uuid.uuid4().hex[:12]

_lock = threading.Lock()
_running: dict[tuple[str, str, str], int] = {}  # (storage, partition, row key) -> this writer's count
_tables: dict[str, LazyTable] = {}


def count(
    storage_connection_string: str, connection: str | None, outcome: Outcome, *, now: float | None = None
) -> None:
    """One more `outcome` for the connection in the current hour; never raises."""
    partition = _partition(connection)
    row = f"{_hour(time.time() if now is None else now)}|{outcome}|{_PROCESS}-{threading.get_ident()}"
    key = (storage_connection_string, partition, row)
    with _lock:
        for old in [k for k in _running if k[:2] == key[:2] and k[2] < row[:10]]:
            del _running[old]  # an earlier hour's count: its row is written for good
        total = _running[key] = _running.get(key, 0) + 1
    entity = {"PartitionKey": partition, "RowKey": row, "Count": total}
    try:
        _table(storage_connection_string)().upsert_entity(entity, mode=UpdateMode.REPLACE, retry_total=0)
    except (AzureError, ConnectorError) as exc:
        log.warning("webhook tally: %s not counted yet (%s)", outcome, type(exc).__name__)


def webhook_counts(
    storage_connection_string: str, connection: str | None, *, now: float | None = None
) -> dict[str, int]:
    """{"accepted": n, "refused": n, "unreadable": n} for the connection (None: the deployment's refusals before a
    connection was known) over the current hour and the 23 before it. Unavailable (503) when storage fails."""
    moment = time.time() if now is None else now
    partition = _partition(connection)
    counts = dict.fromkeys(OUTCOMES, 0)
    table = _table(storage_connection_string)
    try:
        rows = table().query_entities(
            "PartitionKey eq @p and RowKey ge @low",
            parameters={"p": partition, "low": _hour(moment - (WINDOW_HOURS - 1) * 3600)},
            select=["RowKey", "Count"],
        )
        for row in rows:
            outcome = str(row["RowKey"]).split("|")[1]
            if outcome in counts and str(row["RowKey"]) < _hour(moment + 3600):
                counts[outcome] += int(row.get("Count") or 0)
    except AzureError as exc:
        raise unavailable("webhook tally", exc) from exc
    _prune(table, partition, _hour(moment - RETAIN_HOURS * 3600))
    return counts


def _prune(table: LazyTable, partition: str, before: str) -> None:
    """Delete up to PRUNE_BATCH rows of hours before `before` (best effort: the next read goes on)."""
    try:
        rows = table().query_entities(
            "PartitionKey eq @p and RowKey lt @before",
            parameters={"p": partition, "before": before},
            select=["PartitionKey", "RowKey"],
            results_per_page=PRUNE_BATCH,
        )
        for index, row in enumerate(rows):
            if index >= PRUNE_BATCH:
                break
            with contextlib.suppress(ResourceNotFoundError):
                table().delete_entity(partition, row["RowKey"])
    except AzureError as exc:
        log.warning("webhook tally: old rows not pruned (%s)", type(exc).__name__)


def _partition(connection: str | None) -> str:
    return DEPLOYMENT if connection is None else connection


def _hour(moment: float) -> str:
    """The hourly bucket `YYYYMMDDHH` (UTC): sorts as time does."""
    return time.strftime("%Y%m%d%H", time.gmtime(moment))


def _table(storage_connection_string: str) -> LazyTable:
    with _lock:
        found = _tables.get(storage_connection_string)
        if found is None:
            found = _tables[storage_connection_string] = LazyTable(storage_connection_string, TABLE)
        return found
