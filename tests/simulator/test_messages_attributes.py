# ruff: noqa: PT018
"""Admin-initiated messages, data attributes, teams, untagging companies and the control API's lifecycle calls."""

from __future__ import annotations

from typing import Any

import httpx

from intercom_sim import Simulator

ME = "991267001"


def message(contact: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "message_type": "in_app",
        "body": "<p>Hello</p>",
        "from": {"type": "admin", "id": int(ME)},
        "to": {"type": contact["role"], "id": contact["id"]},
        **extra,
    }


def error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["errors"][0]["code"]


def test_messages_and_the_contact_answering(api: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email="msg@x.io")
    sent = api.post("/messages", json=message(user)).json()
    assert (sent["type"], sent["message_type"], sent["owner"]["id"]) == ("admin_message", "inapp", ME)
    assert "conversation_id" not in sent and sim.conversations() == [], "no conversation until the contact replies"
    answered = sim.reply_to_message(sent["id"], "<p>Hi back</p>")
    assert answered["source"]["id"] == sent["id"] and answered["source"]["delivered_as"] == "admin_initiated"
    assert answered["statistics"]["last_contact_reply_at"] == answered["updated_at"]
    opened = api.post("/messages", json=message(user, create_conversation_without_contact_reply=True)).json()
    assert opened["conversation_id"] in {c["id"] for c in sim.conversations()}
    email = api.post("/messages", json=message(user, message_type="email", subject="Hi", template="personal")).json()
    assert (email["message_type"], email["subject"]) == ("email", "Hi")
    lead = sim.add_contact("lead", email="l@x.io")
    refusals = [
        (message(user, message_type="email", template="plain"), (422, "parameter_not_found")),  # no subject
        (message(user, body=None), (400, "parameter_invalid")),
        (message(user, message_type="sms"), (400, "parameter_invalid")),
        (message(user, **{"from": {"type": "admin", "id": 1}}), (404, "admin_not_found")),
        ({**message(lead), "to": {"type": "user", "id": lead["id"]}}, (404, "not_found")),
    ]
    for body, expected in refusals:
        assert error(api.post("/messages", json=body)) == expected, body
    assert len(sim.messages()) == 3


def test_data_attributes(api: httpx.Client, sim: Simulator) -> None:
    sim.add_contact("user", email="attr@x.io", custom_attributes={"favourite_color": "teal", "plan_tier": "pro"})
    sim.add_company("Attr Ltd", custom_attributes={"employees_at": 1700000000})
    contact = {a["full_name"]: a for a in api.get("/data_attributes", params={"model": "contact"}).json()["data"]}
    assert contact["email"]["custom"] is False and contact["custom_attributes.plan_tier"]["options"] == [
        "free",
        "pro",
        "enterprise",
    ]
    assert contact["custom_attributes.favourite_color"]["data_type"] == "string", "used without definition"
    assert "custom_attributes.legacy_score" not in contact, "archived: only with include_archived"
    everything = api.get("/data_attributes", params={"model": "contact", "include_archived": "true"}).json()
    assert any(a["name"] == "legacy_score" and a["archived"] for a in everything["data"])
    company = {a["full_name"]: a for a in api.get("/data_attributes", params={"model": "company"}).json()["data"]}
    assert company["custom_attributes.employees_at"]["data_type"] == "date" and "custom_attributes.tier" in company
    both = api.get("/data_attributes").json()["data"]
    assert {a["model"] for a in both} == {"contact", "company"}
    assert error(api.get("/data_attributes", params={"model": "conversation"})) == (422, "parameter_invalid")
    sim.add_data_attribute("contact", "renewal_at", "date")
    sim.add_contact("user", email="r@x.io", custom_attributes={"renewal_at": 1773144000}, index=False)
    r = api.post(
        "/contacts/search",
        json={"query": {"field": "custom_attributes.renewal_at", "operator": "!=", "value": 1}},
    )
    assert r.status_code == 400, "a defined date attribute is searched by day: != is refused"


def test_teams_and_company_untag(api: httpx.Client, sim: Simulator) -> None:
    teams = api.get("/teams").json()["teams"]
    assert [(t["id"], t["name"]) for t in teams] == [("5001", "Support"), ("5002", "Billing")]
    assert int(ME) in teams[0]["admin_ids"]
    company = sim.add_company("Tagged", company_id="tg")
    api.post("/tags", json={"name": "Key", "companies": [{"company_id": "tg"}]})
    assert [t["name"] for t in api.get(f"/companies/{company['id']}").json()["tags"]["tags"]] == ["Key"]
    api.post("/tags", json={"name": "Key", "companies": [{"id": company["id"], "untag": True}]})
    assert api.get(f"/companies/{company['id']}").json()["tags"]["tags"] == []
    again = api.post("/tags", json={"name": "Key", "companies": [{"id": company["id"], "untag": True}]})
    assert again.status_code == 200, "untagging a company without the tag is no error (unconfirmed)"
    assert error(api.post("/tags", json={"name": "Key", "companies": [{"id": "nope", "untag": True}]})) == (
        404,
        "company_not_found",
    )


def test_control_api_calls_lifecycle_methods(sim: Simulator) -> None:
    user = sim.add_contact("user", email="ctl@x.io")
    conv = sim.add_conversation(user["id"])
    with httpx.Client(base_url=sim.base_url) as c:
        replied = c.post("/_sim/call/reply_as_contact", json={"conv_id": conv["id"], "body": "<p>x</p>"})
        assert replied.status_code == 200 and replied.json()["statistics"]["last_contact_reply_at"]
        rated = c.post("/_sim/call/rate_conversation", json={"conv_id": conv["id"], "rating": 3})
        assert rated.json()["conversation_rating"]["rating"] == 3
        bad = c.post("/_sim/call/rate_conversation", json={"conv_id": conv["id"], "stars": 3})
        assert bad.status_code == 400
        assert c.post("/_sim/call/reset", json={}).status_code == 404, "only the listed methods"
        types = c.post("/_sim/call/ticket_types", json={}).json()
        made = c.post(
            "/_sim/call/add_ticket",
            json={"ticket_type_id": types[1]["id"], "contact_id": user["id"], "title": "From control"},
        ).json()
        assert made["ticket_attributes"]["_default_title_"] == "From control"
