"""Lead markers of the user-created trigger: "this contact was seen as a lead", so that its conversion is noticed.

A lead that becomes a user keeps its id and its old `created_at`, so a user-created poll cannot tell a converted
lead from a user that was merely updated, unless it saw that contact as a lead before. The user-created poll reads
every contact updated in its window (users and leads) and leaves a marker row for each lead it sees:

- table: the user-created trigger's own table (`IcUserCreated{connection}`), partition `log`;
- row key `m<contact id>`, property `SeenAt` = the lead's `updated_at` when last seen (Intercom time).

The event log's own queries never read them (events are `e...`, keys `k...`). A marker is refreshed each time the
lead is seen again, deleted once its user-created event is logged, and pruned MARKER_RETENTION_SECONDS after the
lead was last seen (shared.polling.prune_trigger). See docs/triggers.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.errors import Unavailable
from shared.eventlog import PARTITION, STORAGE_RETRIES, existing_row_keys, trigger_table_name
from shared.storage import LazyTable, unavailable

MARKER_PREFIX = "m"
TRIGGER = "user-created"
# How long a lead that nobody updates stays recognisable as a former lead.
MARKER_RETENTION_SECONDS = 90 * 86_400
_BATCH = 100


class LeadMarkers:
    """The lead markers of one connection."""

    def __init__(self, storage_connection_string: str, connection: str) -> None:
        self._client = LazyTable(storage_connection_string, trigger_table_name(TRIGGER, connection))

    def mark(self, leads: Mapping[str, int]) -> None:
        """Record (or refresh) a marker for each lead id, with the `updated_at` it was seen with."""
        rows = [
            {"PartitionKey": PARTITION, "RowKey": MARKER_PREFIX + lead_id, "SeenAt": int(seen)}
            for lead_id, seen in sorted(leads.items())
        ]
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
