"""shared/actions/ticket_attributes.py without I/O: which of a ticket type's attributes the designer shows as typed
fields of `ticket_attributes`, for Create ticket and for Update ticket (end to end: tests/actions/test_search_http.py
and test_ticket_actions_http.py)."""

from __future__ import annotations

from typing import Any

from shared.actions.ticket_attributes import attributes_schema


def attribute(name: str, data_type: str = "string", **more: Any) -> dict[str, Any]:
    return {"name": name, "data_type": data_type, "visible_on_create": True, **more}


ATTRIBUTES = [
    attribute("_default_title_", default=True, required_to_create=True),
    attribute(
        "Platform", "list", required_to_create=True, input_options={"list_options": [{"id": "w", "label": "Web"}]}
    ),
    attribute("Root cause", visible_on_create=False),
    attribute("Old", archived=True),
    attribute("Screenshot", "files"),
    attribute("Due at", "datetime", description="When it is due"),
]


def test_a_create_shows_what_a_ticket_is_created_with_and_requires_what_the_type_requires() -> None:
    schema = attributes_schema(ATTRIBUTES, on_create=True)
    assert list(schema["properties"]) == ["Platform", "Due at"]
    assert schema["required"] == ["Platform"]
    assert schema["properties"]["Platform"]["x-ms-enum-values"] == [{"value": "w", "displayName": "Web"}]
    assert schema["properties"]["Due at"] == {
        "type": "integer",
        "x-ms-summary": "Due at",
        "description": "When it is due. Unix seconds",
    }


def test_an_update_shows_every_attribute_it_may_change_and_requires_none() -> None:
    schema = attributes_schema(ATTRIBUTES, on_create=False)
    assert list(schema["properties"]) == ["Platform", "Root cause", "Due at"]
    assert "required" not in schema


def test_odd_lists_give_no_fields() -> None:
    for listed in (None, "x", [None, 5, {"data_type": "string"}]):
        assert attributes_schema(listed, on_create=True) == {"type": "object", "properties": {}}
