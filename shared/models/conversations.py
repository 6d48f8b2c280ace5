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
    last_close_at: str | None = Field(
        None, title="Last Closed Date", description="When it was last closed: yyyy-MM-ddTHH:mm:ss.fffZ (UTC)"
    )


class Conversation(Shape):
    id: str = Field(title="ID")
    created_at: str | None = Field(None, title="Created Date")
    updated_at: str | None = Field(None, title="Updated Date")
    assignee: ConversationAssignee = Field(default_factory=ConversationAssignee)
    conversation_message: ConversationMessage = Field(default_factory=ConversationMessage)
    user: ConversationUser = Field(default_factory=ConversationUser)
    state: str | None = Field(None, title="State", description="open, closed or snoozed")
    open: bool | None = Field(None, title="Is Open", description="true while the conversation is open")
    tags: TagList = Field(default_factory=TagList)
    statistics: ConversationStatistics = Field(default_factory=ConversationStatistics)


def _id(value: Any) -> str | None:
    """An id as text; Intercom 2.16 answers 0 for "nobody" (2.14/2.15 answer null): both are None."""
    return None if value is None or value == 0 else str(value)


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
        tags=TagList(tags=named_tags(conversation.get("tags"))),
        statistics=ConversationStatistics(last_close_at=format_timestamp(statistics.get("last_close_at"))),
    )
