"""infra/logicapp-example.json: an ARM template of a Logic App (Consumption) that polls the lead-created trigger
and calls Create or update user, with the function key from a secure parameter. Checked for structure only (no
Logic Apps engine runs here)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from connector.operations import TRIGGERS
from shared.contact_requests import UpsertUser
from tests.infra.bicep import INFRA, walk

EXAMPLE = INFRA / "logicapp-example.json"
KEY = "@parameters('functionKey')"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return document


@pytest.fixture(scope="module")
def workflow(template: dict[str, Any]) -> dict[str, Any]:
    (resource,) = template["resources"]
    assert resource["type"] == "Microsoft.Logic/workflows"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", resource["apiVersion"])
    properties: dict[str, Any] = resource["properties"]
    return properties


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
    assert "lead-created" in {t.name for t in TRIGGERS}
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


def test_the_key_comes_only_from_the_secure_parameter(template: dict[str, Any], workflow: dict[str, Any]) -> None:
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


def test_every_parameter_used_is_declared(template: dict[str, Any], workflow: dict[str, Any]) -> None:
    definition = workflow["definition"]
    strings = [s for s in walk(definition) if isinstance(s, str)]
    used = {name for s in strings for name in re.findall(r"parameters\('([^']+)'\)", s)}
    assert used == set(definition["parameters"])
    assert set(workflow["parameters"]) == set(definition["parameters"])
    arm = [s for s in walk(template["resources"][0]) if isinstance(s, str) and s.startswith("[")]
    arm_used = {name for s in arm for name in re.findall(r"parameters\('([^']+)'\)", s)}
    assert arm_used == set(template["parameters"])
