"""The actions on one Intercom user or lead (interface §2, §7): create or update a user, create a lead, get one,
update one. Lists are in shared/actions/contacts/lists.py; archive, delete, notes and companies in
shared/actions/contacts/writes.py.

Each function takes the connection's IntercomClient, a validated request (shared/actions/contacts/requests.py) and the
caller's Deadline, and returns the connector's shapes (shared/models/contacts.py). Intercom's typed errors propagate and
become the contract's statuses in functions/http.py; the decisions below are written up in docs/actions.md.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.actions.contacts.requests import CreateLead, UpdateLead, UpdateUser, UpsertUser
from shared.actions.refusals import refused
from shared.errors import BadRequest, Conflict, ConnectorError, NotFound, UpstreamFailed
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest, IntercomConflict, IntercomGone, IntercomNotFound
from shared.intercom.names import cache_for, contact_names
from shared.models.contacts import Lead, User, contact_to_model

log = logging.getLogger("shared.actions.contacts.service")

# The fields a refused update may be about, the most specific first; "body" when Intercom's message names none.
UPDATE_FIELDS = ("custom_attributes", "unsubscribed_from_emails", "email", "phone", "name", "image_url", "body")
# Lead -> user through one PUT that sets role "user": the same contact (id, conversations, history) becomes the user.
CONVERT_LEADS = True


@dataclass(frozen=True)
class Upserted:
    user: User
    created: bool


# -- create or update a user -----------------------------------------------------------------------------------------


def create_or_update_user(client: IntercomClient, request: UpsertUser, deadline: Deadline) -> Upserted:
    """Match by email (search, then the 409 of a create as the tie-breaker search may miss); 201 or 200 semantics.

    Never repeats a create: a 409 names the existing contact, which is then updated. A lead with that email is
    converted into the user (role set to "user" on the same contact).
    """
    _check_companies(client, request.companies, deadline)
    fields = _contact_fields(request)
    existing = _find_by_email(client, request.email, deadline)
    created = False
    contact: Any = None
    if existing is not None:
        try:
            contact = _update_as_user(client, existing, fields, deadline)
        except IntercomNotFound:
            contact = None  # deleted since search indexed it: create instead
    if contact is None:
        try:
            contact = client.post("/contacts", {"role": "user", **fields}, deadline=deadline)
            created = True
        except IntercomConflict as conflict:
            if not conflict.existing_id:
                raise Conflict(
                    "a contact with this email already exists, and Intercom did not say which",
                    details=[{"field": "email", "message": "already in use by another contact"}],
                ) from None
            # Two callers raced for a new email (or search had not indexed it yet): update the winner's contact.
            contact = _update_as_user(client, conflict.existing_id, fields, deadline)
    contact = _attach_companies(client, contact, request.companies, deadline)
    model = _model_after_write(client, contact, deadline)
    if not isinstance(model, User):
        raise UpstreamFailed("Intercom kept the contact as a lead")
    return Upserted(model, created)


def _find_by_email(client: IntercomClient, email: str, deadline: Deadline) -> str | None:
    """The id of the contact with this email, a user before a lead; None when search shows none (it may lag)."""
    body = {
        "query": {"field": "email", "operator": "=", "value": email},
        "pagination": {"per_page": 10},
    }
    found = client.search("/contacts/search", body, deadline=deadline)
    contacts = [c for c in items_of(found) if str(c.get("email") or "").lower() == email.lower()]
    for role in ("user", "lead"):
        for contact in contacts:
            if contact.get("role") == role and contact.get("id"):
                return str(contact["id"])
    return None


def _update_as_user(client: IntercomClient, contact_id: str, fields: dict[str, Any], deadline: Deadline) -> Any:
    body = {"role": "user", **fields} if CONVERT_LEADS else fields
    try:
        return client.put(f"/contacts/{contact_id}", body, deadline=deadline)
    except IntercomGone as gone:
        # The matched contact was merged (search can show it for a while); update the surviving contact once.
        if not gone.canonical_id:
            raise
        return client.put(f"/contacts/{gone.canonical_id}", body, deadline=deadline)


# -- create a lead ---------------------------------------------------------------------------------------------------


def create_lead(client: IntercomClient, request: CreateLead, deadline: Deadline) -> Lead:
    """A new lead with the companies attached; 409 naming `email` when a contact already holds that email."""
    _check_companies(client, request.companies, deadline)
    body: dict[str, Any] = {"role": "lead", **_contact_fields(request)}
    if request.image_url is not None:
        body["avatar"] = request.image_url
    try:
        contact = client.post("/contacts", body, deadline=deadline)
    except IntercomConflict as conflict:
        raise _email_taken(conflict) from None
    contact = _attach_companies(client, contact, request.companies, deadline)
    model = _model_after_write(client, contact, deadline)
    if not isinstance(model, Lead):
        raise UpstreamFailed("Intercom did not create a lead")
    return model


def _email_taken(conflict: IntercomConflict) -> Conflict:
    which = f" (id {conflict.existing_id})" if conflict.existing_id else ""
    return Conflict(
        f"a contact with this email already exists{which}",
        details=[{"field": "email", "message": f"already in use by another contact{which}"}],
    )


# -- get one ---------------------------------------------------------------------------------------------------------


def get_user(client: IntercomClient, user_id: str, deadline: Deadline) -> User:
    """The user with this Intercom id; 404 when there is none, it was merged away, or it is a lead."""
    model = _get(client, user_id, "user", deadline)
    if not isinstance(model, User):
        raise _not_found("user", user_id)
    return model


def get_lead(client: IntercomClient, contact_id: str, deadline: Deadline) -> Lead:
    """The lead with this Intercom id; 404 when there is none, it was merged into a user, or it is a user."""
    model = _get(client, contact_id, "lead", deadline)
    if not isinstance(model, Lead):
        raise _not_found("lead", contact_id)
    return model


def _get(client: IntercomClient, contact_id: str, role: str, deadline: Deadline) -> User | Lead:
    return contact_model(client, _complete_lists(client, _read(client, contact_id, role, deadline), deadline), deadline)


def _read(client: IntercomClient, contact_id: str, role: str, deadline: Deadline) -> dict[str, Any]:
    """The Intercom contact with this id and role; 404 naming the id's field otherwise."""
    try:
        contact = client.get(f"/contacts/{contact_id}", deadline=deadline)
    except IntercomNotFound:  # IntercomGone (410, merged) included
        raise _not_found(role, contact_id) from None
    if not isinstance(contact, dict) or contact.get("role") != role:
        raise _not_found(role, contact_id)
    return contact


