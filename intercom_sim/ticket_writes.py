"""The writes on tickets (create, update, reply), as methods of `Workspace` (mixed in): each validates everything
before it changes anything, moves `updated_at`, re-indexes the ticket for search and sends its webhook topics
(the item: the whole ticket with all its parts, as the 2026 captures of `ticket.created` and `ticket.state.updated`
show)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intercom_sim.admins import ME_ADMIN_ID, admin_ids, team_ids
from intercom_sim.config import Config
from intercom_sim.errors import ApiError
from intercom_sim.state import new_id
from intercom_sim.tickets import CATEGORIES, TicketBook, render_ticket, render_ticket_part

if TYPE_CHECKING:
    import random

    from intercom_sim.state import Store


class TicketWrites:
    if TYPE_CHECKING:
        store: Store
        config: Config
        tickets: TicketBook
        seq: int
        index_rng: random.Random

        def stamp(self) -> int: ...
        def contact_or_error(self, contact_id: str) -> dict[str, Any]: ...
        def conversation_or_error(self, conv_id: str) -> dict[str, Any]: ...
        def insert_contact(self, record: dict[str, Any], *, delayed: bool) -> None: ...
        def emit(self, topic: str, object_id: str, item: dict[str, Any]) -> None: ...
        def delay(self, delayed: bool) -> tuple[float, float] | None: ...

    def ticket_or_error(self, ticket_id: str) -> dict[str, Any]:
        ticket = self.tickets.tickets.get(ticket_id)
        if ticket is None:
            raise ApiError(404, "ticket_not_found", "Ticket not found")
        return ticket

    # ---- create ----------------------------------------------------------------------------------------------------
    def create_ticket(self, body: dict[str, Any], *, delayed: bool = True) -> dict[str, Any]:
        """`POST /tickets` (see docs/simulator.md, "Tickets", for each refusal)."""
        type_id = _text(body.get("ticket_type_id"), "ticket_type_id")
        ticket_type = self.tickets.types.get(type_id)
        if ticket_type is None or ticket_type["archived"]:
            raise ApiError(400, "parameter_invalid", f"Ticket type {type_id} not found")
        contacts = body.get("contacts")
        if not isinstance(contacts, list) or len(contacts) != 1 or not isinstance(contacts[0], dict):
            raise ApiError(400, "parameter_invalid", "contacts must hold exactly one contact")
        attributes = body.get("ticket_attributes") or {}
        if not isinstance(attributes, dict):
            raise ApiError(400, "parameter_invalid", "ticket_attributes must be an object")
        self._check_attributes(ticket_type, attributes, creating=True)
        company_id = body.get("company_id")
        if company_id is not None and company_id not in self.store.companies:
            raise ApiError(404, "company_not_found", "Company Not Found")
        assignment = body.get("assignment") or {}
        admin = _optional_id(assignment.get("admin_assignee_id"), admin_ids())
        team = _optional_id(assignment.get("team_assignee_id"), team_ids())
        link = body.get("conversation_to_link_id")
        if link is not None:
            self.conversation_or_error(str(link))
            if ticket_type["category"] == "Customer":
                raise ApiError(
                    400, "invalid_ticket_type", "A conversation can be linked to a back-office or tracker ticket only"
                )
        at = body.get("created_at")
        now = int(at) if isinstance(at, int) and not isinstance(at, bool) else self.stamp()
        contact = self._ticket_contact(contacts[0])
        submitted = next(s for s in self.tickets.states_of(type_id) if s["category"] == "submitted")
        number = len(self.tickets.tickets) + 1
        ticket: dict[str, Any] = {
            "id": str(6_000_000 + number),  # the API id; the Inbox number `ticket_id` is another, smaller one
            "ticket_id": str(number),
            "type_id": type_id,
            "state_id": submitted["id"],
            "previous_state_id": None,
            "attributes": {a["name"]: attributes.get(a["name"]) for a in ticket_type["attributes"]},
            "contacts": [{"id": contact["id"], "external_id": contact.get("external_id")}],
            "company_id": company_id,
            "admin_assignee_id": admin,
            "team_assignee_id": team,
            "created_at": now,
            "updated_at": now,
            "open": True,
            "snoozed_until": None,
            "is_shared": ticket_type["category"] == "Customer",
            "parts": [],
            "linked_conversation_ids": [],
        }
        self._ticket_part(ticket, "ticket_state_updated_by_admin", ME_ADMIN_ID, ticket_state="submitted")
        ticket["parts"][-1]["previous_ticket_state"] = "submitted"
        if link is not None:
            ticket["linked_conversation_ids"].append(str(link))
            conversation = self.conversation_or_error(str(link))
            conversation.setdefault("linked_tickets", []).append(
                {"id": ticket["id"], "category": ticket_type["category"]}
            )
        self.tickets.tickets[ticket["id"]] = ticket
        self.seq += 1
        self.tickets.seq[ticket["id"]] = self.seq
        return self._ticket_written(ticket, ["ticket.created"], delayed=delayed, touch=False)

    def _ticket_contact(self, ref: dict[str, Any]) -> dict[str, Any]:
        """The ticket's contact by `id`, `external_id` or `email`; an unknown email makes a lead, as documented."""
        if isinstance(ref.get("id"), str):
            return self.contact_or_error(ref["id"])
        for key in ("external_id", "email"):
            value = ref.get(key)
            if isinstance(value, str) and value:
                for c in self.store.contacts.values():
                    if str(c.get(key) or "").lower() == value.lower():
                        return c
                if key == "email":
                    now = self.stamp()
                    lead = {
                        "id": new_id(),
                        "role": "lead",
                        "email": value,
                        "phone": None,
                        "name": None,
                        "external_id": None,
                        "created_at": now,
                        "updated_at": now,
                        "signed_up_at": None,
                    }
                    self.insert_contact(lead, delayed=True)
                    return lead
                raise ApiError(404, "not_found", "User Not Found")
        raise ApiError(400, "parameter_invalid", "a contact needs one of id, external_id or email")

    def _check_attributes(self, ticket_type: dict[str, Any], values: dict[str, Any], *, creating: bool) -> None:
        known = {a["name"]: a for a in ticket_type["attributes"] if not a["archived"]}
        for name, value in values.items():
            attribute = known.get(name)
            if attribute is None:
                raise ApiError(400, "parameter_invalid", f"Ticket attribute {name!r} is not an attribute of this type")
            if value is not None and not _fits(attribute, value):
                raise ApiError(400, "parameter_invalid", f"Ticket attribute {name!r} must be {attribute['data_type']}")
        if creating:
            missing = [n for n, a in known.items() if a["required_to_create"] and values.get(n) in (None, "")]
            if missing:
                raise ApiError(400, "parameter_invalid", f"Missing required ticket attributes: {', '.join(missing)}")

    # ---- update ----------------------------------------------------------------------------------------------------
    def update_ticket(self, ticket_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """`PUT /tickets/{id}`: each change adds its part and topic; nothing changes when any field is refused."""
        ticket = self.ticket_or_error(ticket_id)
        if "state" in body:
            raise ApiError(400, "parameter_invalid", "state is not a 2.16 field: send ticket_state_id")
        actor = str(body.get("admin_id") or ME_ADMIN_ID)
        if actor not in admin_ids():
            raise ApiError(404, "assignee_not_found", "Assignee not found")
        ticket_type = self.tickets.types[ticket["type_id"]]
        attributes = body.get("ticket_attributes")
        if attributes is not None:
            if not isinstance(attributes, dict):
                raise ApiError(400, "parameter_invalid", "ticket_attributes must be an object")
            self._check_attributes(ticket_type, attributes, creating=False)
        state_id = body.get("ticket_state_id")
        if state_id is not None:
            state_id = str(state_id)
            if state_id not in {s["id"] for s in self.tickets.states_of(ticket["type_id"])}:
                raise ApiError(
                    400,
                    "ticket_state_id_invalid",
                    "Ticket state id is not valid or is not associated with the ticket type",
                )
        assignee = body.get("assignee_id")
        if assignee is not None and str(assignee) != "0" and str(assignee) not in admin_ids() | team_ids():
            raise ApiError(404, "assignee_not_found", "Assignee not found")
        until = body.get("snoozed_until")
        if until is not None and (isinstance(until, bool) or not isinstance(until, int) or until <= self.stamp()):
            raise ApiError(400, "parameter_invalid", "snoozed_until must be a Unix timestamp in the future")
        if "company_id" in body and body["company_id"] is not None and body["company_id"] not in self.store.companies:
            raise ApiError(404, "company_not_found", "Company Not Found")
        for key in ("open", "is_shared"):
            if key in body and not isinstance(body[key], bool):
                raise ApiError(400, "parameter_invalid", f"{key} must be true or false")
        topics = self._apply(ticket, body, actor, state_id, assignee)
        return self._ticket_written(ticket, topics, delayed=True)

    def _apply(
        self, ticket: dict[str, Any], body: dict[str, Any], actor: str, state_id: str | None, assignee: Any
    ) -> list[str]:
        topics: list[str] = []
        for name, value in (body.get("ticket_attributes") or {}).items():
            if ticket["attributes"].get(name) != value:
                ticket["attributes"][name] = value
                attribute = next(a for a in self.tickets.types[ticket["type_id"]]["attributes"] if a["name"] == name)
                self._ticket_part(ticket, "ticket_attribute_updated_by_admin", actor)
                ticket["parts"][-1]["updated_attribute_data"] = {
                    "attribute": {"type": "attribute", "id": attribute["id"], "label": name},
                    "value": {"type": "value", "id": value, "label": value},
                }
                if "ticket.attribute.updated" not in topics:
                    topics.append("ticket.attribute.updated")
        if state_id is not None and state_id != ticket["state_id"]:
            before = self.tickets.states[ticket["state_id"]]["category"]
            after = self.tickets.states[state_id]["category"]
            ticket["previous_state_id"], ticket["state_id"] = ticket["state_id"], state_id
            self._ticket_part(ticket, "ticket_state_updated_by_admin", actor, ticket_state=after)
            ticket["parts"][-1]["previous_ticket_state"] = before
            topics.append("ticket.state.updated")
            if self.config.ticket_resolved_closes and (after == "resolved") == ticket["open"]:
                topics += self._ticket_open(ticket, after != "resolved", actor)
        if "open" in body and body["open"] != ticket["open"]:
            topics += self._ticket_open(ticket, body["open"], actor)
        elif body.get("open") is True and ticket["snoozed_until"] is not None:
            ticket["snoozed_until"] = None
            self._ticket_part(ticket, "open", actor)
            topics.append("ticket.admin.unsnoozed")
        if body.get("snoozed_until") is not None:
            ticket["open"], ticket["snoozed_until"] = True, body["snoozed_until"]
            self._ticket_part(ticket, "snoozed", actor)
            topics.append("ticket.admin.snoozed")
        if assignee is not None:
            topics += self._ticket_assign(ticket, str(assignee), actor)
        if "company_id" in body:
            ticket["company_id"] = body["company_id"]
        if "is_shared" in body:
            ticket["is_shared"] = body["is_shared"]
        return topics

    def _ticket_open(self, ticket: dict[str, Any], open_: bool, actor: str) -> list[str]:
        ticket["open"] = open_
        ticket["snoozed_until"] = None  # "Closing a ticket will also unsnooze it."
        self._ticket_part(ticket, "open" if open_ else "close", actor)
        return [] if open_ else ["ticket.closed"]

    def _ticket_assign(self, ticket: dict[str, Any], assignee: str, actor: str) -> list[str]:
        self._ticket_part(ticket, "assignment", actor)
        if assignee == "0":
            ticket["admin_assignee_id"] = ticket["team_assignee_id"] = None
            ticket["parts"][-1]["assigned_to"] = None
            return ["ticket.admin.assigned"]
        kind = "admin" if assignee in admin_ids() else "team"
        ticket[f"{kind}_assignee_id"] = int(assignee)
        ticket["parts"][-1]["assigned_to"] = {"type": kind, "id": assignee}
        return [f"ticket.{kind}.assigned"]

    # ---- reply -----------------------------------------------------------------------------------------------------
    def reply_to_ticket(self, ticket_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """`POST /tickets/{id}/reply`: an admin's comment, note or quick reply, or the contact's comment; answers the
        `ticket_part`."""
        ticket = self.ticket_or_error(ticket_id)
        message_type = body.get("message_type")
        text = body.get("body")
        if body.get("type") == "admin":
            if message_type not in ("comment", "note", "quick_reply"):
                raise ApiError(400, "parameter_invalid", "message_type must be comment, note or quick_reply")
            admin = _text(body.get("admin_id"), "admin_id")
            if admin not in admin_ids():
                raise ApiError(404, "admin_not_found", "Admin not found")
            if message_type != "quick_reply" and not (isinstance(text, str) and text):
                raise ApiError(400, "parameter_not_found", "body is required")
            part = self._ticket_part(ticket, str(message_type), admin, body=text if isinstance(text, str) else None)
            topic = "ticket.note.created" if message_type == "note" else "ticket.admin.replied"
        elif body.get("type") == "user":
            if message_type != "comment" or not (isinstance(text, str) and text):
                raise ApiError(400, "parameter_invalid", "a contact's reply is a comment with a body")
            if self.tickets.types[ticket["type_id"]]["category"] != CATEGORIES[0]:
                raise ApiError(400, "parameter_mismatch", "User replies are not allowed on Backoffice tickets")
            contact = self._replying_contact(ticket, body)
            part = self._ticket_part(ticket, "comment", contact["id"], body=text, author_type="user")
            topic = "ticket.contact.replied"
        else:
            raise ApiError(400, "parameter_invalid", "type must be admin or user")
        self._ticket_written(ticket, [topic], delayed=True)
        return render_ticket_part(part)

    def _replying_contact(self, ticket: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        on_ticket = {c["id"] for c in ticket["contacts"]}
        for key, field in (("intercom_user_id", "id"), ("user_id", "external_id"), ("email", "email")):
            value = body.get(key)
            if isinstance(value, str) and value:
                for contact_id in on_ticket:
                    contact = self.store.contacts.get(contact_id)
                    if contact is not None and str(contact.get(field) or "").lower() == value.lower():
                        return contact
                raise ApiError(404, "not_found", "Resource Not Found")
        raise ApiError(400, "parameter_invalid", "one of intercom_user_id, user_id or email is required")

    # ---- helpers ---------------------------------------------------------------------------------------------------
    def _ticket_part(
        self,
        ticket: dict[str, Any],
        part_type: str,
        author_id: str,
        *,
        body: str | None = None,
        author_type: str = "admin",
        ticket_state: str | None = None,
    ) -> dict[str, Any]:
        part: dict[str, Any] = {
            "id": f"{ticket['id']}{len(ticket['parts']) + 1:03d}",
            "part_type": part_type,
            "body": body,
            "created_at": self.stamp(),
            "author_type": author_type,
            "author_id": author_id,
        }
        if ticket_state is not None:
            part["ticket_state"] = ticket_state
        ticket["parts"].append(part)
        return part

    def _ticket_written(
        self, ticket: dict[str, Any], topics: list[str], *, delayed: bool, touch: bool = True
    ) -> dict[str, Any]:
        """Move `updated_at` (`touch`), re-index and send `topics` with the ticket after the write."""
        if touch:
            ticket["updated_at"] = self.stamp()
        rendered = render_ticket(ticket, self.tickets)
        self.store.index(self.store.ticket_index, ticket["id"], rendered, self.delay(delayed), self.index_rng)
        for topic in topics:
            self.emit(topic, ticket["id"], rendered)
        return rendered


def _text(value: Any, name: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ApiError(400, "parameter_not_found", f"{name} is required")
    return value


def _optional_id(value: Any, known: set[str]) -> int | None:
    if value in (None, "", "0", 0):
        return None
    if str(value) not in known:
        raise ApiError(404, "assignee_not_found", "Assignee not found")
    return int(value)


def _fits(attribute: dict[str, Any], value: Any) -> bool:
    kind = attribute["data_type"]
    if kind == "string":
        return isinstance(value, str)
    if kind == "list":
        options = (attribute.get("input_options") or {}).get("list_options", [])
        return value in {o["id"] for o in options}
    if kind in ("integer", "datetime"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "decimal":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return False
