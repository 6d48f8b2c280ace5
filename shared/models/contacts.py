"""Contacts (interface §2, §7): the connector's `User` and `Lead`, what the contact actions answer besides them
(`Note`, `ContactArchived`), and their mapping from Intercom's `contact` and `note`.

Intercom 2.x dropped some 1.x fields (pseudonym, session_count, location latitude/longitude/postal code/timezone):
they stay in the shape for compatibility with the seed connector and are always null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from shared.models.common import TIMESTAMP, NamedRef, Shape, as_flag, as_object, as_text, format_timestamp
from shared.models.tags import TagList

_GONE = "Not returned by Intercom 2.x; always null"


class Avatar(Shape):
    image_url: str | None = Field(None, title="Image URL", description="URL of the contact's avatar image")


class LocationData(Shape):
    city_name: str | None = Field(None, title="City Name")
    country_name: str | None = Field(None, title="Country Name")
    region_name: str | None = Field(None, title="Region Name")
    postal_code: str | None = Field(None, title="Postal Code", description=_GONE)
    timezone: str | None = Field(None, title="Time Zone", description=_GONE)
    latitude: float | None = Field(None, title="Latitude", description=_GONE)
    longitude: float | None = Field(None, title="Longitude", description=_GONE)


class CompanyList(Shape):
    companies: list[NamedRef] = Field(default_factory=list, title="Companies")


class ContactShape(Shape):
    """The fields of every contact; `User`, `Lead` (and the triggers' `Contact`) differ only in `type`."""

    type: Literal["user", "lead"] = Field(
        title="Type", description="user or lead; the subclasses pin it (listed first in the JSON)"
    )
    id: str = Field(title="ID", description="Intercom id of the contact")
    user_id: str | None = Field(None, title="User ID", description="Your external id (Intercom external_id)")
    email: str | None = Field(None, title="Email")
    phone: str | None = Field(None, title="Phone")
    name: str | None = Field(None, title="Name")
    created_at: str | None = Field(None, title="Created Date-Time", description=TIMESTAMP)
    updated_at: str | None = Field(None, title="Updated Date-Time", description=TIMESTAMP)
    session_count: int | None = Field(None, title="Session Count", description=_GONE)
    avatar: Avatar = Field(default_factory=Avatar)
    unsubscribed_from_emails: bool | None = Field(None, title="Is Unsubscribed")
    location_data: LocationData = Field(default_factory=LocationData)
    pseudonym: str | None = Field(None, title="Pseudonym", description=_GONE)
    companies: CompanyList = Field(default_factory=CompanyList)
    tags: TagList = Field(default_factory=TagList)


class User(ContactShape):
    type: Literal["user"] = Field("user", title="Type")


class Lead(ContactShape):
    type: Literal["lead"] = Field("lead", title="Type")


class Contact(ContactShape):
    """A user or a lead (`type` tells which): what Find contacts finds, and the contact of contact-tagged and
    contact-unsubscribed."""


class IdRef(Shape):
    id: str | None = Field(None, title="ID")


class Note(Shape):
    """A note on a contact: what Add note to contact answers."""

    id: str = Field(title="Note ID")
    body: str | None = Field(None, title="Body", description="The note's text as Intercom stores it (HTML)")
    created_at: str | None = Field(None, title="Created Date-Time", description=TIMESTAMP)
    author: IdRef = Field(default_factory=IdRef, description="The admin who wrote it")
    contact: IdRef = Field(default_factory=IdRef, description="The contact it is on")


class ContactArchived(Shape):
    """What Archive contact and Unarchive contact answer."""

    id: str = Field(title="Contact ID", description="Intercom id of the contact")
    archived: bool = Field(title="Is Archived", description="Whether the contact is now archived")


def _refs(items: Any, names: Mapping[str, str]) -> list[NamedRef]:
    if not isinstance(items, dict):
        return []
    return [
        NamedRef(id=str(item["id"]), name=names.get(str(item["id"])))
        for item in items.get("data") or []
        if isinstance(item, dict) and item.get("id") is not None
    ]


def _contact_fields(
    contact: Mapping[str, Any], company_names: Mapping[str, str], tag_names: Mapping[str, str]
) -> dict[str, Any]:
    avatar = contact.get("avatar")
    location = as_object(contact.get("location"))
    return {
        "id": str(contact["id"]),
        "user_id": as_text(contact.get("external_id")),
        "email": as_text(contact.get("email")),
        "phone": as_text(contact.get("phone")),
        "name": as_text(contact.get("name")),
        "created_at": format_timestamp(contact.get("created_at")),
        "updated_at": format_timestamp(contact.get("updated_at")),
        "avatar": Avatar(image_url=as_text(avatar.get("image_url") if isinstance(avatar, dict) else avatar)),
        "unsubscribed_from_emails": as_flag(contact.get("unsubscribed_from_emails")),
        "location_data": LocationData(
            city_name=as_text(location.get("city")),
            country_name=as_text(location.get("country")),
            region_name=as_text(location.get("region")),
        ),
        "companies": CompanyList(companies=_refs(contact.get("companies"), company_names)),
        "tags": TagList(tags=_refs(contact.get("tags"), tag_names)),
    }


def contact_to_model(
    contact: Mapping[str, Any],
    company_names: Mapping[str, str] | None = None,
    tag_names: Mapping[str, str] | None = None,
) -> User | Lead:
    """An Intercom `contact` -> User (role user) or Lead (role lead); names come from the caller's caches."""
    fields = _contact_fields(contact, company_names or {}, tag_names or {})
    if contact.get("role") == "lead":
        return Lead(**fields)
    return User(**fields)


def _ref(value: Any) -> IdRef:
    ident = value.get("id") if isinstance(value, dict) else None
    return IdRef(id=None if ident is None or isinstance(ident, bool) else str(ident))


def note_to_model(note: Mapping[str, Any]) -> Note:
    """An Intercom `note` -> Note (its author is an admin object, its contact a reference)."""
    body = note.get("body")
    return Note(
        id=str(note["id"]),
        body=body if isinstance(body, str) else None,
        created_at=format_timestamp(note.get("created_at")),
        author=_ref(note.get("author")),
        contact=_ref(note.get("contact")),
    )
