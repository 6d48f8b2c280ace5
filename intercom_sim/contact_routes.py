"""The `/contacts` endpoints (list, create, read, update, delete, archive, search, merge, a contact's companies, tags
and notes) and `/events`. Writes go through Workspace methods."""

from __future__ import annotations

from typing import Any

from intercom_sim.errors import ApiError
from intercom_sim.paging import list_by_seq, pages, query_per_page
from intercom_sim.render import render_company, render_contact, render_tag
from intercom_sim.search import search
from intercom_sim.state import new_id
from intercom_sim.workspace import Workspace

ME_ADMIN_ID = "991267001"  # the admin of GET /me (routes.py)
WRITABLE = (
    "role",
    "email",
    "phone",
    "name",
    "avatar",
    "external_id",
    "signed_up_at",
    "last_seen_at",
    "owner_id",
    "unsubscribed_from_emails",
    "custom_attributes",
)


def contacts_route(
    ws: Workspace, method: str, seg: list[str], query: dict[str, list[str]], body: dict[str, Any]
) -> tuple[int, Any]:
    if len(seg) == 1 and method == "GET":
        return 200, _list_contacts(ws, query)
    if len(seg) == 1 and method == "POST":
        return 200, _create_contact(ws, body)
    if seg[1:] == ["search"] and method == "POST":
        return 200, search(ws, body, kind="contacts")
    if seg[1:] == ["merge"] and method == "POST":
        lead_id, user_id = body.get("from"), body.get("into")
        if not isinstance(lead_id, str) or not isinstance(user_id, str):
            raise ApiError(400, "parameter_not_found", "from and into are required")
        return 200, render_contact(ws.store, ws.merge_contact(lead_id, user_id))
    if len(seg) == 2:
        if method == "GET":
            return 200, render_contact(ws.store, ws.contact_or_error(seg[1]))
        if method == "PUT":
            return 200, _put_contact(ws, seg[1], body)
        if method == "DELETE":
            return 200, {**_reference(ws.delete_contact(seg[1])), "deleted": True}
    if len(seg) == 3 and seg[2] in ("archive", "unarchive") and method == "POST":
        return 200, {**_reference(ws.set_archived(seg[1], seg[2] == "archive")), "archived": seg[2] == "archive"}
    if len(seg) == 3 and seg[2] == "notes" and method == "POST":
        return 200, _add_note(ws, seg[1], body)
    if len(seg) == 4 and seg[2] == "tags" and method == "DELETE":
        return 200, render_tag(ws.untag_contact(seg[1], seg[3]))
    if len(seg) == 4 and seg[2] == "companies" and method == "DELETE":
        return 200, render_company(ws.store, ws.detach_company(seg[1], seg[3]))
    if len(seg) == 3 and seg[2] == "companies":
        ws.contact_or_error(seg[1])
        if method == "POST":
            company_id = body.get("id")
            if not isinstance(company_id, str):
                raise ApiError(400, "parameter_not_found", "id is required")
            ws.attach_company(seg[1], company_id)
            return 200, render_company(ws.store, ws.store.companies[company_id])
        if method == "GET":
            ids = ws.store.contact_companies.get(seg[1], [])
            data = [render_company(ws.store, ws.store.companies[i]) for i in ids]
            return 200, {
                "type": "list",
                "data": data,
                "total_count": len(data),
                "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 1},
            }
    if len(seg) == 3 and seg[2] == "tags":
        ws.contact_or_error(seg[1])
        if method == "POST":
            tag_id = body.get("id")
            if not isinstance(tag_id, str):
                raise ApiError(400, "parameter_not_found", "id is required")
            ws.tag_contact(seg[1], tag_id)
            return 200, render_tag(ws.store.tags[tag_id])
        if method == "GET":
            ids = ws.store.contact_tags.get(seg[1], [])
            return 200, {"type": "list", "data": [render_tag(ws.store.tags[i]) for i in ids]}
    raise ApiError(404, "not_found", "Resource Not Found")


def _list_contacts(ws: Workspace, query: dict[str, list[str]]) -> dict[str, Any]:
    live = {k: v for k, v in ws.contact_seq.items() if k in ws.store.contacts}
    ids, nxt, total = list_by_seq(live, query, 50)
    size = query_per_page(query, 50)
    return {
        "type": "list",
        "data": [render_contact(ws.store, ws.store.contacts[i]) for i in ids],
        "total_count": total,
        "pages": pages(size, total, nxt),
    }


