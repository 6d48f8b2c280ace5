"""Writes on a contact by its Intercom id, whatever its role (interface §7): archive, unarchive, delete, add a note,
attach to and detach from a company.

A contact Intercom does not know (404), or one merged away (410), is a 404 naming `id`. Writes that are idempotent in
effect (archive, unarchive, attach) may be retried by the client; a delete, a detach and a note are never repeated
blindly (a repeat would answer 404, or write a second note).
"""

from __future__ import annotations

from typing import Any

from shared.actions.contacts.requests import AddNote, AttachCompany
from shared.actions.refusals import is_about, refused
from shared.errors import BadRequest, NotFound, UpstreamFailed
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomNotFound
from shared.intercom.me import read_me
from shared.intercom.names import cache_for
from shared.models.companies import Company, company_to_model
from shared.models.contacts import ContactArchived, Note, note_to_model


def contact_not_found(contact_id: str) -> NotFound:
    return NotFound(f"no contact with id {contact_id}", details=[{"field": "id", "message": "no such contact"}])


def not_on_contact(contact_id: str, kind: str, field: str, ident: str) -> NotFound:
    return NotFound(
        f"contact {contact_id} has no {kind} with id {ident}",
        details=[{"field": field, "message": f"no such {kind} on this contact"}],
    )


def on_contact(
    client: IntercomClient,
    contact_id: str,
    method: str,
    tail: str,
    deadline: Deadline,
    *,
    json: Any = None,
    idempotent: bool = False,
    other: tuple[str, Exception] | None = None,
    refused_field: str = "body",
) -> Any:
    """One call on `/contacts/{id}{tail}`. Intercom's 404 is a 404 naming `id`, or the error of `other` when it is
    about that kind of object (`("company", error)`: Intercom's code or message names a company, a tag, an admin);
    its 400 names `refused_field` unless Intercom names a field."""
    try:
        return client.request(
            method, f"/contacts/{contact_id}{tail}", json=json, deadline=deadline, idempotent=idempotent
        )
    except IntercomBadRequest as error:
        raise refused(error, refused_field) from None
    except IntercomNotFound as error:
        if other is not None and is_about(error, other[0]):
            raise other[1] from None
        raise contact_not_found(contact_id) from None


def _object(answer: Any, what: str) -> dict[str, Any]:
    if not isinstance(answer, dict) or answer.get("id") is None:
        raise UpstreamFailed(f"Intercom answered without the {what}")
    return answer


# -- archive, unarchive, delete ----------------------------------------------------------------------------------------


def set_archived(client: IntercomClient, contact_id: str, archived: bool, deadline: Deadline) -> ContactArchived:
    """Archive (True) or unarchive (False) a contact; doing it twice is harmless, so it is retried like a read."""
    tail = "/archive" if archived else "/unarchive"
    answer = on_contact(client, contact_id, "POST", tail, deadline, idempotent=True)
    state = answer.get("archived") if isinstance(answer, dict) else None
    return ContactArchived(id=contact_id, archived=state if isinstance(state, bool) else archived)


def delete_contact(client: IntercomClient, contact_id: str, deadline: Deadline) -> None:
    """Delete a contact for good; 404 when Intercom has none."""
    on_contact(client, contact_id, "DELETE", "", deadline)


# -- notes -------------------------------------------------------------------------------------------------------------


def add_note(client: IntercomClient, contact_id: str, request: AddNote, deadline: Deadline) -> Note:
    """A note on the contact, written by `admin_id` or, by default, the admin who owns the token (`GET /me`)."""
    admin_id = request.admin_id or read_me(client, deadline).admin_id
    body: dict[str, Any] = {"body": request.body}
    if admin_id is not None:
        body["admin_id"] = admin_id
    unknown_admin = BadRequest.field("admin_id", f"Intercom has no admin with id {admin_id}")
    note = on_contact(client, contact_id, "POST", "/notes", deadline, json=body, other=("admin", unknown_admin))
    return note_to_model(_object(note, "note"))


# -- companies ---------------------------------------------------------------------------------------------------------


def attach_company(client: IntercomClient, contact_id: str, request: AttachCompany, deadline: Deadline) -> Company:
    """Attach the contact to the company (Intercom id); attaching twice leaves one link, so it may be retried."""
    unknown = BadRequest.field("company_id", f"Intercom has no company with id {request.company_id}")
    company = on_contact(
        client,
        contact_id,
        "POST",
        "/companies",
        deadline,
        json={"id": request.company_id},
        idempotent=True,
        other=("company", unknown),
        refused_field="company_id",
    )
    model = company_to_model(_object(company, "company"))
    cache_for(client.connection).remember_company(model.id, model.name)
    return model


def detach_company(client: IntercomClient, contact_id: str, company_id: str, deadline: Deadline) -> None:
    """Detach the contact from the company; 404 naming `company_id` when the company is unknown or not attached."""
    missing = not_on_contact(contact_id, "company", "company_id", company_id)
    on_contact(client, contact_id, "DELETE", f"/companies/{company_id}", deadline, other=("company", missing))
