"""The Python API of the lifecycle events (mixed into `Simulator`): what the app's tests call to make a contact
reply, an admin reply, assign, snooze or unsnooze, a contact rate, a conversation be tagged or untagged, a ticket be
made, moved or answered, a contact be deleted, a message be answered, a data attribute be defined. Each goes through
the same workspace write as the REST API (statistics, `updated_at`, search index with its delay, webhook topics).
The control API offers each as `POST /_sim/call/{name}` with the keyword arguments as JSON (CALLABLE)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from intercom_sim.data_attributes import new_attribute
from intercom_sim.errors import ApiError
from intercom_sim.messages import reply_to_message
from intercom_sim.render import ADMIN_ID
from intercom_sim.tickets import DESCRIPTION, STATE_CATEGORIES, TITLE, render_state, render_ticket, render_type

if TYPE_CHECKING:
    from intercom_sim.workspace import Workspace

CALLABLE = (
    "close_conversation",
    "open_conversation",
    "reply_as_contact",
    "reply_as_admin",
    "assign_conversation",
    "snooze_conversation",
    "unsnooze_conversation",
    "rate_conversation",
    "tag_conversation",
    "untag_conversation",
    "add_ticket_type",
    "add_ticket_state",
    "add_ticket",
    "update_ticket",
    "set_ticket_state",
    "reply_to_ticket",
    "delete_contact",
    "reply_to_message",
    "add_data_attribute",
    "add_tag",
    "add_company",
    "tag_contact",
    "untag_contact",
    "attach_company",
    "tickets",
    "ticket_types",
    "ticket_states",
    "conversations",
    "contacts",
    "messages",
)


class LifecycleApi:
    if TYPE_CHECKING:
        _lock: threading.RLock
        _ws: Workspace

    # ---- conversations ---------------------------------------------------------------------------------------------
    def reply_as_contact(self, conv_id: str, body: str = "<p>One more thing</p>") -> dict[str, Any]:
        """The conversation's contact replies (a `comment`): `statistics.last_contact_reply_at`, `waiting_since`,
        a closed or snoozed conversation reopens; `conversation.user.replied`."""
        with self._lock:
            record = self._ws.conversation_or_error(conv_id)
            contact = self._ws.contact_or_error(record["contact_id"])
            return self._ws.conversation_json(
                self._ws.reply_to_conversation(conv_id, author_type=contact["role"], author_id=contact["id"], body=body)
            )

    def reply_as_admin(
        self, conv_id: str, body: str = "<p>On it</p>", admin_id: str = ADMIN_ID, *, note: bool = False
    ) -> dict[str, Any]:
        """An admin's comment (`last_admin_reply_at`; `conversation.admin.replied`) or note (`...noted`)."""
        with self._lock:
            record = self._ws.reply_to_conversation(
                conv_id, author_type="admin", author_id=admin_id, body=body, note=note
            )
            return self._ws.conversation_json(record)

    def assign_conversation(
        self,
        conv_id: str,
        assignee_id: str,
        kind: str = "admin",
        admin_id: str = ADMIN_ID,
        body: str | None = None,
    ) -> dict[str, Any]:
        """Assign to an admin or a team (`"0"` unassigns): `last_assignment_at`; `conversation.admin.assigned`
        and, if it is open, `conversation.admin.open.assigned`."""
        fields = {"type": kind, "assignee_id": assignee_id, "body": body}
        with self._lock:
            return self._ws.conversation_json(self._ws.change_conversation(conv_id, "assignment", admin_id, **fields))

    def snooze_conversation(self, conv_id: str, until: int, admin_id: str = ADMIN_ID) -> dict[str, Any]:
        with self._lock:
            record = self._ws.change_conversation(conv_id, "snoozed", admin_id, snoozed_until=until)
            return self._ws.conversation_json(record)

    def unsnooze_conversation(self, conv_id: str, admin_id: str = ADMIN_ID) -> dict[str, Any]:
        """An admin opens a snoozed conversation: `conversation.admin.unsnoozed`."""
        with self._lock:
            if self._ws.conversation_or_error(conv_id).get("state") != "snoozed":
                raise ApiError(400, "parameter_invalid", "the conversation is not snoozed")
            return self._ws.conversation_json(self._ws.change_conversation(conv_id, "open", admin_id))

    def rate_conversation(
        self, conv_id: str, rating: int, remark: str | None = None, contact_id: str | None = None
    ) -> dict[str, Any]:
        """The contact rates it 1-5 with an optional remark: `conversation_rating`; `conversation.rating.added`."""
        with self._lock:
            return self._ws.conversation_json(self._ws.rate_conversation(conv_id, rating, remark, contact_id))

    def tag_conversation(self, conv_id: str, tag_id: str, admin_id: str = ADMIN_ID) -> dict[str, Any]:
        """Tag it (`conversation_part.tag.created`); answers the tag with `applied_at` and `applied_by`."""
        with self._lock:
            return self._ws.tag_conversation(conv_id, tag_id, admin_id)

    def untag_conversation(self, conv_id: str, tag_id: str, admin_id: str = ADMIN_ID) -> dict[str, Any]:
        with self._lock:
            return self._ws.untag_conversation(conv_id, tag_id, admin_id)

    # ---- tickets ---------------------------------------------------------------------------------------------------
    def add_ticket_type(
        self,
        name: str,
        category: str = "Customer",
        attributes: list[dict[str, Any]] | None = None,
        description: str = "",
    ) -> dict[str, Any]:
        """A ticket type with `_default_title_`, `_default_description_` and `attributes`, each
        `{name, data_type, required?, required_for_contacts?, options? [{id, label}] for a list}`; it gets the
        default states (waiting on customer for Customer types only)."""
        if category not in ("Customer", "Back-office", "Tracker"):
            raise ValueError("category must be Customer, Back-office or Tracker")
        with self._lock:
            book = self._ws.tickets
            made = book.add_type(name, category, list(attributes or []), self._ws.stamp(), description)
            return render_type(made, book.states_of(made["id"]))

    def add_ticket_state(
        self,
        category: str,
        internal_label: str,
        external_label: str | None = None,
        ticket_type_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """A state of the given types (every type when None)."""
        if category not in STATE_CATEGORIES:
            raise ValueError(f"category must be one of {STATE_CATEGORIES}")
        with self._lock:
            book = self._ws.tickets
            types = list(book.types) if ticket_type_ids is None else [str(t) for t in ticket_type_ids]
            return render_state(book.add_state(category, internal_label, external_label or internal_label, types))

    def add_ticket(
        self,
        ticket_type_id: str,
        contact_id: str,
        title: str | None = "A ticket",
        description: str | None = None,
        attributes: dict[str, Any] | None = None,
        *,
        index: bool = True,
        **fields: Any,
    ) -> dict[str, Any]:
        """Create a ticket as `POST /tickets` does (`ticket.created`); `fields`: `company_id`, `assignment`,
        `conversation_to_link_id`, `created_at`. `index=False` makes it searchable at once."""
        values = dict(attributes or {})
        if title is not None:
            values.setdefault(TITLE, title)
        if description is not None:
            values.setdefault(DESCRIPTION, description)
        body = {"ticket_type_id": ticket_type_id, "contacts": [{"id": contact_id}], "ticket_attributes": values}
        with self._lock:
            return self._ws.create_ticket({**body, **fields}, delayed=index)

    def update_ticket(self, ticket_id: str, **fields: Any) -> dict[str, Any]:
        """As `PUT /tickets/{id}`: `ticket_state_id`, `ticket_attributes`, `open`, `snoozed_until`, `assignee_id`,
        `admin_id`, `company_id`, `is_shared`."""
        with self._lock:
            return self._ws.update_ticket(ticket_id, fields)

    def set_ticket_state(self, ticket_id: str, ticket_state_id: str, admin_id: str = ADMIN_ID) -> dict[str, Any]:
        """Move a ticket to a state of its type: `ticket.state.updated`."""
        return self.update_ticket(ticket_id, ticket_state_id=ticket_state_id, admin_id=admin_id)

    def reply_to_ticket(
        self,
        ticket_id: str,
        body: str = "<p>Looking into it</p>",
        admin_id: str = ADMIN_ID,
        message_type: str = "comment",
        contact_id: str | None = None,
    ) -> dict[str, Any]:
        """An admin's comment or note, or (with `contact_id`) the contact's comment; answers the ticket part."""
        if contact_id is not None:
            request = {"type": "user", "message_type": "comment", "intercom_user_id": contact_id, "body": body}
        else:
            request = {"type": "admin", "message_type": message_type, "admin_id": admin_id, "body": body}
        with self._lock:
            return self._ws.reply_to_ticket(ticket_id, request)

    def tickets(self) -> list[dict[str, Any]]:
        with self._lock:
            book = self._ws.tickets
            return [render_ticket(t, book) for t in book.tickets.values()]

    def ticket_types(self) -> list[dict[str, Any]]:
        with self._lock:
            book = self._ws.tickets
            return [render_type(t, book.states_of(t["id"])) for t in book.types.values()]

    def ticket_states(self, ticket_type_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            book = self._ws.tickets
            states = book.states.values() if ticket_type_id is None else book.states_of(str(ticket_type_id))
            return [render_state(s) for s in states]

    # ---- contacts, messages, data attributes -----------------------------------------------------------------------
    def delete_contact(self, contact_id: str) -> dict[str, Any]:
        """Delete a contact (`contact.deleted`, item `{id, external_id, type, deleted: true}`)."""
        with self._lock:
            record = self._ws.delete_contact(contact_id)
            return {"type": "contact", "id": record["id"], "external_id": record.get("external_id"), "deleted": True}

    def messages(self) -> list[dict[str, Any]]:
        """The admin messages sent (`POST /messages`), as stored: id, contact_id, conversation_id, ..."""
        with self._lock:
            return [dict(m) for m in self._ws.messages]

    def reply_to_message(self, message_id: str, body: str = "<p>Thanks!</p>") -> dict[str, Any]:
        """The contact answers an admin's message: its conversation (source id = the message id) gets the reply."""
        with self._lock:
            return self._ws.conversation_json(reply_to_message(self._ws, message_id, body))

    def add_data_attribute(
        self,
        model: str,
        name: str,
        data_type: str = "string",
        options: list[str] | None = None,
        *,
        archived: bool = False,
        label: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Define a custom attribute (`GET /data_attributes`; its type decides how contact search matches it)."""
        with self._lock:
            defined = self._ws.data_attributes
            attribute = new_attribute(
                model,
                name,
                data_type,
                self._ws.stamp(),
                options=options,
                archived=archived,
                attr_id=40 + len(defined),
                label=label,
                description=description,
            )
            defined[:] = [a for a in defined if (a["model"], a["name"]) != (model, name)] + [attribute]
            self._ws.search_cache.clear()
            return dict(attribute)
