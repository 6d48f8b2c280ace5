"""infra/logicapp-example.json: an ARM template of two Logic Apps (Consumption), with the function key from a secure
parameter: one polls the lead-created trigger and calls Create or update user; the other polls conversation-started,
tags the conversation and adds a note to its contact. Checked for structure only (no Logic Apps engine runs here);
the routes and bodies are checked against the app's own routes and request models."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from connector.operations import OPERATIONS
from connector.routes import normalize
from shared.actions.contacts.requests import AddNote, UpsertUser
from shared.actions.conversations.requests import TagConversation
from shared.triggers.registry import TRIGGERS
from tests.infra.bicep import INFRA, walk

EXAMPLE = INFRA / "logicapp-example.json"
KEY = "@parameters('functionKey')"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return document


def _workflows(template: dict[str, Any]) -> list[dict[str, Any]]:
    for resource in template["resources"]:
        assert resource["type"] == "Microsoft.Logic/workflows"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", resource["apiVersion"])
    return [resource["properties"] for resource in template["resources"]]


@pytest.fixture(scope="module")
def workflow(template: dict[str, Any]) -> dict[str, Any]:
    """The lead-created workflow."""
    return _workflows(template)[0]


@pytest.fixture(scope="module")
def conversation_flow(template: dict[str, Any]) -> dict[str, Any]:
    """The conversation-started workflow."""
    return _workflows(template)[1]


def _actions(actions: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, action in actions.items():
        yield name, action
        yield from _actions(action.get("actions", {}))
        yield from _actions(action.get("else", {}).get("actions", {}))


def test_is_an_arm_template_with_a_secure_key_parameter(template: dict[str, Any]) -> None:
    assert template["$schema"].endswith("/deploymentTemplate.json#")
    key = template["parameters"]["functionKey"]
    assert key["type"] == "securestring"
    assert "defaultValue" not in key


def test_polls_the_lead_created_trigger(workflow: dict[str, Any]) -> None:
    definition = workflow["definition"]
    assert definition["$schema"].endswith("/workflowdefinition.json#")
    (trigger,) = definition["triggers"].values()
    assert trigger["type"] == "Http"
    assert trigger["recurrence"] == {"frequency": "Minute", "interval": 2}
    inputs = trigger["inputs"]
    assert inputs["method"] == "GET"
    assert inputs["uri"] == "@{parameters('baseUrl')}/api/triggers/lead-created"
    assert "lead-created" in TRIGGERS
    assert inputs["queries"] == {"code": KEY}, "the key rides in the query, so each Location keeps it"
    assert trigger["splitOn"] == "@triggerBody()?['value']"
    assert trigger["runtimeConfiguration"]["secureData"]["properties"] == ["inputs"]


def test_calls_create_or_update_user(workflow: dict[str, Any]) -> None:
    calls = [a for _, a in _actions(workflow["definition"]["actions"]) if a["type"] == "Http"]
    assert len(calls) == 1
    inputs = calls[0]["inputs"]
    assert inputs["method"] == "POST"
    assert inputs["uri"] == "@{parameters('baseUrl')}/api/users"
    assert inputs["headers"]["x-functions-key"] == KEY
    assert set(inputs["body"]) <= set(UpsertUser.model_fields)
    assert inputs["body"]["email"] == "@triggerBody()?['email']"
    assert calls[0]["runtimeConfiguration"]["secureData"]["properties"] == ["inputs"]


def _calls(flow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: action for name, action in _actions(flow["definition"]["actions"]) if action["type"] == "Http"}


def _route_of(uri: str) -> str:
    """`@{parameters('baseUrl')}/api/conversations/@{encodeUriComponent(...)}/tags` -> `conversations/{}/tags`."""
    path = uri.removeprefix("@{parameters('baseUrl')}/api/")
    return re.sub(r"@\{encodeUriComponent\([^}]*\)\}", "{}", path)


def _app_route(method: str, route: str) -> str:
    """The function whose declared route is `route` (parameters as `{}`) for `method`."""
    for name, entry in OPERATIONS.items():
        if method in entry.methods and re.sub(r"\{[^}]+\}", "{}", normalize(entry.route)) == route:
            return name
    raise AssertionError(f"no function serves {method} /api/{route}")


def test_conversation_started_tags_the_conversation_and_notes_its_contact(conversation_flow: dict[str, Any]) -> None:
    definition = conversation_flow["definition"]
    (trigger,) = definition["triggers"].values()
    assert trigger["inputs"]["uri"] == "@{parameters('baseUrl')}/api/triggers/conversation-started"
    assert trigger["inputs"]["queries"] == {"code": KEY}
    assert trigger["splitOn"] == "@triggerBody()?['value']"
    calls = _calls(conversation_flow)
    tag, note = calls["Tag_the_conversation"]["inputs"], calls["Add_a_note_to_the_contact"]["inputs"]
    assert _app_route("POST", _route_of(tag["uri"])) == "tag_conversation"
    assert "triggerBody()?['id']" in tag["uri"]
    assert set(tag["body"]) <= set(TagConversation.model_fields)
    assert tag["retryPolicy"]["type"] == "exponential", "tagging twice leaves one tag: safe to retry"
    assert _app_route("POST", _route_of(note["uri"])) == "add_note"
    assert "triggerBody()?['user']?['id']" in note["uri"], "the note goes to the conversation's contact"
    assert set(note["body"]) <= set(AddNote.model_fields)
    assert "body" in note["body"]
    assert note["retryPolicy"] == {"type": "none"}, "a note is not idempotent: never retried blindly"
    for call in calls.values():
        assert call["inputs"]["headers"]["x-functions-key"] == KEY
        assert call["runtimeConfiguration"]["secureData"]["properties"] == ["inputs"]


def test_the_key_comes_only_from_the_secure_parameter(template: dict[str, Any]) -> None:
    for workflow in _workflows(template):
        definition = workflow["definition"]
        assert definition["parameters"]["functionKey"] == {"type": "SecureString"}
        assert workflow["parameters"]["functionKey"] == {"value": "[parameters('functionKey')]"}
        for node in walk(definition):
            if isinstance(node, dict):
                for name, value in node.items():
                    if name.lower() in ("x-functions-key", "code"):
                        assert value == KEY, f"{name} = {value!r}"
    text = EXAMPLE.read_text()
    assert "functionKey" in text
    assert not re.search(r"[A-Za-z0-9_\-]{40,}==?", text), "a literal key"


def test_every_parameter_used_is_declared(template: dict[str, Any]) -> None:
    arm_used: set[str] = set()
    for resource, workflow in zip(template["resources"], _workflows(template), strict=True):
        definition = workflow["definition"]
        strings = [s for s in walk(definition) if isinstance(s, str)]
        used = {name for s in strings for name in re.findall(r"parameters\('([^']+)'\)", s)}
        assert used == set(definition["parameters"])
        assert set(workflow["parameters"]) == set(definition["parameters"])
        arm = [s for s in walk(resource) if isinstance(s, str) and s.startswith("[")]
        arm_used |= {name for s in arm for name in re.findall(r"parameters\('([^']+)'\)", s)}
    assert arm_used == set(template["parameters"])
