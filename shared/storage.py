"""Table Storage: the service client, table names and ETag helpers shared by checkpoints, logs and the throttle;
Azurite's connection string (what `UseDevelopmentStorage=true` means)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import AzureError, ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient

from shared.errors import Unavailable

AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_TABLE_PORT, AZURITE_QUEUE_PORT = 10002, 10001  # what UseDevelopmentStorage=true means
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_TABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{2,62}$")


# A string property holds at most 64 KiB (32 K UTF-16 characters) and an entity at most 1 MiB: long text is split
# over the properties Body0..Body<n-1>, with their count in BodyParts.
TEXT_CHUNK = 30_000
MAX_TEXT_CHUNKS = 16


def text_properties(text: str) -> dict[str, Any]:
    """`text` as an entity's properties `BodyParts`, `Body0`...; ValueError when it is too long for one entity."""
    chunks = [text[i : i + TEXT_CHUNK] for i in range(0, len(text), TEXT_CHUNK)] or [""]
    if len(chunks) > MAX_TEXT_CHUNKS:
        raise ValueError(f"text of {len(text)} characters is too long for one entity")
    return {"BodyParts": len(chunks), **{f"Body{index}": chunk for index, chunk in enumerate(chunks)}}


def text_of(row: Mapping[str, Any]) -> str:
    """The text `text_properties` stored in an entity."""
    return "".join(str(row.get(f"Body{index}") or "") for index in range(int(row.get("BodyParts") or 1)))


def unavailable(what: str, exc: Exception) -> Unavailable:
    """The 503 for a storage call that failed: names the store and the error type, never the account or its key."""
    return Unavailable(f"{what} unreachable: {type(exc).__name__}")


def azurite_connection_string(
    port: int = AZURITE_TABLE_PORT, host: str = "127.0.0.1", *, queue_port: int = AZURITE_QUEUE_PORT
) -> str:
    """Azurite's account: its table service on `port` and its queue service on `queue_port`."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"TableEndpoint=http://{host}:{port}/{AZURITE_ACCOUNT};"
        f"QueueEndpoint=http://{host}:{queue_port}/{AZURITE_ACCOUNT};"
    )


def expand_connection_string(conn: str) -> str:
    """`UseDevelopmentStorage=true` means Azurite on its default ports (on the host of
    `DevelopmentStorageProxyUri` when given), as the Functions host reads it; any other string is returned as is."""
    settings = {k.strip().lower(): v.strip() for k, _, v in (part.partition("=") for part in conn.split(";"))}
    if settings.get("usedevelopmentstorage", "").lower() != "true":
        return conn
    proxy = urlsplit(settings.get("developmentstorageproxyuri", "")).hostname
    return azurite_connection_string(host=proxy or "127.0.0.1")


@functools.cache
def service_client(connection_string: str) -> TableServiceClient:
    return TableServiceClient.from_connection_string(expand_connection_string(connection_string))


def table_name(prefix: str, connection: str) -> str:
    """A table per purpose and connection, e.g. `IcEventsdefault`."""
    name = f"{prefix}{connection}"
    if not _TABLE_NAME.match(name):
        raise ValueError(f"invalid table name {name!r}")
    return name


_created: set[tuple[str, str]] = set()


def table(connection_string: str, name: str) -> TableClient:
    """A client for the table, created on first use in this process."""
    client = service_client(connection_string).get_table_client(name)
    key = (connection_string, name)
    if key not in _created:
        ensure_exists(client.create_table, "storage")
        _created.add(key)
    return client


def ensure_exists(create: Callable[[], object], what: str) -> None:
    """Create a table or a queue; one that exists already is fine; a storage error is the 503 naming `what`."""
    try:
        create()
    except ResourceExistsError:
        pass
    except AzureError as exc:
        raise unavailable(what, exc) from exc


class LazyTable:
    """A table's client, made (and the table created) on first call: constructing a store costs no storage trip."""

    def __init__(self, connection_string: str, name: str) -> None:
        self._conn, self.name = connection_string, name
        self._client: TableClient | None = None

    def __call__(self) -> TableClient:
        if self._client is None:
            self._client = table(self._conn, self.name)
        return self._client
