# ruff: noqa: PT018
"""The simulator over real HTTP: auth, conflicts, pagination, day-granular search, delay, merge, limits, faults."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from intercom_sim import Simulator

TZ = "Europe/Prague"


def client(sim: Simulator) -> httpx.Client:
    return httpx.Client(
        base_url=sim.base_url,
        headers={"Authorization": f"Bearer {sim.token}", "Intercom-Version": "2.16", "Accept": "application/json"},
        timeout=10,
    )


def search(c: httpx.Client, query: Any, **extra: Any) -> httpx.Response:
    return c.post("/contacts/search", json={"query": query, **extra})


def local_ts(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> int:
    return int(dt.datetime(y, m, d, h, mi, tzinfo=ZoneInfo(TZ)).timestamp())


def test_wrong_token_is_401_without_rate_headers(sim: Simulator) -> None:
    r = httpx.get(sim.base_url + "/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.json()["errors"] == [{"code": "unauthorized", "message": "Access Token Invalid"}]
    assert r.json()["type"] == "error.list" and r.json()["request_id"]
    assert "x-ratelimit-limit" not in r.headers


def test_me_reports_timezone_and_version_is_recorded(sim: Simulator) -> None:
    sim.configure(timezone=TZ)
    with client(sim) as c:
        r = c.get("/me")
        assert r.status_code == 200 and r.json()["app"]["timezone"] == TZ
        assert c.get("/me", headers={"Intercom-Version": "9.9"}).status_code == 400
    assert [q.intercom_version for q in sim.requests()] == ["2.16", "9.9"]


def test_duplicate_email_conflict_names_existing_id(sim: Simulator) -> None:
    with client(sim) as c:
        first = c.post("/contacts", json={"role": "user", "email": "a@example.com"}).json()
        r = c.post("/contacts", json={"role": "lead", "email": "A@example.com"})
    assert r.status_code == 409
    assert r.json()["errors"][0] == {
        "code": "conflict",
        "message": f"A contact matching those details already exists with id={first['id']}",
    }


def test_list_pagination_misses_and_repeats_nothing(sim: Simulator) -> None:
    ids = set(sim.bulk_add_contacts(123))
    seen: list[str] = []
    with client(sim) as c:
        params: dict[str, Any] = {"per_page": 50}
        while True:
            body = c.get("/contacts", params=params).json()
            seen += [d["id"] for d in body["data"]]
            nxt = body["pages"].get("next")
            if not nxt:
                break
            params["starting_after"] = nxt["starting_after"]
        assert c.get("/contacts", params={"per_page": 151}).status_code == 400
    assert len(seen) == len(ids) and set(seen) == ids


def test_search_pagination_sorted_descending(sim: Simulator) -> None:
    sim.bulk_add_contacts(120, start=1_700_000_000, spacing_seconds=60)
    seen: list[int] = []
    with client(sim) as c:
        pagination: dict[str, Any] = {"per_page": 50}
        while True:
            body = search(
                c,
                {"field": "role", "operator": "=", "value": "lead"},
                sort={"field": "updated_at", "order": "descending"},
                pagination=pagination,
            ).json()
            seen += [d["updated_at"] for d in body["data"]]
            nxt = body["pages"].get("next")
            if not nxt:
                break
            pagination["starting_after"] = nxt["starting_after"]
        bad = search(c, {"field": "role", "operator": "=", "value": "lead"}, sort={"field": "x", "order": "up"})
    assert len(seen) == 120 and seen == sorted(seen, reverse=True)
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "invalid_sort_order"


def test_contact_date_search_is_by_workspace_day(sim: Simulator) -> None:
    sim.configure(timezone=TZ)
    day_start = local_ts(2026, 3, 10)
    before = sim.add_contact(email="b@x.io", created_at=day_start - 1)  # 23:59:59 the previous day
    morning = sim.add_contact(email="m@x.io", created_at=day_start + 3600)
    evening = sim.add_contact(email="e@x.io", created_at=local_ts(2026, 3, 10, 23, 30))
    next_day = sim.add_contact(email="n@x.io", created_at=local_ts(2026, 3, 11, 0, 0))
    noon = local_ts(2026, 3, 10, 12)

    def ids(op: str) -> set[str]:
        with client(sim) as c:
            r = search(c, {"field": "created_at", "operator": op, "value": noon})
            assert r.status_code == 200, r.text
            return {d["id"] for d in r.json()["data"]}

    assert ids(">") == {next_day["id"]}  # starts at the NEXT workspace day, not at noon
    assert ids("<") == {before["id"]}  # before the start of that day
    assert ids("=") == {morning["id"], evening["id"]}
    with client(sim) as c:
        for op in ("!=", ">=", "<=", "IN", "NIN"):
            value: Any = [noon] if op in ("IN", "NIN") else noon
            assert search(c, {"field": "created_at", "operator": op, "value": value}).status_code == 400


def test_day_boundary_differs_from_utc(sim: Simulator) -> None:
    sim.configure(timezone=TZ)
    # 23:30 UTC on 10 March is 00:30 on 11 March in Prague: the same UTC day, the next Prague day.
    late = sim.add_contact(email="l@x.io", created_at=int(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC).timestamp()))
    with client(sim) as c:
        r = search(c, {"field": "created_at", "operator": ">", "value": local_ts(2026, 3, 10, 12)})
    assert [d["id"] for d in r.json()["data"]] == [late["id"]]


def test_nesting_and_group_size_limits(sim: Simulator) -> None:
    leaf = {"field": "role", "operator": "=", "value": "user"}
    two = {"operator": "AND", "value": [{"operator": "OR", "value": [leaf, leaf]}, leaf]}
    three = {"operator": "AND", "value": [{"operator": "OR", "value": [{"operator": "AND", "value": [leaf]}]}]}
    with client(sim) as c:
        assert search(c, two).status_code == 200
        assert search(c, three).status_code == 400
        assert search(c, {"operator": "OR", "value": [leaf] * 15}).status_code == 200
        assert search(c, {"operator": "OR", "value": [leaf] * 16}).status_code == 400


def test_text_operators(sim: Simulator) -> None:
    a = sim.add_contact(email="alice@acme.io", name="Alice")
    sim.add_contact(email="bob@other.io", name="Bob")
    with client(sim) as c:
        for op, value in (("~", "acme"), ("^", "ali"), ("$", "acme.io"), ("IN", ["alice@acme.io", "z@z"])):
            r = search(c, {"field": "email", "operator": op, "value": value})
            assert [d["id"] for d in r.json()["data"]] == [a["id"]], op


def test_index_delay_hides_writes_from_search_only(sim: Simulator) -> None:
    sim.configure(index_delay=(0.3, 0.6), seed=7)
    with client(sim) as c:
        created = c.post("/contacts", json={"role": "lead", "email": "late@x.io"}).json()
        q = {"field": "email", "operator": "=", "value": "late@x.io"}
        assert search(c, q).json()["data"] == []
        assert c.get(f"/contacts/{created['id']}").status_code == 200
        assert created["id"] in {d["id"] for d in c.get("/contacts").json()["data"]}
        time.sleep(0.7)
        assert [d["id"] for d in search(c, q).json()["data"]] == [created["id"]]


def test_index_delay_makes_results_arrive_out_of_order(sim: Simulator) -> None:
    sim.configure(index_delay=(0.0, 1.0), seed=3)
    made = [sim.add_contact(email=f"c{i}@x.io") for i in range(20)]
    q = {"field": "role", "operator": "=", "value": "user"}
    visible_order: list[str] = []
    with client(sim) as c:
        deadline = time.time() + 2
        while len(visible_order) < 20 and time.time() < deadline:
            for d in search(c, q, pagination={"per_page": 150}).json()["data"]:
                if d["id"] not in visible_order:
                    visible_order.append(d["id"])
            time.sleep(0.05)
    assert sorted(visible_order) == sorted(m["id"] for m in made)
    assert visible_order != [m["id"] for m in made]


def test_merge_lead_into_user(sim: Simulator) -> None:
    user = sim.add_contact("user", email="u@x.io", index=False)
    lead = sim.add_contact("lead", email="l@x.io", index=False)
    with client(sim) as c:
        r = c.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]})
        assert r.status_code == 200 and r.json()["id"] == user["id"]
        gone = c.get(f"/contacts/{lead['id']}")
        assert gone.status_code == 410 and gone.json()["errors"][0]["code"] == "contact_merged"
        assert gone.headers["link"] == f'</contacts/{user["id"]}>; rel="canonical"'
        assert c.get("/contacts/doesnotexist").status_code == 404
        listed = {d["id"] for d in c.get("/contacts").json()["data"]}
        found = {d["id"] for d in search(c, {"field": "role", "operator": "=", "value": "lead"}).json()["data"]}
    assert lead["id"] not in listed and found == set()


def test_rate_limit_429_and_headers(sim: Simulator) -> None:
    sim.configure(rate_limit_per_10s=3)
    with client(sim) as c:
        answers = [c.get("/me") for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200] or answers[0].headers["x-ratelimit-reset"] != (
        answers[-1].headers["x-ratelimit-reset"]
    )
    last = answers[-1]
    if last.headers["x-ratelimit-reset"] == answers[0].headers["x-ratelimit-reset"]:
        assert last.status_code == 429 and last.json()["errors"][0]["code"] == "rate_limit_exceeded"
        assert last.headers["x-ratelimit-remaining"] == "0"
    assert answers[0].headers["x-ratelimit-limit"] == "3"
    assert int(answers[0].headers["x-ratelimit-reset"]) > time.time() - 1


def _fault_statuses(seed: int) -> list[int]:
    with Simulator(token="t", seed=seed) as s:
        s.configure(fault_rate=0.5, fault_kinds=("500", "503", "429"))
        with client(s) as c:
            return [c.get("/me").status_code for _ in range(30)]


def test_faults_reproducible_from_seed() -> None:
    first, again, other = _fault_statuses(1), _fault_statuses(1), _fault_statuses(2)
    assert first == again and first != other
    assert {500, 503, 429} <= set(first) and 200 in first


def test_faults_only_for_chosen_methods_and_timeout_drops(sim: Simulator) -> None:
    sim.configure(fault_rate=1.0, fault_kinds=("timeout",), fault_methods={"POST"}, timeout_seconds=0.2)
    with client(sim) as c:
        assert c.get("/me").status_code == 200
        with pytest.raises(httpx.TransportError):
            c.post("/contacts", json={"email": "t@x.io"})


def test_clock_offset_stamps_writes(sim: Simulator) -> None:
    sim.configure(clock_offset=86400.0)
    with client(sim) as c:
        body = c.post("/contacts", json={"email": "f@x.io"}).json()
    assert abs(body["created_at"] - (time.time() + 86400)) < 5


def test_conversation_search_is_inclusive_to_the_second(sim: Simulator) -> None:
    user = sim.add_contact(email="c@x.io", index=False)
    conv = sim.add_conversation(user["id"], created_at=1_700_000_000, index=False)
    with client(sim) as c:
        for op in (">", "<"):
            r = c.post(
                "/conversations/search",
                json={"query": {"field": "created_at", "operator": op, "value": 1_700_000_000}},
            )
            assert [d["id"] for d in r.json()["conversations"]] == [conv["id"]], op
        assert c.get(f"/conversations/{conv['id']}").json()["admin_assignee_id"] == 0


def test_control_api(sim: Simulator) -> None:
    with httpx.Client(base_url=sim.base_url) as c:
        assert c.post("/_sim/config", json={"timezone": TZ, "index_delay": [0, 0]}).status_code == 200
        made = c.post("/_sim/contacts", json={"email": "x@x.io", "role": "lead"}).json()
        assert c.put(f"/_sim/contacts/{made['id']}", json={"name": "X"}).json()["name"] == "X"
        assert c.post("/_sim/demo").status_code == 200
        assert c.get("/_sim/requests").status_code == 200
        assert c.post("/_sim/reset").status_code == 200
    assert sim.contacts() == [] and sim.config.timezone == "UTC"


def test_conversation_search_by_contact_ids(sim: Simulator) -> None:
    a = sim.add_contact(email="a@x.io", index=False)
    b = sim.add_contact(email="b@x.io", index=False)
    conv = sim.add_conversation(a["id"], index=False)
    sim.add_conversation(b["id"], index=False)
    with client(sim) as c:
        r = c.post("/conversations/search", json={"query": {"field": "contact_ids", "operator": "=", "value": a["id"]}})
    assert [d["id"] for d in r.json()["conversations"]] == [conv["id"]]


def test_ground_truth_can_include_merged(sim: Simulator) -> None:
    user = sim.add_contact("user", email="u@x.io")
    lead = sim.add_contact("lead", email="l@x.io")
    sim.merge_contact(lead["id"], user["id"])
    assert [c["id"] for c in sim.contacts()] == [user["id"]]
    assert {c["id"] for c in sim.contacts(include_merged=True)} == {user["id"], lead["id"]}
    assert sim.merged() == {lead["id"]: user["id"]}


def test_requests_record_their_headers_and_the_control_api_masks_the_token(sim: Simulator) -> None:
    with client(sim) as c:
        c.get("/me", headers={"X-Extra": "yes"})
    [seen] = sim.requests()
    assert seen.headers["authorization"] == f"Bearer {sim.token}"
    assert (seen.headers["intercom-version"], seen.headers["x-extra"]) == ("2.16", "yes")
    with httpx.Client(base_url=sim.base_url) as c:
        shown = c.get("/_sim/requests").json()
    assert shown[0]["headers"]["authorization"] == "***"
    assert sim.token not in json.dumps(shown)


def test_a_path_can_answer_a_redirect(sim: Simulator) -> None:
    sim.configure(redirects={"/moved": (302, "https://elsewhere.example/x")})
    with client(sim) as c:
        moved = c.post("/moved", json={})
        wrong_token = c.get("/moved", headers={"Authorization": "Bearer nope"})
    assert (moved.status_code, moved.headers["location"], moved.content) == (302, "https://elsewhere.example/x", b"")
    assert "x-ratelimit-remaining" in moved.headers
    assert wrong_token.status_code == 401, "the token is checked first"
    with httpx.Client(base_url=sim.base_url) as c:
        assert c.post("/_sim/config", json={"redirects": {"/gone": [308, "/elsewhere"]}}).status_code == 200
        assert c.post("/_sim/config", json={"redirects": {"/bad": [200, "/x"]}}).status_code == 400
    assert sim.config.redirects == {"/gone": (308, "/elsewhere")}
    sim.configure(redirects={})
    with client(sim) as c:
        assert c.get("/gone").status_code == 404
