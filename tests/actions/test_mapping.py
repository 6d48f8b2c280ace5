"""Mapping an Intercom contact to User/Lead (every field present, null when absent) and the name cache."""

from __future__ import annotations

import json
from typing import Any

import pytest

from intercom_sim import Simulator
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomNotFound
from shared.intercom.names import NameCache, contact_names
from shared.models.common import format_timestamp
from shared.models.contacts import Lead, User, contact_to_model
from shared.models.conversations import conversation_to_model

USER_KEYS = {
    "type",
    "id",
    "user_id",
    "email",
    "phone",
    "name",
    "created_at",
    "updated_at",
    "session_count",
    "avatar",
    "unsubscribed_from_emails",
    "location_data",
    "pseudonym",
    "companies",
    "tags",
}
LOCATION_KEYS = {"city_name", "country_name", "region_name", "postal_code", "timezone", "latitude", "longitude"}


def deadline() -> Deadline:
    return Deadline.after(5)


def test_minimal_contact_has_every_field_as_null() -> None:
    out = json.loads(contact_to_model({"id": "abc", "role": "lead"}).model_dump_json())
    assert set(out) == USER_KEYS
    assert out["type"] == "lead"
    assert set(out["location_data"]) == LOCATION_KEYS
    assert all(v is None for v in out["location_data"].values())
    assert out["avatar"] == {"image_url": None}
    assert out["companies"] == {"companies": []}
    assert out["tags"] == {"tags": []}
    for key in USER_KEYS - {"type", "id", "avatar", "location_data", "companies", "tags"}:
        assert out[key] is None, key


def test_full_contact_maps_fields_names_and_timestamps() -> None:
    contact: dict[str, Any] = {
        "type": "contact",
        "id": "c1",
        "role": "user",
        "external_id": "ext-9",
        "email": "a@b.io",
        "phone": "+420 1",
        "name": "Ann",
        "created_at": 1_700_000_000,
        "updated_at": 1_700_000_001,
        "unsubscribed_from_emails": False,
        "avatar": {"type": "avatar", "image_url": "https://x.io/a.png"},
        "location": {"city": "Prague", "country": "Czechia", "region": "Praha"},
        "companies": {"type": "list", "data": [{"type": "company", "id": "co1"}, {"type": "company", "id": "co2"}]},
        "tags": {"type": "list", "data": [{"type": "tag", "id": "t1"}]},
    }
    model = contact_to_model(contact, {"co1": "Acme"}, {"t1": "VIP"})
    assert isinstance(model, User)
    out = json.loads(model.model_dump_json())
    assert out["type"] == "user"
    assert out["user_id"] == "ext-9"
    assert out["created_at"] == "2023-11-14T22:13:20.000Z"
    assert out["updated_at"] == "2023-11-14T22:13:21.000Z"
    assert out["avatar"]["image_url"] == "https://x.io/a.png"
    assert out["location_data"]["city_name"] == "Prague"
    assert out["location_data"]["country_name"] == "Czechia"
    assert out["location_data"]["region_name"] == "Praha"
    assert out["companies"]["companies"] == [{"id": "co1", "name": "Acme"}, {"id": "co2", "name": None}]
    assert out["tags"]["tags"] == [{"id": "t1", "name": "VIP"}]
    assert out["unsubscribed_from_emails"] is False


@pytest.mark.parametrize(
    ("unix", "text"),
    [(0, "1970-01-01T00:00:00.000Z"), (1_700_000_000.5, "2023-11-14T22:13:20.500Z"), (None, None)],
)
def test_timestamp_format(unix: float | None, text: str | None) -> None:
    assert format_timestamp(unix) == text


def test_simulator_contact_maps_to_lead(intercom: Simulator, client: IntercomClient) -> None:
    company = intercom.add_company("Acme Ltd")
    tag = intercom.add_tag("Hot")
    lead = intercom.add_contact("lead", email="l@x.io", name="L")
    intercom.attach_company(lead["id"], company["id"])
    intercom.tag_contact(lead["id"], tag["id"])
    contact = client.get(f"/contacts/{lead['id']}", deadline=deadline())
    companies, tags = contact_names(client, contact, deadline())
    model = contact_to_model(contact, companies, tags)
    assert isinstance(model, Lead)
    assert model.companies.companies[0].name == "Acme Ltd"
    assert model.tags.tags[0].name == "Hot"


