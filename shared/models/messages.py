"""What Send a message to a contact answers (interface §10), from Intercom's `admin_message`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from shared.models.common import Shape, as_text, format_timestamp


class SentMessage(Shape):
    id: str = Field(title="Message ID", description="Intercom id of the message")
    message_type: str | None = Field(None, title="Message Type", description="inapp or email")
    created_at: str | None = Field(None, title="Created At", description="yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")
    conversation_id: str | None = Field(
        None,
        title="Conversation ID",
        description="The conversation the message started; null until Intercom gives one (the contact replies)",
    )


def message_to_model(message: Mapping[str, Any]) -> SentMessage:
    """An Intercom `admin_message` -> SentMessage."""
    return SentMessage(
        id=str(message["id"]),
        message_type=as_text(message.get("message_type")),
        created_at=format_timestamp(message.get("created_at")),
        conversation_id=as_text(message.get("conversation_id")) or None,
    )
