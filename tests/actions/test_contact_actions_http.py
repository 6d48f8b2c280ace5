"""The contact actions of interface §7 over real HTTP: one devserver for the module (tests/actions/conftest.py)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from intercom_sim import Simulator
from tests.actions.support import TOKEN, WRONG_TOKEN, email, error_fields

MISSING = "0123456789abcdef"


def test_a_lead_through_every_write(http: httpx.Client, sim: Simulator) -> None:
    company = sim.add_company("Initech")
    lead = sim.add_contact("lead", email=email())
    lead_id = lead["id"]
    updated = http.put(f"/api/leads/{lead_id}", json={"name": "Lee", "custom_attributes": {"score": 7}})
    assert (updated.status_code, updated.json()["name"], updated.json()["type"]) == (200, "Lee", "lead")
    assert http.post(f"/api/contacts/{lead_id}/archive").json() == {"id": lead_id, "archived": True}
    assert http.post(f"/api/contacts/{lead_id}/unarchive").json() == {"id": lead_id, "archived": False}
    tag = http.post(f"/api/contacts/{lead_id}/tags", json={"name": "Warm"})
    assert tag.status_code == 200
    assert tag.json()["name"] == "Warm"
    note = http.post(f"/api/contacts/{lead_id}/notes", json={"body": "Met at the fair"})
    assert note.status_code == 201, note.text
    assert (note.json()["author"]["id"], note.json()["contact"]["id"]) == ("991267001", lead_id)
    attached = http.post(f"/api/contacts/{lead_id}/companies", json={"company_id": company["id"]})
    assert (attached.status_code, attached.json()["name"], attached.json()["user_count"]) == (200, "Initech", 1)
    got = http.get(f"/api/leads/{lead_id}").json()
    assert got["tags"]["tags"] == [tag.json()]
    assert got["companies"]["companies"] == [{"id": company["id"], "name": "Initech"}]
    event = http.post("/api/events", json={"event_name": "downloaded", "id": lead_id, "metadata": {"file": "a.pdf"}})
    assert (event.status_code, event.content) == (202, b"")
    assert http.delete(f"/api/contacts/{lead_id}/tags/{tag.json()['id']}").status_code == 204
    assert http.delete(f"/api/contacts/{lead_id}/companies/{company['id']}").status_code == 204
    assert http.delete(f"/api/contacts/{lead_id}").status_code == 204
    gone = http.get(f"/api/leads/{lead_id}")
    assert gone.status_code == 404
    again = http.delete(f"/api/contacts/{lead_id}")
    assert (again.status_code, error_fields(again)) == (404, ["id"])


def test_update_user_and_its_conflicts(http: httpx.Client, sim: Simulator) -> None:
    taken = email()
    sim.add_contact("user", email=taken)
    user = sim.add_contact("user", email=email())
    lead = sim.add_contact("lead", email=email())
    ok = http.put(f"/api/users/{user['id']}", json={"phone": "+44 1", "unsubscribed_from_emails": True})
    assert (ok.status_code, ok.json()["phone"], ok.json()["unsubscribed_from_emails"]) == (200, "+44 1", True)
    conflict = http.put(f"/api/users/{user['id']}", json={"email": taken})
    assert (conflict.status_code, error_fields(conflict)) == (409, ["email"])
    wrong_role = http.put(f"/api/users/{lead['id']}", json={"name": "x"})
    assert (wrong_role.status_code, error_fields(wrong_role)) == (404, ["user_id"])


def test_list_users_filters_by_email_and_pages_with_next_link(http: httpx.Client, sim: Simulator) -> None:
    address = email()
    first = sim.add_contact("user", email=address, index=False)
    second = sim.add_contact("user", email=address.upper(), index=False)  # stored twice: a page of one each
    url: str | None = f"/api/users?email={address}&per_page=1&code=fn-key"
    seen = []
    while url is not None:
        page = http.get(url)
        assert page.status_code == 200, page.text
        seen += [user["id"] for user in page.json()["value"]]
        url = page.json().get("nextLink")
        if url is not None:
            query = parse_qs(urlsplit(url).query)
            assert (query["email"], query["code"], query["per_page"]) == ([address], ["fn-key"], ["1"])
    assert sorted(seen) == sorted([first["id"], second["id"]])  # one per page (same second: either order)


BAD_REQUESTS: list[tuple[str, str, Any, int, str]] = [
    ("PUT", "/api/users/a.b", {"name": "x"}, 400, "user_id"),
    ("PUT", "/api/users/abc", {"nmae": "x"}, 400, "nmae"),
    ("PUT", "/api/leads/abc", {"image_url": "ftp://x"}, 400, "image_url"),
    ("PUT", "/api/users/abc", [], 400, "body"),
    ("GET", "/api/users?email=nope", None, 400, "email"),
    ("GET", "/api/users?per_page=0", None, 400, "per_page"),
    ("POST", "/api/contacts/a%2Fb/archive", None, 400, "id"),
    ("DELETE", "/api/contacts/" + "x" * 65, None, 400, "id"),
    ("POST", "/api/contacts/abc/tags", {}, 400, "name"),
    ("DELETE", "/api/contacts/abc/tags/a.b", None, 400, "tag_id"),
    ("POST", "/api/contacts/abc/notes", {"body": 1}, 400, "body"),
    ("POST", "/api/contacts/abc/companies", {"company_id": ""}, 400, "company_id"),
    ("DELETE", "/api/contacts/abc/companies/a.b", None, 400, "company_id"),
    ("POST", "/api/events", {"event_name": "x"}, 400, "email"),
    ("POST", "/api/events", {"event_name": "x", "id": "abc", "created_at": "noon"}, 400, "created_at"),
    ("POST", "/api/events", "text", 400, "body"),
    ("POST", f"/api/contacts/{MISSING}/archive", None, 404, "id"),
    ("POST", f"/api/contacts/{MISSING}/notes", {"body": "x"}, 404, "id"),
    ("POST", f"/api/contacts/{MISSING}/tags", {"name": "x"}, 404, "id"),
    ("POST", "/api/events", {"event_name": "x", "email": "nobody@example.com"}, 404, "email"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), BAD_REQUESTS)
def test_bad_input_and_missing_ids(
    http: httpx.Client, method: str, path: str, body: Any, status: int, field: str
) -> None:
    content = None if body is None else json.dumps(body).encode()
    response = http.request(method, path, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert field in error_fields(response)


def test_intercom_failures_on_writes(http: httpx.Client, sim: Simulator, conn_name: str) -> None:
    contact = sim.add_contact("user", email=email())
    refused = http.post(f"/api/contacts/{contact['id']}/archive", headers={"X-Intercom-Connection": conn_name + "bad"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "unauthorized")
    sim.configure(fault_rate=1.0, fault_kinds=("500",), fault_methods={"DELETE", "POST"})
    sim.clear_requests()
    failed = http.delete(f"/api/contacts/{contact['id']}")
    assert failed.status_code == 502, failed.text
    noted = http.post(f"/api/contacts/{contact['id']}/notes", json={"body": "x", "admin_id": "991267001"})
    assert noted.status_code == 502, noted.text
    writes = [(r.method, r.path) for r in sim.requests()]
    assert writes == [("DELETE", f"/contacts/{contact['id']}"), ("POST", f"/contacts/{contact['id']}/notes")]
    assert contact["id"] in {c["id"] for c in sim.contacts()}


def test_no_token_in_any_response(seen_bodies: list[str]) -> None:
    assert seen_bodies, "the module's responses were not recorded"
    for text in seen_bodies:
        assert TOKEN not in text
        assert WRONG_TOKEN not in text
