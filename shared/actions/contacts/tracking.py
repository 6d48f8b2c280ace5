"""Track event (interface §7): `POST /events` for a user or lead named by exactly one of email, user_id or id.

Intercom answers 202 with no body, and dedupes events on (contact, event_name, created_at). `created_at` is fixed
before the first attempt (now, unless the caller gave one), so a repeat after a lost answer is the same event and
is dropped by Intercom: the send may be retried like a read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from shared.actions.contacts.requests import TrackEvent
from shared.actions.refusals import refused
from shared.errors import NotFound
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomNotFound


def track_event(
    client: IntercomClient, request: TrackEvent, deadline: Deadline, *, clock: Callable[[], float] = time.time
) -> None:
    """Send the event; 404 naming the identifying field when Intercom knows no such contact."""
    who = next(name for name in ("id", "user_id", "email") if getattr(request, name) is not None)
    body: dict[str, Any] = {
        "event_name": request.event_name,
        "created_at": request.created_at if request.created_at is not None else int(clock()),
        who: getattr(request, who),
    }
    if request.metadata:
        body["metadata"] = request.metadata
    try:
        client.request("POST", "/events", json=body, deadline=deadline, idempotent=True)
    except IntercomBadRequest as error:
        raise refused(error, "metadata", "created_at", "event_name", "body") from None
    except IntercomNotFound:
        raise NotFound(
            f"Intercom has no contact with this {who}", details=[{"field": who, "message": "no such contact"}]
        ) from None
