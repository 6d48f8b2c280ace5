"""The shapes the contact actions answer besides User and Lead (interface §7): Note, ContactArchived, and the
mapping of Intercom's `note` and `tag` to them and to `shared.models.common.Tag`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.models.common import Tag, format_timestamp


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class IdRef(_Shape):
    id: str | None = None


class Note(_Shape):
    """A note on a contact: what Add note to contact answers."""

    id: str
    body: str | None = Field(None, description="The note's text as Intercom stores it (HTML)")
    created_at: str | None = Field(None, description="yyyy-MM-ddTHH:mm:ss.fffZ (UTC)")
    author: IdRef = Field(default_factory=IdRef, description="The admin who wrote it")
    contact: IdRef = Field(default_factory=IdRef, description="The contact it is on")


class ContactArchived(_Shape):
    """What Archive contact and Unarchive contact answer."""

    id: str = Field(description="Intercom id of the contact")
    archived: bool = Field(description="Whether the contact is now archived")


def _ref(value: Any) -> IdRef:
    ident = value.get("id") if isinstance(value, dict) else None
    return IdRef(id=None if ident is None or isinstance(ident, bool) else str(ident))


def note_to_model(note: Mapping[str, Any]) -> Note:
    """An Intercom `note` -> Note (its author is an admin object, its contact a reference)."""
    body = note.get("body")
    return Note(
        id=str(note["id"]),
        body=body if isinstance(body, str) else None,
        created_at=format_timestamp(note.get("created_at")),
        author=_ref(note.get("author")),
        contact=_ref(note.get("contact")),
    )


def tag_to_model(tag: Mapping[str, Any]) -> Tag:
    """An Intercom `tag` -> Tag."""
    name = tag.get("name")
    return Tag(id=str(tag["id"]), name=name if isinstance(name, str) else None)
