"""What the flow designer shows of a field, declared on the field itself: its display name is the pydantic `title`
(`Field(title="Admin ID")`), its description the `description`, and `designer(...)` builds the rest as
`json_schema_extra`: where it shows (`x-ms-visibility`) and the dropdown that fills it (`x-ms-dynamic-values`).

    admin_id: OptionalId = Field(None, title="Admin ID", description="...", json_schema_extra=designer("advanced"))

connector/ reads these from the models' JSON schema; nothing else in the app looks at them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import JsonValue

Visibility = Literal["important", "advanced", "internal"]


@dataclass(frozen=True)
class Dropdown:
    """A dropdown fed by a list operation of the connector: its items' `value_path` is the value, `value_title` the
    label. A dropdown whose operation is not in the definition is left out by the generator."""

    operation_id: str
    value_path: str
    value_title: str
    parameters: tuple[tuple[str, JsonValue], ...] = ()

    def extension(self) -> dict[str, JsonValue]:
        """The `x-ms-dynamic-values` object."""
        out: dict[str, JsonValue] = {
            "operationId": self.operation_id,
            "value-collection": "value",
            "value-path": self.value_path,
            "value-title": self.value_title,
        }
        if self.parameters:
            out["parameters"] = dict(self.parameters)
        return out


ADMINS = Dropdown("ListAdmins", "id", "name")
COMPANIES = Dropdown("ListCompanies", "id", "name", (("per_page", 150),))
TAG_NAMES = Dropdown("ListTags", "name", "name")
TAG_IDS = Dropdown("ListTags", "id", "name")
TEAMS = Dropdown("ListTeams", "id", "name")


@dataclass(frozen=True)
class TypedFields:
    """An object whose properties the designer asks an operation for (`x-ms-dynamic-properties`): the operation
    answers `{"schema": {"type": "object", "properties": {...}}}` for `parameters` (literal values)."""

    operation_id: str
    parameters: tuple[tuple[str, JsonValue], ...] = ()
    from_body: tuple[str, ...] = ()  # parameters the operation takes from the same body's fields of that name
    from_route: tuple[str, ...] = ()  # parameters the operation takes from the route's parameters of that name

    def extension(self) -> dict[str, JsonValue]:
        """The `x-ms-dynamic-properties` object."""
        out: dict[str, JsonValue] = {"operationId": self.operation_id}
        given: dict[str, JsonValue] = {name: {"value": value} for name, value in self.parameters}
        given |= {name: {"parameterReference": f"body/{name}"} for name in self.from_body}
        given |= {name: {"parameterReference": name} for name in self.from_route}
        if given:
            out["parameters"] = given
        out["itemValuePath"] = "schema"
        return out


ASSIGNEES = Dropdown("ListAssignees", "id", "name")
# The ticket actions' inputs (interface §10): the types; Create ticket's attributes by the type its body names;
# Update ticket's state and attributes by the ticket of its route (`{id}`), whose type the body does not name.
TICKET_TYPES = Dropdown("ListTicketTypes", "id", "name")
TICKET_ATTRIBUTES = TypedFields("GetTicketAttributesSchema", from_body=("ticket_type_id",))
STATES_OF_TICKET = Dropdown("ListStatesOfTicket", "id", "internal_label", (("id", {"parameter": "id"}),))
ATTRIBUTES_OF_TICKET = TypedFields("GetAttributesSchemaOfTicket", from_route=("id",))
CONTACT_ATTRIBUTES = TypedFields("GetCustomAttributesSchema", (("model", "contact"),))
COMPANY_ATTRIBUTES = TypedFields("GetCustomAttributesSchema", (("model", "company"),))


def designer(
    visibility: Visibility | None = None, *, dropdown: Dropdown | None = None, typed: TypedFields | None = None
) -> dict[str, JsonValue]:
    """A field's `json_schema_extra`: where the designer shows it (plain when None), its dropdown, and for an object
    of custom attributes the operation that types its properties."""
    out: dict[str, JsonValue] = {}
    if visibility is not None:
        out["x-ms-visibility"] = visibility
    if dropdown is not None:
        out["x-ms-dynamic-values"] = dropdown.extension()
    if typed is not None:
        out["x-ms-dynamic-properties"] = typed.extension()
    return out
