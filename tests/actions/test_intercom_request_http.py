"""Send an HTTP request to Intercom over real HTTP (one devserver for the module, tests/actions/conftest.py) against
the simulator: Intercom's answers passed on as they came (statuses, bodies, headers, a redirect not followed), the
connection's token and version and nothing of the caller's, the path refusals (Intercom never called), and what is
not Intercom's answer mapped like every action's (5xx, timeouts, 429)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from intercom_sim import Simulator
from tests.actions.support import TOKEN, WRONG_TOKEN, email, error_fields

ROUTE = "/api/intercom/request"


def send(http: httpx.Client, **body: Any) -> httpx.Response:
    return http.post(ROUTE, json=body)


def test_get_passes_intercoms_answer_as_it_came(http: httpx.Client, sim: Simulator) -> None:
    sim.clear_requests()
    response = send(http, path="/me")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == "991267001"
    assert response.json()["app"]["id_code"]
    assert response.headers["content-type"].startswith("application/json")
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(response.headers)
    [seen] = sim.requests()
    assert (seen.method, seen.path, seen.intercom_version) == ("GET", "/me", "2.16")


def test_query_and_bodies_reach_intercom(http: httpx.Client, sim: Simulator) -> None:
    sim.add_contact("lead", email=email(), index=False)
    page = send(http, path="/contacts", query={"per_page": 1})
    assert page.status_code == 200, page.text
    assert len(page.json()["data"]) == 1
    assert sim.requests()[-1].query == {"per_page": ["1"]}
    address = email()
    created = send(http, method="POST", path="/contacts", body={"role": "user", "email": address})
    assert created.status_code == 200, created.text
    contact = created.json()
    assert (contact["type"], contact["email"]) == ("contact", address)
    assert sim.requests()[-1].json == {"role": "user", "email": address}
    updated = send(http, method="put", path=f"/contacts/{contact['id']}", body={"name": "Via passthrough"})
    assert updated.json()["name"] == "Via passthrough"
    found = send(
        http,
        method="POST",
        path="/contacts/search",
        body={"query": {"field": "email", "operator": "=", "value": address}},
    )
    assert found.status_code == 200, found.text
    deleted = send(http, method="DELETE", path=f"/contacts/{contact['id']}")
    assert (deleted.status_code, deleted.json()["deleted"]) == (200, True)


def test_intercoms_refusals_come_back_as_they_came(http: httpx.Client, sim: Simulator) -> None:
    address = email()
    sim.add_contact("user", email=address, index=False)
    conflict = send(http, method="POST", path="/contacts", body={"role": "user", "email": address})
    assert conflict.status_code == 409, conflict.text
    assert conflict.json()["type"] == "error.list"
    assert conflict.json()["errors"][0]["code"] == "conflict"
    missing = send(http, path="/contacts/ffff0000ffff")
    assert missing.status_code == 404
    assert missing.json()["type"] == "error.list"
    unknown = send(http, path="/no/such/endpoint")
    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (404, "not_found")


def test_a_conflict_is_passed_on_once_whatever_the_method(http: httpx.Client, sim: Simulator) -> None:
    """A PUT is retried when safe (a timeout, a 5xx), never on Intercom's 409: it comes back once, as Intercom said it,
    and changes nothing."""
    taken, mine = email(), email()
    holder = sim.add_contact("user", email=taken, index=False)
    contact = sim.add_contact("user", email=mine, index=False)
    sim.clear_requests()
    conflict = send(http, method="PUT", path=f"/contacts/{contact['id']}", body={"email": taken})
    assert conflict.status_code == 409, conflict.text
    assert conflict.json()["errors"][0]["code"] == "conflict"
    assert holder["id"] in conflict.json()["errors"][0]["message"], "Intercom's message as it came"
    assert [(r.method, r.path) for r in sim.requests()] == [("PUT", f"/contacts/{contact['id']}")]
    assert send(http, path=f"/contacts/{contact['id']}").json()["email"] == mine


def test_a_delete_with_a_body(http: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email=email())
    conversation = sim.add_conversation(user["id"], index=False)
    tag = sim.add_tag("Passthrough")
    sim.tag_conversation(conversation["id"], tag["id"])
    path = f"/conversations/{conversation['id']}/tags/{tag['id']}"
    removed = send(http, method="DELETE", path=path, body={"admin_id": "991267001"})
    assert removed.status_code == 200, removed.text
    assert removed.json()["id"] == tag["id"]
    assert sim.requests()[-1].json == {"admin_id": "991267001"}


REFUSED = [
    "https://evil.example/me",
    "//evil.example/me",
    "/contacts/../admins",
    "/%2e%2e/admins",
    "/contacts%2f1",
    "/contacts/%252e%252e",
    "/\\evil.example",
    "/@evil.example",
    "/me?x=1",
    "/contacts/%0d%0aX-Injected:%201",
    "me",
]


@pytest.mark.parametrize("path", REFUSED)
def test_paths_that_would_leave_the_api_are_a_400_and_never_sent(http: httpx.Client, sim: Simulator, path: str) -> None:
    sim.clear_requests()
    response = send(http, path=path)
    assert response.status_code == 400, response.text
    assert error_fields(response) == ["path"]
    assert sim.requests() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"path": "/me", "method": "PATCH"}, "method"),
        ({"path": "/me", "body": {"a": 1}}, "body"),
        ({"path": "/me", "query": "per_page=1"}, "query"),
        ({"path": "/me", "headers": {"Authorization": "Bearer x"}}, "headers"),
        ({}, "path"),
    ],
)
def test_bad_input_is_400_naming_the_field(http: httpx.Client, body: dict[str, Any], field: str) -> None:
    response = http.post(ROUTE, json=body)
    assert response.status_code == 400, response.text
    assert field in error_fields(response)


def test_the_callers_headers_never_reach_intercom(http: httpx.Client, sim: Simulator) -> None:
    sim.clear_requests()
    response = http.post(
        ROUTE,
        json={"path": "/me"},
        headers={
            "Authorization": "Bearer caller-token",
            "Intercom-Version": "2.9",
            "Cookie": "session=caller",
            "X-Caller": "yes",
        },
    )
    assert response.status_code == 200, response.text
    [seen] = sim.requests()
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["intercom-version"] == "2.16"
    assert not {"cookie", "x-caller", "x-intercom-connection", "x-functions-key"} & set(seen.headers)
    assert "caller" not in " ".join(seen.headers.values())


def test_a_redirect_is_answered_as_it_came_and_not_followed(http: httpx.Client, sim: Simulator) -> None:
    sim.configure(redirects={"/redirect/me": (302, "https://elsewhere.example/x")})
    try:
        sim.clear_requests()
        response = http.post(ROUTE, json={"path": "/redirect/me"}, follow_redirects=False)
        assert response.status_code == 302, response.text
        assert response.headers["location"] == "https://elsewhere.example/x"
        assert [r.path for r in sim.requests()] == ["/redirect/me"]
    finally:
        sim.configure(redirects={})


def test_another_connection_uses_its_own_token(http: httpx.Client, conn_name: str) -> None:
    response = http.post(ROUTE, json={"path": "/me"}, headers={"X-Intercom-Connection": conn_name + "bad"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthorized"


def test_intercom_failing_is_502_and_only_safe_calls_are_repeated(http: httpx.Client, sim: Simulator) -> None:
    sim.clear_requests()
    sim.configure(fault_rate=1.0, fault_kinds=("500",))
    failed = send(http, path="/admins")
    assert failed.status_code == 502, failed.text
    assert failed.json()["error"]["code"] == "intercom_failed"
    assert len(sim.requests()) > 1, "a GET is retried"
    sim.clear_requests()
    created = send(http, method="POST", path="/contacts", body={"role": "lead"})
    assert created.status_code == 502, created.text
    assert len(sim.requests()) == 1, "a create is sent once"


def test_a_timeout_is_503(http: httpx.Client, sim: Simulator) -> None:
    sim.configure(fault_rate=1.0, fault_kinds=("timeout",), fault_methods={"POST"}, timeout_seconds=0.2)
    sim.clear_requests()
    response = send(http, method="POST", path="/contacts", body={"role": "lead"})
    assert response.status_code == 503, response.text
    assert len(sim.requests()) == 1


def test_intercom_429_is_429_with_retry_after(http: httpx.Client, sim: Simulator) -> None:
    # Last but one: the app's client remembers Intercom's spent window.
    sim.configure(fault_rate=1.0, fault_kinds=("429",))
    response = send(http, path="/admins")
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 11


def test_no_token_in_any_response(seen_bodies: list[str]) -> None:
    assert seen_bodies
    assert not [text for text in seen_bodies if TOKEN in text or WRONG_TOKEN in text]
