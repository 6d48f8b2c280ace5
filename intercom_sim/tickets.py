"""Tickets' data and JSON (API 2.16): ticket types with their attributes, ticket states (`ticket_state` objects, each
linked to some types), tickets and their parts. Writes are in `ticket_writes.py`, routes in `ticket_routes.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intercom_sim.admins import ADMINS
from intercom_sim.render import APP_ID

CATEGORIES = ("Customer", "Back-office", "Tracker")
SEARCH_CATEGORY = {"Customer": "request", "Back-office": "task", "Tracker": "tracker"}  # terms of ticket search
STATE_CATEGORIES = ("submitted", "in_progress", "waiting_on_customer", "resolved")
DATA_TYPES = ("string", "list", "integer", "decimal", "boolean", "datetime", "files")
TITLE, DESCRIPTION = "_default_title_", "_default_description_"


@dataclass
class TicketBook:
    """Ticket types, states and tickets of one workspace (ids are strings; `ticket_id` is the Inbox number)."""

    types: dict[str, dict[str, Any]] = field(default_factory=dict)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)
    next_attribute_id: int = 9000

    def add_state(self, category: str, internal: str, external: str, type_ids: list[str]) -> dict[str, Any]:
        state: dict[str, Any] = {
            "id": str(8321 + len(self.states)),
            "category": category,
            "internal_label": internal,
            "external_label": external,
            "archived": False,
            "type_ids": list(type_ids),
        }
        self.states[state["id"]] = state
        return state

    def add_type(
        self, name: str, category: str, attributes: list[dict[str, Any]], at: int, description: str = ""
    ) -> dict[str, Any]:
        type_id = str(2001 + len(self.types))
        ticket_type: dict[str, Any] = {
            "id": type_id,
            "name": name,
            "description": description,
            "icon": "\U0001f39f",
            "category": category,
            "archived": False,
            "created_at": at,
            "updated_at": at,
            "attributes": [],
        }
        defaults = [
            {"name": TITLE, "data_type": "string", "required": True, "default": True},
            {"name": DESCRIPTION, "data_type": "string", "default": True, "multiline": True},
        ]
        for order, spec in enumerate(defaults + attributes):
            ticket_type["attributes"].append(self._attribute(type_id, order, spec, at))
        self.types[type_id] = ticket_type
        for state in self.states.values():
            applies = state["category"] != "waiting_on_customer" or category == "Customer"
            if applies and state.get("default"):
                state["type_ids"].append(type_id)
        return ticket_type

    def _attribute(self, type_id: str, order: int, spec: dict[str, Any], at: int) -> dict[str, Any]:
        self.next_attribute_id += 1
        options = spec.get("options") or []
        input_options: dict[str, Any] | None = {"multiline": bool(spec.get("multiline", False))}
        if spec.get("data_type") == "list":
            input_options = {"list_options": [{"id": o["id"], "label": o["label"], "archived": False} for o in options]}
        return {
            "id": str(self.next_attribute_id),
            "name": spec["name"],
            "description": spec.get("description", ""),
            "data_type": spec.get("data_type", "string"),
            "input_options": input_options,
            "order": order,
            "required_to_create": bool(spec.get("required", False)),
            "required_to_create_for_contacts": bool(spec.get("required_for_contacts", False)),
            "visible_on_create": True,
            "visible_to_contacts": bool(spec.get("visible_to_contacts", True)),
            "default": bool(spec.get("default", False)),
            "ticket_type_id": int(type_id),
            "archived": False,
            "created_at": at,
            "updated_at": at,
        }

    def seed(self, at: int) -> None:
        """Four states every type has (Back-office and Tracker types lack waiting on customer), three types, and
        one more state only the bug report has."""
        for category, internal, external in (
            ("submitted", "Submitted", "Submitted"),
            ("in_progress", "In progress", "In progress"),
            ("waiting_on_customer", "Waiting on customer", "Waiting on you"),
            ("resolved", "Resolved", "Resolved"),
        ):
            self.add_state(category, internal, external, [])["default"] = True
        platforms = [{"id": f"opt-{p.lower()}", "label": p} for p in ("Web", "iOS", "Android")]
        bug = self.add_type(
            "Bug report",
            "Customer",
            [
                {"name": "Platform", "data_type": "list", "required": True, "options": platforms},
                {"name": "Severity", "data_type": "integer"},
                {"name": "Reproducible", "data_type": "boolean"},
            ],
            at,
            "A bug a customer reported",
        )
        self.add_type("Internal task", "Back-office", [{"name": "Due at", "data_type": "datetime"}], at)
        self.add_type("Outage", "Tracker", [{"name": "Region", "data_type": "string"}], at)
        self.add_state("in_progress", "With engineering", "In progress", [bug["id"]])

    def states_of(self, type_id: str) -> list[dict[str, Any]]:
        return [s for s in self.states.values() if type_id in s["type_ids"] and not s["archived"]]


def render_attribute(a: dict[str, Any]) -> dict[str, Any]:
    return {"type": "ticket_type_attribute", "workspace_id": APP_ID, **a}


def render_type(t: dict[str, Any], states: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A `ticket_type`: its attributes as `{type:"list", data}` (as every example and capture has them, where the
    schema names the key `ticket_type_attributes`); with `states`, its `ticket_states` too."""
    rendered = {
        "type": "ticket_type",
        "id": t["id"],
        "name": t["name"],
        "description": t["description"],
        "icon": t["icon"],
        "workspace_id": APP_ID,
        "archived": t["archived"],
        "created_at": t["created_at"],
        "updated_at": t["updated_at"],
        "is_internal": False,
        "ticket_type_attributes": {"type": "list", "data": [render_attribute(a) for a in t["attributes"]]},
        "category": t["category"],
    }
    if states is not None:
        rendered["ticket_states"] = {"type": "list", "data": [render_state(s) for s in states]}
    return rendered


