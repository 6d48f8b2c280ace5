"""What callers send to Send a message to a contact (interface §10); the shared rules are in
shared/actions/parsing.py.

- `message_type` is `inapp` (default; `in_app` is taken too) or `email`; an email needs a `subject`;
- `template` (`plain` default, or `personal`) styles an email;
- `admin_id` (who sends) defaults to the admin who owns the connection's token.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from shared.actions.conversations.requests import MessageBody
from shared.actions.parsing import Body, IntercomId, OptionalAdminId, acting_admin_field, blank_to_none
from shared.errors import BadRequest
from shared.models.designer import designer


def _message_type(value: Any) -> Any:
    value = blank_to_none(value)
    return "inapp" if value in (None, "in_app") else value


class SendMessage(Body):
    """Body of Send a message to a contact (POST /api/messages)."""

    contact_id: IntercomId = Field(
        title="Contact ID",
        description="Intercom id of the user or lead who receives it",
        json_schema_extra=designer("important"),
    )
    body: MessageBody = Field(
        title="Message", description="The message (HTML or text)", json_schema_extra=designer("important")
    )
    message_type: Annotated[Literal["inapp", "email"], BeforeValidator(_message_type)] = Field(
        "inapp", title="Message Type", description="inapp (shown in the Messenger) or email"
    )
    subject: Annotated[Annotated[str, Field(max_length=1_000)] | None, BeforeValidator(blank_to_none)] = Field(
        None, title="Subject", description="The email's subject (required for email)"
    )
    template: Annotated[Literal["plain", "personal"], BeforeValidator(lambda v: blank_to_none(v) or "plain")] = Field(
        "plain",
        title="Template",
        description="The email's style: plain or personal",
        json_schema_extra=designer("advanced"),
    )
    admin_id: OptionalAdminId = acting_admin_field(
        "Intercom id of the admin who sends it (default: the admin who owns the connection's token)"
    )

    def check(self) -> None:
        """A 400 naming `subject` for an email without one."""
        if self.message_type == "email" and self.subject is None:
            raise BadRequest.field("subject", "is required for an email")
