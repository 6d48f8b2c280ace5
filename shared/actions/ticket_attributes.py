"""Get ticket attributes schema (interface §10; internal, for the designer): a ticket type's own attributes as typed
fields of `ticket_attributes` (`x-ms-dynamic-properties`) in Create ticket, from `GET /ticket_types/{id}`; and the
same for Update ticket, whose body has no type, by the ticket's id (its type read from `GET /tickets/{id}`).

Each attribute a ticket can be created with (not Intercom's default title and description, not archived, shown on
create, not a file) becomes a property named as the attribute (`ticket_attributes` is keyed by name), typed by its
data type: a list takes its option's id (the designer shows the labels), a datetime Unix seconds. The attributes a
type requires to create are the schema's `required`. An update may change any of the type's attributes, those not
shown on create too, and requires none.
"""

from __future__ import annotations

from typing import Any

from shared.actions.tickets.service import ticket_type_of
from shared.errors import NotFound
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomNotFound
from shared.models.common import as_object

TYPES = {"string": "string", "list": "string", "integer": "integer", "decimal": "number", "boolean": "boolean"}
TYPES |= {"datetime": "integer"}


def ticket_attributes_schema(
    client: IntercomClient, ticket_type_id: str, deadline: Deadline, *, on_create: bool = True
) -> dict[str, Any]:
    """The schema of the type's attributes for a create (`on_create`) or an update; a 404 naming `ticket_type_id`
    when Intercom has no such type."""
    try:
        found = client.get(f"/ticket_types/{ticket_type_id}", deadline=deadline)
    except IntercomNotFound:
        message = f"no ticket type with id {ticket_type_id}"
        raise NotFound(message, details=[{"field": "ticket_type_id", "message": "no such ticket type"}]) from None
    return attributes_schema(as_object(as_object(found).get("ticket_type_attributes")).get("data"), on_create)


def attributes_schema(listed: Any, on_create: bool) -> dict[str, Any]:
    """The schema of a ticket type's `ticket_type_attributes.data` for a create (`on_create`) or an update."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for attribute in listed if isinstance(listed, list) else []:
        spec = _property(attribute, on_create) if isinstance(attribute, dict) else None
        if spec is None:
            continue
        name = str(attribute["name"])
        properties[name] = spec
        if on_create and attribute.get("required_to_create") is True:
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def ticket_attributes_schema_of_ticket(client: IntercomClient, ticket_id: str, deadline: Deadline) -> dict[str, Any]:
    """The schema of the attributes an update of this ticket may change (those of its type); a 404 naming `id`
    when Intercom has no such ticket."""
    return ticket_attributes_schema(client, ticket_type_of(client, ticket_id, deadline), deadline, on_create=False)


def _property(attribute: dict[str, Any], on_create: bool) -> dict[str, Any] | None:
    kind = TYPES.get(str(attribute.get("data_type")))
    hidden = attribute.get("default") is True or attribute.get("archived") is True
    hidden = hidden or (on_create and attribute.get("visible_on_create") is False)
    if kind is None or hidden or not attribute.get("name"):
        return None
    spec: dict[str, Any] = {"type": kind, "x-ms-summary": str(attribute["name"])}
    description = attribute.get("description")
    if attribute.get("data_type") == "datetime":
        description = f"{description}. Unix seconds" if description else "Unix seconds"
    if description:
        spec["description"] = str(description)
    if attribute.get("data_type") == "list":
        options = as_object(attribute.get("input_options")).get("list_options")
        usable = (
            [o for o in options if isinstance(o, dict) and not o.get("archived")] if isinstance(options, list) else []
        )
        spec["enum"] = [str(o.get("id")) for o in usable]
        spec["x-ms-enum-values"] = [{"value": str(o.get("id")), "displayName": str(o.get("label"))} for o in usable]
    return spec
