"""Send a message to a contact (interface §10): an admin-initiated in-app message or email (`POST /messages`).

The contact is read first: Intercom's `to.type` is its role (user or lead), and a missing contact is a 404 naming
`contact_id` before anything is sent. The message itself is never sent twice (a create).
"""

from __future__ import annotations

from typing import Any

from shared.actions.messages.requests import SendMessage
from shared.actions.refusals import is_about, not_found, refused_about
from shared.actions.workspace import acting_admin, wire_id
from shared.errors import UpstreamFailed
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomNotFound
from shared.models.messages import SentMessage, message_to_model


def send_message(client: IntercomClient, request: SendMessage, deadline: Deadline) -> SentMessage:
    request.check()
    try:
        contact = client.get(f"/contacts/{request.contact_id}", deadline=deadline)
    except IntercomNotFound:  # 410 (merged) included
        raise not_found("contact", request.contact_id, "contact_id") from None
    role = contact.get("role") if isinstance(contact, dict) else None
    admin_id = acting_admin(client, request.admin_id, deadline)
    body: dict[str, Any] = {
        "message_type": request.message_type,
        "body": request.body,
        "from": {"type": "admin", "id": wire_id(admin_id)},
        "to": {"type": role if role in ("user", "lead") else "user", "id": request.contact_id},
    }
    if request.subject is not None:
        body["subject"] = request.subject
    if request.message_type == "email":
        body["template"] = request.template
    try:
        answer = client.post("/messages", body, deadline=deadline)
    except IntercomBadRequest as error:
        raise refused_about(error, {"subject": "subject", "template": "template", "body": "body"}, "body") from None
    except IntercomNotFound as error:
        if is_about(error, "admin"):
            raise not_found("admin", admin_id, "admin_id") from None
        raise not_found("contact", request.contact_id, "contact_id") from None
    if not isinstance(answer, dict) or answer.get("id") is None:
        raise UpstreamFailed("Intercom answered the message without an id")
    return message_to_model(answer)
