from __future__ import annotations

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError

from shared.storage import table, table_name


def test_azurite_is_real_and_etags_hold(storage_conn: str, unique_name: str) -> None:
    client = table(storage_conn, table_name("IcTest", unique_name))
    client.create_entity({"PartitionKey": "p", "RowKey": "r", "n": 1})
    first = client.get_entity("p", "r")
    client.update_entity(
        {"PartitionKey": "p", "RowKey": "r", "n": 2},
        etag=first.metadata["etag"],
        match_condition=MatchConditions.IfNotModified,
    )
    with pytest.raises(ResourceModifiedError):
        client.update_entity(
            {"PartitionKey": "p", "RowKey": "r", "n": 3},
            etag=first.metadata["etag"],
            match_condition=MatchConditions.IfNotModified,
        )
    assert client.get_entity("p", "r")["n"] == 2
