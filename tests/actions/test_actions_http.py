"""The five actions of interface §2 over real HTTP: one devserver for the module (tests/actions/conftest.py)."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from intercom_sim import Simulator
from tests.actions.support import MAX_BODY, TOKEN, WRONG_TOKEN, email, error_fields

# -- create or update user --------------------------------------------------------------------------------------------


def test_create_then_update_user(http: httpx.Client, sim: Simulator) -> None:
    address = email()
    created = http.post("/api/users", json={"email": address, "name": "Ann", "phone": "+420 111"})
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["type"] == "user"
    assert (user["email"], user["name"], user["phone"]) == (address, "Ann", "+420 111")
    assert user["created_at"].endswith("Z")
    assert len(user["created_at"]) == len("2026-01-01T00:00:00.000Z")
    assert user["location_data"]["latitude"] is None
    updated = http.post("/api/users", json={"email": address, "name": "Ann B"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == user["id"]
    assert updated.json()["name"] == "Ann B"
    assert [c["name"] for c in sim.contacts() if c["email"] == address] == ["Ann B"]


def test_concurrent_create_or_update_leaves_one_contact(http: httpx.Client, sim: Simulator) -> None:
    sim.configure(index_delay=(30, 30))  # neither caller's search sees the other's create
    address = email()
    barrier = threading.Barrier(2)
    responses: list[httpx.Response] = []

    def call() -> None:
        barrier.wait()
        responses.append(http.post("/api/users", json={"email": address}))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in responses) == [200, 201], [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len([c for c in sim.contacts() if c["email"] == address]) == 1


def test_user_with_companies_and_a_bad_company(http: httpx.Client, sim: Simulator) -> None:
    company = sim.add_company("Acme " + uuid.uuid4().hex[:4])
    ok = http.post("/api/users", json={"email": email(), "companies": company["id"]})
    assert ok.status_code == 201, ok.text
    assert ok.json()["companies"]["companies"] == [{"id": company["id"], "name": company["name"]}]
    address = email()
    bad = http.post("/api/users", json={"email": address, "companies": [company["id"], "ffff0000"]})
    assert bad.status_code == 400
    assert error_fields(bad) == ["companies"]
    assert not [c for c in sim.contacts() if c["email"] == address]


# -- leads ------------------------------------------------------------------------------------------------------------


def test_create_and_get_lead(http: httpx.Client, sim: Simulator) -> None:
    tag = sim.add_tag("Warm")
    created = http.post("/api/leads", json={"email": email(), "name": "L", "image_url": "https://x.io/l.png"})
    assert created.status_code == 201, created.text
    lead = created.json()
    assert lead["type"] == "lead"
    assert lead["avatar"]["image_url"] == "https://x.io/l.png"
    sim.tag_contact(lead["id"], tag["id"])
    got = http.get(f"/api/leads/{lead['id']}")
    assert got.status_code == 200
    assert got.json()["tags"]["tags"] == [{"id": tag["id"], "name": "Warm"}]
    assert http.get(f"/api/users/{lead['id']}").status_code == 404


def test_get_user_and_missing_ids(http: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email=email(), external_id="ext-1")
    got = http.get(f"/api/users/{user['id']}")
    assert got.status_code == 200
    assert got.json()["user_id"] == "ext-1"
    assert http.get(f"/api/leads/{user['id']}").status_code == 404
    missing = http.get("/api/users/0123456789abcdef")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert http.get("/api/leads/0123456789abcdef").status_code == 404


def test_merged_lead_is_404(http: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email=email())
    lead = sim.add_contact("lead", email=email())
    sim.merge_contact(lead["id"], user["id"])
    response = http.get(f"/api/leads/{lead['id']}")
    assert response.status_code == 404
    assert error_fields(response) == ["contact_id"]


def test_list_leads_three_pages_nothing_missed_or_repeated(http: httpx.Client, sim: Simulator) -> None:
    existing = http.get("/api/leads", params={"per_page": 150}).json()["value"]
    assert len(existing) < 150
    new_ids = sim.bulk_add_contacts(9 - len(existing) % 3, role="lead")
    sim.bulk_add_contacts(4, role="user")
    total = len(existing) + len(new_ids)
    per_page = total // 3
    url: str | None = f"/api/leads?per_page={per_page}&code=fn-key"
    seen: list[str] = []
    pages = 0
    while url is not None:
        response = http.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["value"]) <= per_page
        assert all(item["type"] == "lead" for item in body["value"])
        seen += [item["id"] for item in body["value"]]
        pages += 1
        url = body.get("nextLink")
        if url is not None:
            query = parse_qs(urlsplit(url).query)
            assert url.startswith(str(http.base_url).rstrip("/") + "/api/leads?")
            assert query["per_page"] == [str(per_page)]
            assert query["code"] == ["fn-key"]
        else:
            assert "nextLink" not in body
    assert pages == 3
    assert len(seen) == len(set(seen)) == total
    assert set(new_ids) <= set(seen)
    assert {c["id"] for c in sim.contacts() if c["role"] == "lead"} == set(seen)


def test_tampered_cursor_is_400_naming_cursor(http: httpx.Client, sim: Simulator) -> None:
    sim.bulk_add_contacts(2, role="lead")
    link = http.get("/api/leads", params={"per_page": 1}).json()["nextLink"]
    cursor = parse_qs(urlsplit(link).query)["cursor"][0]
    for bad in (cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"), "garbage", "a.b"):
        response = http.get("/api/leads", params={"per_page": 1, "cursor": bad})
        assert response.status_code == 400
        assert error_fields(response) == ["cursor"]


# -- bad input --------------------------------------------------------------------------------------------------------

BAD_REQUESTS: list[tuple[str, str, Any, str]] = [
    ("POST", "/api/users", {}, "email"),
    ("POST", "/api/users", {"email": "nope"}, "email"),
    ("POST", "/api/users", {"email": "a@b.io", "nmae": "typo"}, "nmae"),
    ("POST", "/api/users", {"email": "a@b.io", "companies": [1, 2]}, "companies"),
    ("POST", "/api/users", {"email": "a@b.io", "phone": {"n": 1}}, "phone"),
    ("POST", "/api/users", [], "body"),
    ("POST", "/api/users", "text", "body"),
    ("POST", "/api/users", None, "body"),
    ("POST", "/api/leads", {"email": "a@b.io", "image_url": "http://x.io/a.png"}, "image_url"),
    ("POST", "/api/leads", {"email": "a@b.io", "image_url": "data:image/png;base64,AA"}, "image_url"),
    ("POST", "/api/leads", {"name": "no email"}, "email"),
    ("POST", "/api/leads", {"email": "a@b.io", "companies": "a/../b"}, "companies"),
    ("GET", "/api/leads?per_page=0", None, "per_page"),
    ("GET", "/api/leads?per_page=151", None, "per_page"),
    ("GET", "/api/leads?per_page=ten", None, "per_page"),
    ("GET", "/api/leads?cursor=%00%01", None, "cursor"),
    ("GET", "/api/leads?cursor=a.%C3%A9", None, "cursor"),  # non-ASCII: compare_digest raised TypeError, a 500
    ("GET", "/api/leads?cursor=a.b&cursor=%FF", None, "cursor"),  # repeated: joined with ","
    ("GET", "/api/users/a.b", None, "user_id"),
    ("GET", "/api/leads/" + "x" * 80, None, "contact_id"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD_REQUESTS)
def test_bad_input_is_4xx_naming_the_field(http: httpx.Client, method: str, path: str, body: Any, field: str) -> None:
    content = None if body is None and method == "GET" else json.dumps(body).encode()
    response = http.request(method, path, content=content, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert field in error_fields(response)


# the last is nested past json's recursion limit (RecursionError was a 500), within MAX_BODY
@pytest.mark.parametrize("raw", [b"{", b"{'email': 'a@b.io'}", b"\xff\xfe", b"", b"   ", b"[" * 2000])
def test_malformed_json_is_400(http: httpx.Client, raw: bytes) -> None:
    response = http.post("/api/users", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert error_fields(response) == ["body"]


def test_body_too_large_is_413(http: httpx.Client) -> None:
    response = http.post("/api/leads", json={"email": "a@b.io", "name": "n" * MAX_BODY})
    assert response.status_code == 413
    assert error_fields(response) == ["body"]


def test_unknown_connection_is_400(http: httpx.Client) -> None:
    response = http.get("/api/leads", headers={"X-Intercom-Connection": "nosuch"})
    assert response.status_code == 400
    assert error_fields(response) == ["X-Intercom-Connection"]


# -- Intercom failures ------------------------------------------------------------------------------------------------


def test_wrong_token_is_401(http: httpx.Client, conn_name: str) -> None:
    headers = {"X-Intercom-Connection": conn_name + "bad"}
    for method, path, body in (
        ("GET", "/api/leads", None),
        ("GET", "/api/users/abc123", None),
        ("POST", "/api/users", {"email": email()}),
        ("POST", "/api/leads", {"email": email()}),
    ):
        response = http.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("kind", "status"), [("500", 502), ("503", 502), ("timeout", 503)])
def test_intercom_faults(http: httpx.Client, sim: Simulator, kind: str, status: int) -> None:
    sim.configure(fault_rate=1.0, fault_kinds=(kind,), timeout_seconds=0.2)
    for method, path, body in (("GET", "/api/leads", None), ("POST", "/api/leads", {"email": email()})):
        response = http.request(method, path, json=body)
        assert response.status_code == status, response.text


def test_intercom_429_is_429_with_retry_after(http: httpx.Client, sim: Simulator) -> None:
    # Every answer is Intercom's 429 with Remaining 0: the client waits for resets while the 8 s action deadline
    # allows, then gives the caller 429 + Retry-After. (Runs last against the server: its client keeps the window.)
    sim.configure(fault_rate=1.0, fault_kinds=("429",))
    response = http.get("/api/leads", params={"per_page": 1})
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 11
    assert response.json()["error"]["code"] == "throttled"


def test_no_token_in_any_response(seen_bodies: list[str]) -> None:
    assert seen_bodies, "the module's responses were not recorded"
    for text in seen_bodies:
        assert TOKEN not in text
        assert WRONG_TOKEN not in text