# -- update one ------------------------------------------------------------------------------------------------------


def update_user(client: IntercomClient, user_id: str, request: UpdateUser, deadline: Deadline) -> User:
    """Change the fields given (companies are added); 404 when there is no such user, 409 naming `email` when the new
    email belongs to another contact."""
    model = _update(client, user_id, "user", request, deadline)
    if not isinstance(model, User):
        raise UpstreamFailed("Intercom changed the user's role")
    return model


def update_lead(client: IntercomClient, contact_id: str, request: UpdateLead, deadline: Deadline) -> Lead:
    """As update_user, for a lead (plus its avatar, `image_url`)."""
    model = _update(client, contact_id, "lead", request, deadline)
    if not isinstance(model, Lead):
        raise UpstreamFailed("Intercom changed the lead's role")
    return model


def _update(client: IntercomClient, contact_id: str, role: str, request: UpdateUser, deadline: Deadline) -> User | Lead:
    """Read first (the role must match before anything is written), check companies, PUT the fields, attach."""
    contact: Any = _read(client, contact_id, role, deadline)
    _check_companies(client, request.companies, deadline)
    fields = _update_fields(request)
    if fields:
        try:
            contact = client.put(f"/contacts/{contact_id}", fields, deadline=deadline)
        except IntercomConflict as conflict:
            raise _email_taken(conflict) from None
        except IntercomBadRequest as error:  # e.g. a custom attribute the workspace does not define
            raise refused(error, *UPDATE_FIELDS) from None
        except IntercomNotFound:  # deleted or merged since the read
            raise _not_found(role, contact_id) from None
    contact = _attach_companies(client, contact, request.companies, deadline)
    try:
        contact = _complete_lists(client, contact, deadline)
    except ConnectorError as error:
        log.warning("lists of contact %s not read after an update: %s", contact_id, error.code)
    return _model_after_write(client, contact, deadline)