def render_state(s: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "category", "internal_label", "external_label")
    return {"type": "ticket_state", **{k: s[k] for k in keys}}


def render_state_detailed(s: dict[str, Any], book: TicketBook) -> dict[str, Any]:
    types = [book.types[i] for i in s["type_ids"]]
    listed = [
        {k: t[k] for k in ("id", "name", "description", "icon", "archived", "category")}
        | {"type": "ticket_type", "is_internal": False}
        for t in types
    ]
    return {**render_state(s), "archived": s["archived"], "ticket_types": {"type": "list", "data": listed}}


def author(author_type: str, author_id: str) -> dict[str, Any]:
    admin = next((a for a in ADMINS if a["id"] == author_id), None)
    if author_type == "admin" and admin is not None:
        return {"id": author_id, "type": "admin", "name": admin["name"], "email": admin["email"]}
    return {"id": author_id, "type": author_type, "name": None, "email": ""}


def render_ticket_part(p: dict[str, Any]) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "type": "ticket_part",
        "id": p["id"],
        "part_type": p["part_type"],
    }
    if p.get("body") is not None:
        rendered["body"] = p["body"]
    for key in ("ticket_state", "previous_ticket_state"):
        if key in p:
            rendered[key] = p[key]
    rendered |= {
        "created_at": p["created_at"],
        "updated_at": p["created_at"],
        "author": author(p["author_type"], p["author_id"]),
        "attachments": [],
        "redacted": False,
    }
    if "assigned_to" in p:
        rendered["assigned_to"] = p["assigned_to"]
    if "updated_attribute_data" in p:
        rendered["updated_attribute_data"] = p["updated_attribute_data"]
    return rendered


def render_ticket(t: dict[str, Any], book: TicketBook) -> dict[str, Any]:
    ticket_type = book.types[t["type_id"]]
    parts = [render_ticket_part(p) for p in t["parts"]]
    linked = [{"type": "conversation", "id": c, "category": None} for c in t["linked_conversation_ids"]]
    rendered: dict[str, Any] = {
        "type": "ticket",
        "id": t["id"],
        "ticket_id": t["ticket_id"],
        "ticket_attributes": dict(t["attributes"]),
        "ticket_state": render_state(book.states[t["state_id"]]),
        "ticket_type": render_type(ticket_type),
        "contacts": {
            "type": "contact.list",
            "contacts": [
                {"type": "contact", "id": c["id"], "external_id": c.get("external_id")} for c in t["contacts"]
            ],
        },
        "admin_assignee_id": int(t["admin_assignee_id"] or 0),
        "team_assignee_id": int(t["team_assignee_id"] or 0),
        "created_at": t["created_at"],
        "updated_at": t["updated_at"],
        "ticket_parts": {"type": "ticket_part.list", "ticket_parts": parts, "total_count": len(parts)},
        "open": t["open"],
        "linked_objects": {"type": "list", "data": linked, "total_count": len(linked), "has_more": False},
        "category": ticket_type["category"],
        "is_shared": t["is_shared"],
        "previous_ticket_state_id": t.get("previous_state_id"),
        "company_id": t.get("company_id"),
    }
    if t.get("snoozed_until") is not None:
        rendered["snoozed_until"] = t["snoozed_until"]
    return rendered
