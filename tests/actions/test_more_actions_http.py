"""The company, conversation and workspace actions over real HTTP: one devserver for the module
(tests/actions/conftest.py). Few and sharp: each action once end to end, the bad-input table, Intercom's failures."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from intercom_sim import Simulator
from tests.actions.support import TOKEN, WRONG_TOKEN, email, error_fields

ME = "991267001"  # the simulator's token owner


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


# -- companies --------------------------------------------------------------------------------------------------------


def test_company_upsert_get_list_and_tag(http: httpx.Client, sim: Simulator) -> None:
    your_id = "acme-" + uuid.uuid4().hex[:6]
    created = ok(http.post("/api/companies", json={"company_id": your_id, "name": "Acme", "plan": "Pro"}), 201)
    assert (created["company_id"], created["plan"], created["tags"]) == (your_id, "Pro", {"tags": []})
    updated = ok(http.post("/api/companies", json={"company_id": your_id, "website": "https://acme.io"}))
    assert (updated["id"], updated["name"], updated["website"]) == (created["id"], "Acme", "https://acme.io")
    assert ok(http.get(f"/api/companies/{created['id']}"))["company_id"] == your_id
    tag = ok(http.post(f"/api/companies/{created['id']}/tags", json={"name": "Key"}))
    assert ok(http.get(f"/api/companies/{created['id']}"))["tags"]["tags"] == [tag]
    assert ok(http.get("/api/companies", params={"company_id": your_id}))["value"][0]["id"] == created["id"]
    assert ok(http.get("/api/companies", params={"name": "no such name"})) == {"value": []}
    sim.add_company("Second")
    first = ok(http.get("/api/companies?per_page=1&code=fn-key"))
    link = first["nextLink"]
    assert parse_qs(urlsplit(link).query)["code"] == ["fn-key"]
    assert ok(http.get(link))["value"][0]["id"] != first["value"][0]["id"]
    assert http.get("/api/companies/ffff0000ffff").status_code == 404


# -- conversations ----------------------------------------------------------------------------------------------------


def test_a_conversation_from_start_to_close(http: httpx.Client, sim: Simulator) -> None:
    lead = sim.add_contact("lead", email=email())
    started = ok(http.post("/api/conversations", json={"contact_id": lead["id"], "body": "Pricing?"}), 201)
    conversation_id = started["id"]
    assert (started["user"]["id"], started["state"], started["open"]) == (lead["id"], "open", True)
    base = f"/api/conversations/{conversation_id}"
    ok(http.post(f"{base}/reply", json={"body": "Hi!", "message_type": "note"}))
    assert sim.requests()[-1].json["admin_id"] == ME, "admin_id defaults to the token's admin"
    assigned = ok(http.post(f"{base}/assign", json={"assignee_id": "991267002", "body": "Ada takes it"}))
    assert assigned["assignee"]["id"] == "991267002"
    snoozed = ok(http.post(f"{base}/snooze", json={"snoozed_until": "2099-12-31T23:00:00-05:00"}))
    assert (snoozed["state"], snoozed["open"]) == ("snoozed", False)
    assert ok(http.post(f"{base}/open", json={}))["state"] == "open"
    closed = ok(http.post(f"{base}/close", json={"admin_id": "991267002"}))
    assert closed["statistics"]["last_close_at"].endswith("Z")
    tag = ok(http.post(f"{base}/tags", json={"name": "Sales"}))
    got = ok(http.get(base))
    assert (got["state"], got["tags"]["tags"]) == ("closed", [tag])
    closed_list = ok(http.get("/api/conversations", params={"state": "closed", "per_page": 150}))
    assert conversation_id in [c["id"] for c in closed_list["value"]]
    assert conversation_id not in [c["id"] for c in ok(http.get("/api/conversations?state=open"))["value"]]


def test_list_conversations_next_link_keeps_the_state(http: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email=email())
    for _ in range(3):
        sim.add_conversation(user["id"], index=False)
    link = ok(http.get("/api/conversations", params={"state": "open", "per_page": 1}))["nextLink"]
    assert parse_qs(urlsplit(link).query)["state"] == ["open"]
    assert ok(http.get(link))["value"][0]["state"] == "open"


def test_admins_and_tags(http: httpx.Client, sim: Simulator) -> None:
    sim.add_tag("Listed")
    admins = ok(http.get("/api/admins"))["value"]
    assert {"id": ME, "name": "Simulated Admin", "email": "admin@example.com", "away_mode_enabled": False} in admins
    assert "Listed" in [t["name"] for t in ok(http.get("/api/tags"))["value"]]


# -- bad input and Intercom's failures --------------------------------------------------------------------------------

BAD: list[tuple[str, str, Any, str]] = [
    ("POST", "/api/companies", {"name": "no id"}, "company_id"),
    ("POST", "/api/companies", {"company_id": "c", "website": "mailto:a@b.io"}, "website"),
    ("POST", "/api/companies", {"company_id": "c", "extra": 1}, "extra"),
    ("GET", "/api/companies/a.b", None, "id"),
    ("GET", "/api/companies?company_id=a&name=b", None, "name"),
    ("GET", "/api/companies?cursor=forged.cursor", None, "cursor"),
    ("POST", "/api/companies/abc/tags", {}, "name"),
    ("POST", "/api/conversations", {"contact_id": "abc"}, "body"),
    ("POST", "/api/conversations", [], "body"),
    ("GET", "/api/conversations?state=done", None, "state"),
    ("GET", "/api/conversations/" + "9" * 70, None, "id"),
    ("POST", "/api/conversations/123/reply", {"body": "x", "message_type": "shout"}, "message_type"),
    ("POST", "/api/conversations/123/snooze", {"snoozed_until": "2001-01-01T00:00:00Z"}, "snoozed_until"),
    ("POST", "/api/conversations/123/assign", {"assignee_id": "x y"}, "assignee_id"),
    ("POST", "/api/conversations/123/close", {"admin_id": ["1"]}, "admin_id"),
    ("POST", "/api/conversations/123/tags", {"name": "t", "admin": "1"}, "admin"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD)
def test_bad_input_is_400_naming_the_field(http: httpx.Client, method: str, path: str, body: Any, field: str) -> None:
    content = None if body is None else json.dumps(body).encode()
    response = http.request(method, path, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert field in error_fields(response)


def test_missing_conversation_and_unknown_assignee(http: httpx.Client, sim: Simulator) -> None:
    missing = http.post("/api/conversations/999999/close", json={})
    assert missing.status_code == 404
    assert error_fields(missing) == ["id"]
    user = sim.add_contact("user", email=email())
    conversation = sim.add_conversation(user["id"], index=False)
    nobody = http.post(f"/api/conversations/{conversation['id']}/assign", json={"assignee_id": "777"})
    assert nobody.status_code == 400
    assert error_fields(nobody) == ["assignee_id"]


def test_wrong_token_is_401(http: httpx.Client, conn_name: str) -> None:
    headers = {"X-Intercom-Connection": conn_name + "bad"}
    for method, path, body in (
        ("GET", "/api/admins", None),
        ("GET", "/api/conversations", None),
        ("POST", "/api/companies", {"company_id": "c"}),
        ("POST", "/api/conversations/1/close", {}),
    ):
        response = http.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, response.text


@pytest.mark.parametrize(("kind", "status"), [("500", 502), ("timeout", 503)])
def test_a_failed_reply_is_sent_once(http: httpx.Client, sim: Simulator, kind: str, status: int) -> None:
    user = sim.add_contact("user", email=email())
    conversation = sim.add_conversation(user["id"], index=False)
    http.get("/api/admins")  # the token's admin is cached by now (GET /me)
    http.post(f"/api/conversations/{conversation['id']}/reply", json={"body": "warm-up", "admin_id": ME})
    sim.clear_requests()
    sim.configure(fault_rate=1.0, fault_kinds=(kind,), fault_methods={"POST"}, timeout_seconds=0.2)
    response = http.post(f"/api/conversations/{conversation['id']}/reply", json={"body": "once", "admin_id": ME})
    assert response.status_code == status, response.text
    assert [r.path for r in sim.requests() if r.method == "POST"] == [f"/conversations/{conversation['id']}/reply"]


def test_intercom_429_is_429_with_retry_after(http: httpx.Client, sim: Simulator) -> None:
    # Last but one: the app's client remembers Intercom's spent window.
    sim.configure(fault_rate=1.0, fault_kinds=("429",))
    response = http.get("/api/conversations", params={"state": "open"})
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 11


def test_no_token_in_any_response(seen_bodies: list[str]) -> None:
    assert seen_bodies
    assert not [text for text in seen_bodies if TOKEN in text or WRONG_TOKEN in text]
