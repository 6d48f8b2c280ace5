"""The simulator's conversation and company writes over real HTTP: state, statistics, search after a write, the
errors Intercom answers for a wrong admin, team, tag, contact or time."""

from __future__ import annotations

import httpx
import pytest

from intercom_sim import Simulator

ME = "991267001"


@pytest.fixture
def api(sim: Simulator) -> httpx.Client:
    return httpx.Client(
        base_url=sim.base_url, headers={"Authorization": f"Bearer {sim.token}", "Intercom-Version": "2.16"}
    )


def parts(api: httpx.Client, conv_id: str, **body: object) -> httpx.Response:
    return api.post(f"/conversations/{conv_id}/parts", json={"admin_id": ME, "type": "admin", **body})


def test_close_open_close_counts_reopens_and_search_sees_the_state(api: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email="w@x.io")
    conv_id = api.post("/conversations", json={"from": {"type": "user", "id": user["id"]}, "body": "Hi"}).json()[
        "conversation_id"
    ]
    first = parts(api, conv_id, message_type="close").json()
    assert parts(api, conv_id, message_type="open").json()["state"] == "open"
    again = parts(api, conv_id, message_type="close").json()
    assert again["statistics"]["count_reopens"] == 1
    assert again["statistics"]["first_close_at"] == first["statistics"]["first_close_at"]
    found = api.post("/conversations/search", json={"query": {"field": "state", "operator": "=", "value": "closed"}})
    assert [c["id"] for c in found.json()["conversations"]] == [conv_id]
    reply = {"type": "user", "message_type": "comment", "intercom_user_id": user["id"], "body": "one more thing"}
    assert api.post(f"/conversations/{conv_id}/reply", json=reply).json()["state"] == "open", "a contact reopens it"


def test_refusals(api: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email="r@x.io")
    lead = sim.add_contact("lead", email="l@x.io")
    conv_id = sim.add_conversation(user["id"], index=False)["id"]
    cases = [
        (parts(api, conv_id, message_type="close", admin_id="1"), 404, "admin_not_found"),
        (parts(api, conv_id, message_type="assignment", assignee_id="9", type="team"), 404, "team_not_found"),
        (parts(api, conv_id, message_type="snoozed", snoozed_until=int(sim.now()) - 1), 400, "parameter_invalid"),
        (parts(api, conv_id, message_type="shout"), 400, "parameter_invalid"),
        (parts(api, "424242", message_type="close"), 404, "not_found"),
        (api.post(f"/conversations/{conv_id}/tags", json={"id": "77", "admin_id": ME}), 404, "tag_not_found"),
        (api.post("/conversations", json={"from": {"type": "user", "id": lead["id"]}, "body": "x"}), 404, "not_found"),
        (api.post("/companies", json={"company_id": "c", "size": "big"}), 400, "bad_request"),
        (api.post("/tags", json={"name": "T", "companies": [{"id": "nope"}]}), 404, "company_not_found"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), response.text
    assert "T" not in [t["name"] for t in api.get("/tags").json()["data"]], "a refused company tag makes no tag"
