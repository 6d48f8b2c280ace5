"""Find contacts (interface §10): users and leads by any of their searchable fields, a page at a time.

The filters are the shared search shape (shared/actions/search.py) over the contact fields below; Intercom matches
contact timestamps by the workspace's calendar day (Kind.DAY), and finds a new or changed contact after a short
delay (its search index).
"""

from __future__ import annotations

from shared.actions.contacts.requests import FindContacts
from shared.actions.contacts.service import contact_model
from shared.actions.paging import Page
from shared.actions.search import (
    CustomFields,
    Kind,
    SearchField,
    SearchNext,
    SearchScope,
    choices,
    first_page,
    next_page,
)
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.contacts import Lead, User

CONTACTS = SearchScope(
    "contacts",
    "/contacts/search",
    "data",
    (
        SearchField("email", Kind.TEXT, "Email"),
        SearchField("external_id", Kind.TEXT, "User ID (your id)"),
        SearchField("phone", Kind.TEXT, "Phone"),
        SearchField("name", Kind.TEXT, "Name"),
        SearchField("role", Kind.CHOICE, "Role (user or lead)", choices("user", "lead")),
        SearchField("created_at", Kind.DAY, "Created (day)"),
        SearchField("updated_at", Kind.DAY, "Updated (day)"),
        SearchField("last_seen_at", Kind.DAY, "Last seen (day)"),
        SearchField("tag_id", Kind.TAG, "Tag ID"),
    ),
    CustomFields("contact", Kind.DAY),
)


def find_contacts(client: IntercomClient, body: FindContacts, key: bytes, deadline: Deadline) -> Page[User | Lead]:
    """The first page of the contacts the filters find (or the page `body.cursor` names); the next cursor is sealed
    and carries the filters."""
    return _models(client, first_page(client, CONTACTS, body, key, deadline), deadline)


def more_contacts(client: IntercomClient, request: SearchNext, key: bytes, deadline: Deadline) -> Page[User | Lead]:
    """The page a Find contacts nextLink names."""
    return _models(client, next_page(client, CONTACTS, request, key, deadline), deadline)


def _models(client: IntercomClient, page: Page[dict[str, object]], deadline: Deadline) -> Page[User | Lead]:
    return Page([contact_model(client, item, deadline) for item in page.value], page.next_cursor)
