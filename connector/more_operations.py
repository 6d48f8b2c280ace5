"""The connector operations of the company, conversation and workspace actions (CONTRACT §7), declared as
`building.Action`s. Display names are CONTRACT §7's; descriptions say what a flow author needs to know."""

from __future__ import annotations

from pydantic import BaseModel

from connector.building import Action, Entry
from connector.shapes import AdminListing, CompanyPage, ConversationPage, TagListing
from shared.company_models import Company
from shared.company_requests import ListCompanies, TagByName, UpsertCompany
from shared.conversation_requests import (
    AssignConversation,
    CloseConversation,
    ListConversations,
    OpenConversation,
    ReplyToConversation,
    SnoozeConversation,
    StartConversation,
    TagConversation,
)
from shared.models import Conversation, Tag

COMPANY_ID = {"id": ("Company ID", "The Intercom id of the company")}
CONVERSATION_ID = {"id": ("Conversation ID", "The Intercom id of the conversation")}
NO_COMPANY = "There is no company with this id"
NO_CONVERSATION = "There is no such conversation (or no such admin or contact, as the details name)"
_ADMIN = " Acts as the admin you pick, by default the admin who owns the connection's Intercom token."


def _on_conversation(
    operation_id: str, summary: str, description: str, body: type[BaseModel], body_summary: str = "Change"
) -> Action:
    """An action on one conversation, as an admin, answering the conversation as it is after it."""
    return Action(
        operation_id,
        summary,
        description + _ADMIN,
        Conversation,
        "The conversation, as it is now",
        ids=CONVERSATION_ID,
        body=body,
        body_summary=body_summary,
        not_found=NO_CONVERSATION,
    )


MORE_OPERATIONS: dict[str, Entry] = {
    "create_or_update_company": Entry(
        "companies",
        ("POST",),
        Action(
            "CreateOrUpdateCompany",
            "Create or update company",
            "Creates a company, or updates the one with the same Company ID (your id of the company, which Intercom "
            "never changes). Intercom shows a company in its inbox once a user belongs to it.",
            Company,
            "Created",
            status="201",
            updated_text="Updated: a company with this Company ID existed",
            body=UpsertCompany,
            body_summary="Company",
            visibility="important",
        ).build,
    ),
    "get_company": Entry(
        "companies/{id}",
        ("GET",),
        Action(
            "GetCompany",
            "Get company",
            "Given the Intercom id of a company, returns all the information about the company.",
            Company,
            "The company",
            ids=COMPANY_ID,
            not_found=NO_COMPANY,
        ).build,
    ),
    "list_companies": Entry(
        "companies",
        ("GET",),
        Action(
            "ListCompanies",
            "List companies",
            "Returns every company in your Intercom workspace, a page at a time, or the one company with a given "
            "Company ID or name.",
            CompanyPage,
            "A page of companies",
            query=ListCompanies,
            query_text={
                "company_id": "Only the company with this id of yours (exact match); not with Name",
                "name": "Only the company with this name (exact match); not with Your Company ID",
            },
            pageable=True,
        ).build,
    ),
    "tag_company": Entry(
        "companies/{id}/tags",
        ("POST",),
        Action(
            "TagCompany",
            "Add tag to company",
            "Tags a company; a tag with that name is created when the workspace has none.",
            Tag,
            "The tag",
            ids=COMPANY_ID,
            body=TagByName,
            body_summary="Tag",
            not_found=NO_COMPANY,
        ).build,
    ),
    "start_conversation": Entry(
        "conversations",
        ("POST",),
        Action(
            "SendMessageAsContact",
            "Send message as a contact (new conversation)",
            "Starts a new conversation in your inbox with a message written by a user or lead.",
            Conversation,
            "The new conversation",
            status="201",
            body=StartConversation,
            body_summary="Message",
            not_found="There is no contact with this id",
        ).build,
    ),
    "get_conversation": Entry(
        "conversations/{id}",
        ("GET",),
        Action(
            "GetConversation",
            "Get conversation",
            "Given the Intercom id of a conversation, returns the conversation: its state, assignee, first message "
            "and tags.",
            Conversation,
            "The conversation",
            ids=CONVERSATION_ID,
            not_found="There is no such conversation",
        ).build,
    ),
    "list_conversations": Entry(
        "conversations",
        ("GET",),
        Action(
            "ListConversations",
            "List conversations",
            "Returns the conversations of your workspace, oldest first, a page at a time; optionally only the open, "
            "closed or snoozed ones. A new conversation is listed after a short delay (Intercom's search).",
            ConversationPage,
            "A page of conversations",
            query=ListConversations,
            query_text={"state": "Only conversations in this state: open, closed or snoozed"},
            pageable=True,
        ).build,
    ),
    "reply_to_conversation": Entry(
        "conversations/{id}/reply",
        ("POST",),
        _on_conversation(
            "ReplyToConversation",
            "Reply to conversation",
            "Adds a reply the contact sees, or a note only teammates see; give Contact ID to reply as the contact "
            "instead.",
            ReplyToConversation,
            "Reply",
        ).build,
    ),
    "close_conversation": Entry(
        "conversations/{id}/close",
        ("POST",),
        _on_conversation(
            "CloseConversation",
            "Close conversation",
            "Closes a conversation, with an optional closing message.",
            CloseConversation,
        ).build,
    ),
    "open_conversation": Entry(
        "conversations/{id}/open",
        ("POST",),
        _on_conversation(
            "OpenConversation", "Open conversation", "Reopens a closed or snoozed conversation.", OpenConversation
        ).build,
    ),
    "snooze_conversation": Entry(
        "conversations/{id}/snooze",
        ("POST",),
        _on_conversation(
            "SnoozeConversation",
            "Snooze conversation",
            "Snoozes a conversation until a time in the future, when it reopens.",
            SnoozeConversation,
        ).build,
    ),
    "assign_conversation": Entry(
        "conversations/{id}/assign",
        ("POST",),
        _on_conversation(
            "AssignConversation",
            "Assign conversation",
            "Assigns a conversation to an admin or a team (0: unassigned).",
            AssignConversation,
        ).build,
    ),
    "tag_conversation": Entry(
        "conversations/{id}/tags",
        ("POST",),
        Action(
            "TagConversation",
            "Add tag to conversation",
            "Tags a conversation; a tag with that name is created when the workspace has none." + _ADMIN,
            Tag,
            "The tag",
            ids=CONVERSATION_ID,
            body=TagConversation,
            body_summary="Tag",
            not_found=NO_CONVERSATION,
        ).build,
    ),
    "list_admins": Entry(
        "admins",
        ("GET",),
        Action(
            "ListAdmins", "List admins", "Returns the teammates (admins) of your workspace.", AdminListing, "The admins"
        ).build,
    ),
    "list_tags": Entry(
        "tags",
        ("GET",),
        Action("ListTags", "List tags", "Returns every tag of your workspace.", TagListing, "The tags").build,
    ),
}
