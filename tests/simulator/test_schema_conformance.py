"""The simulator's answers validate against the component schemas of Intercom's OpenAPI document (2.16)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from devserver.intercom import Simulator

SPEC = Path("/work/shared/intercom-openapi/api.intercom.io.yaml")


@functools.cache
def components() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC.read_text())
    return dict(spec["components"]["schemas"])


def _resolve(node: Any, schemas: dict[str, Any], depth: int = 0) -> Any:
    if isinstance(node, dict):
        if "$ref" in node and depth < 12:
            return _resolve(schemas[node["$ref"].rsplit("/", 1)[1]], schemas, depth + 1)
        out = {k: _resolve(v, schemas, depth) for k, v in node.items() if k not in ("example", "examples")}
        if out.get("nullable"):
            kind = out.get("type")
            if isinstance(kind, str):
                out["type"] = [kind, "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        return out
    if isinstance(node, list):
        return [_resolve(v, schemas, depth) for v in node]
    return node


def validate(name: str, instance: Any) -> None:
    schemas = components()
    if not SPEC.exists():
        pytest.skip("OpenAPI document not available")
    jsonschema.validate(instance, _resolve(schemas[name], schemas))


@pytest.fixture
def api(sim: Simulator) -> httpx.Client:
    from devserver.intercom.demo import load_demo

    load_demo(sim)
    return httpx.Client(
        base_url=sim.base_url, headers={"Authorization": f"Bearer {sim.token}", "Intercom-Version": "2.16"}
    )


def test_me(api: httpx.Client) -> None:
    validate("admin_with_app", api.get("/me").json())


def test_contact_and_lists(api: httpx.Client, sim: Simulator) -> None:
    contact_id = sim.contacts()[0]["id"]
    validate("contact", api.get(f"/contacts/{contact_id}").json())
    validate(
        "contact",
        api.post("/contacts", json={"role": "lead", "email": "s@x.io", "avatar": "https://x.io/a.png"}).json(),
    )
    validate("contact_list", api.get("/contacts").json())
    found = api.post("/contacts/search", json={"query": {"field": "role", "operator": "=", "value": "user"}}).json()
    validate("contact_list", found)


def test_conversation_and_list(api: httpx.Client, sim: Simulator) -> None:
    conv = api.get(f"/conversations/{sim.conversations()[0]['id']}").json()
    validate("conversation", conv)
    assert isinstance(conv["admin_assignee_id"], int)
    validate("conversation_list", api.get("/conversations").json())
    found = api.post(
        "/conversations/search", json={"query": {"field": "created_at", "operator": ">", "value": 0}}
    ).json()
    validate("conversation_list", found)


def test_company_tag_error(api: httpx.Client) -> None:
    company = api.post("/companies", json={"company_id": "c9", "name": "Nine"}).json()
    validate("company", company)
    validate("company", api.get(f"/companies/{company['id']}").json())
    validate("company_list", api.get("/companies").json())
    validate("tag", api.post("/tags", json={"name": "Hot"}).json())
    validate("tag_list", api.get("/tags").json())
    validate("error", api.get("/contacts/nope").json())
