"""The shapes only the connector names: the list pages, the workspace listings, the trigger batches and the error
body are built as dicts by the handlers (functions/http.py, functions/workspace.py, shared/errors.py); they are
described here as pydantic models of the same JSON, so that the definition is generated like the rest.

The shapes of the objects are the code's own (shared/models/). Display names (each field's `title`) follow the
seed connector's (Microsoft's Intercom connector, interface §3), in English.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from shared.models.common import Shape
from shared.models.companies import Company
from shared.models.contacts import Contact, Lead, User
from shared.models.conversations import Conversation
from shared.models.data_attributes import DataAttribute
from shared.models.search import SearchFieldInfo
from shared.models.tags import Tag
from shared.models.tickets import Ticket, TicketState, TicketType
from shared.models.workspace import Admin, Assignee, Team
from shared.triggers.registry import Body

NextLink = Annotated[
    str | None,
    Field(title="Next Link", description="URL of the next page, to call as it is; absent on the last page"),
]


class LeadPage(Shape):
    """A page of List all leads."""

    value: list[Lead] = Field(title="Leads", description="The leads of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class UserPage(Shape):
    """A page of List all users."""

    value: list[User] = Field(title="Users", description="The users of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class CompanyPage(Shape):
    """A page of List companies."""

    value: list[Company] = Field(title="Companies", description="The companies of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class ContactPage(Shape):
    """A page of Find contacts."""

    value: list[Contact] = Field(title="Contacts", description="The users and leads of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class ConversationPage(Shape):
    """A page of List conversations or Search conversations."""

    value: list[Conversation] = Field(title="Conversations", description="The conversations of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class AdminListing(Shape):
    """The answer of List admins."""

    value: list[Admin] = Field(title="Admins")


class TagListing(Shape):
    """The answer of List tags."""

    value: list[Tag] = Field(title="Tags")


class DataAttributeListing(Shape):
    """The answer of List data attributes."""

    value: list[DataAttribute] = Field(title="Data Attributes")


class AssigneeListing(Shape):
    """The answer of List assignees."""

    value: list[Assignee] = Field(title="Assignees")


class AttributesSchema(Shape):
    """The answer of Get custom attributes schema and Get ticket attributes schema: what `x-ms-dynamic-properties`
    reads."""

    schema_: dict[str, Any] = Field(
        alias="schema", title="Schema", description="A JSON schema object: one typed property per attribute"
    )


class SearchFieldListing(Shape):
    """The answer of List search fields."""

    value: list[SearchFieldInfo] = Field(title="Fields")


class TicketPage(Shape):
    """A page of Search tickets."""

    value: list[Ticket] = Field(title="Tickets", description="The tickets of this page")
    nextLink: NextLink = None  # noqa: N815 (the JSON name)


class TicketTypeListing(Shape):
    """The answer of List ticket types."""

    value: list[TicketType] = Field(title="Ticket Types")


class TicketStateListing(Shape):
    """The answer of List ticket states."""

    value: list[TicketState] = Field(title="Ticket States")


class TeamListing(Shape):
    """The answer of List teams."""

    value: list[Team] = Field(title="Teams")


class UserBatch(Shape):
    """Events of a user trigger, oldest first (at most 100)."""

    value: list[User] = Field(title="Users")


class LeadBatch(Shape):
    """Events of a lead trigger, oldest first (at most 100)."""

    value: list[Lead] = Field(title="Leads")


class ConversationBatch(Shape):
    """Events of a conversation trigger, oldest first (at most 100)."""

    value: list[Conversation] = Field(title="Conversations")


class ContactBatch(Shape):
    """Events of a contact trigger (users and leads), oldest first (at most 100)."""

    value: list[Contact] = Field(title="Contacts")


class TaggedContact(Shape):
    """A contact-tagged event: the tag and the contact it was added to."""

    tag: Tag
    contact: Contact


class TaggedBatch(Shape):
    """Events of the contact-tagged trigger, oldest first (at most 100)."""

    value: list[TaggedContact] = Field(title="Taggings")


class TaggedConversation(Shape):
    """A conversation-tagged event: the tag and the conversation it was added to."""

    tag: Tag
    conversation: Conversation


class TaggedConversationBatch(Shape):
    """Events of the conversation-tagged trigger, oldest first (at most 100)."""

    value: list[TaggedConversation] = Field(title="Taggings")


class TicketBatch(Shape):
    """Events of a ticket trigger, oldest first (at most 100)."""

    value: list[Ticket] = Field(title="Tickets")


class DeletedContact(Shape):
    """A contact-deleted event (from Intercom's webhooks)."""

    id: str = Field(title="Contact ID", description="Intercom id of the deleted contact")
    external_id: str | None = Field(None, title="External ID", description="Your external id of the contact")
    deleted_at: str | None = Field(
        None, title="Deleted Date-Time", description="When Intercom sent the deletion: yyyy-MM-ddTHH:mm:ss.fffZ"
    )


class DeletedContactBatch(Shape):
    """Events of the contact-deleted trigger, oldest first (at most 100)."""

    value: list[DeletedContact] = Field(title="Deleted Contacts")


class Notification(Shape):
    """An intercom-notification event: a webhook notification as Intercom sent it."""

    id: str = Field(title="Notification ID", description="Intercom's notification id (notif_...)")
    topic: str = Field(title="Topic", description="The notification's topic, e.g. conversation.admin.replied")
    created_at: str | None = Field(
        None, title="Created Date-Time", description="When Intercom made it: yyyy-MM-ddTHH:mm:ss.fffZ"
    )
    item: dict[str, Any] = Field(title="Item", description="The notification's data.item as Intercom sent it")


class NotificationBatch(Shape):
    """Events of the intercom-notification trigger, oldest first (at most 100)."""

    value: list[Notification] = Field(title="Notifications")


class CompanyBatch(Shape):
    """Events of a company trigger, oldest first (at most 100)."""

    value: list[Company] = Field(title="Companies")


# The shape of each kind of event body (shared/triggers/registry.py Body), as a batch of the polling trigger.
BATCHES: dict[Body, type[BaseModel]] = {
    Body.USER: UserBatch,
    Body.LEAD: LeadBatch,
    Body.CONTACT: ContactBatch,
    Body.CONVERSATION: ConversationBatch,
    Body.COMPANY: CompanyBatch,
    Body.TAGGED_CONTACT: TaggedBatch,
    Body.TAGGED_CONVERSATION: TaggedConversationBatch,
    Body.TICKET: TicketBatch,
    Body.DELETED_CONTACT: DeletedContactBatch,
    Body.NOTIFICATION: NotificationBatch,
}


class ErrorDetail(Shape):
    field: str = Field(title="Field", description="The input the detail is about (a body field, a parameter, a header)")
    message: str = Field(title="Message")


class ErrorInfo(Shape):
    code: str = Field(
        title="Error Code", description="A stable code (see the error codes in the definition's description)"
    )
    message: str = Field(title="Error Message")
    details: list[ErrorDetail] = Field(default_factory=list, title="Details", description="One entry per bad field")


class Error(Shape):
    """The body of every error answer (interface §3)."""

    error: ErrorInfo
