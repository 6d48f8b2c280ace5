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
    CompanyId,
    CustomAttributes,
    Email,
    OptionalAdminId,
    OptionalEmail,
    OptionalHttpsUrl,
    OptionalId,
    OptionalText,
    OptionalTimestamp,
    PageQuery,
    PerPage,
    TagName,
    acting_admin_field,
    check_flat_object,
    page_size,
)
from shared.actions.search import Filter, SearchBody, filter_field, filters_field
from shared.errors import BadRequest
from shared.models.designer import CONTACT_ATTRIBUTES, designer

MAX_METADATA = 10
MAX_EVENT_NAME = 255
_IMAGE_URL = "https URL of the lead's avatar image"


def custom_attributes_field() -> Any:
    """A contact's `custom_attributes`: in the designer, one typed field per custom attribute of the workspace."""
    return Field(
        None,
        title="Custom Attributes",
        description="Custom attributes to set: names to strings, numbers, booleans or null",
        json_schema_extra=designer("advanced", typed=CONTACT_ATTRIBUTES),
    )


class _Contact(Body):
    email: Email = Field(
        title="Email", description="The contact's email address (required)", json_schema_extra=designer("important")
    )
    name: OptionalText = Field(None, max_length=255, title="Name", json_schema_extra=designer("important"))
    phone: OptionalText = Field(None, max_length=50, title="Phone")
    companies: Companies = Field(
        default_factory=list,
        title="Company IDs",
        description="Intercom company id, or a list of them",
        json_schema_extra=designer("advanced"),
    )
    custom_attributes: CustomAttributes = custom_attributes_field()


class UpsertUser(_Contact):
    """Body of Create or update user (POST /api/users)."""


class CreateLead(_Contact):
    """Body of Create new lead (POST /api/leads)."""

    image_url: OptionalHttpsUrl = Field(
        None, title="Image URL", description=_IMAGE_URL, json_schema_extra=designer("advanced")
    )


class UpdateUser(Body):
    """Body of Update user (PUT /api/users/{user_id}): only the fields given change; companies are added."""

    email: OptionalEmail = Field(
        None, title="Email", description="New email address", json_schema_extra=designer("important")
    )
    name: OptionalText = Field(None, max_length=255, title="Name", json_schema_extra=designer("important"))
    phone: OptionalText = Field(None, max_length=50, title="Phone")
    companies: Companies = Field(
        default_factory=list,
        title="Company IDs",
        description="Intercom company id, or a list of them, to add",
        json_schema_extra=designer("advanced"),
    )
    unsubscribed_from_emails: bool | None = Field(
        None,
        title="Is Unsubscribed",
        description="Whether the contact is unsubscribed from emails",
        json_schema_extra=designer("advanced"),
    )
    custom_attributes: CustomAttributes = custom_attributes_field()


class UpdateLead(UpdateUser):
    """Body of Update lead (PUT /api/leads/{contact_id})."""

    image_url: OptionalHttpsUrl = Field(
        None, title="Image URL", description=_IMAGE_URL, json_schema_extra=designer("advanced")
    )


class ListLeads(PageQuery):
    """Query of List all leads (GET /api/leads)."""

    per_page: PerPage = page_size("Leads")
    email: OptionalEmail = Field(
        None,
        title="Email",
        description="Only the leads with exactly this email address",
        json_schema_extra=designer("advanced"),
    )


class ListUsers(PageQuery):
    """Query of List all users (GET /api/users)."""

    per_page: PerPage = page_size("Users")
    email: OptionalEmail = Field(
        None,
        title="Email",
        description="Only the users with exactly this email address",
        json_schema_extra=designer("advanced"),
    )


class AddTag(Body):
    """Body of Add tag to contact (POST /api/contacts/{id}/tags)."""

    name: TagName = Field(
        title="Tag Name",
        description="Name of the tag; it is created when missing",
        json_schema_extra=designer("important"),
    )


class AddNote(Body):
    """Body of Add note to contact (POST /api/contacts/{id}/notes)."""

    body: str = Field(
        min_length=1,
        max_length=20_000,
        title="Note",
        description="Text of the note (HTML allowed)",
        json_schema_extra=designer("important"),
    )
    admin_id: OptionalAdminId = acting_admin_field("The admin who writes the note; default: the token's owner")


class AttachCompany(Body):
    """Body of Attach contact to company (POST /api/contacts/{id}/companies)."""

    company_id: CompanyId = Field(
        title="Company ID", description="Intercom id of the company", json_schema_extra=designer("important")
    )


class TrackEvent(Body):
    """Body of Track event (POST /api/events): exactly one of `email`, `user_id`, `id` names the contact."""

    event_name: str = Field(
        min_length=1,
        max_length=MAX_EVENT_NAME,
        title="Event Name",
        description="Name of the event",
        json_schema_extra=designer("important"),
    )
    email: OptionalEmail = Field(
        None, title="Email", description="Email of the user", json_schema_extra=designer("important")
    )
    user_id: OptionalText = Field(None, max_length=255, title="User ID", description="Your external id of the user")
    id: OptionalId = Field(None, title="Contact ID", description="Intercom id of the contact (leads need it)")
    created_at: OptionalTimestamp = Field(
        None,
        title="Created Date-Time",
        description="When it happened (default: now)",
        json_schema_extra=designer("advanced"),
    )
    metadata: dict[str, str | int | float] | None = Field(
        None,
        title="Metadata",
        description=f"At most {MAX_METADATA} names to strings or numbers (no nested objects)",
        json_schema_extra=designer("advanced"),
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


class ContactFilter(Filter):
    """One condition of Find contacts."""

    field: str = filter_field("contacts")


class FindContacts(SearchBody):
    """Body of Find contacts (POST /api/contacts/search)."""

    filters: list[ContactFilter] = filters_field()
