"""Intercom JSON (API 2.16) of the stored contacts, companies, tags and conversations."""

from __future__ import annotations

from typing import Any

from intercom_sim.state import INLINE_LIMIT, Store

APP_ID = "simapp01"
ADMIN_ID = "991267001"  # the token's admin (`GET /me` id)


def render_tag(tag: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tag", "id": tag["id"], "name": tag["name"]}


def render_company(store: Store, c: dict[str, Any]) -> dict[str, Any]:
    user_count = sum(1 for ids in store.contact_companies.values() if c["id"] in ids)
    return {
        "type": "company",
        "id": c["id"],
        "name": c.get("name"),
        "app_id": APP_ID,
        "company_id": c["company_id"],
        "remote_created_at": c.get("remote_created_at", c["created_at"]),
        "created_at": c["created_at"],
        "updated_at": c["updated_at"],
        "last_request_at": c.get("last_request_at", c["created_at"]),
        "plan": {"type": "plan", "id": _plan_id(c["plan"]), "name": c["plan"]} if c.get("plan") else {},
        "size": int(c.get("size", 0)),
        "website": c.get("website", ""),
        "industry": c.get("industry", ""),
        "monthly_spend": int(c.get("monthly_spend", 0)),
        "session_count": int(c.get("session_count", 0)),
        "user_count": user_count,
        "custom_attributes": dict(c.get("custom_attributes", {})),
        "tags": {"type": "tag.list", "tags": [render_tag(store.tags[t]) for t in c.get("tag_ids", [])]},
        "segments": {"type": "segment.list", "segments": []},
    }


def _plan_id(name: str) -> str:
    return str(sum(map(ord, name)) + 260000)


def render_contact(store: Store, c: dict[str, Any]) -> dict[str, Any]:
    cid = c["id"]
    companies = store.contact_companies.get(cid, [])
    tags = store.contact_tags.get(cid, [])
    email = c.get("email")
    avatar = c.get("avatar")
    location = c.get("location") or {}
    return {
        "type": "contact",
        "id": cid,
        "workspace_id": APP_ID,
        "external_id": c.get("external_id"),
        "role": c["role"],
        "email": email,
        "email_domain": email.split("@", 1)[1] if email and "@" in email else None,
        "phone": c.get("phone"),
        "formatted_phone": c.get("phone"),
        "name": c.get("name"),
        "owner_id": c.get("owner_id"),
        "has_hard_bounced": False,
        "marked_email_as_spam": False,
        "unsubscribed_from_emails": bool(c.get("unsubscribed_from_emails", False)),
        "created_at": c["created_at"],
        "updated_at": c["updated_at"],
        "signed_up_at": c.get("signed_up_at"),
        "last_seen_at": c.get("last_seen_at"),
        "last_replied_at": c.get("last_replied_at"),
        "last_contacted_at": c.get("last_contacted_at"),
        "last_email_opened_at": None,
        "last_email_clicked_at": None,
        "language_override": None,
        "browser": None,
        "browser_version": None,
        "browser_language": None,
        "os": None,
        "android_app_name": None,
        "android_app_version": None,
        "android_device": None,
        "android_os_version": None,
        "android_sdk_version": None,
        "android_last_seen_at": None,
        "ios_app_name": None,
        "ios_app_version": None,
        "ios_device": None,
        "ios_os_version": None,
        "ios_sdk_version": None,
        "ios_last_seen_at": None,
        "custom_attributes": dict(c.get("custom_attributes") or {}),
        "avatar": {"type": "avatar", "image_url": avatar},
        "tags": _linked(cid, "tag", "tags", tags),
        "notes": _linked(cid, "note", "notes", []),
        "companies": _linked(cid, "company", "companies", companies),
        "location": {
            "type": "location",
            "country": location.get("country"),
            "region": location.get("region"),
            "city": location.get("city"),
            "country_code": location.get("country_code"),
            "continent_code": location.get("continent_code"),
        },
        "social_profiles": {"type": "list", "data": []},
    }


def _linked(contact_id: str, kind: str, plural: str, ids: list[str]) -> dict[str, Any]:
    """A contact's inline list of linked objects: the first INLINE_LIMIT references and the total."""
    return {
        "type": "list",
        "data": [{"type": kind, "id": i, "url": f"/{plural}/{i}"} for i in ids[:INLINE_LIMIT]],
        "url": f"/contacts/{contact_id}/{plural}",
        "total_count": len(ids),
        "has_more": len(ids) > INLINE_LIMIT,
    }


STATISTICS_AT = (
    "first_contact_reply_at",
    "last_contact_reply_at",
    "first_admin_reply_at",
    "last_admin_reply_at",
    "first_assignment_at",
    "last_assignment_at",
    "first_close_at",
    "last_close_at",
)


def render_conversation(c: dict[str, Any], *, snoozed_is_open: bool = False) -> dict[str, Any]:
    """A conversation's REST JSON; `open` is false when snoozed unless `snoozed_is_open` (the setting)."""
    author_type = c["author_type"]
    state = c.get("state", "open")
    waiting = c["waiting_since"] if "waiting_since" in c else c["created_at"] if author_type != "admin" else None
    return {
        "type": "conversation",
        "id": c["id"],
        "title": c.get("subject"),
        "created_at": c["created_at"],
        "updated_at": c["updated_at"],
        "waiting_since": waiting,
        "snoozed_until": c.get("snoozed_until") if state == "snoozed" else None,
        "open": state == "open" or (state == "snoozed" and snoozed_is_open),
        "state": state,
        "read": False,
        "priority": c.get("priority") or "none",
        "admin_assignee_id": int(c["admin_assignee_id"] or 0),
        "team_assignee_id": int(c.get("team_assignee_id") or 0),
        "tags": {"type": "tag.list", "tags": [dict(t) for t in c.get("tags", [])]},
        "conversation_rating": _rating(c.get("rating")),
        "source": {
            "type": "conversation",
            "id": c.get("source_id") or f"src{c['id']}",
            "delivered_as": "customer_initiated" if author_type != "admin" else "admin_initiated",
            "subject": c.get("subject") or "",
            "body": c["body"],
            "author": {
                "type": author_type,
                "id": c["author_id"],
                "name": None,
                "email": "",
            },
            "attachments": [],
            "url": None,
            "redacted": False,
        },
        "contacts": {
            "type": "contact.list",
            "contacts": [{"type": "contact", "id": c["contact_id"], "external_id": c.get("contact_external_id")}],
        },
        "teammates": {"type": "admin.list", "admins": [{"type": "admin", "id": i} for i in _teammates(c)]},
        "custom_attributes": {},
        "first_contact_reply": None,
        "sla_applied": None,
        "statistics": _statistics(c),
        "linked_objects": _linked_objects(c),
        "ai_agent_participated": False,
    }


def _teammates(c: dict[str, Any]) -> list[str]:
    """The admins who took part: authors of admin parts and the assigned admin, in order of appearance."""
    ids = [str(p["author_id"]) for p in c.get("parts", []) if p["author_type"] == "admin"]
    if c.get("admin_assignee_id"):
        ids.append(str(c["admin_assignee_id"]))
    return list(dict.fromkeys(ids))


def _linked_objects(c: dict[str, Any]) -> dict[str, Any]:
    data = [{"type": "ticket", "id": t["id"], "category": t["category"]} for t in c.get("linked_tickets", [])]
    return {"type": "list", "data": data, "total_count": len(data), "has_more": False}


def _rating(r: dict[str, Any] | None) -> dict[str, Any] | None:
    if not r:
        return None
    teammate = {"type": "admin", "id": r["teammate_id"]} if r.get("teammate_id") else None
    rendered: dict[str, Any] = {
        "rating": r["rating"],
        "remark": r["remark"],
        "created_at": r["requested_at"],
        "updated_at": r["replied_at"],
        "contact": {"type": "contact", "id": r["contact_id"], "external_id": r.get("contact_external_id")},
    }
    if teammate is not None:
        rendered["teammate"] = teammate
    return rendered


def _statistics(c: dict[str, Any]) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "type": "conversation_statistics",
        "count_reopens": int(c.get("count_reopens", 0)),
        "count_assignments": int(c.get("count_assignments", 0)),
        "count_conversation_parts": len(c.get("parts", [])) + 1,
    }
    for key in (*STATISTICS_AT, "last_closed_by_id"):
        if c.get(key) is not None:
            stats[key] = c[key]
    return stats


def render_part(part: dict[str, Any]) -> dict[str, Any]:
    """One conversation part (a reply, a note, or a close / open / snooze / assignment)."""
    rendered = {
        "type": "conversation_part",
        "id": part["id"],
        "part_type": part["part_type"],
        "body": part.get("body"),
        "created_at": part["created_at"],
        "updated_at": part["created_at"],
        "notified_at": part["created_at"],
        "author": {"type": part["author_type"], "id": part["author_id"], "name": None, "email": ""},
        "attachments": [],
        "external_id": None,
        "redacted": False,
    }
    if part.get("assigned_to") is not None:
        rendered["assigned_to"] = part["assigned_to"]
    return rendered


def render_message(c: dict[str, Any]) -> dict[str, Any]:
    """What `POST /conversations` answers: the contact's message, naming the conversation it started."""
    return {
        "type": "user_message",
        "id": f"msg{c['id']}",
        "created_at": c["created_at"],
        "body": c["body"],
        "message_type": "inapp",
        "conversation_id": c["id"],
    }
