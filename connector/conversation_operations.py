"""The conversation actions as connector operations: send a message as a contact, get, list, reply, close, open,
snooze, assign, tag (interface §7); untag, and send a message to a contact (§10). Display names are the contract's."""

from __future__ import annotations

from pydantic import BaseModel

from connector.parts import Entry, Op, RouteId
from connector.shapes import ConversationPage
from shared.actions.conversations.requests import (
    AssignConversation,
    CloseConversation,
    ListConversations,
    OpenConversation,
    ReplyToConversation,
    SearchConversations,
    SnoozeConversation,
    StartConversation,
    TagConversation,
    UntagConversation,
)
from shared.actions.messages.requests import SendMessage
from shared.models.conversations import Conversation
from shared.models.designer import TAG_IDS
from shared.models.messages import SentMessage
from shared.models.tags import Tag

IDS = {"id": RouteId("Conversation ID", "The Intercom id of the conversation")}
NOT_FOUND = "There is no such conversation (or no such admin or contact, as the details name)"
AS_ADMIN = " Acts as the admin you pick, by default the admin who owns the connection's Intercom token."


def _change(operation_id: str, summary: str, description: str, body: type[BaseModel], body_summary: str) -> Op:
    """An action on one conversation, as an admin, answering the conversation as it is after it."""
    return Op(
        operation_id,
        summary,
        description + AS_ADMIN,
        "200",
        "The conversation, as it is now",
        Conversation,
        body=body,
        body_summary=body_summary,
        ids=IDS,
        not_found=NOT_FOUND,
    )


CONVERSATION_OPERATIONS: dict[str, Entry] = {
    "start_conversation": Entry(
        "conversations",
        ("POST",),
        Op(
            "SendMessageAsContact",
            "Send message as a contact (new conversation)",
            "Starts a new conversation in your inbox with a message written by a user or lead.",
            "201",
            "The new conversation",
            Conversation,
            body=StartConversation,
            body_summary="Message",
            not_found="There is no contact with this id",
        ),
    ),
    "get_conversation": Entry(
        "conversations/{id}",
        ("GET",),
        Op(
            "GetConversation",
            "Get conversation",
            "Given the Intercom id of a conversation, returns it: state, assignee, first message and tags.",
            "200",
            "The conversation",
            Conversation,
            ids=IDS,
            not_found="There is no such conversation",
        ),
    ),
    "list_conversations": Entry(
        "conversations",
        ("GET",),
        Op(
            "ListConversations",
            "List conversations",
            "Returns the conversations of your workspace, oldest first, a page at a time; optionally only the open, "
            "closed or snoozed ones. A new conversation is listed after a short delay (Intercom's search).",
            "200",
            "A page of conversations",
            ConversationPage,
            query=ListConversations,
            pageable=True,
        ),
    ),
    "search_conversations": Entry(
        "conversations/search",
        ("POST",),
        Op(
            "SearchConversations",
            "Search conversations",
            "Finds conversations by state, assignee, tags, contacts, priority, times and statistics, a page at a time: "
            "every filter holds, or any with Match any. Intercom's > and < on times include equality, and it finds a "
            "new or changed conversation after a short delay.",
            "200",
            "A page of conversations",
            ConversationPage,
            body=SearchConversations,
            body_summary="Search",
            pageable=True,
        ),
    ),
    "search_conversations_next": Entry(
        "conversations/search", ("GET",), None, "the nextLink of Search conversations (paging follows it)"
    ),
    "reply_to_conversation": Entry(
        "conversations/{id}/reply",
        ("POST",),
        _change(
            "ReplyToConversation",
            "Reply to conversation",
            "Adds a reply the contact sees, or a note only teammates see; give Reply As Contact ID to reply as the "
            "contact instead.",
            ReplyToConversation,
            "Reply",
        ),
    ),
    "close_conversation": Entry(
        "conversations/{id}/close",
        ("POST",),
        _change(
            "CloseConversation",
            "Close conversation",
            "Closes a conversation, with an optional closing message.",
            CloseConversation,
            "Close",
        ),
    ),
    "open_conversation": Entry(
        "conversations/{id}/open",
        ("POST",),
        _change(
            "OpenConversation",
            "Open conversation",
            "Reopens a closed or snoozed conversation.",
            OpenConversation,
            "Open",
        ),
    ),
    "snooze_conversation": Entry(
        "conversations/{id}/snooze",
        ("POST",),
        _change(
            "SnoozeConversation",
            "Snooze conversation",
            "Snoozes a conversation until a time in the future, when it reopens.",
            SnoozeConversation,
            "Snooze",
        ),
    ),
    "assign_conversation": Entry(
        "conversations/{id}/assign",
        ("POST",),
        _change(
            "AssignConversation",
            "Assign conversation",
            "Assigns a conversation to an admin or a team (0: unassigned).",
            AssignConversation,
            "Assignment",
        ),
    ),
    "tag_conversation": Entry(
        "conversations/{id}/tags",
        ("POST",),
        Op(
            "TagConversation",
            "Add tag to conversation",
            "Tags a conversation; a tag with that name is created when the workspace has none." + AS_ADMIN,
            "200",
            "The tag",
            Tag,
            body=TagConversation,
            body_summary="Tag",
            ids=IDS,
            not_found=NOT_FOUND,
        ),
    ),
    "untag_conversation": Entry(
        "conversations/{id}/tags/{tag_id}",
        ("DELETE",),
        Op(
            "RemoveTagFromConversation",
            "Remove tag from conversation",
            "Removes a tag from a conversation." + AS_ADMIN,
            "204",
            "Removed",
            ids={**IDS, "tag_id": RouteId("Tag ID", "The Intercom id of the tag", TAG_IDS)},
            query=UntagConversation,
            not_found="There is no such conversation or admin, or the conversation does not carry this tag",
        ),
    ),
    "send_message": Entry(
        "messages",
        ("POST",),
        Op(
            "SendMessageToContact",
            "Send a message to a contact",
            "Sends an in-app message or an email from an admin (by default the admin who owns the connection's "
            "Intercom token) to a user or lead. Intercom opens a conversation when the contact replies.",
            "201",
            "The message sent",
            SentMessage,
            body=SendMessage,
            body_summary="Message",
            not_found="There is no such contact or admin, as the details name",
        ),
    ),
}
