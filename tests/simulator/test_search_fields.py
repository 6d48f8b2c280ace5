"""Search over the fields interface §10 uses: contacts (every listed field, `tag_id`, typed custom attributes, day
rule), conversations (assignees, tags, priority, statistics to the second, `>`/`<` inclusive, index lag), the
operators each type of field accepts and the limits of a query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from intercom_sim import Simulator


def ids(api: httpx.Client, kind: str, query: Any) -> list[str]:
    r = api.post(f"/{kind}/search", json={"query": query})
    assert r.status_code == 200, r.text
    return [x["id"] for x in r.json()["data" if kind == "contacts" else kind]]


def code(api: httpx.Client, kind: str, query: Any) -> tuple[int, str]:
    r = api.post(f"/{kind}/search", json={"query": query})
    return r.status_code, r.json()["errors"][0]["code"] if r.status_code != 200 else ""


def f(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": op, "value": value}


@pytest.fixture
def people(sim: Simulator) -> dict[str, dict[str, Any]]:
    vip = sim.add_tag("VIP")
    noon = int(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC).timestamp())
    ana = sim.add_contact(
        "user",
        email="ana@acme.io",
        name="Ana Bell",
        phone="+420111",
        external_id="u-ana",
        created_at=noon,
        last_seen_at=noon + 3600,
        custom_attributes={"plan_tier": "pro", "trial_ends_at": noon, "seats": 5},
        index=False,
    )
    bo = sim.add_contact(
        "lead",
        email="bo@other.io",
        name="Bo Crane",
        external_id=None,
        created_at=noon + 86400,
        custom_attributes={"plan_tier": "free", "trial_ends_at": noon + 86400, "seats": 50},
        index=False,
    )
    sim.tag_contact(ana["id"], vip["id"])
    return {"ana": ana, "bo": bo, "vip": vip}


def test_contact_fields_and_operators(api: httpx.Client, people: dict[str, dict[str, Any]]) -> None:
    ana, bo, vip = people["ana"]["id"], people["bo"]["id"], people["vip"]["id"]
    noon = people["ana"]["created_at"]
    cases = [
        (f("email", "$", "@acme.io"), [ana]),
        (f("email", "!=", "ana@acme.io"), [bo]),
        (f("external_id", "=", "u-ana"), [ana]),
        (f("phone", "^", "+420"), [ana]),
        (f("name", "~", "crane"), [bo]),
        (f("name", "!~", "crane"), [ana]),
        (f("role", "IN", ["lead", "visitor"]), [bo]),
        (f("role", "NIN", ["lead"]), [ana]),
        (f("tag_id", "=", vip), [ana]),
        (f("tag_id", "!=", vip), [bo]),
        (f("custom_attributes.plan_tier", "=", "free"), [bo]),
        (f("custom_attributes.seats", ">", 10), [bo]),
        (f("custom_attributes.trial_ends_at", "=", noon + 3600), [ana]),  # a date attribute: by day
        (f("created_at", ">", noon), [bo]),  # by day: from the next day
        (f("updated_at", "<", noon + 86400), [ana]),
        (f("last_seen_at", "=", noon), [ana]),
    ]
    for query, expected in cases:
        assert ids(api, "contacts", query) == expected, query


def test_contact_operator_refusals(api: httpx.Client, people: dict[str, dict[str, Any]]) -> None:
    for query in (
        f("tag_id", "IN", [people["vip"]["id"]]),  # tag_id: = and != only
        f("email", ">", "a"),  # text: no order
        f("created_at", ">=", 0),  # a date by day: = < > only
        f("custom_attributes.trial_ends_at", "!=", 0),
        f("custom_attributes.seats", "~", "5"),
        f("role", "IN", "lead"),  # IN needs a list
        f("unsubscribed_from_emails", "=", "maybe"),
        f("email", "LIKE", "x"),
    ):
        assert code(api, "contacts", query) == (400, "invalid_query"), query


def test_conversation_fields_to_the_second(api: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email="c@x.io", index=False)
    tag = sim.add_tag("Billing")
    sim.configure(clock_offset=-1000)
    one = sim.add_conversation(user["id"], index=False)["id"]
    two = sim.add_conversation(user["id"], index=False)["id"]
    sim.assign_conversation(one, "991267002")
    sim.assign_conversation(two, "5001", kind="team")
    sim.tag_conversation(two, tag["id"])
    sim.update_conversation(two, priority="high")
    sim.configure(clock_offset=-500)
    replied = sim.reply_as_contact(one)["statistics"]["last_contact_reply_at"]
    sim.close_conversation(two)
    cases = [
        (f("admin_assignee_id", "=", 991267002), [one]),
        (f("team_assignee_id", "=", 5001), [two]),
        (f("tag_ids", "IN", [tag["id"]]), [two]),
        (f("priority", "=", "high"), [two]),
        (f("state", "!=", "closed"), [one]),
        (f("open", "=", False), [two]),
        (f("contact_ids", "=", user["id"]), [one, two]),
        (f("statistics.last_contact_reply_at", ">", replied), [one]),  # inclusive, to the second
        (f("statistics.last_contact_reply_at", "<", replied - 1), [two]),
        (f("statistics.last_close_at", ">", 0), [two]),
        (f("statistics.last_assignment_at", "<", replied), [one, two]),
        ({"operator": "OR", "value": [f("priority", "=", "high"), f("admin_assignee_id", "=", 991267002)]}, [one, two]),
    ]
    for query, expected in cases:
        assert ids(api, "conversations", query) == expected, query
    for query in (
        f("created_at", "=", "yesterday"),
        f("admin_assignee_id", "~", "99"),
        f("state", ">", "a"),
        f("open", "=", "perhaps"),
    ):
        assert code(api, "conversations", query) == (400, "invalid_query"), query
    sim.configure(conversation_search_precision="day")
    assert ids(api, "conversations", f("statistics.last_contact_reply_at", ">", replied)) == []


def test_query_limits_for_every_search(api: httpx.Client) -> None:
    leaf = f("created_at", ">", 0)
    for kind in ("contacts", "conversations", "tickets"):
        nested = {"operator": "AND", "value": [{"operator": "OR", "value": [leaf, leaf]}, leaf]}
        assert code(api, kind, nested) == (200, "")
        too_deep = {"operator": "AND", "value": [{"operator": "OR", "value": [{"operator": "AND", "value": [leaf]}]}]}
        assert code(api, kind, too_deep) == (400, "invalid_query")
        assert code(api, kind, {"operator": "OR", "value": [leaf] * 15}) == (200, "")
        assert code(api, kind, {"operator": "OR", "value": [leaf] * 16}) == (400, "invalid_query")


def test_writes_reach_conversation_search_after_the_lag(api: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email="lag@x.io", index=False)
    conv = sim.add_conversation(user["id"], index=False)["id"]
    sim.configure(index_delay=(30, 30))
    sim.reply_as_admin(conv)
    assert ids(api, "conversations", f("statistics.last_admin_reply_at", ">", 0)) == []
    assert api.get(f"/conversations/{conv}").json()["statistics"]["last_admin_reply_at"] > 0
