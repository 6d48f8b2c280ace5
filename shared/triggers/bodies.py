"""The event bodies of the triggers (interface §4, §8), built from Intercom's JSON as a poll or a notification shows it.

A body builder takes the object a trigger's rule picked (a contact, a conversation, a company, or for contact-tagged
`{"tag": {id, name?}, "contact": {...}}`, the shape of Intercom's `contact_tag` item) and answers the event's JSON.
Company and tag names come from the per-process name cache (shared/intercom/names.py); a failure to read them
is raised (the
event waits), except a refusal that does not pass (403, 400), which gives ids without names and a warning.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomForbidden
from shared.intercom.names import cache_for, contact_names
from shared.models.companies import company_to_model
from shared.models.contacts import contact_to_model
from shared.models.conversations import conversation_to_model
from shared.triggers.registry import Body

log = logging.getLogger("shared.triggers.bodies")

BodyBuilder = Callable[[IntercomClient, Mapping[str, Any], Deadline], dict[str, Any]]

# An event body is at most ~480 K characters in the log, stored as ASCII JSON (a character outside ASCII takes 6,
# an emoji 12): a conversation body is cut so that it takes at most this many there.
MAX_TEXT_CHARS = 200_000


def stored_length(text: str) -> int:
    """How many characters `text` takes in the log (escaped as ASCII JSON, without the quotes)."""
    return len(json.dumps(text)) - 2


def cut(text: str, limit: int) -> str:
    """The longest start of `text` that takes at most `limit` characters in the log."""
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if stored_length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def conversation_body(client: IntercomClient, item: Mapping[str, Any], deadline: Deadline) -> dict[str, Any]:
    """`Conversation`, its message body cut to fit the log."""
    body = conversation_to_model(item).model_dump(mode="json")
    message = body.get("conversation_message") or {}
    text = message.get("body")
    if isinstance(text, str) and stored_length(text) > MAX_TEXT_CHARS:
        message["body"] = cut(text, MAX_TEXT_CHARS)
        log.warning("conversation %s: body cut to %d characters in its event", item.get("id"), len(message["body"]))
    return body


def contact_body(client: IntercomClient, item: Mapping[str, Any], deadline: Deadline) -> dict[str, Any]:
    """`User` or `Lead` with company and tag names (Intercom's inline lists: at most 10 each)."""
    try:
        companies, tags = contact_names(client, item, deadline)
    except (IntercomForbidden, IntercomBadRequest) as exc:
        # Refused for good (a token without access to companies or tags): waiting would stall the trigger forever.
        log.warning("contact %s: names refused by Intercom (%s); its event lists ids only", item.get("id"), exc.code)
        companies, tags = {}, {}
    return contact_to_model(item, companies, tags).model_dump(mode="json")


def company_body(client: IntercomClient, item: Mapping[str, Any], deadline: Deadline) -> dict[str, Any]:
    """`Company` (its tags carry their names inline)."""
    return company_to_model(item).model_dump(mode="json")


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def tagged_body(client: IntercomClient, item: Mapping[str, Any], deadline: Deadline) -> dict[str, Any]:
    """`{"tag": Tag, "contact": User or Lead}` from a `contact_tag`-shaped item; the tag's name from the item (a
    notification carries it) or the name cache (a poll sees the id only)."""
    tag, contact = _object(item.get("tag")), _object(item.get("contact"))
    tag_id = str(tag.get("id"))
    name = tag.get("name")
    if not isinstance(name, str):
        try:
            names = cache_for(client.connection).tag_names(client, [tag_id], deadline, recheck_unknown=True)
            name = names.get(tag_id)
        except (IntercomForbidden, IntercomBadRequest) as exc:
            log.warning("tag %s: name refused by Intercom (%s); its event has no name", tag_id, exc.code)
            name = None
    return {"tag": {"id": tag_id, "name": name}, "contact": contact_body(client, contact, deadline)}


BUILDERS: dict[Body, BodyBuilder] = {
    Body.USER: contact_body,
    Body.LEAD: contact_body,
    Body.CONTACT: contact_body,
    Body.CONVERSATION: conversation_body,
    Body.COMPANY: company_body,
    Body.TAGGED_CONTACT: tagged_body,
}
