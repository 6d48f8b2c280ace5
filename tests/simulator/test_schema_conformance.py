"""The simulator's answers validate against the component schemas of Intercom's OpenAPI document (2.16)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from intercom_sim import Simulator

SPEC = Path(__file__).resolve().parents[2] / "vendor" / "intercom-openapi" / "api.intercom.io.yaml"


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
    jsonschema.validate(instance, _resolve(schemas[name], schemas))


@pytest.fixture
def api(sim: Simulator) -> httpx.Client:
    from intercom_sim.demo import load_demo

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


def test_company_upsert_find_list_and_tag(api: httpx.Client) -> None:
    body = {"company_id": "c10", "name": "Ten", "plan": "Pro", "size": 5, "website": "https://ten.io"}
    company = api.post("/companies", json={**body, "custom_attributes": {"tier": "gold"}}).json()
    validate("company", company)
    assert company["plan"]["name"] == "Pro"
    validate("company_list", api.get("/companies", params={"company_id": "c10"}).json())
    validate("company_list", api.get("/companies", params={"name": "Ten", "per_page": 2}).json())
    validate("tag", api.post("/tags", json={"name": "Key", "companies": [{"id": company["id"]}]}).json())
    tagged = api.get(f"/companies/{company['id']}").json()
    validate("company", tagged)
    assert [t["name"] for t in tagged["tags"]["tags"]] == ["Key"]
    validate("error", api.get("/companies", params={"name": "nobody"}).json())


def test_admins_and_teams(api: httpx.Client) -> None:
    admins = api.get("/admins").json()
    validate("admin_list", admins)
    assert api.get("/me").json()["id"] in {a["id"] for a in admins["admins"]}
    validate("team_list", api.get("/teams").json())


def test_conversation_writes(api: httpx.Client, sim: Simulator) -> None:
    me = api.get("/me").json()["id"]
    user = sim.contacts()[0]
    message = api.post("/conversations", json={"from": {"type": user["role"], "id": user["id"]}, "body": "Hi"})
    validate("message", message.json())
    conv_id = message.json()["conversation_id"]
    reply = {"message_type": "note", "type": "admin", "admin_id": me, "body": "<p>noted</p>"}
    validate("conversation", api.post(f"/conversations/{conv_id}/reply", json=reply).json())
    closed = api.post(
        f"/conversations/{conv_id}/parts", json={"message_type": "close", "type": "admin", "admin_id": me}
    )
    validate("conversation", closed.json())
    assert (closed.json()["state"], closed.json()["open"]) == ("closed", False)
    assert closed.json()["statistics"]["last_close_at"] >= closed.json()["created_at"]
    snooze = {"message_type": "snoozed", "admin_id": me, "snoozed_until": int(sim.now()) + 3600}
    validate("conversation", api.post(f"/conversations/{conv_id}/parts", json=snooze).json())
    assign = {"message_type": "assignment", "type": "team", "admin_id": me, "assignee_id": "5001"}
    assigned = api.post(f"/conversations/{conv_id}/parts", json=assign).json()
    validate("conversation", assigned)
    assert assigned["team_assignee_id"] == 5001
    tag = api.post("/tags", json={"name": "Urgent"}).json()
    validate("tag", api.post(f"/conversations/{conv_id}/tags", json={"id": tag["id"], "admin_id": me}).json())
    got = api.get(f"/conversations/{conv_id}").json()
    validate("conversation", got)
    assert [t["name"] for t in got["tags"]["tags"]] == ["Urgent"]
    assert len(got["conversation_parts"]["conversation_parts"]) == 4
    validate("error", api.post(f"/conversations/{conv_id}/tags", json={"id": tag["id"], "admin_id": "1"}).json())
