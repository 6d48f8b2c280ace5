"""Mapping an Intercom `ticket` (API 2.16) to the connector's Ticket (interface §9)."""

from __future__ import annotations

import json
from typing import Any

from shared.models.tickets import Ticket, ticket_to_model

TICKET_KEYS = {
    "id",
    "ticket_id",
    "title",
    "description",
    "category",
    "ticket_type",
    "ticket_state",
    "ticket_attributes",
    "contacts",
    "company_id",
    "admin_assignee_id",
    "team_assignee_id",
    "open",
    "snoozed_until",
    "created_at",
    "updated_at",
}

# The 2.16 OpenAPI's "Update a ticket" example, trimmed of the parts the connector does not show.
INTERCOM_TICKET: dict[str, Any] = {
    "type": "ticket",
    "id": "627",
    "ticket_id": "34",
    "ticket_attributes": {
        "_default_title_": "example",
        "_default_description_": "there is a problem",
        "Platform": "opt-web",
        "Photos": [{"type": "file", "name": "photo.png"}],
    },
    "ticket_state": {
        "type": "ticket_state",
        "id": "8498",
        "category": "in_progress",
        "internal_label": "In progress",
        "external_label": "In progress",
    },
    "ticket_type": {"type": "ticket_type", "id": "90", "name": "my-ticket-type-25", "category": "Back-office"},
    "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6762f2dd", "external_id": "8d"}]},
    "admin_assignee_id": 991268013,
    "team_assignee_id": 0,
    "created_at": 1734537950,
    "updated_at": 1734537955,
    "open": True,
    "snoozed_until": 1734627600,
    "category": "Back-office",
    "is_shared": False,
}


def dump(ticket: Ticket) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(ticket.model_dump_json())
    return result


def test_full_ticket_maps_every_field() -> None:
    out = dump(ticket_to_model(INTERCOM_TICKET))
    assert out == {
        "id": "627",
        "ticket_id": "34",
        "title": "example",
        "description": "there is a problem",
        "category": "Back-office",
        "ticket_type": {"id": "90", "name": "my-ticket-type-25"},
        "ticket_state": {
            "id": "8498",
            "category": "in_progress",
            "internal_label": "In progress",
            "external_label": "In progress",
        },
        "ticket_attributes": {"Platform": "opt-web", "Photos": [{"type": "file", "name": "photo.png"}]},
        "contacts": [{"id": "6762f2dd"}],
        "company_id": None,
        "admin_assignee_id": "991268013",
        "team_assignee_id": None,
        "open": True,
        "snoozed_until": "2024-12-19T17:00:00.000Z",
        "created_at": "2024-12-18T16:05:50.000Z",
        "updated_at": "2024-12-18T16:05:55.000Z",
    }


def test_minimal_ticket_has_every_field_null_or_empty() -> None:
    out = dump(ticket_to_model({"id": 5}))
    assert set(out) == TICKET_KEYS
    assert out["id"] == "5"
    assert out["ticket_type"] == {"id": None, "name": None}
    assert out["ticket_state"] == {"id": None, "category": None, "internal_label": None, "external_label": None}
    assert out["ticket_attributes"] == {}
    assert out["contacts"] == []
    for key in TICKET_KEYS - {"id", "ticket_type", "ticket_state", "ticket_attributes", "contacts"}:
        assert out[key] is None, key


def test_odd_values_never_fail_the_mapping() -> None:
    odd = {
        "id": "9",
        "ticket_id": True,
        "ticket_attributes": ["not", "an", "object"],
        "ticket_state": "resolved",  # older payloads: a flat string
        "ticket_type": "Bug",
        "contacts": [{"id": "c1"}, {"id": None}, "c2", {"id": False}],
        "admin_assignee_id": "0",
        "team_assignee_id": {"id": 3},
        "open": "yes",
        "created_at": "2024-01-01",
        "company": {"id": "co-1"},
    }
    out = dump(ticket_to_model(odd))
    assert out["ticket_id"] is None
    assert out["ticket_attributes"] == {}
    assert out["ticket_state"] == {
        "id": None,
        "category": "resolved",
        "internal_label": "resolved",
        "external_label": None,
    }
    assert out["ticket_type"] == {"id": None, "name": None}
    assert out["contacts"] == [{"id": "c1"}]
    assert out["admin_assignee_id"] is None
    assert out["team_assignee_id"] is None
    assert out["open"] is None
    assert out["created_at"] is None
    assert out["company_id"] == "co-1"


def test_an_unknown_flat_state_keeps_its_text_without_a_category() -> None:
    out = dump(ticket_to_model({"id": "1", "ticket_state": "paused"}))
    assert out["ticket_state"]["category"] is None
    assert out["ticket_state"]["internal_label"] == "paused"


def test_title_falls_back_to_a_top_level_title_and_category_to_the_type() -> None:
    ticket = {"id": "1", "title": "Top", "ticket_type": {"id": 7, "category": "Tracker"}, "company_id": 12}
    out = dump(ticket_to_model(ticket))
    assert out["title"] == "Top"
    assert out["category"] == "Tracker"
    assert out["ticket_type"]["id"] == "7"
    assert out["company_id"] == "12"
