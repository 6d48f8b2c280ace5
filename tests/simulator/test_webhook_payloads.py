# ruff: noqa: PT018
"""The simulator's webhook notifications: signature, envelope, the topic of each write, items as REST renders them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections import Counter
from typing import Any

import httpx
import pytest

from intercom_sim import Simulator
from tests.simulator.conftest import SECRET
from tests.simulator.receiver import Receiver

NOTIF_ID = re.compile(r"^notif_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def notifications(sim: Simulator, receiver: Receiver) -> list[dict[str, Any]]:
    """What arrived, in the order of the writes (several workers send at once, so arrival order varies)."""
    assert sim.flush_webhooks(5)
    arrived = {r.json["id"]: r.json for r in receiver.received()}
    assert len(arrived) == len(receiver.received())
    return [arrived[d.id] for d in sim.webhook_deliveries()]


def topics(sim: Simulator, receiver: Receiver) -> list[str]:
    return [n["topic"] for n in notifications(sim, receiver)]


def test_signed_envelope_carries_the_rest_json(hooked: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    created = api.post("/contacts", json={"role": "user", "email": "a@example.com"}).json()
    assert hooked.flush_webhooks(5)
    [got] = receiver.received()
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == "intercom-parrot-service-client/1.0"
    expected = "sha1=" + hmac.new(SECRET.encode(), got.body, hashlib.sha1).hexdigest()
    assert got.headers["x-hub-signature"] == expected
    assert got.headers["x-hub-signature"] != "sha1=" + hmac.new(b"other", got.body, hashlib.sha1).hexdigest()
    note = got.json
    assert NOTIF_ID.match(note["id"])
    assert note["type"] == "notification_event" and note["topic"] == "contact.user.created"
    assert note["app_id"] == api.get("/me").json()["app"]["id_code"]
    assert isinstance(note["created_at"], int) and abs(note["created_at"] - hooked.now()) < 5
    assert note["first_sent_at"] >= note["created_at"] and note["delivery_attempts"] == 1
    assert (note["delivery_status"], note["delivered_at"], note["links"], note["self"]) == ("pending", 0, {}, None)
    assert note["data"] == {"type": "notification_event_data", "item": api.get(f"/contacts/{created['id']}").json()}
    [logged] = hooked.webhook_deliveries()
    assert (logged.id, logged.topic, logged.object_id, logged.status) == (
        note["id"],
        "contact.user.created",
        created["id"],
        "sent",
    )
    assert [(a.number, a.status) for a in logged.attempts] == [(1, 200)]


def test_item_timestamps_are_iso_by_default_envelope_stays_unix(
    sim: Simulator, receiver: Receiver, api: httpx.Client
) -> None:
    sim.configure(webhook_url=receiver.url, webhook_secret=SECRET)
    assert sim.config.webhook_shapes == "2026"
    company = api.post("/companies", json={"company_id": "acme", "name": "Acme"}).json()
    contact = sim.add_contact("user", email="iso@example.com", created_at=1_768_019_003, updated_at=1_768_019_995)
    sim.update_contact(contact["id"], at=1_768_020_000, last_seen_at=1_768_019_999)
    notes = notifications(sim, receiver)
    assert [n["topic"] for n in notes] == ["company.created", "contact.user.created", "contact.user.updated"]
    assert unix(notes[0]["data"]["item"]["created_at"]) == company["created_at"]
    created, updated = notes[1]["data"]["item"], notes[2]["data"]["item"]
    assert ISO_MILLIS.match(created["created_at"]) and created["created_at"].startswith("2026-01-10T04:23:23.")
    assert created["updated_at"].startswith("2026-01-10T04:39:55.")
    millis = {created[k][20:23] for k in ("created_at", "updated_at")} | {updated["last_seen_at"][20:23]}
    assert millis != {"000"}, "milliseconds stand for the sub-second part: not always .000"
    assert (unix(updated["updated_at"]), unix(updated["last_seen_at"])) == (1_768_020_000, 1_768_019_999)
    assert created["signed_up_at"] == created["created_at"] and updated["last_replied_at"] is None
    assert all(isinstance(n["created_at"], int) and isinstance(n["first_sent_at"], int) for n in notes)
    sim.configure(webhook_iso_timestamps=False)  # the older switch still works
    assert sim.config.webhook_shapes == "classic"


ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


def unix(text: str) -> int:
    """An ISO-8601 item timestamp as the Unix second REST gives (milliseconds dropped)."""
    return int(dt.datetime.fromisoformat(text).timestamp())


def test_contact_writes_fire_their_topics(hooked: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    lead = api.post("/contacts", json={"role": "lead"}).json()
    api.put(f"/contacts/{lead['id']}", json={"email": "l@example.com"})
    api.put(f"/contacts/{lead['id']}", json={"role": "user"})
    api.put(f"/contacts/{lead['id']}", json={"unsubscribed_from_emails": True})
    api.put(f"/contacts/{lead['id']}", json={"name": "Same"})
    api.put(f"/contacts/{lead['id']}", json={"name": "Same"})  # no change: no notification
    assert topics(hooked, receiver) == [
        "contact.lead.created",
        "contact.lead.updated",
        "contact.lead.added_email",
        "contact.lead.signed_up",
        "contact.user.updated",
        "contact.user.updated",
        "contact.unsubscribed",
        "contact.user.updated",
    ]
    notes = notifications(hooked, receiver)
    final = api.get(f"/contacts/{lead['id']}").json()
    assert notes[-1]["data"]["item"] == final
    assert notes[3]["data"]["item"]["role"] == "user" and notes[3]["data"]["item"]["id"] == lead["id"]
    unsubscribed = notes[6]["data"]["item"]
    assert unsubscribed["type"] == "contact_unsubscribe" and unsubscribed["contact"]["unsubscribed_from_emails"]


def test_signed_up_on_conversion_can_be_off(hooked: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    hooked.configure(webhook_signed_up_on_conversion=False)
    lead = hooked.add_contact("lead", email="c@example.com")
    api.put(f"/contacts/{lead['id']}", json={"role": "user"})
    assert topics(hooked, receiver) == ["contact.lead.created", "contact.user.updated"]


def test_merge_notifies_the_surviving_user_only(hooked: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    lead = hooked.add_contact("lead", email=None, phone="+420111")
    user = hooked.add_contact("user", email="u@example.com")
    api.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]})
    notes = notifications(hooked, receiver)
    assert [n["topic"] for n in notes] == ["contact.lead.created", "contact.user.created", "contact.user.updated"]
    assert notes[-1]["data"]["item"]["phone"] == "+420111"


def test_tagging_sends_a_contact_tag_item_once(hooked: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    lead = hooked.add_contact("lead", email="t@example.com")
    tag = api.post("/tags", json={"name": "VIP"}).json()
    api.post(f"/contacts/{lead['id']}/tags", json={"id": tag["id"]})
    api.post(f"/contacts/{lead['id']}/tags", json={"id": tag["id"]})  # already tagged: nothing new
    notes = notifications(hooked, receiver)
    assert [n["topic"] for n in notes] == ["contact.lead.created", "contact.lead.tag.created"]
    item = notes[1]["data"]["item"]
    assert item["type"] == "contact_tag" and isinstance(item["created_at"], int)
    assert item["tag"] == {"type": "tag", "id": tag["id"], "name": "VIP"}
    assert item["contact"] == api.get(f"/contacts/{lead['id']}").json()
    assert item["contact"]["tags"]["data"][0]["id"] == tag["id"]


def test_conversations_carry_only_the_triggering_part(hooked: Simulator, receiver: Receiver) -> None:
    user = hooked.add_contact("user", email="v@example.com")
    conv = hooked.add_conversation(user["id"], body="<p>Help</p>")
    hooked.add_conversation(user["id"], author_type="admin")  # admin-initiated: not conversation.user.created
    hooked.update_conversation(conv["id"], at=conv["created_at"] + 60, state="closed")
    hooked.update_conversation(conv["id"], at=conv["created_at"] + 70, title="x")  # closed already
    notes = notifications(hooked, receiver)
    assert [n["topic"] for n in notes] == [
        "contact.user.created",
        "conversation.user.created",
        "conversation.admin.closed",
    ]
    started, closed = notes[1]["data"]["item"], notes[2]["data"]["item"]
    assert started["id"] == conv["id"] and started["source"]["body"] == "<p>Help</p>"
    assert started["conversation_parts"] == {
        "type": "conversation_part.list",
        "conversation_parts": [],
        "total_count": 0,
    }
    assert closed["state"] == "closed" and closed["conversation_parts"]["total_count"] == 1
    [part] = closed["conversation_parts"]["conversation_parts"]
    assert part["part_type"] == "close" and part["created_at"] == conv["created_at"] + 60
    assert part["author"]["type"] == "admin"


def test_topics_setting_filters_and_no_url_sends_nothing(sim: Simulator, receiver: Receiver, api: httpx.Client) -> None:
    api.post("/contacts", json={"role": "lead", "email": "before@example.com"})
    sim.configure(webhook_url=receiver.url, webhook_secret=SECRET, webhook_topics=["contact.user.created"])
    api.post("/contacts", json={"role": "lead", "email": "x@example.com"})
    api.post("/contacts", json={"role": "user", "email": "y@example.com"})
    sim.configure(webhook_url=None)
    api.post("/contacts", json={"role": "user", "email": "z@example.com"})
    assert topics(sim, receiver) == ["contact.user.created"]
    assert [d.topic for d in sim.webhook_deliveries()] == ["contact.user.created"]


def test_control_api_pings_reports_and_hides_the_secret(sim: Simulator, receiver: Receiver) -> None:
    with httpx.Client(base_url=sim.base_url, timeout=10) as c:
        assert c.post("/_sim/webhooks/ping").status_code == 400  # webhooks off
        cfg = c.post("/_sim/config", json={"webhook_url": receiver.url, "webhook_secret": SECRET}).json()
        assert cfg["webhook_secret"] == "***" and SECRET not in str(cfg)
        assert c.post("/_sim/config", json={"webhook_url": "http://example.com/hook"}).status_code == 400
        assert c.post("/_sim/config", json={"webhook_drop_rate": 1.5}).status_code == 400
        assert c.post("/_sim/config", json={"webhook_topics": ["contact.nope"]}).status_code == 400
        assert c.post("/_sim/webhooks/ping").status_code == 202
        assert c.post("/_sim/webhooks/flush", json={"timeout": 5}).json() == {"empty": True}
        log = c.get("/_sim/webhooks").json()
    [ping] = [r.json for r in receiver.received()]
    assert (ping["topic"], ping["id"], ping["data"]["item"]["type"]) == ("ping", None, "ping")
    assert log["disabled"] is None
    assert [(d["topic"], d["status"], d["attempts"][0]["status"]) for d in log["deliveries"]] == [("ping", "sent", 200)]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "http://10.0.0.1/x", "https://intercom.example/x"])
def test_webhook_url_must_be_loopback(sim: Simulator, url: str) -> None:
    with pytest.raises(ValueError, match="webhook_url"):
        sim.configure(webhook_url=url)
    assert sim.config.webhook_url is None
    assert Counter(d.status for d in sim.webhook_deliveries()) == Counter()
