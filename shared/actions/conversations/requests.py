"""What callers send to the conversation actions (interface §7); the shared rules are in shared/actions/parsing.py.

- `admin_id` is optional wherever it appears: the admin who owns the connection's token acts by default;
- a message `body` is 1-20000 characters (Intercom takes HTML or text);
- `snoozed_until` is ISO-8601 with a UTC offset or Unix seconds, and must lie in the future;
- Reply takes `admin_id` (an admin's reply or note) or `contact_id` (the contact's reply, a comment), not both.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from shared.actions.parsing import (
    ACTING_ADMIN,
    AssigneeId,
    Body,
    IntercomId,
    OptionalAdminId,
    OptionalId,
    PageQuery,
    Query,
    TagName,
    Timestamp,
    acting_admin_field,
    blank_to_none,
)
from shared.actions.search import Filter, SearchBody, filter_field, filters_field
from shared.errors import BadRequest
from shared.models.designer import designer

MessageBody = Annotated[str, Field(min_length=1, max_length=20_000)]
OptionalMessage = Annotated[Annotated[str, Field(max_length=20_000)] | None, BeforeValidator(blank_to_none)]
class StartConversation(Body):
    """Body of Send message as a contact (POST /api/conversations)."""

    contact_id: IntercomId = Field(title="Contact ID", description="Intercom id of the user or lead who writes")
    body: MessageBody = Field(title="Message", description="The message")


class ListConversations(PageQuery):
    """Query of List conversations (GET /api/conversations)."""

    state: Annotated[Literal["open", "closed", "snoozed"] | None, BeforeValidator(blank_to_none)] = Field(
        None,
        title="State",
        description="Only conversations in this state: open, closed or snoozed",
        json_schema_extra=designer("important"),
    )


class ReplyToConversation(Body):
    """Body of Reply to conversation (POST /api/conversations/{id}/reply)."""

    body: MessageBody = Field(title="Reply", description="The reply", json_schema_extra=designer("important"))
    message_type: Annotated[Literal["comment", "note"], BeforeValidator(lambda v: blank_to_none(v) or "comment")] = (
        Field(
            "comment", title="Reply Type", description="comment (the contact sees it) or note (only teammates see it)"
        )
    )
    admin_id: OptionalAdminId = Field(None, title="Admin ID", description=ACTING_ADMIN)
    contact_id: OptionalId = Field(
        None,
        title="Reply As Contact ID",
        description="Intercom id of the contact, to reply as the contact instead",
        json_schema_extra=designer("advanced"),
    )

    def check(self) -> None:
        """A 400 for what each field allows alone but not together."""
        if self.contact_id is not None and self.admin_id is not None:
            message = "give admin_id (reply as an admin) or contact_id (reply as the contact), not both"
            raise BadRequest(
                f"invalid input: {message}",
                details=[{"field": "admin_id", "message": message}, {"field": "contact_id", "message": message}],
            )
        if self.contact_id is not None and self.message_type == "note":
            raise BadRequest.field("message_type", "a contact's reply is a comment; notes are written by admins")


class CloseConversation(Body):
    """Body of Close conversation (POST /api/conversations/{id}/close)."""

    body: OptionalMessage = Field(None, title="Closing Message", description="A closing message the contact sees")
    admin_id: OptionalAdminId = acting_admin_field()


class OpenConversation(Body):
    """Body of Open conversation (POST /api/conversations/{id}/open)."""

    admin_id: OptionalAdminId = acting_admin_field()


class SnoozeConversation(Body):
    """Body of Snooze conversation (POST /api/conversations/{id}/snooze)."""

    snoozed_until: Timestamp = Field(
        title="Snooze Until", description="When it reopens: ISO-8601 with a UTC offset, or Unix seconds"
    )
    admin_id: OptionalAdminId = acting_admin_field()


class AssignConversation(Body):
    """Body of Assign conversation (POST /api/conversations/{id}/assign)."""

    assignee_id: AssigneeId = Field(
        title="Assignee ID", description="Intercom id of the admin or team to assign it to; 0 unassigns"
    )
    admin_id: OptionalAdminId = acting_admin_field()
    body: OptionalMessage = Field(None, title="Message", description="A message the contact sees")


class TagConversation(Body):
    """Body of Add tag to conversation (POST /api/conversations/{id}/tags)."""

    name: TagName = Field(
        title="Tag Name", description="The tag's name; the tag is created when the workspace has none by that name"
    )
    admin_id: OptionalAdminId = acting_admin_field()


class ConversationFilter(Filter):
    """One condition of Search conversations."""

    field: str = filter_field("conversations")


class SearchConversations(SearchBody):
    """Body of Search conversations (POST /api/conversations/search)."""

    filters: list[ConversationFilter] = filters_field()


class UntagConversation(Query):
    """Query of Remove tag from conversation (DELETE /api/conversations/{id}/tags/{tag_id})."""

    admin_id: OptionalAdminId = acting_admin_field()
