"""The workspace's data attributes (interface §10): the connector's `DataAttribute` and its mapping from Intercom's
`data_attribute`; what List data attributes answers, and what the designer's typed custom-attribute fields and the
search filters' fields are made from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from shared.models.common import Shape, as_flag, as_text


class DataAttribute(Shape):
    """An attribute of contacts or of companies, standard or custom."""

    name: str = Field(title="Name", description="The attribute's name (a custom attribute's key)")
    full_name: str | None = Field(None, title="Full Name", description="Its path in the object (location.city)")
    label: str | None = Field(None, title="Label", description="What Intercom's UI shows")
    data_type: str | None = Field(None, title="Data Type", description="string, integer, float, boolean or date")
    custom: bool | None = Field(None, title="Is Custom", description="true for a custom attribute")
    archived: bool | None = Field(None, title="Is Archived")
    api_writable: bool | None = Field(None, title="Is API Writable", description="Whether actions can set it")
    options: list[str] | None = Field(None, title="Options", description="Its predefined values, when it has some")


def data_attribute_to_model(attribute: Mapping[str, Any]) -> DataAttribute:
    """An Intercom `data_attribute` -> DataAttribute."""
    options = attribute.get("options")
    return DataAttribute(
        name=str(attribute["name"]),
        full_name=as_text(attribute.get("full_name")),
        label=as_text(attribute.get("label")),
        data_type=as_text(attribute.get("data_type")),
        custom=as_flag(attribute.get("custom")),
        archived=as_flag(attribute.get("archived")),
        api_writable=as_flag(attribute.get("api_writable")),
        options=[str(option) for option in options] if isinstance(options, list) else None,
    )
