"""List data attributes (interface §10): the workspace's attributes of contacts or of companies, archived ones left
out unless asked for; and the custom ones by name, which the search filters and the designer's typed fields use."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from shared.actions.parsing import blank_to_none
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.common import as_object
from shared.models.data_attributes import DataAttribute, data_attribute_to_model
from shared.models.designer import designer

Model = Literal["contact", "company"]


def _flag(value: Any) -> Any:
    value = blank_to_none(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


class ListDataAttributes(BaseModel):
    """Query of List data attributes (GET /api/data-attributes)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    model: Annotated[Model, BeforeValidator(lambda v: blank_to_none(v) or "contact")] = Field(
        "contact",
        title="Object",
        description="contact (users and leads, the default) or company",
        json_schema_extra=designer("important"),
    )
    include_archived: Annotated[bool, BeforeValidator(lambda v: _flag(v) or False)] = Field(
        False,
        title="Include Archived",
        description="true: archived custom attributes too",
        json_schema_extra=designer("advanced"),
    )


def list_data_attributes(
    client: IntercomClient, model: Model, deadline: Deadline, *, include_archived: bool = False
) -> list[DataAttribute]:
    """The attributes of `model` (`GET /data_attributes`, one call); archived ones only with `include_archived`."""
    params = {"model": model, "include_archived": "true" if include_archived else "false"}
    found = as_object(client.get("/data_attributes", params=params, deadline=deadline)).get("data")
    attributes = [
        data_attribute_to_model(item)
        for item in (found if isinstance(found, list) else [])
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    ]
    return [a for a in attributes if include_archived or not a.archived]


def custom_attributes(client: IntercomClient, model: Model, deadline: Deadline) -> dict[str, DataAttribute]:
    """The custom attributes of `model` that are not archived, by name."""
    return {a.name: a for a in list_data_attributes(client, model, deadline) if a.custom}
