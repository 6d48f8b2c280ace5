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


class AttributesOf(BaseModel):
    """Query of Get custom attributes schema (GET /api/data-attributes/schema): whose attributes."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    model: Annotated[Model, BeforeValidator(lambda v: blank_to_none(v) or "contact")] = Field(
        "contact",
        title="Object",
        description="contact (users and leads, the default) or company",
        json_schema_extra=designer("important"),
    )


class ListDataAttributes(AttributesOf):
    """Query of List data attributes (GET /api/data-attributes)."""

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


SCHEMA_TYPES = {"string": "string", "integer": "integer", "float": "number", "boolean": "boolean", "date": "integer"}


def custom_attributes_schema(client: IntercomClient, model: Model, deadline: Deadline) -> dict[str, Any]:
    """The designer's typed fields of `custom_attributes` (`x-ms-dynamic-properties`): one property per custom
    attribute the API may write, typed by its data type (a date as Unix seconds), its options as an enum."""
    properties: dict[str, Any] = {}
    for name, attribute in sorted(custom_attributes(client, model, deadline).items()):
        kind = SCHEMA_TYPES.get(str(attribute.data_type))
        if kind is None or attribute.api_writable is False:
            continue
        spec: dict[str, Any] = {"type": kind, "x-ms-summary": attribute.label or name}
        if attribute.data_type == "date":
            spec["description"] = "Unix seconds"
        if attribute.options:
            spec["enum"] = attribute.options
        properties[name] = spec
    return {"type": "object", "properties": properties}


def custom_attributes(client: IntercomClient, model: Model, deadline: Deadline) -> dict[str, DataAttribute]:
    """The custom attributes of `model` that are not archived, by name."""
    return {a.name: a for a in list_data_attributes(client, model, deadline) if a.custom}
