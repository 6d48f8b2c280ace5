"""connector/apiDefinition.swagger.json and apiProperties.json: current with the code, valid OpenAPI 2.0, one operation
per route the app registers, the seed connector's display names, paging and polling-trigger extensions, and schemas
that describe the JSON the app really answers."""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV2SpecValidator

from connector import generate
from connector.operations import OPERATIONS
from connector.routes import AppFunctions, load
from shared.errors import BadRequest
from shared.models.contacts import contact_to_model
from shared.models.conversations import conversation_to_model
from shared.settings import CONNECTION_HEADER
from shared.triggers.registry import TRIGGERS

REPO = Path(__file__).resolve().parents[2]
INTERFACE = REPO / "docs" / "interface.md"
METHODS = ("get", "post", "put", "patch", "delete")

# The seed (Microsoft's reference page of its Intercom connector) names these operations, in this order: its actions
# are the rows of interface §2, its triggers the rows of interface §4.
SEED_ACTIONS = ["CreateOrUpdateUser", "CreateLead", "ListLeads", "GetUser", "GetLead"]
SEED_TRIGGERS = ["OnUserUpdated", "OnLeadCreated", "OnUserCreated", "OnConversationStarted"]


@functools.cache
def app() -> AppFunctions:
    return load()


@functools.cache
def generated() -> tuple[dict[Path, str], tuple[str, ...]]:
    return generate.generate(app())


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(generate.DEFINITION_FILE.read_text())
    return loaded