def _update_fields(request: UpdateUser) -> dict[str, Any]:
    """The PUT body: the fields given; `image_url` is Intercom's `avatar`."""
    given = request.model_dump(exclude={"companies"}, exclude_none=True)
    if "image_url" in given:
        given["avatar"] = given.pop("image_url")
    return given


def _complete_lists(client: IntercomClient, contact: dict[str, Any], deadline: Deadline) -> dict[str, Any]:
    """Intercom inlines at most 10 companies and tags; when it says there are more, read the contact's lists."""
    for kind in ("companies", "tags"):
        refs = contact.get(kind)
        if not isinstance(refs, dict) or not refs.get("has_more"):
            continue
        found = items_of(client.get(f"/contacts/{contact['id']}/{kind}", deadline=deadline))
        items = [item for item in found if item.get("id") is not None]
        if kind == "companies":
            cache = cache_for(client.connection)
            for item in items:
                name = item.get("name")
                cache.remember_company(str(item["id"]), name if isinstance(name, str) else None)
        refs["data"] = [{"type": item.get("type"), "id": str(item["id"])} for item in items]
    return contact


def _not_found(role: str, contact_id: str) -> NotFound:
    field = "user_id" if role == "user" else "contact_id"
    return NotFound(f"no {role} with id {contact_id}", details=[{"field": field, "message": f"no such {role}"}])


# -- shared steps ----------------------------------------------------------------------------------------------------


def _contact_fields(request: UpsertUser | CreateLead) -> dict[str, Any]:
    fields: dict[str, Any] = {"email": request.email}
    if request.name is not None:
        fields["name"] = request.name
    if request.phone is not None:
        fields["phone"] = request.phone
    if request.custom_attributes:
        fields["custom_attributes"] = request.custom_attributes
    return fields


def _check_companies(client: IntercomClient, company_ids: list[str], deadline: Deadline) -> None:
    """Every company must exist before anything is written (its name is cached for the answer as a bonus)."""
    cache = cache_for(client.connection)
    for company_id in company_ids:
        try:
            cache.company_name(client, company_id, deadline, recheck_missing=True)
        except IntercomNotFound:
            raise BadRequest.field("companies", f"Intercom has no company with id {company_id}") from None


def _attach_companies(client: IntercomClient, contact: Any, company_ids: list[str], deadline: Deadline) -> Any:
    """Attach each company the contact does not have yet; the contact JSON is amended (no re-read)."""
    if not company_ids:
        return contact
    refs = contact.setdefault("companies", {"type": "list", "data": []})
    data = refs.setdefault("data", [])
    have = {str(item.get("id")) for item in data if isinstance(item, dict)}
    for company_id in company_ids:
        if company_id in have:
            continue
        try:
            # Attaching twice leaves one link, so a retry after a lost answer is safe.
            client.request(
                "POST",
                f"/contacts/{contact['id']}/companies",
                json={"id": company_id},
                deadline=deadline,
                idempotent=True,
            )
        except IntercomNotFound:
            raise BadRequest.field("companies", f"Intercom has no company with id {company_id}") from None
        data.append({"type": "company", "id": company_id, "url": f"/companies/{company_id}"})
        have.add(company_id)
    return contact


def items_of(found: Any) -> list[dict[str, Any]]:
    """The objects of an Intercom list answer's `data`."""
    items = found.get("data") if isinstance(found, dict) else None
    return [c for c in items or [] if isinstance(c, dict)]


def contact_model(client: IntercomClient, contact: Mapping[str, Any], deadline: Deadline) -> User | Lead:
    """An Intercom contact as User or Lead, with company and tag names from the cache."""
    companies, tags = contact_names(client, contact, deadline)
    return contact_to_model(contact, companies, tags)


def _model_after_write(client: IntercomClient, contact: Mapping[str, Any], deadline: Deadline) -> User | Lead:
    """After a write has happened, a failed name lookup leaves names null rather than failing the whole action."""
    try:
        return contact_model(client, contact, deadline)
    except ConnectorError as error:
        log.warning("names of contact %s not resolved: %s", contact.get("id"), error.code)
        return contact_to_model(contact)
