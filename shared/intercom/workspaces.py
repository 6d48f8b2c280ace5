"""Which Intercom workspace each connection talks to: its `app_id` (the `app.id_code` of `GET /me`), which Intercom's
webhook notifications carry. Kept in Table Storage (table `IcWorkspaces`, one row per connection) so that the intake
routes a notification without calling Intercom; written whenever the connector reads `GET /me` (polls, the
notification worker), and cached in the process for CACHE_SECONDS."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from azure.core.exceptions import AzureError
from azure.data.tables import UpdateMode

from shared.errors import ConnectorError
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.me import read_me
from shared.storage import LazyTable, unavailable

TABLE = "IcWorkspaces"
PARTITION = "app"
CACHE_SECONDS = 60.0
STORAGE_RETRIES = 2

log = logging.getLogger("shared.intercom.workspaces")

_lock = threading.Lock()
_cache: dict[str, tuple[float, dict[str, str]]] = {}


class WorkspaceDirectory:
    """The connection -> app_id rows of one storage account."""

    def __init__(self, storage_connection_string: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._storage = storage_connection_string
        self._client = LazyTable(storage_connection_string, TABLE)
        self._clock = clock

    def known(self) -> dict[str, str]:
        """{connection name: app_id} for every connection whose workspace is known (cached CACHE_SECONDS)."""
        now = self._clock()
        with _lock:
            cached = _cache.get(self._storage)
        if cached is not None and now < cached[0]:
            return dict(cached[1])
        try:
            rows = self._client().query_entities(
                f"PartitionKey eq '{PARTITION}'", select=["RowKey", "AppId"], retry_total=STORAGE_RETRIES
            )
            mapping = {str(row["RowKey"]): str(row["AppId"]) for row in rows if row.get("AppId")}
        except AzureError as exc:
            raise unavailable("workspace storage", exc) from exc
        with _lock:
            _cache[self._storage] = (now + CACHE_SECONDS, mapping)
        return dict(mapping)

    def remember(self, connection: str, app_id: str) -> None:
        """Record the connection's workspace (a write only when it is new or changed)."""
        if self.known().get(connection) == app_id:
            return
        entity = {"PartitionKey": PARTITION, "RowKey": connection, "AppId": app_id}
        try:
            self._client().upsert_entity(entity, mode=UpdateMode.REPLACE, retry_total=STORAGE_RETRIES)
        except AzureError as exc:
            raise unavailable("workspace storage", exc) from exc
        with _lock:
            _cache.pop(self._storage, None)

    def read(self, client: IntercomClient, deadline: Deadline) -> str | None:
        """The client's workspace from `GET /me` (cached in the process), remembered; None if Intercom names none."""
        app_id = read_me(client, deadline).app_id
        if app_id is not None:
            self.remember(client.connection.name, app_id)
        return app_id

    def learn(self, client: IntercomClient, deadline: Deadline) -> None:
        """Record the client's workspace if it is not known yet; a failing `GET /me` is logged (learned later)."""
        name = client.connection.name
        if name in self.known():
            return
        try:
            self.read(client, deadline)
        except ConnectorError as exc:
            log.warning("%s: GET /me failed (%s); the webhook intake learns the workspace later", name, exc.code)


def reset_workspace_cache() -> None:
    with _lock:
        _cache.clear()
