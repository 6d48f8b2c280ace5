"""The shapes only the connector names, and the display name (`x-ms-summary`) of every property.

The contact and conversation shapes are the code's own (shared/models/common.py, shared/actions/parsing.py).
The list page,
the trigger batches and the error body are built as dicts by the handlers (functions/contacts.py,
functions/http.py, shared/errors.py); they are described here as pydantic models of the same JSON, so that the
definition is generated like the rest.

Display names follow the seed connector's (Microsoft's Intercom connector, interface §3), in English.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.actions.workspace import Admin
from shared.models.common import Conversation, Lead, Tag, User, _ContactShape
from shared.models.companies import Company


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


NextLink = Annotated[str | None, Field(description="URL of the next page, to call as it is; absent on the last page")]


class LeadPage(_Shape):
    """A page of List all leads."""

    value: list[Lead] = Field(description="The leads of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class UserPage(_Shape):
    """A page of List all users."""

    value: list[User] = Field(description="The users of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class CompanyPage(_Shape):
    """A page of List companies."""

    value: list[Company] = Field(description="The companies of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class ConversationPage(_Shape):
    """A page of List conversations."""

    value: list[Conversation] = Field(description="The conversations of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class AdminListing(_Shape):
    """The answer of List admins."""

    value: list[Admin]


class TagListing(_Shape):
    """The answer of List tags."""

    value: list[Tag]


class UserBatch(_Shape):
    """Events of a user trigger, oldest first (at most 100)."""

    value: list[User]


class LeadBatch(_Shape):
    """Events of a lead trigger, oldest first (at most 100)."""

    value: list[Lead]


class ConversationBatch(_Shape):
    """Events of a conversation trigger, oldest first (at most 100)."""

    value: list[Conversation]


class Contact(_ContactShape):
    """A user or a lead (`type` tells which): the contact of contact-tagged and contact-unsubscribed."""


class ContactBatch(_Shape):
    """Events of a contact trigger (users and leads), oldest first (at most 100)."""

    value: list[Contact]


class TaggedContact(_Shape):
    """A contact-tagged event: the tag and the contact it was added to."""

    tag: Tag
    contact: Contact


class TaggedBatch(_Shape):
    """Events of the contact-tagged trigger, oldest first (at most 100)."""

    value: list[TaggedContact]


class CompanyBatch(_Shape):
    """Events of a company trigger, oldest first (at most 100)."""

    value: list[Company]


class ErrorDetail(_Shape):
    field: str = Field(description="The input the detail is about (a body field, a parameter, a header)")
    message: str


class ErrorInfo(_Shape):
    code: str = Field(description="A stable code (see the error codes in the definition's description)")
    message: str
    details: list[ErrorDetail] = Field(default_factory=list, description="One entry per bad field")


class Error(_Shape):
    """The body of every error answer (interface §3)."""

    error: ErrorInfo


_CONTACT = {
    "type": "Type",
    "id": "ID",
    "user_id": "User ID",
    "email": "Email",
    "phone": "Phone",
    "name": "Name",
    "created_at": "Created Date-Time",
    "updated_at": "Updated Date-Time",
    "session_count": "Session Count",
    "unsubscribed_from_emails": "Is Unsubscribed",
    "pseudonym": "Pseudonym",
}
_BODY = {
    "email": "Email",
    "name": "Name",
    "phone": "Phone",
    "companies": "Company IDs",
}
_UPDATE = {
    **_BODY,
    "unsubscribed_from_emails": "Is Unsubscribed",
    "custom_attributes": "Custom Attributes",
}

SUMMARIES: dict[str, dict[str, str]] = {
    "User": _CONTACT,
    "Lead": _CONTACT,
    "Avatar": {"image_url": "Image URL"},
    "LocationData": {
        "city_name": "City Name",
        "country_name": "Country Name",
        "region_name": "Region Name",
        "postal_code": "Postal Code",
        "timezone": "Time Zone",
        "latitude": "Latitude",
        "longitude": "Longitude",
    },
    "NamedRef": {"id": "ID", "name": "Name"},
    "CompanyList": {"companies": "Companies"},
    "TagList": {"tags": "Tags"},
    "Conversation": {
        "id": "ID",
        "created_at": "Created Date",
        "updated_at": "Updated Date",
        "state": "State",
        "open": "Is Open",
    },
    "ConversationStatistics": {"last_close_at": "Last Closed Date"},
    "ConversationAssignee": {"id": "Assignee ID"},
    "ConversationAuthor": {"id": "Author ID", "type": "Author Type"},
    "ConversationMessage": {"body": "Body", "subject": "Subject", "url": "Message URL"},
    "ConversationUser": {"id": "User ID", "type": "User Type"},
    "UpsertUser": _BODY,
    "CreateLead": {**_BODY, "image_url": "Image URL"},
    "UpdateUser": _UPDATE,
    "UpdateLead": {**_UPDATE, "image_url": "Image URL"},
    "AddTag": {"name": "Tag Name"},
    "AddNote": {"body": "Note", "admin_id": "Admin ID"},
    "AttachCompany": {"company_id": "Company ID"},
    "TrackEvent": {
        "event_name": "Event Name",
        "email": "Email",
        "user_id": "User ID",
        "id": "Contact ID",
        "created_at": "Created Date-Time",
        "metadata": "Metadata",
    },
    "Tag": {"id": "Tag ID", "name": "Tag Name"},
    "Note": {"id": "Note ID", "body": "Body", "created_at": "Created Date-Time"},
    "IdRef": {"id": "ID"},
    "ContactArchived": {"id": "Contact ID", "archived": "Is Archived"},
    "Company": {
        "id": "Company ID",
        "company_id": "Your Company ID",
        "name": "Name",
        "plan": "Plan",
        "size": "Size",
        "website": "Website",
        "industry": "Industry",
        "monthly_spend": "Monthly Spend",
        "user_count": "User Count",
        "created_at": "Created Date-Time",
        "updated_at": "Updated Date-Time",
        "custom_attributes": "Custom Attributes",
    },
    "LeadPage": {"value": "Leads", "nextLink": "Next Link"},
    "CompanyPage": {"value": "Companies", "nextLink": "Next Link"},
    "ConversationPage": {"value": "Conversations", "nextLink": "Next Link"},
    "AdminListing": {"value": "Admins"},
    "TagListing": {"value": "Tags"},
    "Admin": {"id": "Admin ID", "name": "Name", "email": "Email", "away_mode_enabled": "Is Away"},
    "UpsertCompany": {
        "company_id": "Your Company ID",
        "name": "Name",
        "plan": "Plan",
        "size": "Size",
        "website": "Website",
        "industry": "Industry",
        "monthly_spend": "Monthly Spend",
        "custom_attributes": "Custom Attributes",
    },
    "TagByName": {"name": "Tag Name"},
    "TagConversation": {"name": "Tag Name", "admin_id": "Admin ID"},
    "StartConversation": {"contact_id": "Contact ID", "body": "Message"},
    "ReplyToConversation": {
        "body": "Reply",
        "message_type": "Reply Type",
        "admin_id": "Admin ID",
        "contact_id": "Reply As Contact ID",
    },
    "CloseConversation": {"body": "Closing Message", "admin_id": "Admin ID"},
    "OpenConversation": {"admin_id": "Admin ID"},
    "SnoozeConversation": {"snoozed_until": "Snooze Until", "admin_id": "Admin ID"},
    "AssignConversation": {"assignee_id": "Assignee ID", "admin_id": "Admin ID", "body": "Message"},
    "UserPage": {"value": "Users", "nextLink": "Next Link"},
    "UserBatch": {"value": "Users"},
    "LeadBatch": {"value": "Leads"},
    "ConversationBatch": {"value": "Conversations"},
    "Contact": _CONTACT,
    "ContactBatch": {"value": "Contacts"},
    "TaggedBatch": {"value": "Taggings"},
    "CompanyBatch": {"value": "Companies"},
    "Error": {},
    "ErrorInfo": {"code": "Error Code", "message": "Error Message", "details": "Details"},
    "ErrorDetail": {"field": "Field", "message": "Message"},
}

_UPDATE_VISIBILITY = {
    "email": "important",
    "name": "important",
    "companies": "advanced",
    "unsubscribed_from_emails": "advanced",
    "custom_attributes": "advanced",
}
# Inputs a flow maker sees first (`important`) or under "advanced" (`advanced`); the rest are plain.
BODY_VISIBILITY: dict[str, dict[str, str]] = {
    "UpsertUser": {"email": "important", "name": "important", "companies": "advanced"},
    "CreateLead": {"email": "important", "name": "important", "companies": "advanced", "image_url": "advanced"},
    "UpsertCompany": {"company_id": "important", "name": "important", "custom_attributes": "advanced"},
    "ReplyToConversation": {"body": "important", "contact_id": "advanced"},
    "TagConversation": {"admin_id": "advanced"},
    "CloseConversation": {"admin_id": "advanced"},
    "OpenConversation": {"admin_id": "advanced"},
    "SnoozeConversation": {"admin_id": "advanced"},
    "AssignConversation": {"admin_id": "advanced"},
    "UpdateUser": _UPDATE_VISIBILITY,
    "UpdateLead": {**_UPDATE_VISIBILITY, "image_url": "advanced"},
    "AddTag": {"name": "important"},
    "AddNote": {"body": "important", "admin_id": "advanced"},
    "AttachCompany": {"company_id": "important"},
    "TrackEvent": {"event_name": "important", "email": "important", "created_at": "advanced", "metadata": "advanced"},
}


def set_body_visibility(definitions: dict[str, dict[str, Any]]) -> None:
    for name, fields in BODY_VISIBILITY.items():
        props = definitions[name]["properties"]
        for field, visibility in fields.items():
            props[field]["x-ms-visibility"] = visibility
