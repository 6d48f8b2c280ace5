"""What each search knows of its fields (their types, virtual fields, day or second precision): contacts,
conversations and tickets, from the OpenAPI document's tables of searchable fields (vendor/intercom-openapi)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from intercom_sim.data_attributes import custom_type
from intercom_sim.query import ALIASES, CONTACT_DATE_FIELDS, CONVERSATION_DATE_FIELDS, Fields, Resolver, ids
from intercom_sim.tickets import DESCRIPTION, SEARCH_CATEGORY, TITLE

CONTACT_TYPES = {
    **dict.fromkeys(CONTACT_DATE_FIELDS, "date"),
    **dict.fromkeys(
        (
            "id",
            "role",
            "name",
            "email",
            "email_domain",
            "phone",
            "external_id",
            "language_override",
            "browser",
            "os",
            "location.country",
            "location.region",
            "location.city",
        ),
        "string",
    ),
    "owner_id": "integer",
    "unsubscribed_from_emails": "boolean",
    "marked_email_as_spam": "boolean",
    "has_hard_bounced": "boolean",
    "tag_id": "tag",
    "segment_id": "tag",
}
CONVERSATION_TYPES = {
    **dict.fromkeys(CONVERSATION_DATE_FIELDS, "date"),
    **dict.fromkeys(
        (
            "id",
            "source.type",
            "source.id",
            "source.delivered_as",
            "source.subject",
            "source.body",
            "source.author.id",
            "source.author.type",
            "source.author.name",
            "source.author.email",
            "source.url",
            "contact_ids",
            "teammate_ids",
            "state",
            "tag_ids",
            "priority",
            "statistics.last_closed_by_id",
            "conversation_rating.remark",
            "conversation_rating.contact_id",
            "conversation_rating.admin_d",
            "conversation_rating.admin_id",
        ),
        "string",
    ),
    **dict.fromkeys(
        (
            "admin_assignee_id",
            "team_assignee_id",
            "statistics.count_reopens",
            "statistics.count_assignments",
            "statistics.count_conversation_parts",
            "conversation_rating.score",
        ),
        "integer",
    ),
    "open": "boolean",
    "read": "boolean",
}
TICKET_TYPES = {
    "created_at": "date",
    "updated_at": "date",
    "snoozed_until": "date",
    **dict.fromkeys(
        (
            "id",
            "title",
            "description",
            "category",
            "ticket_type_id",
            "contact_ids",
            "teammate_ids",
            "admin_assignee_id",
            "team_assignee_id",
            "state",
            "ticket_state_id",
        ),
        "string",
    ),
    "open": "boolean",
}


def _rating(key: str) -> Resolver:
    return lambda item: (item.get("conversation_rating") or {}).get(key)


def _rating_ref(key: str) -> Resolver:
    return lambda item: ((item.get("conversation_rating") or {}).get(key) or {}).get("id")


CONVERSATION_VIRTUAL: dict[str, Resolver] = {
    **ALIASES,
    "conversation_rating.score": _rating("rating"),
    "conversation_rating.requested_at": _rating("created_at"),
    "conversation_rating.replied_at": _rating("updated_at"),
    "conversation_rating.contact_id": _rating_ref("contact"),
    "conversation_rating.admin_d": _rating_ref("teammate"),  # sic, as the OpenAPI's table spells it
    "conversation_rating.admin_id": _rating_ref("teammate"),
}


def _ticket_attributes_by_id(item: Mapping[str, Any]) -> dict[str, Any]:
    """`ticket_attribute.{id}`: the ticket's attribute values keyed by the attribute's id."""
    listed = ((item.get("ticket_type") or {}).get("ticket_type_attributes") or {}).get("data", [])
    values = item.get("ticket_attributes") or {}
    return {str(a["id"]): values.get(a["name"]) for a in listed}


TICKET_VIRTUAL: dict[str, Resolver] = {
    "title": lambda item: (item.get("ticket_attributes") or {}).get(TITLE),
    "description": lambda item: (item.get("ticket_attributes") or {}).get(DESCRIPTION),
    "category": lambda item: SEARCH_CATEGORY.get(str(item.get("category"))),
    "ticket_type_id": lambda item: (item.get("ticket_type") or {}).get("id"),
    "contact_ids": ids("contacts", "contacts"),
    "teammate_ids": lambda item: [
        str(p["author"]["id"]) for p in item["ticket_parts"]["ticket_parts"] if p["author"]["type"] == "admin"
    ],
    "admin_assignee_id": lambda item: str(item.get("admin_assignee_id") or 0),
    "team_assignee_id": lambda item: str(item.get("team_assignee_id") or 0),
    "state": lambda item: (item.get("ticket_state") or {}).get("category"),
    "ticket_state_id": lambda item: (item.get("ticket_state") or {}).get("id"),
    "ticket_attribute.": _ticket_attributes_by_id,
}


def contact_fields(custom: list[dict[str, Any]], tz: ZoneInfo) -> Fields:
    """Contact search: dates (and date custom attributes) by calendar day in the workspace's timezone."""

    def type_of(name: str) -> str | None:
        if name.startswith("custom_attributes."):
            return custom_type(custom, "contact", name.split(".", 1)[1])
        return CONTACT_TYPES.get(name)

    virtual = {"tag_id": ids("tags", "data"), "segment_id": lambda item: []}
    return Fields(type_of=type_of, virtual=virtual, day_tz=tz)


def conversation_fields(tz: ZoneInfo | None) -> Fields:
    return Fields(type_of=CONVERSATION_TYPES.get, virtual=CONVERSATION_VIRTUAL, day_tz=tz)


def ticket_fields(tz: ZoneInfo | None) -> Fields:
    return Fields(type_of=TICKET_TYPES.get, virtual=TICKET_VIRTUAL, day_tz=tz)