def _contact_fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = {k: body[k] for k in WRITABLE if k in body}
    if "role" in fields and fields["role"] not in ("user", "lead"):
        raise ApiError(400, "parameter_invalid", "role must be user or lead")
    for key in ("email", "phone", "name", "avatar", "external_id"):
        if fields.get(key) is not None and not isinstance(fields[key], str):
            raise ApiError(400, "parameter_invalid", f"{key} must be a string")
    return fields


def _check_duplicate(ws: Workspace, email: str | None, except_id: str | None = None) -> None:
    if not email:
        return
    for c in ws.store.contacts.values():
        if c["id"] != except_id and (c.get("email") or "").lower() == email.lower() and not c.get("archived"):
            raise ApiError(409, "conflict", f"A contact matching those details already exists with id={c['id']}")


def _create_contact(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    fields = _contact_fields(body)
    if not any(fields.get(k) for k in ("email", "external_id", "role")):
        raise ApiError(400, "parameter_invalid", "email, external_id or role is required")
    _check_duplicate(ws, fields.get("email"))
    now = ws.stamp()
    role = fields.pop("role", "user")
    record = {
        "id": new_id(),
        "role": role,
        "email": None,
        "phone": None,
        "name": None,
        "external_id": None,
        "created_at": now,
        "updated_at": now,
        "signed_up_at": now if role == "user" else None,
        **fields,
    }
    ws.insert_contact(record, delayed=True)
    return render_contact(ws.store, record)


def _put_contact(ws: Workspace, contact_id: str, body: dict[str, Any]) -> dict[str, Any]:
    ws.contact_or_error(contact_id)
    fields = _contact_fields(body)
    if fields.get("email"):
        _check_duplicate(ws, fields["email"], except_id=contact_id)
    return render_contact(ws.store, ws.update_contact(contact_id, fields))


def _reference(record: dict[str, Any]) -> dict[str, Any]:
    return {"type": "contact", "id": record["id"], "external_id": record.get("external_id")}


def _add_note(ws: Workspace, contact_id: str, body: dict[str, Any]) -> dict[str, Any]:
    text, admin_id = body.get("body"), body.get("admin_id", ME_ADMIN_ID)
    if not isinstance(text, str) or not text:
        raise ApiError(400, "parameter_not_found", "body is required")
    if str(admin_id) != ME_ADMIN_ID:  # the workspace's one admin (GET /me)
        raise ApiError(404, "admin_not_found", "Admin not found")
    ws.contact_or_error(contact_id)
    note = ws.add_note(contact_id, text if text.startswith("<") else f"<p>{text}</p>", ME_ADMIN_ID)
    return {
        "type": "note",
        "id": note["id"],
        "created_at": note["created_at"],
        "contact": {"type": "contact", "id": contact_id},
        "author": {
            "type": "admin",
            "id": ME_ADMIN_ID,
            "name": "Simulated Admin",
            "email": "admin@example.com",
            "away_mode_enabled": False,
            "away_mode_reassign": False,
        },
        "body": note["body"],
    }


def events_route(ws: Workspace, method: str, body: dict[str, Any]) -> tuple[int, Any]:
    """`POST /events`: 202 with no body; 404 for an unknown user; deduped on (contact, name, created_at)."""
    if method != "POST":
        raise ApiError(404, "not_found", "Resource Not Found")
    name, created_at, metadata = body.get("event_name"), body.get("created_at"), body.get("metadata") or {}
    if not isinstance(name, str) or not name:
        raise ApiError(400, "parameter_not_found", "event_name is required")
    if isinstance(created_at, bool) or not isinstance(created_at, int):
        raise ApiError(400, "parameter_invalid", "created_at must be a Unix timestamp")
    if not isinstance(metadata, dict) or len(metadata) > 10:
        raise ApiError(400, "parameter_invalid", "metadata must be an object of at most 10 keys")
    if any(isinstance(v, dict | list) for v in metadata.values()):
        raise ApiError(400, "parameter_invalid", "metadata must be flat")
    ws.track_event(_event_contact(ws, body), name, created_at, metadata)
    return 202, None


def _event_contact(ws: Workspace, body: dict[str, Any]) -> str:
    """The contact an event names: `id` (user or lead), else a user by `user_id` (external id) or `email`."""
    if isinstance(body.get("id"), str):
        return str(ws.contact_or_error(body["id"])["id"])
    for key, field in (("user_id", "external_id"), ("email", "email")):
        value = body.get(key)
        if isinstance(value, str) and value:
            for c in ws.store.contacts.values():
                if c["role"] == "user" and str(c.get(field) or "").lower() == value.lower():
                    return str(c["id"])
            raise ApiError(404, "not_found", "User Not Found")
    raise ApiError(400, "parameter_not_found", "id, user_id or email is required")
