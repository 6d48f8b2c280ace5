"""Conversations (interface §7): the connector's `Conversation` and its mapping from Intercom's `conversation`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from shared.models.common import Shape, as_flag, as_object, as_text, format_timestamp
from shared.models.tags import TagList, named_tags


class ConversationAssignee(Shape):
    id: str | None = Field(None, title="Assignee ID")


class ConversationAuthor(Shape):
    id: str | None = Field(None, title="Author ID")
    type: str | None = Field(None, title="Author Type")


class ConversationMessage(Shape):
    author: ConversationAuthor = Field(default_factory=ConversationAuthor)
    body: str | None = Field(None, title="Body")
    subject: str | None = Field(None, title="Subject")
    url: str | None = Field(None, title="Message URL")


class ConversationUser(Shape):
    id: str | None = Field(None, title="User ID")
    type: str | None = Field(None, title="User Type")


class ConversationStatistics(Shape):
    last_contact_reply_at: str | None = Field(
        None, title="Last Contact Reply Date", description="When the contact last replied: yyyy-MM-ddTHH:mm:ss.fffZ"
    )
    last_admin_reply_at: str | None = Field(
        None, title="Last Teammate Reply Date", description="When a teammate last replied: yyyy-MM-ddTHH:mm:ss.fffZ"
    )
    last_assignment_at: str | None = Field(
        None, title="Last Assignment Date", description="When it was last assigned: yyyy-MM-ddTHH:mm:ss.fffZ"
    )
    last_close_at: str | None = Field(
        None, title="Last Closed Date", description="When it was last closed: yyyy-MM-ddTHH:mm:ss.fffZ (UTC)"
    )


class ConversationRatingParty(Shape):
    id: str | None = Field(None, title="ID")


class ConversationRating(Shape):
    rating: int | None = Field(None, title="Rating", description="1 to 5")
    remark: str | None = Field(None, title="Remark")
    created_at: str | None = Field(
        None, title="Rating Requested Date", description="When the rating was requested: yyyy-MM-ddTHH:mm:ss.fffZ"
    )
    contact: ConversationRatingParty = Field(default_factory=ConversationRatingParty)
    teammate: ConversationRatingParty = Field(default_factory=ConversationRatingParty)


class Conversation(Shape):
    id: str = Field(title="ID")
    created_at: str | None = Field(None, title="Created Date")
    updated_at: str | None = Field(None, title="Updated Date")
    assignee: ConversationAssignee = Field(default_factory=ConversationAssignee)
    conversation_message: ConversationMessage = Field(default_factory=ConversationMessage)
    user: ConversationUser = Field(default_factory=ConversationUser)
    state: str | None = Field(None, title="State", description="open, closed or snoozed")
    open: bool | None = Field(None, title="Is Open", description="true while the conversation is open")
    snoozed_until: str | None = Field(
        None, title="Snoozed Until", description="When a snoozed conversation reopens: yyyy-MM-ddTHH:mm:ss.fffZ"
    )
    admin_assignee_id: str | None = Field(
        None, title="Admin Assignee ID", description="Intercom id of the assigned teammate; null when none"
    )
    team_assignee_id: str | None = Field(
        None, title="Team Assignee ID", description="Intercom id of the assigned team; null when none"
    )
    tags: TagList = Field(default_factory=TagList)
    statistics: ConversationStatistics = Field(default_factory=ConversationStatistics)
    conversation_rating: ConversationRating = Field(
        default_factory=ConversationRating, description="The contact's rating; its fields are null when unrated"
    )


def _id(value: Any) -> str | None:
    """An id as text; Intercom 2.16 answers 0 for "nobody" (2.14/2.15 answer null, a 2026 ticket "0"): all None."""
    return None if value is None or value in (0, "0", "") else str(value)


def conversation_to_model(conversation: Mapping[str, Any]) -> Conversation:
    """An Intercom `conversation` -> Conversation. The first contact is the conversation's `user`."""
    source = as_object(conversation.get("source"))
    author = as_object(source.get("author"))
    contacts = as_object(conversation.get("contacts")).get("contacts") or []
    first = contacts[0] if contacts and isinstance(contacts[0], dict) else {}
    statistics = as_object(conversation.get("statistics"))
    return Conversation(
        id=str(conversation["id"]),
        created_at=format_timestamp(conversation.get("created_at")),
        updated_at=format_timestamp(conversation.get("updated_at")),
        assignee=ConversationAssignee(id=_id(conversation.get("admin_assignee_id"))),
        conversation_message=ConversationMessage(
            author=ConversationAuthor(id=_id(author.get("id")), type=as_text(author.get("type"))),
            body=as_text(source.get("body")),
            subject=as_text(source.get("subject")),
            url=as_text(source.get("url")),
        ),
        user=ConversationUser(id=_id(first.get("id")), type=as_text(first.get("type"))),
        state=as_text(conversation.get("state")),
        open=as_flag(conversation.get("open")),
        snoozed_until=format_timestamp(conversation.get("snoozed_until")),
        admin_assignee_id=_id(conversation.get("admin_assignee_id")),
        team_assignee_id=_id(conversation.get("team_assignee_id")),
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
        remark=as_text(rating.get("remark")),
        created_at=format_timestamp(rating.get("created_at")),
        contact=ConversationRatingParty(id=_id(as_object(rating.get("contact")).get("id"))),
        teammate=ConversationRatingParty(id=_id(as_object(rating.get("teammate")).get("id"))),
    )
