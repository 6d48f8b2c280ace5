"""What callers send to the contact actions (interface §2, §7): one pydantic model per body or query.

The shared rules (unknown fields refused, strict types, trimmed strings, "" as not given, ids, timestamps) and the
field types are shared/actions/parsing.py's; docs/actions.md lists every rule for callers.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from shared.actions.parsing import (
    Body,
    Companies,
    CustomAttributes,
    Email,
    IntercomId,
    OptionalEmail,
    OptionalHttpsUrl,
    OptionalId,
    OptionalText,
    OptionalTimestamp,
    PageQuery,
    check_flat_object,
)
from shared.errors import BadRequest

MAX_METADATA = 10
MAX_EVENT_NAME = 255


class _Contact(Body):
    email: Email = Field(description="The contact's email address (required)")
    name: OptionalText = Field(None, max_length=255)
    phone: OptionalText = Field(None, max_length=50)
    companies: Companies = Field(default_factory=list, description="Intercom company id, or a list of them")


class UpsertUser(_Contact):
    """Body of Create or update user (POST /api/users)."""


class CreateLead(_Contact):
    """Body of Create new lead (POST /api/leads)."""

    image_url: OptionalHttpsUrl = Field(None, description="https URL of the lead's avatar image")


class UpdateUser(Body):
    """Body of Update user (PUT /api/users/{user_id}): only the fields given change; companies are added."""

    email: OptionalEmail = Field(None, description="New email address")
    name: OptionalText = Field(None, max_length=255)
    phone: OptionalText = Field(None, max_length=50)
    companies: Companies = Field(default_factory=list, description="Intercom company id, or a list of them, to add")
    unsubscribed_from_emails: bool | None = Field(None, description="Whether the contact is unsubscribed from emails")
    custom_attributes: CustomAttributes = Field(
        None, description="Custom attributes to set: names to strings, numbers, booleans or null"
    )


class UpdateLead(UpdateUser):
    """Body of Update lead (PUT /api/leads/{contact_id})."""

    image_url: OptionalHttpsUrl = Field(None, description="https URL of the lead's avatar image")


class ListLeads(PageQuery):
    """Query of List all leads (GET /api/leads)."""

    email: OptionalEmail = Field(None, description="Only the leads with exactly this email")


class ListUsers(PageQuery):
    """Query of List all users (GET /api/users)."""

    email: OptionalEmail = Field(None, description="Only the users with exactly this email")


class AddTag(Body):
    """Body of Add tag to contact (POST /api/contacts/{id}/tags)."""

    name: str = Field(min_length=1, max_length=255, description="Name of the tag; it is created when missing")


class AddNote(Body):
    """Body of Add note to contact (POST /api/contacts/{id}/notes)."""

    body: str = Field(min_length=1, max_length=20_000, description="Text of the note (HTML allowed)")
    admin_id: OptionalId = Field(None, description="The admin who writes the note; default: the token's owner")


class AttachCompany(Body):
    """Body of Attach contact to company (POST /api/contacts/{id}/companies)."""

    company_id: IntercomId = Field(description="Intercom id of the company")


class TrackEvent(Body):
    """Body of Track event (POST /api/events): exactly one of `email`, `user_id`, `id` names the contact."""

    event_name: str = Field(min_length=1, max_length=MAX_EVENT_NAME, description="Name of the event")
    email: OptionalEmail = Field(None, description="Email of the user")
    user_id: OptionalText = Field(None, max_length=255, description="Your external id of the user")
    id: OptionalId = Field(None, description="Intercom id of the contact (leads need it)")
    created_at: OptionalTimestamp = Field(None, description="When it happened (default: now)")
    metadata: dict[str, str | int | float] | None = Field(
        None, description=f"At most {MAX_METADATA} names to strings or numbers (no nested objects)"
    )

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> Any:
        return None if value is None else check_flat_object(value, max_keys=MAX_METADATA, booleans_and_nulls=False)

    @model_validator(mode="after")
    def _one_identifier(self) -> TrackEvent:
        given = [name for name in ("email", "user_id", "id") if getattr(self, name) is not None]
        if len(given) != 1:
            message = "give exactly one of email, user_id or id"
            named = given or ["email", "user_id", "id"]
            # Raised as the contract's 400 directly (pydantic passes it through): it names each field involved.
            raise BadRequest(message, details=[{"field": name, "message": message} for name in named])
        return self
