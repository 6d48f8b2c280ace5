"""The simulator's contact writes and events answer as Intercom's OpenAPI document (2.16) says (the schemas and the
`validate` / `api` helpers of test_schema_conformance.py)."""

from __future__ import annotations

import httpx
import jsonschema
import pytest

from intercom_sim import Simulator
from tests.simulator.test_schema_conformance import api, validate

__all__ = ["api"]  # the fixture, used by name


def test_archive_unarchive_delete(api: httpx.Client, sim: Simulator) -> None:
    contact = sim.add_contact("lead", email="arch@x.io")
    validate("contact_archived", api.post(f"/contacts/{contact['id']}/archive").json())
    validate("contact_unarchived", api.post(f"/contacts/{contact['id']}/unarchive").json())
    deleted = api.delete(f"/contacts/{contact['id']}")
    assert deleted.json()["deleted"] is True
    validate("contact_deleted", deleted.json())
    validate("error", api.get(f"/contacts/{contact['id']}").json())


def test_note_tag_company_links(api: httpx.Client, sim: Simulator) -> None:
    contact = sim.add_contact("user", email="links@x.io")
    company = sim.add_company("Links Ltd")
    tag = sim.add_tag("Linked")
    note = api.post(f"/contacts/{contact['id']}/notes", json={"body": "Hi"})
    validate("note", note.json())
    assert note.json()["author"]["id"] == api.get("/me").json()["id"]
    validate("tag", api.post(f"/contacts/{contact['id']}/tags", json={"id": tag["id"]}).json())
    validate("tag", api.delete(f"/contacts/{contact['id']}/tags/{tag['id']}").json())
    validate("company", api.post(f"/contacts/{contact['id']}/companies", json={"id": company["id"]}).json())
    validate("company", api.delete(f"/contacts/{contact['id']}/companies/{company['id']}").json())
    not_attached = api.delete(f"/contacts/{contact['id']}/companies/{company['id']}")
    assert not_attached.status_code == 404
    validate("error", not_attached.json())


def test_events_are_accepted_empty_and_deduped(api: httpx.Client, sim: Simulator) -> None:
    contact = sim.add_contact("user", email="ev@x.io", external_id="ext-ev")
    event = {"event_name": "ordered", "created_at": 1700000000, "user_id": "ext-ev", "metadata": {"n": "1"}}
    validate("create_data_event_request", event)
    first = api.post("/events", json=event)
    assert (first.status_code, first.content) == (202, b"")
    assert api.post("/events", json={**event, "user_id": None, "id": contact["id"]}).status_code == 202
    assert len(sim._ws.events) == 1, "deduped on (contact, event_name, created_at)"
    unknown = api.post("/events", json={**event, "user_id": "nobody"})
    assert unknown.status_code == 404
    validate("error", unknown.json())
    with pytest.raises(jsonschema.ValidationError):
        validate("contact_archived", {"type": "contact", "id": 1})
