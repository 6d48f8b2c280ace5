"""The simulator's lifecycle answers (conversations with statistics and ratings, tickets, ticket types and states,
messages, data attributes, teams, tag removal) validate against Intercom's OpenAPI document (2.16), with the
`validate` / `api` helpers of test_schema_conformance.py."""

from __future__ import annotations

import httpx
import jsonschema
import pytest

from intercom_sim import Simulator
from tests.simulator.test_schema_conformance import api, validate

__all__ = ["api"]  # the fixture, used by name
ME = "991267001"


def test_conversation_with_statistics_rating_and_tags(api: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email="rate@x.io", external_id="r-1")
    conv_id = sim.add_conversation(user["id"])["id"]
    sim.reply_as_admin(conv_id)
    sim.reply_as_contact(conv_id)
    sim.assign_conversation(conv_id, "5001", kind="team")
    sim.close_conversation(conv_id)
    rated = sim.rate_conversation(conv_id, 5, "great")
    got = api.get(f"/conversations/{conv_id}").json()
    validate("conversation", got)
    assert got == {**rated, "conversation_parts": got["conversation_parts"]}
    assert got["conversation_rating"]["contact"] == {"type": "contact", "id": user["id"], "external_id": "r-1"}
    validate("conversation_rating", got["conversation_rating"])
    validate("conversation_statistics", got["statistics"])
    tag = api.post("/tags", json={"name": "Gone"}).json()
    api.post(f"/conversations/{conv_id}/tags", json={"id": tag["id"], "admin_id": ME})
    removed = api.request("DELETE", f"/conversations/{conv_id}/tags/{tag['id']}", json={"admin_id": ME})
    validate("tag", removed.json())
    again = api.request("DELETE", f"/conversations/{conv_id}/tags/{tag['id']}", json={"admin_id": ME})
    assert (again.status_code, again.json()["errors"][0]["code"]) == (404, "tag_not_found")
    validate("error", again.json())
    search = {"query": {"field": "statistics.last_close_at", "operator": ">", "value": 0}}
    validate("conversation_list", api.post("/conversations/search", json=search).json())


def test_tickets_types_states(api: httpx.Client, sim: Simulator) -> None:
    types = api.get("/ticket_types").json()
    validate("ticket_type_list", types)
    bug = types["data"][0]
    validate("ticket_type", api.get(f"/ticket_types/{bug['id']}").json())
    validate("ticket_state_list", api.get("/ticket_states").json())
    user = sim.add_contact("user", email="t@x.io")
    body = {
        "ticket_type_id": bug["id"],
        "contacts": [{"id": user["id"]}],
        "ticket_attributes": {"_default_title_": "Broken", "Platform": "opt-ios"},
    }
    validate("create_ticket_request", body)
    created = api.post("/tickets", json=body).json()
    validate("ticket", created)
    update = {"ticket_state_id": "8322", "assignee_id": "991267002", "admin_id": int(ME), "open": True}
    validate("update_ticket_request", update)
    validate("ticket", api.put(f"/tickets/{created['id']}", json=update).json())
    note = {"type": "admin", "message_type": "note", "admin_id": ME, "body": "<p>seen</p>"}
    validate("admin_reply_ticket_request", note)
    validate("ticket_reply", api.post(f"/tickets/{created['id']}/reply", json=note).json())
    reply = {"type": "user", "message_type": "comment", "intercom_user_id": user["id"], "body": "thanks"}
    validate("ticket_reply", api.post(f"/tickets/{created['id']}/reply", json=reply).json())
    validate("ticket", api.get(f"/tickets/{created['id']}").json())
    found = api.post("/tickets/search", json={"query": {"field": "contact_ids", "operator": "=", "value": user["id"]}})
    validate("ticket_list", found.json())
    assert found.json()["total_count"] == 1
    missing = api.get(f"/tickets/{created['ticket_id']}")  # the Inbox number is not the API id
    assert missing.status_code == 404
    validate("error", missing.json())


def test_message_data_attributes_teams_company_untag(api: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email="m@x.io", custom_attributes={"favourite_color": "teal"})
    message = {
        "message_type": "email",
        "subject": "Hello",
        "body": "<p>Hi</p>",
        "template": "plain",
        "from": {"type": "admin", "id": int(ME)},
        "to": {"type": "user", "id": user["id"]},
    }
    validate("create_message_request", message)
    sent = api.post("/messages", json=message).json()
    validate("message", sent)
    assert sent["type"] == "admin_message"
    assert "conversation_id" not in sent
    for model in ("contact", "company"):
        listed = api.get("/data_attributes", params={"model": model, "include_archived": "true"}).json()
        validate("data_attribute_list", listed)
    validate("data_attribute_list", api.get("/data_attributes").json())
    validate("team_list", api.get("/teams").json())
    company = sim.add_company("Untag Ltd", company_id="u1")
    api.post("/tags", json={"name": "Key", "companies": [{"id": company["id"]}]})
    untag = {"name": "Key", "companies": [{"id": company["id"], "untag": True}]}
    validate("untag_company_request", untag)
    answer = api.post("/tags", json=untag).json()
    validate("tag_create_response", answer)
    assert answer["companies"] == [{"id": company["id"], "tagged": False}]
    assert api.get(f"/companies/{company['id']}").json()["tags"]["tags"] == []


def test_validation_can_fail() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate("ticket", {"type": "ticket", "id": 1})
    with pytest.raises(jsonschema.ValidationError):
        validate("ticket_state", {"type": "ticket_state", "id": "1", "category": "closed"})
