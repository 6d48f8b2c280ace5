"""The generated definition against Microsoft's own JSON schemas of a custom connector (vendor/powerplatform-schemas,
what its tooling validates), and the designer's dropdowns (`x-ms-dynamic-values`) and paging of the lists."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import Field

from connector import generate
from connector.dropdowns import keep_listed
from connector.parts import path_parameter
from connector.swagger import Definitions
from shared.actions.parsing import Body, OptionalAdminId, TagName
from shared.models.designer import COMPANIES

SCHEMAS = Path(__file__).resolve().parents[2] / "vendor" / "powerplatform-schemas"
METHODS = ("get", "post", "put", "patch", "delete")


def strip_comments(text: str) -> str:
    """JSON with `//` comments (whole-line or trailing, never inside a string) -> JSON."""
    lines = []
    for line in text.splitlines():
        quoted = escaped = False
        cut = len(line)
        for i, char in enumerate(line):
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = not quoted
            elif not quoted and line.startswith("//", i):
                cut = i
                break
        lines.append(line[:cut])
    return "\n".join(lines)


@functools.cache
def validator(name: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(json.loads(strip_comments((SCHEMAS / name).read_text())))


def problems(name: str, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator(name).iter_errors(instance)]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(generate.DEFINITION_FILE.read_text())
    return loaded


def test_strip_comments_keeps_urls_in_strings() -> None:
    text = '{\n  // a comment\n  "a": "http://x//y", // trailing\n  "b": "\\"//"\n}'
    assert json.loads(strip_comments(text)) == {"a": "http://x//y", "b": '"//'}


def test_definition_is_valid_for_power_platform(document: dict[str, Any]) -> None:
    assert problems("apiDefinition.swagger.schema.json", document) == []


def test_properties_are_valid_for_power_platform() -> None:
    assert problems("paconn-apiProperties.schema.json", json.loads(generate.PROPERTIES_FILE.read_text())) == []


def test_the_schemas_notice_a_broken_definition(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["paths"]["/admins"]["get"]["x-ms-pageable"] = {"nextLinkName": 5}
    broken["definitions"]["TagConversation"]["properties"]["name"]["x-ms-dynamic-values"] = {"value-path": "id"}
    assert len(problems("apiDefinition.swagger.schema.json", broken)) >= 2


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for item in document["paths"].values() for m, op in item.items() if m in METHODS}


def dropdowns(document: dict[str, Any]) -> dict[str, str]:
    """`<operationId or body model>.<input>` -> the operation its dropdown lists."""
    found = {}
    for operation_id, op in operations(document).items():
        for parameter in op["parameters"]:
            if "x-ms-dynamic-values" in parameter:
                found[f"{operation_id}.{parameter['name']}"] = parameter["x-ms-dynamic-values"]["operationId"]
    for name, schema in document["definitions"].items():
        for prop, spec in schema.get("properties", {}).items():
            if "x-ms-dynamic-values" in spec:
                found[f"{name}.{prop}"] = spec["x-ms-dynamic-values"]["operationId"]
    return found


def test_dropdowns_by_input_name(document: dict[str, Any]) -> None:
    found = dropdowns(document)
    for model in ("ReplyToConversation", "CloseConversation", "SnoozeConversation", "TagConversation", "AddNote"):
        assert found[f"{model}.admin_id"] == "ListAdmins", model
    assert found["AssignConversation.assignee_id"] == "ListAssignees", "admins and teams (interface §10)"
    assert found["ContactFilter.field"] == found["ConversationFilter.field"] == found["TicketFilter.field"]
    assert found["TicketFilter.field"] == "ListSearchFields"
    assert found["AttachCompany.company_id"] == "ListCompanies"
    assert found["DetachContactFromCompany.company_id"] == "ListCompanies"
    for model in ("TagByName", "TagConversation", "AddTag"):
        assert found[f"{model}.name"] == "ListTags", model
    assert "UpsertCompany.company_id" not in found, "your own company id is not an Intercom id"
    assert "ListCompanies.company_id" not in found
    assert "UpsertCompany.name" not in found
    ops = operations(document)
    for key, source in found.items():
        assert source in ops, key
        assert not key.startswith(source + "."), "a list is not its own dropdown"


def test_custom_attributes_are_typed_fields_where_they_are_written(document: dict[str, Any]) -> None:
    typed = {
        f"{name}.{prop}": spec["x-ms-dynamic-properties"]
        for name, schema in document["definitions"].items()
        for prop, spec in schema.get("properties", {}).items()
        if "x-ms-dynamic-properties" in spec
    }
    contact = {"operationId": "GetCustomAttributesSchema", "parameters": {"model": {"value": "contact"}}}
    for body in ("UpsertUser", "CreateLead", "UpdateUser", "UpdateLead"):
        assert typed.pop(f"{body}.custom_attributes") == {**contact, "itemValuePath": "schema"}, body
    company = typed.pop("UpsertCompany.custom_attributes")
    assert company["parameters"] == {"model": {"value": "company"}}
    assert typed.pop("CreateTicket.ticket_attributes") == {
        "operationId": "GetTicketAttributesSchema",
        "parameters": {"ticket_type_id": {"parameterReference": "body/ticket_type_id"}},
        "itemValuePath": "schema",
    }, "the attributes of the type the body names"
    assert typed.pop("UpdateTicket.ticket_attributes") == {
        "operationId": "GetAttributesSchemaOfTicket",
        "parameters": {"id": {"parameterReference": "id"}},
        "itemValuePath": "schema",
    }, "the attributes of the ticket's type, by the route's ticket id"
    assert typed == {}, "only the bodies that write custom or ticket attributes"
    ops = operations(document)
    schema_op = ops["GetCustomAttributesSchema"]
    assert schema_op["x-ms-visibility"] == "internal"
    assert [p["name"] for p in schema_op["parameters"] if "name" in p] == ["model"]
    for operation_id, parameter in (
        ("GetTicketAttributesSchema", "ticket_type_id"),
        ("GetAttributesSchemaOfTicket", "id"),
    ):
        op = ops[operation_id]
        assert op["x-ms-visibility"] == "internal", operation_id
        assert [(p["name"], p["in"]) for p in op["parameters"] if "name" in p] == [(parameter, "path")], operation_id
    update = next(p for p in ops["UpdateTicket"]["parameters"] if p.get("name") == "id")
    assert update["in"] == "path", "what GetAttributesSchemaOfTicket's parameterReference names"


def test_the_ticket_actions_show_the_workspace(document: dict[str, Any]) -> None:
    """Interface §10 "Designer": ticket types, the states of the ticket's type, assignees (admins and teams) and
    search fields are dropdowns on the ticket actions."""
    found = dropdowns(document)
    assert found["CreateTicket.ticket_type_id"] == "ListTicketTypes"
    assert found["ListTicketStates.ticket_type_id"] == "ListTicketTypes"
    assert found["CreateTicket.admin_assignee_id"] == "ListAdmins"
    assert found["CreateTicket.team_assignee_id"] == "ListTeams"
    assert found["CreateTicket.company_id"] == "ListCompanies"
    assert found["UpdateTicket.assignee_id"] == "ListAssignees", "admins and teams"
    assert found["UpdateTicket.admin_id"] == found["ReplyToTicket.admin_id"] == "ListAdmins"
    assert found["TicketFilter.field"] == "ListSearchFields"
    definitions = document["definitions"]
    field = definitions["TicketFilter"]["properties"]["field"]["x-ms-dynamic-values"]
    assert field["parameters"] == {"object": "tickets"}
    state = definitions["UpdateTicket"]["properties"]["ticket_state_id"]["x-ms-dynamic-values"]
    assert state == {
        "operationId": "ListStatesOfTicket",
        "value-collection": "value",
        "value-path": "id",
        "value-title": "internal_label",
        "parameters": {"id": {"parameter": "id"}},
    }, "Update ticket's body has no type: the states of the type of the ticket its route names"
    ops = operations(document)
    states = ops["ListStatesOfTicket"]
    assert states["x-ms-visibility"] == "internal"
    assert [(p["name"], p["in"]) for p in states["parameters"] if "name" in p] == [("id", "path")]
    assert states["responses"]["200"]["schema"] == ops["ListTicketStates"]["responses"]["200"]["schema"]
    assert ops["ListTicketStates"].get("x-ms-visibility") != "internal", "List ticket states stays an action"


def test_a_dropdown_names_the_value_and_the_title(document: dict[str, Any]) -> None:
    admin = document["definitions"]["CloseConversation"]["properties"]["admin_id"]["x-ms-dynamic-values"]
    assert admin == {
        "operationId": "ListAdmins",
        "value-collection": "value",
        "value-path": "id",
        "value-title": "name",
    }
    tag = document["definitions"]["TagConversation"]["properties"]["name"]["x-ms-dynamic-values"]
    assert (tag["value-path"], tag["value-title"]) == ("name", "name")
    listed = document["definitions"][
        operations(document)["ListAdmins"]["responses"]["200"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]
    assert listed["properties"]["value"]["items"] == {"$ref": "#/definitions/Admin"}


def test_a_new_action_gets_its_dropdown_from_its_field_types() -> None:
    class ThingTagBody(Body):
        admin_id: OptionalAdminId = Field(None, title="Admin ID")
        name: TagName = Field(title="Tag Name")

    defs = Definitions()
    ref = defs.add_model(ThingTagBody, mode="validation")
    paths: dict[str, dict[str, Any]] = {
        "/admins": {"get": {"operationId": "ListAdmins", "parameters": []}},
        "/things/{company_id}": {
            "post": {
                "operationId": "DoThing",
                "parameters": [
                    path_parameter("company_id", "Company ID", "The company", COMPANIES),
                    {"name": "body", "in": "body", "schema": {"$ref": ref}},
                ],
            }
        },
    }
    definitions = defs.as_dict()
    keep_listed(paths, definitions)
    props = definitions["ThingTagBody"]["properties"]
    assert props["admin_id"]["x-ms-dynamic-values"]["operationId"] == "ListAdmins"
    assert "x-ms-dynamic-values" not in props["name"], "List tags is not in this definition"
    assert "x-ms-dynamic-values" not in paths["/things/{company_id}"]["post"]["parameters"][0]


@pytest.mark.parametrize("operation_id", ["ListCompanies", "ListConversations", "ListUsers", "ListLeads"])
def test_lists_are_pageable(document: dict[str, Any], operation_id: str) -> None:
    op = operations(document)[operation_id]
    assert op["x-ms-pageable"] == {"nextLinkName": "nextLink"}
    page = document["definitions"][op["responses"]["200"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert page["required"] == ["value"]
    cursor = next(p for p in op["parameters"] if p.get("name") == "cursor")
    assert cursor["x-ms-visibility"] == "internal"


def test_upsert_company_answers_201_or_200(document: dict[str, Any]) -> None:
    responses = operations(document)["CreateOrUpdateCompany"]["responses"]
    assert responses["201"]["schema"] == responses["200"]["schema"] == {"$ref": "#/definitions/Company"}
