"""Poll markers: what earlier polls saw of a contact, so that a poll notices what changed since (docs/triggers.md).

The first of them, the lead markers of user-created: "this contact was seen as a lead", so that its conversion is
noticed.

A lead that becomes a user keeps its id and its old `created_at`, so a user-created poll cannot tell a converted
lead from a user that was merely updated, unless it saw that contact as a lead before. The user-created poll reads
every contact updated in its window (users and leads) and leaves a marker row for each lead it sees:

- table: the user-created trigger's own table (`IcUserCreated{connection}`), partition `log`;
- row key `m<contact id>`, property `SeenAt` = the lead's `updated_at` when last seen (Intercom time).

The event log's own queries never read them (events are `e...`, keys `k...`). A marker is refreshed each time the
lead is seen again, deleted once its user-created event is logged, and pruned MARKER_RETENTION_SECONDS after the
lead was last seen (shared.triggers.poll.prune_trigger). See docs/triggers.md.

The same rows serve the other triggers that compare (shared/triggers/rules.py), each in its own table so that no
trigger's deletion takes a marker another still needs: lead-converted (leads seen), lead-email-added (leads seen
without an email), contact-tagged (the tag ids a contact was seen with, in `Value`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.errors import Unavailable
from shared.storage import LazyTable, unavailable
from shared.triggers.eventlog import LOOKUP_THREADS, PARTITION, STORAGE_RETRIES, existing_row_keys, trigger_table_name

MARKER_PREFIX = "m"
# How long a lead that nobody updates stays recognisable as a former lead.
MARKER_RETENTION_SECONDS = 90 * 86_400
_BATCH = 100


class Markers:
    """The markers of one trigger on one connection (rows `m<contact id>` in the trigger's table)."""

    def __init__(self, storage_connection_string: str, connection: str, trigger: str) -> None:
        self._client = LazyTable(storage_connection_string, trigger_table_name(trigger, connection))

    def mark(self, leads: Mapping[str, int], values: Mapping[str, str] | None = None) -> None:
        """Record (or refresh) a marker for each id, with the `updated_at` it was seen with (and a value)."""
        rows: list[dict[str, Any]] = []
        for lead_id, seen in sorted(leads.items()):
            row: dict[str, Any] = {"PartitionKey": PARTITION, "RowKey": MARKER_PREFIX + lead_id, "SeenAt": int(seen)}
            if values is not None:
                row["Value"] = values.get(lead_id, "")
            rows.append(row)
        try:
            for start in range(0, len(rows), _BATCH):
                ops = [("upsert", row, {"mode": UpdateMode.REPLACE}) for row in rows[start : start + _BATCH]]
                self._client().submit_transaction(ops, retry_total=STORAGE_RETRIES)
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def marked(self, contact_ids: Iterable[str]) -> set[str]:
        """The ids among these that carry a marker."""
        found = existing_row_keys(self._client(), (MARKER_PREFIX + i for i in contact_ids))
        return {row[len(MARKER_PREFIX) :] for row in found}

    def values(self, contact_ids: Iterable[str]) -> dict[str, tuple[int, str]]:
        """(SeenAt, Value) of each marker among these ids that exists (ids without a marker are left out)."""
        wanted = sorted(set(contact_ids))

        def value(contact_id: str) -> tuple[int, str] | None:
            try:
                row = self._client().get_entity(PARTITION, MARKER_PREFIX + contact_id, retry_total=STORAGE_RETRIES)
            except ResourceNotFoundError:
                return None
            return int(row.get("SeenAt") or 0), str(row.get("Value") or "")

        try:
            with ThreadPoolExecutor(max_workers=max(1, min(LOOKUP_THREADS, len(wanted)))) as pool:
                found = dict(zip(wanted, pool.map(value, wanted), strict=True))
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return {contact_id: got for contact_id, got in found.items() if got is not None}

    def forget(self, contact_ids: Iterable[str]) -> None:
        """Delete these markers (a missing one is fine)."""
        try:
            for contact_id in contact_ids:
                try:
                    self._client().delete_entity(PARTITION, MARKER_PREFIX + contact_id, retry_total=STORAGE_RETRIES)
                except ResourceNotFoundError:
                    continue
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def prune(self, seen_before: int) -> int:
        """Delete the markers of leads last seen before `seen_before` (Intercom Unix seconds); how many."""
        query = (
            f"PartitionKey eq '{PARTITION}' and RowKey ge '{MARKER_PREFIX}'"
            f" and RowKey lt '{chr(ord(MARKER_PREFIX) + 1)}' and SeenAt lt {int(seen_before)}"
        )
        deleted = 0
        try:
            rows = list(self._client().query_entities(query, select=["PartitionKey", "RowKey"]))
            for start in range(0, len(rows), _BATCH):
                batch = rows[start : start + _BATCH]
                self._client().submit_transaction([("delete", row) for row in batch])
                deleted += len(batch)
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return deleted


def _unavailable(exc: Exception) -> Unavailable:
    return unavailable("marker storage", exc)