def _calls(sim: Simulator, prefix: str) -> int:
    return sum(1 for r in sim.requests() if r.path.startswith(prefix))


def test_names_are_cached_per_connection(intercom: Simulator, client: IntercomClient) -> None:
    company = intercom.add_company("Acme")
    tags = [intercom.add_tag(f"T{i}") for i in range(3)]
    contacts = []
    for i in range(5):
        c = intercom.add_contact("lead", email=f"n{i}@x.io")
        intercom.attach_company(c["id"], company["id"])
        for t in tags:
            intercom.tag_contact(c["id"], t["id"])
        contacts.append(client.get(f"/contacts/{c['id']}", deadline=deadline()))
    intercom.clear_requests()
    for contact in contacts:
        companies, tag_names = contact_names(client, contact, deadline())
        assert companies == {company["id"]: "Acme"}
        assert tag_names == {t["id"]: t["name"] for t in tags}
    assert _calls(intercom, "/tags") == 1
    assert _calls(intercom, "/companies") == 1


def test_an_unknown_tag_refreshes_the_list_once_per_floor(intercom: Simulator, client: IntercomClient) -> None:
    now = [1000.0]
    cache = NameCache(clock=lambda: now[0])
    first = intercom.add_tag("First")
    assert cache.tag_names(client, [first["id"]], deadline()) == {first["id"]: "First"}
    second = intercom.add_tag("Second")
    # within the refresh floor an unknown id does not cost a call
    now[0] += 5
    intercom.clear_requests()
    assert cache.tag_names(client, [second["id"]], deadline()) == {}
    assert _calls(intercom, "/tags") == 0
    now[0] += 30
    assert cache.tag_names(client, [second["id"]], deadline()) == {second["id"]: "Second"}
    assert _calls(intercom, "/tags") == 1
    third = intercom.add_tag("Third")  # a tag an event names (contact-tagged) is rechecked at once
    now[0] += 1
    assert cache.tag_names(client, [third["id"]], deadline()) == {}
    assert cache.tag_names(client, [third["id"]], deadline(), recheck_unknown=True) == {third["id"]: "Third"}
    assert _calls(intercom, "/tags") == 2


def test_company_names_expire_after_the_ttl(intercom: Simulator, client: IntercomClient) -> None:
    now = [0.0]
    cache = NameCache(clock=lambda: now[0])
    company = intercom.add_company("Old", company_id="acme")
    assert cache.company_name(client, company["id"], deadline()) == "Old"
    intercom.add_company("New", company_id="acme")  # rename (upsert by company_id)
    now[0] += 599
    assert cache.company_name(client, company["id"], deadline()) == "Old"
    now[0] += 2
    assert cache.company_name(client, company["id"], deadline()) == "New"


def test_unknown_company_is_remembered_briefly(intercom: Simulator, client: IntercomClient) -> None:
    now = [0.0]
    cache = NameCache(clock=lambda: now[0])
    with pytest.raises(IntercomNotFound):
        cache.company_name(client, "nope", deadline())
    intercom.clear_requests()
    with pytest.raises(IntercomNotFound):
        cache.company_name(client, "nope", deadline())
    assert _calls(intercom, "/companies") == 0
    assert cache.company_names(client, ["nope"], deadline()) == {}
    with pytest.raises(IntercomNotFound):
        cache.company_name(client, "nope", deadline(), recheck_missing=True)
    assert _calls(intercom, "/companies") == 1


def test_oddly_typed_intercom_json_still_maps() -> None:
    """One contact or conversation whose JSON strays from the schema must not stop a trigger (its event could never
    be logged): strings are stringified, non-objects and non-numbers become null."""
    contact = {
        "id": 42,
        "role": "user",
        "external_id": 1234,
        "email": "odd@example.com",
        "name": ["not", "a", "string"],
        "created_at": "yesterday",
        "updated_at": True,
        "location": "Prague",
        "avatar": 7,
        "unsubscribed_from_emails": "no",
    }
    user = contact_to_model(contact)
    assert (user.id, user.user_id, user.created_at, user.updated_at) == ("42", "1234", None, None)
    assert user.location_data.city_name is None
    assert user.unsubscribed_from_emails is None
    conversation = conversation_to_model(
        {"id": 5, "created_at": 1700000000, "source": "email", "contacts": ["x"], "admin_assignee_id": "7"}
    )
    assert (conversation.id, conversation.assignee.id, conversation.user.id) == ("5", "7", None)
    assert conversation.conversation_message.body is None
