"""Search conversations (interface §10): conversations by state, assignee, tags, contacts, priority, times and
statistics, a page at a time.

The filters are the shared search shape (shared/actions/search.py) over the conversation fields below; Intercom's
`>` and `<` on a conversation's times include equality (Kind.DATE), and a new or changed conversation is found after
a short delay (its search index).
"""

from __future__ import annotations

from shared.actions.conversations.requests import SearchConversations
from shared.actions.paging import Page
from shared.actions.search import Kind, SearchField, SearchNext, SearchScope, choices, first_page, next_page
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.conversations import Conversation, conversation_to_model


def _statistic(name: str, kind: Kind, label: str) -> SearchField:
    return SearchField(f"statistics.{name}", kind, f"Statistics: {label}")


CONVERSATIONS = SearchScope(
    "conversations",
    "/conversations/search",
    "conversations",
    (
        SearchField("state", Kind.CHOICE, "State (open, closed, snoozed)", choices("open", "closed", "snoozed")),
        SearchField("open", Kind.BOOLEAN, "Is open"),
        SearchField("admin_assignee_id", Kind.NUMBER_ID, "Assigned admin ID (0: none)"),
        SearchField("team_assignee_id", Kind.NUMBER_ID, "Assigned team ID (0: none)"),
        SearchField("tag_ids", Kind.ID, "Tag ID"),
        SearchField("contact_ids", Kind.ID, "Contact ID"),
        SearchField("priority", Kind.CHOICE, "Priority (priority, not_priority)", choices("priority", "not_priority")),
        SearchField("created_at", Kind.DATE, "Created"),
        SearchField("updated_at", Kind.DATE, "Updated"),
        _statistic("time_to_assignment", Kind.NUMBER, "seconds to assignment"),
        _statistic("time_to_admin_reply", Kind.NUMBER, "seconds to the first admin reply"),
        _statistic("time_to_first_close", Kind.NUMBER, "seconds to the first close"),
        _statistic("time_to_last_close", Kind.NUMBER, "seconds to the last close"),
        _statistic("median_time_to_reply", Kind.NUMBER, "median seconds to reply"),
        _statistic("first_contact_reply_at", Kind.DATE, "first contact reply"),
        _statistic("first_assignment_at", Kind.DATE, "first assignment"),
        _statistic("first_admin_reply_at", Kind.DATE, "first admin reply"),
        _statistic("first_close_at", Kind.DATE, "first close"),
        _statistic("last_assignment_at", Kind.DATE, "last assignment"),
        _statistic("last_assignment_admin_reply_at", Kind.DATE, "last admin reply after assignment"),
        _statistic("last_contact_reply_at", Kind.DATE, "last contact reply"),
        _statistic("last_admin_reply_at", Kind.DATE, "last admin reply"),
        _statistic("last_close_at", Kind.DATE, "last close"),
        _statistic("last_closed_by_id", Kind.ID, "admin ID who closed it last"),
        _statistic("count_reopens", Kind.NUMBER, "times reopened"),
        _statistic("count_assignments", Kind.NUMBER, "times assigned"),
        _statistic("count_conversation_parts", Kind.NUMBER, "parts"),
    ),
)


def search_conversations(
    client: IntercomClient, body: SearchConversations, key: bytes, deadline: Deadline
) -> Page[Conversation]:
    """The first page of the conversations the filters find (or the page `body.cursor` names)."""
    return _models(first_page(client, CONVERSATIONS, body, key, deadline))


def more_conversations(
    client: IntercomClient, request: SearchNext, key: bytes, deadline: Deadline
) -> Page[Conversation]:
    """The page a Search conversations nextLink names."""
    return _models(next_page(client, CONVERSATIONS, request, key, deadline))


def _models(page: Page[dict[str, object]]) -> Page[Conversation]:
    return Page([conversation_to_model(item) for item in page.value], page.next_cursor)