def operations_of(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (method, path, operation)."""
    out = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                out[operation["operationId"]] = (method, path, operation)
    return out


@pytest.mark.parametrize("path", [generate.DEFINITION_FILE, generate.PROPERTIES_FILE], ids=lambda p: p.name)
def test_committed_files_are_current(path: Path) -> None:
    files, _ = generated()
    assert path.exists(), f"{path.name} is missing: run python -m connector.generate"
    assert path.read_text() == files[path], f"{path.name} is stale: run python -m connector.generate and commit it"


def test_every_described_function_is_registered_by_the_app() -> None:
    _, warnings = generated()
    assert warnings == (), warnings


def test_is_valid_openapi_2(document: dict[str, Any]) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in OpenAPIV2SpecValidator(document).iter_errors()
    ]
    assert errors == []


def test_the_validator_notices_a_broken_definition(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    del broken["paths"]["/users"]["post"]["responses"]
    broken["definitions"]["User"]["properties"]["id"]["type"] = "text"
    assert len(list(OpenAPIV2SpecValidator(broken).iter_errors())) >= 2


def _expected_operations() -> set[tuple[str, str]]:
    """(method, path) of every HTTP function the app registers and the connector describes, `{name}` expanded over
    the triggers."""
    expected = set()
    for route in app().http:
        entry = OPERATIONS.get(route.function)
        assert entry is not None, f"HTTP function {route.function} has no entry in connector/operations.py"
        if entry.build is None:
            continue
        paths = [route.route]
        if "{name}" in route.route:
            paths = [route.route.replace("{name}", name) for name in TRIGGERS]
        expected |= {(method.lower(), "/" + path) for path in paths for method in route.methods}
    return expected


def test_paths_are_the_apps_routes(document: dict[str, Any]) -> None:
    described = {(method, path) for path, item in document["paths"].items() for method in item if method in METHODS}
    assert described == _expected_operations()
    assert document["basePath"] == "/api"


def test_every_http_function_has_a_decision() -> None:
    assert {route.function for route in app().http} <= set(OPERATIONS)
    left_out = {name: entry.reason for name, entry in OPERATIONS.items() if entry.build is None}
    assert all(left_out.values()), "a function left out of the connector says why"
    assert "health" in left_out


def _sections(contract: str) -> dict[str, str]:
    """The contract's `## N. Title` sections by number."""
    found = re.split(r"^## (\d+)\. .*$", contract, flags=re.MULTILINE)
    return dict(zip(found[1::2], found[2::2], strict=True))


def _row_names(section: str) -> dict[tuple[str, str], str]:
    """(method, path) -> display name of each table row naming routes: `| Update user | `PUT /api/users/{user_id}` |`.
    A row of N routes named `A / b thing` gives `A thing` and `B thing`; ` (filter)` amends a row named elsewhere."""
    names: dict[tuple[str, str], str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) < 2 or " (filter)" in cells[0]:
            continue
        routes = re.findall(r"`(GET|POST|PUT|DELETE) /api(/[^`]+)`", cells[1])
        if not routes:
            continue
        # `POST /api/conversations/{id}/close` (...), `/open`, `/snooze`: siblings of the first route
        parent = routes[0][1].rsplit("/", 1)[0]
        routes += [(routes[0][0], parent + tail) for tail in re.findall(r"`(/[a-z_]+)`", cells[1])]
        labels = [cells[0]]
        if " / " in cells[0] and len(routes) > 1:
            verbs = cells[0].split(" / ")
            # `Close / open / snooze / assign` names no noun: the route's collection, singular
            noun = verbs[-1].split(" ", 1)[1] if " " in verbs[-1] else parent.split("/")[1].removesuffix("s")
            labels = [f"{verb.split(' ', 1)[0].capitalize()} {noun}" for verb in verbs]
        if len(labels) == len(routes):
            names |= {(method.lower(), route): label for (method, route), label in zip(routes, labels, strict=True)}
    return names


def _interface_sections() -> dict[str, str]:
    return _sections(INTERFACE.read_text())


def _interface_display_names() -> dict[tuple[str, str], str]:
    """(method, path) -> display name, from the tables of interface §2, §7 and §10 (actions) and §4, §8, §9
    (triggers)."""
    sections = _interface_sections()
    names = _row_names(sections["2"]) | _row_names(sections["7"]) | _row_names(sections["10"])
    triggers = sections["4"] + sections["8"] + sections["9"]
    for row in re.findall(r"^\| (When [^|]+?) \| `([a-z-]+)` \|", triggers, flags=re.MULTILINE):
        names[("get", f"/triggers/{row[1]}")] = row[0]
    return names


def test_summaries_are_the_interface_display_names(document: dict[str, Any]) -> None:
    names = _interface_display_names()
    assert names[("post", "/contacts/{id}/unarchive")] == "Unarchive contact"
    ops = operations_of(document)
    assert set(SEED_ACTIONS + SEED_TRIGGERS) <= set(ops)
    for operation_id, (method, path, operation) in ops.items():
        assert operation["description"], operation_id
        if operation.get("x-ms-visibility") == "internal":
            continue  # what the designer calls for a dropdown or a dynamic schema, never a flow step
        assert operation["summary"] == names[(method, path)], operation_id


def _first_column(section: str) -> list[str]:
    """The first cell of each row of a section's table, in order (the header and the rule left out)."""
    rows = [line.strip("|").split("|")[0].strip() for line in section.splitlines() if line.startswith("| ")]
    return rows[1:]


def test_the_seed_operations_come_first_in_the_seed_order(document: dict[str, Any]) -> None:
    """interface §2 and §4 are the seed's tables: the operations with those display names are the seed's, in order,
    and the seed's triggers are the first four of the registry."""
    sections = _interface_sections()
    by_summary = {operation["summary"]: op for op, (_, _, operation) in operations_of(document).items()}
    assert [by_summary[name] for name in _first_column(sections["2"])] == SEED_ACTIONS
    assert [by_summary[name] for name in _first_column(sections["4"])] == SEED_TRIGGERS
    triggers = [trigger.operation_id for trigger in TRIGGERS.values()]
    assert triggers[:4] == SEED_TRIGGERS  # §8 adds the rest
    ops = operations_of(document)
    assert {op for op, (_, _, operation) in ops.items() if "x-ms-trigger" not in operation} >= set(SEED_ACTIONS)
    assert {op for op, (_, _, operation) in ops.items() if "x-ms-trigger" in operation} == set(triggers)


@pytest.mark.parametrize(("operation_id", "shape"), [("ListLeads", "Lead"), ("ListUsers", "User")])
def test_lists_are_pageable(document: dict[str, Any], operation_id: str, shape: str) -> None:
    _, _, operation = operations_of(document)[operation_id]
    assert operation["x-ms-pageable"] == {"nextLinkName": "nextLink"}
    page = document["definitions"][f"{shape}Page"]
    assert page["properties"]["value"]["items"] == {"$ref": f"#/definitions/{shape}"}
    assert page["properties"]["nextLink"]["type"] == "string"
    assert page["required"] == ["value"], "nextLink is absent on the last page"
    parameters = {p["name"]: p for p in operation["parameters"] if "name" in p}
    assert parameters["cursor"]["x-ms-visibility"] == "internal"
    assert parameters["email"]["required"] is False


def test_contact_writes_answer_their_statuses(document: dict[str, Any]) -> None:
    """204/202 carry no body; the rest answer the contract's shape; every path id is a required parameter."""
    expected = {
        "DeleteContact": ("204", None),
        "RemoveTagFromContact": ("204", None),
        "DetachContactFromCompany": ("204", None),
        "TrackEvent": ("202", None),
        "AddNoteToContact": ("201", "Note"),
        "AddTagToContact": ("200", "Tag"),
        "AttachContactToCompany": ("200", "Company"),
        "ArchiveContact": ("200", "ContactArchived"),
        "UpdateUser": ("200", "User"),
        "UpdateLead": ("200", "Lead"),
    }
    ops = operations_of(document)
    for operation_id, (status, shape) in expected.items():
        _, path, operation = ops[operation_id]
        ok = operation["responses"][status]
        assert ("schema" in ok) == (shape is not None), operation_id
        if shape is not None:
            assert ok["schema"] == {"$ref": f"#/definitions/{shape}"}, operation_id
        assert "404" in operation["responses"] or operation_id == "TrackEvent", operation_id
        ids = {p["name"] for p in operation["parameters"] if p.get("in") == "path"}
        assert ids == set(re.findall(r"\{([^}]+)\}", path)), operation_id
    note = document["definitions"]["Note"]
    assert set(note["properties"]) == {"id", "body", "created_at", "author", "contact"}


@pytest.mark.parametrize("trigger", TRIGGERS.values(), ids=lambda t: t.name)
def test_polling_triggers(document: dict[str, Any], trigger: Any) -> None:
    operation = document["paths"][f"/triggers/{trigger.name}"]["get"]
    assert operation["operationId"] == trigger.operation_id
    assert operation["x-ms-trigger"] == "batch"
    assert operation["x-ms-trigger-hint"]
    responses = operation["responses"]
    for status in ("200", "202"):
        assert set(responses[status]["headers"]) == {"Location", "Retry-After"}
    assert "schema" not in responses["202"]
    batch = document["definitions"][responses["200"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert batch["required"] == ["value"]
    assert batch["properties"]["value"]["type"] == "array"
    event = {
        "user-updated": "User",
        "lead-created": "Lead",
        "user-created": "User",
        "conversation-started": "Conversation",
        "lead-converted": "User",
        "lead-email-added": "Lead",
        "contact-tagged": "TaggedContact",
        "conversation-closed": "Conversation",
        "company-created": "Company",
        "contact-unsubscribed": "Contact",
        **dict.fromkeys(
            [
                "conversation-contact-replied",
                "conversation-admin-replied",
                "conversation-assigned",
                "conversation-snoozed",
                "conversation-rated",
            ],
            "Conversation",
        ),
        "conversation-tagged": "TaggedConversation",
        "ticket-created": "Ticket",
        "ticket-state-changed": "Ticket",
        "lead-updated": "Lead",
        "contact-deleted": "DeletedContact",
        "intercom-notification": "Notification",
    }
    assert batch["properties"]["value"]["items"] == {"$ref": f"#/definitions/{event[trigger.name]}"}
    cursor = next(p for p in operation["parameters"] if p.get("name") == "cursor")
    assert cursor == cursor | {"in": "query", "required": False, "x-ms-visibility": "internal"}


def test_the_polling_triggers_are_the_registry_s(document: dict[str, Any]) -> None:
    triggers = {path for path, item in document["paths"].items() if "x-ms-trigger" in item.get("get", {})}
    assert triggers == {f"/triggers/{name}" for name in TRIGGERS}


def test_connection_header_on_every_operation(document: dict[str, Any]) -> None:
    parameter = document["parameters"]["Connection"]
    assert parameter["name"] == CONNECTION_HEADER
    assert parameter["in"] == "header"
    assert parameter["required"] is False
    assert parameter["x-ms-visibility"] == "advanced"
    for operation_id, (_, _, operation) in operations_of(document).items():
        assert {"$ref": "#/parameters/Connection"} in operation["parameters"], operation_id


def test_function_key_security_and_host_placeholder(document: dict[str, Any]) -> None:
    assert document["securityDefinitions"] == {"api_key": {"type": "apiKey", "in": "header", "name": "x-functions-key"}}
    assert document["security"] == [{"api_key": []}]
    assert document["host"] == "your-app.azurewebsites.net"
    assert document["schemes"] == ["https"]
    properties = json.loads(generate.PROPERTIES_FILE.read_text())["properties"]
    assert properties["connectionParameters"]["api_key"]["type"] == "securestring"
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", properties["iconBrandColor"])
    capability = document["x-ms-capabilities"]["testConnection"]
    assert capability["operationId"] in operations_of(document)
    names = {item["propertyName"] for item in document["x-ms-connector-metadata"]}
    assert {"Website", "Privacy policy", "Categories"} <= names


def test_every_input_and_property_has_a_display_name(document: dict[str, Any]) -> None:
    for name, schema in document["definitions"].items():
        for prop, spec in schema.get("properties", {}).items():
            if "$ref" not in spec:
                assert spec.get("x-ms-summary"), f"{name}.{prop}"
    for operation_id, (_, _, operation) in operations_of(document).items():
        for parameter in operation["parameters"]:
            if "$ref" not in parameter:
                assert parameter.get("x-ms-summary"), f"{operation_id} {parameter['name']}"
    visibility = {"important", "advanced", "internal"}
    for node in _nodes(document):
        if isinstance(node, dict) and "x-ms-visibility" in node:
            assert node["x-ms-visibility"] in visibility


def _nodes(node: Any) -> list[Any]:
    out = [node]
    if isinstance(node, dict):
        for value in node.values():
            out += _nodes(value)
    elif isinstance(node, list):
        for value in node:
            out += _nodes(value)
    return out


def _json_schema(node: Any) -> Any:
    """A Swagger 2.0 schema as JSON Schema draft 4: x-nullable -> a null type; closed objects (a response that
    grows a field the definition lacks fails)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if not key.startswith("x-")}
    if node.get("x-nullable"):
        out["type"] = [node["type"], "null"]
    if "properties" in node and isinstance(node["properties"], dict) and "type" in node:
        out["additionalProperties"] = False
        out["properties"] = {name: _json_schema(prop) for name, prop in node["properties"].items()}
    return out


def _validate(document: dict[str, Any], definition: str, instance: Any) -> None:
    definitions = {name: _json_schema(schema) for name, schema in document["definitions"].items()}
    schema = {"definitions": definitions, "$ref": f"#/definitions/{definition}"}
    jsonschema.Draft4Validator(schema).validate(instance)


CONTACT = {
    "type": "contact",
    "id": "65a1",
    "role": "user",
    "external_id": "ext-1",
    "email": "jane@example.com",
    "phone": None,
    "name": "Jane",
    "created_at": 1700000000,
    "updated_at": 1700000100,
    "avatar": {"image_url": "https://example.com/a.png"},
    "unsubscribed_from_emails": False,
    "location": {"city": "Prague", "country": "Czechia", "region": None},
    "companies": {"data": [{"id": "c1"}]},
    "tags": {"data": [{"id": "t1"}]},
}


def test_schemas_describe_what_the_app_answers(document: dict[str, Any]) -> None:
    user = contact_to_model(CONTACT, {"c1": "Acme"}, {"t1": "VIP"}).model_dump(mode="json")
    lead = contact_to_model({**CONTACT, "role": "lead", "avatar": None}).model_dump(mode="json")
    conversation = conversation_to_model(
        {
            "id": "9",
            "created_at": 1700000000,
            "updated_at": 1700000200,
            "admin_assignee_id": 0,
            "source": {"author": {"id": 5, "type": "user"}, "body": "<p>Hi</p>", "subject": "", "url": None},
            "contacts": {"contacts": [{"id": "65a1", "type": "contact"}]},
        }
    ).model_dump(mode="json")
    _validate(document, "User", user)
    _validate(document, "Lead", lead)
    _validate(document, "Conversation", conversation)
    _validate(document, "LeadPage", {"value": [lead], "nextLink": "https://h/api/leads?cursor=x"})
    _validate(document, "LeadPage", {"value": []})
    _validate(document, "UserBatch", {"value": [user, user]})
    _validate(document, "ConversationBatch", {"value": [conversation]})
    _validate(document, "Error", BadRequest.field("email", "is required").body())
    _validate(document, "UpsertUser", {"email": "jane@example.com", "name": None, "companies": ["c1"]})
    with pytest.raises(jsonschema.ValidationError):
        _validate(document, "User", {**user, "surprise": 1})
    with pytest.raises(jsonschema.ValidationError):
        _validate(document, "Lead", user)  # type is "user"


def test_schemas_describe_the_company_conversation_and_workspace_answers(document: dict[str, Any]) -> None:
    from shared.models.companies import company_to_model
    from shared.models.workspace import Admin

    company = company_to_model(
        {
            "id": "c1",
            "company_id": "acme",
            "name": "Acme",
            "plan": {"type": "plan", "id": "1", "name": "Pro"},
            "size": 5,
            "monthly_spend": 10,
            "created_at": 1700000000,
            "custom_attributes": {"tier": "gold", "seats": 3, "vip": True, "note": None},
            "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "t1", "name": "Key"}]},
        }
    ).model_dump(mode="json")
    conversation = conversation_to_model(
        {
            "id": "9",
            "state": "closed",
            "open": False,
            "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "t1", "name": "Key", "applied_at": 1}]},
            "statistics": {"type": "conversation_statistics", "last_close_at": 1700000300},
        }
    ).model_dump(mode="json")
    assert conversation["statistics"]["last_close_at"] == "2023-11-14T22:18:20.000Z"
    _validate(document, "Company", company)
    _validate(document, "CompanyPage", {"value": [company], "nextLink": "https://h/api/companies?cursor=x"})
    _validate(document, "Conversation", conversation)
    _validate(document, "ConversationPage", {"value": [conversation]})
    admin = Admin(id="1", name="Ann", email="ann@example.com", away_mode_enabled=False).model_dump(mode="json")
    _validate(document, "AdminListing", {"value": [admin]})
    _validate(document, "TagListing", {"value": [{"id": "t1", "name": "Key"}]})
    with pytest.raises(jsonschema.ValidationError):
        _validate(document, "Company", {**company, "tags": {"tags": [{"id": 5}]}})
