"""Tags by name (interface §7): find or create a tag, tag a contact with it, untag a contact.

`tag_by_name` is the one way the actions turn a caller's tag name into Intercom's tag; the company and conversation
tag actions use it too. `POST /tags {name}` is Intercom's create-or-update by name: the same name always names the
same tag, so the call may be repeated (a lost answer, a race of two callers) without making a second tag. Should
Intercom still refuse a racing create (a 409, or a 400 saying the name is taken), the tag list is read and the tag
found there by name.
"""

from __future__ import annotations

from typing import Any

from shared.actions.contacts.writes import not_on_contact, on_contact
from shared.errors import BadRequest, UpstreamFailed
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomConflict
from shared.models.tags import Tag, tag_to_model


class _TagGone(Exception):
    """The tag vanished between finding it and applying it."""


def tag_by_name(client: IntercomClient, name: str, deadline: Deadline) -> Tag:
    """The tag called `name`, created when missing."""
    try:
        tag = client.request("POST", "/tags", json={"name": name}, deadline=deadline, idempotent=True)
    except (IntercomConflict, IntercomBadRequest) as refused:
        found = _listed(client, name, deadline)
        if found is not None:
            return found
        if isinstance(refused, IntercomBadRequest):
            raise BadRequest.field("name", refused.message) from None
        raise
    if not isinstance(tag, dict) or tag.get("id") is None:
        raise UpstreamFailed("Intercom answered the tag without an id")
    return tag_to_model(tag)


def _listed(client: IntercomClient, name: str, deadline: Deadline) -> Tag | None:
    body: Any = client.get("/tags", deadline=deadline)
    items = body.get("data") if isinstance(body, dict) else None
    for item in items or []:
        if isinstance(item, dict) and item.get("name") == name and item.get("id") is not None:
            return tag_to_model(item)
    return None


def tag_contact(client: IntercomClient, contact_id: str, name: str, deadline: Deadline) -> Tag:
    """Tag the contact with the tag called `name` (created when missing); tagging twice leaves one tag."""
    tag = tag_by_name(client, name, deadline)
    try:
        _apply(client, contact_id, tag, deadline, _TagGone())
    except _TagGone:
        tag = tag_by_name(client, name, deadline)  # deleted between the two calls: made again, once
        _apply(client, contact_id, tag, deadline, not_on_contact(contact_id, "tag", "name", tag.id))
    return tag


def _apply(client: IntercomClient, contact_id: str, tag: Tag, deadline: Deadline, gone: Exception) -> None:
    body = {"id": tag.id}
    on_contact(
        client,
        contact_id,
        "POST",
        "/tags",
        deadline,
        json=body,
        idempotent=True,
        other=("tag", gone),
        refused_field="name",
    )


def untag_contact(client: IntercomClient, contact_id: str, tag_id: str, deadline: Deadline) -> None:
    """Remove the tag from the contact; 404 naming `tag_id` when Intercom has no such tag on it."""
    missing = not_on_contact(contact_id, "tag", "tag_id", tag_id)
    on_contact(client, contact_id, "DELETE", f"/tags/{tag_id}", deadline, other=("tag", missing))
