"""What List search fields answers (interface §10): a field a search's filters can name, for the designer's dropdown
of a filter's `field`."""

from __future__ import annotations

from pydantic import Field

from shared.models.common import Shape


class SearchFieldInfo(Shape):
    name: str = Field(title="Field", description="What a filter's field is (custom_attributes.NAME for a custom one)")
    label: str = Field(title="Label", description="What the dropdown shows")
    kind: str = Field(
        title="Kind", description="text, choice, id, number_id, tag, boolean, number, date or day (what it takes)"
    )
