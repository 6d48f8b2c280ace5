"""The writes on conversations (start one from a contact, reply, close / open / snooze / assign, tag), as methods of
`Workspace` (mixed in), so that whatever watches the workspace's writes sees these too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intercom_sim.admins import admin_ids, team_ids
from intercom_sim.errors import ApiError
from intercom_sim.render import render_conversation

if TYPE_CHECKING:
    from intercom_sim.state import Store

PART_TYPES = {"close": "close", "open": "open", "snoozed": "snoozed", "assignment": "assignment"}


class ConversationWrites:
    """Mixed into Workspace; every method leaves the conversation re-indexed for search (with the index delay)."""

    if TYPE_CHECKING:
        store: Store

        def stamp(self) -> int: ...
        def contact_or_error(self, contact_id: str) -> dict[str, Any]: ...
        def insert_conversation(self, record: dict[str, Any], *, delayed: bool) -> None: ...
        def index_conversation(self, conv_id: str, snapshot: dict[str, Any], *, delayed: bool) -> None: ...

    def conversation_or_error(self, conv_id: str) -> dict[str, Any]:
        record = self.store.conversations.get(conv_id)
        if record is None:
            raise ApiError(404, "not_found", "Resource Not Found")
        return record

    def start_conversation(self, contact_id: str, body: str, *, role: str) -> dict[str, Any]:
        """A conversation the contact started (`POST /conversations`); `role` is the `from.type` the caller sent."""
        contact = self.contact_or_error(contact_id)
        if role not in ("user", "lead", "contact"):
            raise ApiError(400, "parameter_invalid", "from.type must be user, lead or contact")
        if role != "contact" and contact["role"] != role:
            raise ApiError(404, "not_found", "User Not Found")
        now = self.stamp()
        record: dict[str, Any] = {
            "id": str(100000000 + len(self.store.conversations) + 1),
            "created_at": now,
            "updated_at": now,
            "subject": None,
            "body": body,
            "author_type": contact["role"],
            "author_id": contact_id,
            "contact_id": contact_id,
            "contact_external_id": contact.get("external_id"),
            "admin_assignee_id": None,
            "state": "open",
        }
        self.insert_conversation(record, delayed=True)
        return record

    def reply_to_conversation(
        self, conv_id: str, *, author_type: str, author_id: str, body: str, note: bool = False
    ) -> dict[str, Any]:
        record = self.conversation_or_error(conv_id)
        if author_type == "admin":
            self._check_admin(author_id)
        elif author_id != record["contact_id"]:
            raise ApiError(404, "not_found", "User Not Found")
        part_type = "note" if note else "comment"
        self._add_part(record, part_type, author_type, author_id, body)
        if author_type != "admin" and record.get("state") != "open":
            record["state"] = "open"  # a contact's reply reopens the conversation
        return self._touched(record)

    def change_conversation(self, conv_id: str, message_type: str, admin_id: str, **fields: Any) -> dict[str, Any]:
        """`POST /conversations/{id}/parts`: close, open, snoozed (until a future Unix time), assignment."""
        record = self.conversation_or_error(conv_id)
        if message_type not in PART_TYPES:
            raise ApiError(400, "parameter_invalid", "message_type must be close, open, snoozed or assignment")
        self._check_admin(admin_id)
        now = self.stamp()
        part = self._add_part(record, PART_TYPES[message_type], "admin", admin_id, fields.get("body"))
        if message_type == "close":
            if record.get("state") != "closed":
                record.setdefault("first_close_at", now)
                record["last_close_at"] = now
                record["last_closed_by_id"] = admin_id
            record["state"] = "closed"
        elif message_type == "open":
            if record.get("state") == "closed":
                record["count_reopens"] = int(record.get("count_reopens", 0)) + 1
            record["state"] = "open"
        elif message_type == "snoozed":
            until = fields.get("snoozed_until")
            if isinstance(until, bool) or not isinstance(until, int) or until <= now:
                raise ApiError(400, "parameter_invalid", "snoozed_until must be a Unix timestamp in the future")
            record["state"], record["snoozed_until"] = "snoozed", until
        else:
            self._assign(record, part, fields)
        return self._touched(record)

    def tag_conversation(self, conv_id: str, tag_id: str, admin_id: str) -> dict[str, Any]:
        """Tag a conversation (again: no change); the tag as Intercom answers it, with `applied_at` and `applied_by`."""
        record = self.conversation_or_error(conv_id)
        self._check_admin(admin_id)
        tag = self.store.tags.get(tag_id)
        if tag is None:
            raise ApiError(404, "tag_not_found", "Tag not found")
        tags: list[dict[str, Any]] = record.setdefault("tags", [])
        applied = next((t for t in tags if t["id"] == tag_id), None)
        if applied is None:
            applied = {
                "type": "tag",
                "id": tag_id,
                "name": tag["name"],
                "applied_at": self.stamp(),
                "applied_by": {"type": "admin", "id": admin_id},
            }
            tags.append(applied)
            self._touched(record)
        return dict(applied)

    def _assign(self, record: dict[str, Any], part: dict[str, Any], fields: dict[str, Any]) -> None:
        kind, assignee = fields.get("type", "admin"), str(fields.get("assignee_id", ""))
        if kind == "team":
            if assignee != "0" and assignee not in team_ids():
                raise ApiError(404, "team_not_found", "Team not found")
            record["team_assignee_id"] = int(assignee)
        elif kind == "admin":
            if assignee != "0" and assignee not in admin_ids():
                raise ApiError(404, "admin_not_found", "Admin not found")
            record["admin_assignee_id"] = int(assignee)
        else:
            raise ApiError(400, "parameter_invalid", "type must be admin or team")
        part["assigned_to"] = None if assignee == "0" else {"type": kind, "id": assignee}

    def _check_admin(self, admin_id: str) -> None:
        if admin_id not in admin_ids():
            raise ApiError(404, "admin_not_found", "Admin not found")

    def _add_part(
        self, record: dict[str, Any], part_type: str, author_type: str, author_id: str, body: Any
    ) -> dict[str, Any]:
        parts: list[dict[str, Any]] = record.setdefault("parts", [])
        part = {
            "id": f"{record['id']}{len(parts) + 1:04d}",
            "part_type": part_type,
            "body": body if isinstance(body, str) else None,
            "created_at": self.stamp(),
            "author_type": author_type,
            "author_id": author_id,
        }
        parts.append(part)
        return part

    def _touched(self, record: dict[str, Any]) -> dict[str, Any]:
        record["updated_at"] = self.stamp()
        self.index_conversation(record["id"], render_conversation(record), delayed=True)
        return record
