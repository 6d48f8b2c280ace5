"""Tags (interface §7): the `Tag` the tag actions answer and List tags lists, the `TagList` a contact, company or
conversation carries, and their mapping from Intercom's `tag` and tag lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from shared.models.common import NamedRef, Shape, as_object, as_text


class Tag(Shape):
    """A tag (interface §7): what the tag actions answer and List tags lists."""

    id: str = Field(title="Tag ID")
    name: str | None = Field(None, title="Tag Name")


class TagList(Shape):
    tags: list[NamedRef] = Field(default_factory=list, title="Tags")


def tag_to_model(tag: Mapping[str, Any]) -> Tag:
    """An Intercom `tag` -> Tag."""
    name = tag.get("name")
    return Tag(id=str(tag["id"]), name=name if isinstance(name, str) else None)


def named_tags(tags: Any) -> list[NamedRef]:
    """Intercom's inline `{"type": "tag.list", "tags": [{id, name, ...}]}` (conversations, companies carry names)."""
    items = as_object(tags).get("tags")
    return [
        NamedRef(id=str(item["id"]), name=as_text(item.get("name")))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and item.get("id") is not None
    ]
