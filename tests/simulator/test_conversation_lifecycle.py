# ruff: noqa: PT018
"""Conversation lifecycle over real HTTP and the Python API: state transitions, statistics, `updated_at`, the
webhook topic of each change with only its part, ratings, tags, and the settings for unconfirmed facts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from intercom_sim import Simulator
from tests.simulator.receiver import Receiver
from tests.simulator.test_webhook_payloads import notifications

ME, ADA = "991267001", "991267002"


def parts(api: httpx.Client, conv_id: str, **body: object) -> httpx.Response:
    return api.post(f"/conversations/{conv_id}/parts", json={"admin_id": ME, "type": "admin", **body})


def reply(api: httpx.Client, conv_id: str, **body: object) -> dict[str, Any]:
    r = api.post(f"/conversations/{conv_id}/reply", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture
def conv(sim: Simulator) -> dict[str, Any]:
    user = sim.add_contact("user", email="life@x.io")
    sim.configure(clock_offset=-10_000)
    return sim.add_conversation(user["id"], body="<p>Help</p>")


def later(sim: Simulator, seconds: int) -> int:
    """Move the simulator's clock on, so each change has its own second; the clock's second now."""
    sim.configure(clock_offset=sim.config.clock_offset + seconds)
    return int(sim.now())


def near(value: int, second: int) -> bool:
    """`value` is the second a write made just after `second` was read (the real clock may tick in between)."""
    return second <= value <= second + 1


def test_replies_move_their_statistics_and_waiting_since(
    sim: Simulator, api: httpx.Client, conv: dict[str, Any]
) -> None:
    cid, user = conv["id"], conv["contacts"]["contacts"][0]["id"]
    stats = conv["statistics"]
    assert stats["first_contact_reply_at"] == stats["last_contact_reply_at"] == conv["created_at"]
    assert "last_admin_reply_at" not in stats and conv["waiting_since"] == conv["created_at"]
    t = later(sim, 10)
    admin = reply(api, cid, type="admin", admin_id=ME, message_type="comment", body="<p>Hi</p>")
    replied = admin["statistics"]["last_admin_reply_at"]
    assert replied == admin["updated_at"] and near(replied, t)
    assert admin["waiting_since"] is None
    t = later(sim, 10)
    noted = reply(api, cid, type="admin", admin_id=ADA, message_type="note", body="<p>internal</p>")
    assert noted["statistics"]["last_admin_reply_at"] == replied, "a note is not a reply"
    assert near(noted["updated_at"], t)
    t = later(sim, 10)
    contact = reply(api, cid, type="user", intercom_user_id=user, message_type="comment", body="thanks")
    assert near(contact["statistics"]["last_contact_reply_at"], t)
    assert contact["statistics"]["first_contact_reply_at"] == conv["created_at"]
    assert contact["waiting_since"] == contact["statistics"]["last_contact_reply_at"]
    assert [t["id"] for t in contact["teammates"]["admins"]] == [ME, ADA]
    by_email = reply(api, cid, type="user", email="LIFE@x.io", message_type="comment", body="by email")
    assert by_email["conversation_parts"]["conversation_parts"][-1]["author"]["id"] == user
    sim.configure(note_counts_as_admin_reply=True)
    t = later(sim, 10)
    assert near(sim.reply_as_admin(cid, note=True)["statistics"]["last_admin_reply_at"], t)


def test_states_snooze_unsnooze_close_reopen(sim: Simulator, api: httpx.Client, conv: dict[str, Any]) -> None:
    cid = conv["id"]
    until = int(sim.now()) + 3600
    snoozed = parts(api, cid, message_type="snoozed", snoozed_until=until).json()
    assert (snoozed["state"], snoozed["open"], snoozed["snoozed_until"]) == ("snoozed", False, until)
    sim.configure(snoozed_is_open=True)  # as a 2019 capture had it (unconfirmed for 2.16)
    assert api.get(f"/conversations/{cid}").json()["open"] is True
    woke = parts(api, cid, message_type="open").json()
    assert (woke["state"], woke["snoozed_until"]) == ("open", None)
    closed = parts(api, cid, message_type="close").json()
    assert (closed["state"], closed["open"], closed["statistics"]["last_closed_by_id"]) == ("closed", False, ME)
    later(sim, 5)
    reopened = reply(api, cid, type="admin", admin_id=ME, message_type="comment", body="<p>Back</p>")
    assert (reopened["state"], reopened["statistics"]["count_reopens"]) == ("open", 1)
    assert reopened["conversation_parts"]["conversation_parts"][-1]["part_type"] == "open", "captured: an open part"
    sim.snooze_conversation(cid, until)
    woken = sim.reply_as_contact(cid)
    assert (woken["state"], woken["snoozed_until"]) == ("open", None), "a contact's reply wakes it"
    with pytest.raises(Exception, match="not snoozed"):
        sim.unsnooze_conversation(cid)


def test_assignment_to_admin_and_team_and_unassign(sim: Simulator, api: httpx.Client, conv: dict[str, Any]) -> None:
    cid = conv["id"]
    t = later(sim, 3)
    to_admin = parts(api, cid, message_type="assignment", type="admin", assignee_id=ADA).json()
    assert to_admin["admin_assignee_id"] == int(ADA) and to_admin["team_assignee_id"] == 0
    assert to_admin["statistics"]["last_assignment_at"] == to_admin["updated_at"]
    assert near(to_admin["updated_at"], t)
    t = later(sim, 3)
    to_team = sim.assign_conversation(cid, "5002", kind="team", body="<p>Billing will help</p>")
    assert (to_team["admin_assignee_id"], to_team["team_assignee_id"]) == (int(ADA), 5002)
    assert to_team["statistics"]["count_assignments"] == 2
    assert near(to_team["statistics"]["last_admin_reply_at"], t), "an assignment with a message"
    gone = parts(api, cid, message_type="assignment", type="admin", assignee_id="0").json()
    assert gone["admin_assignee_id"] == 0
    found = api.post(
        "/conversations/search", json={"query": {"field": "team_assignee_id", "operator": "=", "value": 5002}}
    )
    assert [c["id"] for c in found.json()["conversations"]] == [cid]


def test_rating_and_its_search_fields(sim: Simulator, api: httpx.Client, conv: dict[str, Any]) -> None:
    cid = conv["id"]
    assert conv["conversation_rating"] is None
    sim.assign_conversation(cid, ADA)
    closed = sim.close_conversation(cid)
    t = later(sim, 60)
    rated = sim.rate_conversation(cid, 4, remark="quick")
    rating = rated["conversation_rating"]
    assert (rating["rating"], rating["remark"], rating["teammate"]) == (4, "quick", {"type": "admin", "id": ADA})
    assert rating["created_at"] == closed["statistics"]["last_close_at"], "requested when it closed"
    assert rating["updated_at"] == rated["updated_at"]
    assert near(rating["updated_at"], t)
    for field, op, value in (
        ("conversation_rating.score", "=", 4),
        ("conversation_rating.replied_at", ">", rating["updated_at"]),
        ("conversation_rating.contact_id", "=", conv["contacts"]["contacts"][0]["id"]),
    ):
        found = api.post("/conversations/search", json={"query": {"field": field, "operator": op, "value": value}})
        assert [c["id"] for c in found.json()["conversations"]] == [cid], field
    with pytest.raises(Exception, match="rating"):
        sim.rate_conversation(cid, 6)


def test_each_change_sends_its_topic_with_its_part(  # after conversation.user.created
    hooked: Simulator, receiver: Receiver, api: httpx.Client, conv: dict[str, Any]
) -> None:
    cid = conv["id"]
    tag = hooked.add_tag("Urgent")
    hooked.reply_as_contact(cid, "<p>Anyone?</p>")
    hooked.reply_as_admin(cid, "<p>Yes</p>")
    hooked.reply_as_admin(cid, "<p>note</p>", note=True)
    hooked.assign_conversation(cid, ADA)
    hooked.snooze_conversation(cid, int(hooked.now()) + 600)
    hooked.unsnooze_conversation(cid)
    hooked.tag_conversation(cid, tag["id"])
    hooked.tag_conversation(cid, tag["id"])  # tagged already: nothing
    hooked.untag_conversation(cid, tag["id"])  # no topic
    hooked.close_conversation(cid)
    hooked.open_conversation(cid)
    hooked.rate_conversation(cid, 5)
    notes = [n for n in notifications(hooked, receiver) if n["topic"].startswith("conversation")][1:]
    assert [n["topic"] for n in notes] == [
        "conversation.user.replied",
        "conversation.admin.replied",
        "conversation.admin.noted",
        "conversation.admin.assigned",
        "conversation.admin.open.assigned",
        "conversation.admin.snoozed",
        "conversation.admin.unsnoozed",
        "conversation_part.tag.created",
        "conversation.admin.closed",
        "conversation.admin.opened",
        "conversation.rating.added",
    ]
    part_types = [
        [p["part_type"] for p in n["data"]["item"]["conversation_parts"]["conversation_parts"]] for n in notes
    ]
    assert part_types == [
        ["comment"],
        ["comment"],
        ["note"],
        ["assignment"],
        ["assignment"],
        ["snoozed"],
        ["open"],
        ["open"],  # the tagged part: the conversation's last one
        ["close"],
        ["open"],
        [],
    ]
    first = notes[0]["data"]["item"]["conversation_parts"]["conversation_parts"][0]
    assert (first["body"], first["author"]["type"]) == ("<p>Anyone?</p>", "user")
    assigned = notes[3]["data"]["item"]
    assert assigned["admin_assignee_id"] == int(ADA)
    assert assigned["conversation_parts"]["conversation_parts"][0]["assigned_to"] == {"type": "admin", "id": ADA}
    assert notes[5]["data"]["item"]["state"] == "snoozed" and notes[5]["data"]["item"]["snoozed_until"]
    tagged = notes[7]["data"]["item"]
    assert tagged["tags_added"] == {"type": "tag.list", "tags": [{"type": "tag", "id": tag["id"], "name": "Urgent"}]}
    assert notes[10]["data"]["item"]["conversation_rating"]["rating"] == 5
    final = api.get(f"/conversations/{cid}").json()
    assert notes[-1]["data"]["item"] == {**final, "conversation_parts": notes[-1]["data"]["item"]["conversation_parts"]}


def test_settings_for_unconfirmed_topics(hooked: Simulator, receiver: Receiver, conv: dict[str, Any]) -> None:
    cid = conv["id"]
    hooked.configure(webhook_open_assigned="instead", webhook_tags_added_on="part")
    hooked.assign_conversation(cid, ADA)
    hooked.close_conversation(cid)
    hooked.assign_conversation(cid, ME)  # closed: only conversation.admin.assigned
    hooked.tag_conversation(cid, hooked.add_tag("Later")["id"])
    notes = [n for n in notifications(hooked, receiver) if n["topic"].startswith("conversation")][1:]
    assert [n["topic"] for n in notes] == [
        "conversation.admin.open.assigned",
        "conversation.admin.closed",
        "conversation.admin.assigned",
        "conversation_part.tag.created",
    ]
    item = notes[-1]["data"]["item"]
    [part] = item["conversation_parts"]["conversation_parts"]
    assert "tags_added" not in item and part["tags_added"]["tags"][0]["name"] == "Later"


def test_refusals(sim: Simulator, api: httpx.Client, conv: dict[str, Any]) -> None:
    cid = conv["id"]
    tag = sim.add_tag("T")
    delete = f"/conversations/{cid}/tags/{tag['id']}"
    wrong_admin = {"type": "admin", "admin_id": "1", "message_type": "comment", "body": "x"}
    cases = [
        (api.request("DELETE", delete, json={"admin_id": ME}), 404, "tag_not_found"),
        (api.request("DELETE", f"/conversations/424/tags/{tag['id']}", json={"admin_id": ME}), 404, "not_found"),
        (api.request("DELETE", delete, json={}), 400, "parameter_not_found"),
        (api.post(f"/conversations/{cid}/reply", json=wrong_admin), 404, "admin_not_found"),
        (parts(api, cid, message_type="open", admin_id="1"), 404, "admin_not_found"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), response.text
    before = api.get(f"/conversations/{cid}").json()
    assert before["updated_at"] == conv["updated_at"], "a refused write changes nothing"
