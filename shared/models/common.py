"""The connector's shapes (User, Lead, Conversation; interface §3, §7) and their mapping from Intercom's wire JSON.

Every field is present in the output, null when Intercom has none. Timestamps are `yyyy-MM-ddTHH:mm:ss.fffZ`.
Intercom 2.x dropped some 1.x fields (pseudonym, session_count, location latitude/longitude/postal code/timezone):
they stay in the shape for compatibility with the seed connector and are always null.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


def format_timestamp(unix: object) -> str | None:
    """Unix seconds -> `yyyy-MM-ddTHH:mm:ss.fffZ` (UTC); None, anything that is not a number, and a number no date
    has (NaN, beyond year 9999) give None."""
    if isinstance(unix, bool) or not isinstance(unix, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(float(unix), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Avatar(_Shape):
    image_url: str | None = Field(None, description="URL of the contact's avatar image")


class LocationData(_Shape):
    city_name: str | None = None
    country_name: str | None = None
    region_name: str | None = None
    postal_code: str | None = Field(None, description="Not returned by Intercom 2.x; always null")
    timezone: str | None = Field(None, description="Not returned by Intercom 2.x; always null")
    latitude: float | None = Field(None, description="Not returned by Intercom 2.x; always null")
    longitude: float | None = Field(None, description="Not returned by Intercom 2.x; always null")


class NamedRef(_Shape):
    id: str
    name: str | None = None


class Tag(_Shape):
    """A tag (interface §7): what the tag actions answer and List tags lists."""

    id: str
    name: str | None = None


class CompanyList(_Shape):
    companies: list[NamedRef] = Field(default_factory=list)


class TagList(_Shape):
    tags: list[NamedRef] = Field(default_factory=list)


class _ContactShape(_Shape):
    type: Literal["user", "lead"] = Field(description="user or lead; the subclasses pin it (listed first in the JSON)")
    id: str = Field(description="Intercom id of the contact")
    user_id: str | None = Field(None, description="Your external id (Intercom external_id)")
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    created_at: str | None = Field(None, description="yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")
    updated_at: str | None = Field(None, description="yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")
    session_count: int | None = Field(None, description="Not returned by Intercom 2.x; always null")
    avatar: Avatar = Field(default_factory=Avatar)
    unsubscribed_from_emails: bool | None = None
    location_data: LocationData = Field(default_factory=LocationData)
    pseudonym: str | None = Field(None, description="Not returned by Intercom 2.x; always null")
    companies: CompanyList = Field(default_factory=CompanyList)
    tags: TagList = Field(default_factory=TagList)


class User(_ContactShape):
    type: Literal["user"] = "user"


class Lead(_ContactShape):
    type: Literal["lead"] = "lead"


class ConversationAssignee(_Shape):
    id: str | None = None


class ConversationAuthor(_Shape):
    id: str | None = None
    type: str | None = None


class ConversationMessage(_Shape):
    author: ConversationAuthor = Field(default_factory=ConversationAuthor)
    body: str | None = None
    subject: str | None = None
    url: str | None = None


class ConversationUser(_Shape):
    id: str | None = None
    type: str | None = None


class ConversationStatistics(_Shape):
    last_contact_reply_at: str | None = Field(
        None, description="When the contact last replied: yyyy-MM-ddTHH:mm:ss.fffZ"
    )
    last_admin_reply_at: str | None = Field(None, description="When a teammate last replied: yyyy-MM-ddTHH:mm:ss.fffZ")
    last_assignment_at: str | None = Field(None, description="When it was last assigned: yyyy-MM-ddTHH:mm:ss.fffZ")
    last_close_at: str | None = Field(None, description="When it was last closed: yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")


class ConversationRatingParty(_Shape):
    id: str | None = None


class ConversationRating(_Shape):
    rating: int | None = Field(None, description="1 to 5")
    remark: str | None = None
    created_at: str | None = Field(None, description="When the rating was requested: yyyy-MM-ddTHH:mm:ss.fffZ")
    contact: ConversationRatingParty = Field(default_factory=ConversationRatingParty)
    teammate: ConversationRatingParty = Field(default_factory=ConversationRatingParty)


class Conversation(_Shape):
    id: str
    created_at: str | None = None
    updated_at: str | None = None
    assignee: ConversationAssignee = Field(default_factory=ConversationAssignee)
    conversation_message: ConversationMessage = Field(default_factory=ConversationMessage)
    user: ConversationUser = Field(default_factory=ConversationUser)
    state: str | None = Field(None, description="open, closed or snoozed")
    open: bool | None = Field(None, description="true while the conversation is open")
    snoozed_until: str | None = Field(None, description="When a snoozed conversation reopens: yyyy-MM-ddTHH:mm:ss.fffZ")
    admin_assignee_id: str | None = Field(None, description="Intercom id of the assigned teammate; null when none")
    team_assignee_id: str | None = Field(None, description="Intercom id of the assigned team; null when none")
    tags: TagList = Field(default_factory=TagList)
    statistics: ConversationStatistics = Field(default_factory=ConversationStatistics)
    conversation_rating: ConversationRating = Field(
        default_factory=ConversationRating, description="The contact's rating; its fields are null when unrated"
    )


def _text(value: Any) -> str | None:
    """A string field as a string: Intercom's JSON is not always typed as its schema says, and one odd value must
    not stop a trigger (its event could never be logged)."""
    return None if value is None else str(value)


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


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
    location = _obj(contact.get("location"))
    return {
        "id": str(contact["id"]),
        "user_id": _text(contact.get("external_id")),
        "email": _text(contact.get("email")),
        "phone": _text(contact.get("phone")),
        "name": _text(contact.get("name")),
        "created_at": format_timestamp(contact.get("created_at")),
        "updated_at": format_timestamp(contact.get("updated_at")),
        "avatar": Avatar(image_url=_text(avatar.get("image_url") if isinstance(avatar, dict) else avatar)),
        "unsubscribed_from_emails": _flag(contact.get("unsubscribed_from_emails")),
        "location_data": LocationData(
            city_name=_text(location.get("city")),
            country_name=_text(location.get("country")),
            region_name=_text(location.get("region")),
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


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value in (0, "0", "") else str(value)


def conversation_to_model(conversation: Mapping[str, Any]) -> Conversation:
    """An Intercom `conversation` -> Conversation. The first contact is the conversation's `user`."""
    source = _obj(conversation.get("source"))
    author = _obj(source.get("author"))
    contacts = _obj(conversation.get("contacts")).get("contacts") or []
    first = contacts[0] if contacts and isinstance(contacts[0], dict) else {}
    statistics = _obj(conversation.get("statistics"))
    return Conversation(
        id=str(conversation["id"]),
        created_at=format_timestamp(conversation.get("created_at")),
        updated_at=format_timestamp(conversation.get("updated_at")),
        # Intercom 2.16 answers 0 for "unassigned"; 2.14/2.15 answer null. Both become null.
        assignee=ConversationAssignee(id=_str_or_none(conversation.get("admin_assignee_id"))),
        conversation_message=ConversationMessage(
            author=ConversationAuthor(id=_str_or_none(author.get("id")), type=_text(author.get("type"))),
            body=_text(source.get("body")),
            subject=_text(source.get("subject")),
            url=_text(source.get("url")),
        ),
        user=ConversationUser(id=_str_or_none(first.get("id")), type=_text(first.get("type"))),
        state=_text(conversation.get("state")),
        open=_flag(conversation.get("open")),
        snoozed_until=format_timestamp(conversation.get("snoozed_until")),
        admin_assignee_id=_str_or_none(conversation.get("admin_assignee_id")),
        team_assignee_id=_str_or_none(conversation.get("team_assignee_id")),
        tags=TagList(tags=named_tags(conversation.get("tags"))),
        statistics=ConversationStatistics(
            **{name: format_timestamp(statistics.get(name)) for name in ConversationStatistics.model_fields}
        ),
        conversation_rating=_rating(conversation.get("conversation_rating")),
    )


def _rating(rating: Any) -> ConversationRating:
    """Intercom's `conversation_rating` (null until rated: every field null; Swagger 2.0 has no nullable object)."""
    if not isinstance(rating, dict):
        return ConversationRating()
    score = rating.get("rating")
    return ConversationRating(
        rating=score if isinstance(score, int) and not isinstance(score, bool) else None,
        remark=_text(rating.get("remark")),
        created_at=format_timestamp(rating.get("created_at")),
        contact=ConversationRatingParty(id=_str_or_none(_obj(rating.get("contact")).get("id"))),
        teammate=ConversationRatingParty(id=_str_or_none(_obj(rating.get("teammate")).get("id"))),
    )


def named_tags(tags: Any) -> list[NamedRef]:
    """Intercom's inline `{"type": "tag.list", "tags": [{id, name, ...}]}` (conversations, companies carry names)."""
    items = _obj(tags).get("tags")
    return [
        NamedRef(id=str(item["id"]), name=_text(item.get("name")))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and item.get("id") is not None
    ]
