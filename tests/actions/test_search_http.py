"""Find contacts, Search conversations, List data attributes and List search fields over real HTTP: one devserver
for the module (tests/actions/conftest.py) in front of the simulator. Each action end to end, its nextLink (a GET
whose cursor carries the filters), and its 400s."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from intercom_sim import Simulator
from tests.actions.support import email, error_fields


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def where(*filters: tuple[str, str, Any], **more: Any) -> dict[str, Any]:
    return {"filters": [{"field": f, "operator": o, "value": v} for f, o, v in filters], **more}


def test_find_contacts_by_their_fields(http: httpx.Client, sim: Simulator) -> None:
    name = "Zed" + uuid.uuid4().hex[:6]
    lead = sim.add_contact("lead", email=email(), name=f"{name} Lead")
    user = sim.add_contact("user", email=email(), name=f"{name} User", external_id="ext-" + name)
    both = ok(http.post("/api/contacts/search", json=where(("name", "^", name))))
    assert sorted((c["id"], c["type"]) for c in both["value"]) == sorted([(lead["id"], "lead"), (user["id"], "user")])
    assert "nextLink" not in both
    leads = ok(http.post("/api/contacts/search", json=where(("name", "^", name), ("role", "=", "lead"))))
    assert [c["id"] for c in leads["value"]] == [lead["id"]]
    either = where(("email", "=", lead["email"]), ("external_id", "=", "ext-" + name), match="any")
    assert {c["id"] for c in ok(http.post("/api/contacts/search", json=either))["value"]} == {lead["id"], user["id"]}
    nobody = ok(http.post("/api/contacts/search", json=where(("email", "=", email()))))
    assert nobody == {"value": []}
    everybody = ok(http.post("/api/contacts/search", json={"per_page": 150}))
    assert {lead["id"], user["id"]} <= {c["id"] for c in everybody["value"]}, "no filter finds every contact"


def test_contact_times_match_by_the_workspace_day(http: httpx.Client, sim: Simulator) -> None:
    name = "Day" + uuid.uuid4().hex[:6]
    noon = 1_767_355_200  # 2026-01-02T12:00:00Z (the simulator's workspace runs on UTC)
    sim.add_contact("user", email=email(), name=name, created_at=noon)
    same_day = where(("name", "=", name), ("created_at", "=", "2026-01-02T23:59:00Z"))
    assert len(ok(http.post("/api/contacts/search", json=same_day))["value"]) == 1
    after_that_day = where(("name", "=", name), ("created_at", ">", "2026-01-02T00:00:00Z"))
    assert ok(http.post("/api/contacts/search", json=after_that_day))["value"] == [], "> means after that day"


def test_a_nextlink_is_a_get_whose_cursor_carries_the_filters(http: httpx.Client, sim: Simulator) -> None:
    name = "Page" + uuid.uuid4().hex[:6]
    ids = {sim.add_contact("lead", email=email(), name=name)["id"] for _ in range(3)}
    first = ok(http.post("/api/contacts/search?code=fn-key", json={**where(("name", "=", name)), "per_page": 2}))
    link = first["nextLink"]
    query = parse_qs(urlsplit(link).query)
    assert (query["code"], query["per_page"]) == (["fn-key"], ["2"]), "the nextLink keeps the function key"
    second = ok(http.get(link))
    assert {c["id"] for c in first["value"] + second["value"]} == ids
    assert len(first["value"]) == 2
    assert "nextLink" not in second
    cursor = query["cursor"][0]
    same = ok(http.post("/api/contacts/search", json={**where(("name", "=", name)), "cursor": cursor}))
    assert same["value"] == second["value"], "a POST may continue its own search with the cursor"
    other = http.post("/api/contacts/search", json={**where(("name", "=", "else")), "cursor": cursor})
    assert (other.status_code, error_fields(other)) == (400, ["cursor"])
    foreign = http.get("/api/conversations/search", params={"cursor": cursor})
    assert (foreign.status_code, error_fields(foreign)) == (400, ["cursor"]), "a contact cursor is no conversation's"
    altered = http.get("/api/contacts/search", params={"cursor": cursor[:-2] + "xx"})
    assert (altered.status_code, error_fields(altered)) == (400, ["cursor"])
    missing = http.get("/api/contacts/search")
    assert (missing.status_code, error_fields(missing)) == (400, ["cursor"])


def test_search_conversations(http: httpx.Client, sim: Simulator) -> None:
    lead = sim.add_contact("lead", email=email())
    started = sim.add_conversation(lead["id"], created_at=1_767_355_200)
    closed = sim.add_conversation(lead["id"], created_at=1_767_355_260)
    sim.update_conversation(closed["id"], state="closed")
    mine = ("contact_ids", "=", lead["id"])
    found = ok(http.post("/api/conversations/search", json=where(mine, ("state", "=", "open"))))
    assert [c["id"] for c in found["value"]] == [started["id"]]
    equal_included = where(mine, ("created_at", ">", "2026-01-02T12:01:00Z"))
    assert [c["id"] for c in ok(http.post("/api/conversations/search", json=equal_included))["value"]] == [
        closed["id"]
    ], "a conversation's > includes equality"
    paged = ok(http.post("/api/conversations/search", json={**where(mine), "per_page": 1}))
    assert [c["id"] for c in paged["value"]] == [started["id"]]
    assert [c["id"] for c in ok(http.get(paged["nextLink"]))["value"]] == [closed["id"]]


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/api/contacts/search", where(("colour", "=", "red")), ["filters[0].field"]),
        ("/api/contacts/search", where(("email", "=", "a"), ("email", "<", "b")), ["filters[1].operator"]),
        ("/api/contacts/search", where(("email", "IN", "a@b.io")), ["filters[0].value"]),
        ("/api/contacts/search", where(("created_at", ">", "last week")), ["filters[0].value"]),
        ("/api/contacts/search", where(*[("email", "=", "a")] * 16), ["filters"]),
        ("/api/contacts/search", {"filters": {}}, ["filters"]),
        ("/api/contacts/search", {"filters": [{"field": "email", "operator": "="}]}, ["filters[0].value"]),
        ("/api/contacts/search", {**where(("email", "=", "a")), "match": "most"}, ["match"]),
        ("/api/conversations/search", where(("state", "=", "pending")), ["filters[0].value"]),
        ("/api/conversations/search", where(("admin_assignee_id", "IN", ["x"])), ["filters[0].value"]),
        ("/api/conversations/search", where(("email", "=", "a@b.io")), ["filters[0].field"]),
    ],
)
def test_bad_searches_are_400s_naming_the_filter(
    http: httpx.Client, path: str, body: dict[str, Any], named: list[str]
) -> None:
    response = http.post(path, json=body)
    assert (response.status_code, error_fields(response)) == (400, named), response.text


def test_list_search_fields(http: httpx.Client) -> None:
    fields = ok(http.get("/api/search-fields", params={"object": "conversations"}))["value"]
    assert {"name": "state", "label": "State (open, closed, snoozed)", "kind": "choice"} in fields
    assert "statistics.last_close_at" in {f["name"] for f in fields}
    bad = http.get("/api/search-fields", params={"object": "planets"})
    assert (bad.status_code, error_fields(bad)) == (400, ["object"])
