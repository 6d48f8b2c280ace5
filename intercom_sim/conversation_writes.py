"""The writes on conversations (start one from a contact, reply as the contact or an admin, close / open / snooze /
unsnooze / assign, tag and untag, a contact's rating), as methods of `Workspace` (mixed in), so that whatever watches
the workspace's writes sees these too. Each keeps `statistics` and `updated_at`, re-indexes the conversation and
names the webhook topics it fires with the part that caused them (docs/simulator.md, "Conversation lifecycle")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intercom_sim.admins import admin_ids, team_ids
from intercom_sim.config import Config
from intercom_sim.errors import ApiError
from intercom_sim.notifications import conversation_item
from intercom_sim.render import render_part, render_tag

if TYPE_CHECKING:
    from intercom_sim.state import Store

PART_TYPES = {"close": "close", "open": "open", "snoozed": "snoozed", "assignment": "assignment"}
CONTACT_ROLES = ("user", "lead", "contact")
Notice = tuple[str, dict[str, Any] | None, dict[str, Any]]  # (topic, the rendered part or None, extra item keys)


class ConversationWrites:
    """Mixed into Workspace; every method leaves the conversation re-indexed for search (with the index delay)."""

    if TYPE_CHECKING:
        store: Store
        config: Config

        def stamp(self) -> int: ...
        def contact_or_error(self, contact_id: str) -> dict[str, Any]: ...
        def insert_conversation(self, record: dict[str, Any], *, delayed: bool) -> None: ...
        def conversation_json(self, record: dict[str, Any]) -> dict[str, Any]: ...
        def index_conversation(
            self,
            conv_id: str,
            snapshot: dict[str, Any],
            *,
            delayed: bool,
            notices: list[tuple[str, dict[str, Any]]] | None = None,
        ) -> None: ...

    def conversation_or_error(self, conv_id: str) -> dict[str, Any]:
        record = self.store.conversations.get(conv_id)
        if record is None:
            raise ApiError(404, "not_found", "Conversation not found")
        return record

    def new_conversation(self, contact: dict[str, Any], body: str, at: int, *, author_type: str) -> dict[str, Any]:
        """A conversation record as a contact (or, with `author_type` admin, an admin) started it at `at`."""
        by_contact = author_type != "admin"
        return {
            "id": str(100000000 + len(self.store.conversations) + 1),
            "created_at": at,
            "updated_at": at,
            "subject": None,
            "body": body,
            "author_type": author_type,
            "author_id": contact["id"] if by_contact else "1",
            "contact_id": contact["id"],
            "contact_external_id": contact.get("external_id"),
            "admin_assignee_id": None,
            "state": "open",
            "waiting_since": at if by_contact else None,
            # The opening message counts as the contact's first reply (2026 capture: first_contact_reply_at is the
            # conversation's created_at); an admin-started one has no contact reply yet.
            **({"first_contact_reply_at": at, "last_contact_reply_at": at} if by_contact else {}),
        }

    def start_conversation(self, contact_id: str, body: str, *, role: str) -> dict[str, Any]:
        """A conversation the contact started (`POST /conversations`); `role` is the `from.type` the caller sent."""
        contact = self.contact_or_error(contact_id)
        if role not in CONTACT_ROLES:
            raise ApiError(400, "parameter_invalid", "from.type must be user, lead or contact")
        if role != "contact" and contact["role"] != role:
            raise ApiError(404, "not_found", "User Not Found")
        record = self.new_conversation(contact, body, self.stamp(), author_type=contact["role"])
        self.insert_conversation(record, delayed=True)
        return record

    # ---- replies ---------------------------------------------------------------------------------------------------
    def reply_to_conversation(
        self, conv_id: str, *, author_type: str, author_id: str, body: str, note: bool = False
    ) -> dict[str, Any]:
        """A reply: the contact's comment, or an admin's comment or note (see the module's docstring)."""
        record = self.conversation_or_error(conv_id)
        if author_type == "admin":
            self._check_admin(author_id)
            return self._admin_reply(record, author_id, body, note)
        if author_id != record["contact_id"]:
            raise ApiError(404, "not_found", "User Not Found")
        now = self.stamp()
        part = self._add_part(record, "comment", author_type, author_id, body)
        record.setdefault("first_contact_reply_at", now)
        record["last_contact_reply_at"] = now
        if record.get("waiting_since") is None:
            record["waiting_since"] = now
        if record.get("state") == "closed":
            record["count_reopens"] = int(record.get("count_reopens", 0)) + 1
        record["state"], record["snoozed_until"] = "open", None  # a contact's reply reopens and wakes it
        return self._touched(record, [("conversation.user.replied", render_part(part), {})])

    def _admin_reply(self, record: dict[str, Any], admin_id: str, body: str, note: bool) -> dict[str, Any]:
        if note:
            part = self._add_part(record, "note", "admin", admin_id, body)
            if self.config.note_counts_as_admin_reply:
                self._admin_replied(record)
            return self._touched(record, [("conversation.admin.noted", render_part(part), {})])
        reopening = record.get("state") == "closed"
        # A reply to a closed conversation reopens it; captured as one `open` part carrying the reply.
        part = self._add_part(record, "open" if reopening else "comment", "admin", admin_id, body)
        if reopening:
            record["state"] = "open"
            record["count_reopens"] = int(record.get("count_reopens", 0)) + 1
        self._admin_replied(record)
        return self._touched(record, [("conversation.admin.replied", render_part(part), {})])

    def _admin_replied(self, record: dict[str, Any]) -> None:
        now = self.stamp()
        record.setdefault("first_admin_reply_at", now)
        record["last_admin_reply_at"] = now
        record["waiting_since"] = None

    # ---- parts: close, open, snooze, assign ------------------------------------------------------------------------
    def change_conversation(self, conv_id: str, message_type: str, admin_id: str, **fields: Any) -> dict[str, Any]:
        """`POST /conversations/{id}/parts`: close, open, snoozed (until a future Unix time), assignment."""
        record = self.conversation_or_error(conv_id)
        if message_type not in PART_TYPES:
            raise ApiError(400, "parameter_invalid", "message_type must be close, open, snoozed or assignment")
        self._check_admin(admin_id)
        now = self.stamp()
        if message_type == "snoozed":
            until = fields.get("snoozed_until")
            if isinstance(until, bool) or not isinstance(until, int) or until <= now:
                raise ApiError(400, "parameter_invalid", "snoozed_until must be a Unix timestamp in the future")
        if message_type == "assignment":
            return self._assign(record, admin_id, fields)
        before = record.get("state", "open")
        part = self._add_part(record, PART_TYPES[message_type], "admin", admin_id, fields.get("body"))
        notices: list[Notice] = []
        if message_type == "close":
            if before != "closed":
                record.setdefault("first_close_at", now)
                record["last_close_at"] = now
                record["last_closed_by_id"] = admin_id
                notices.append(("conversation.admin.closed", render_part(part), {}))
            record["state"], record["snoozed_until"] = "closed", None
        elif message_type == "open":
            if before == "closed":
                record["count_reopens"] = int(record.get("count_reopens", 0)) + 1
                notices.append(("conversation.admin.opened", render_part(part), {}))
            elif before == "snoozed":
                notices.append(("conversation.admin.unsnoozed", render_part(part), {}))
            record["state"], record["snoozed_until"] = "open", None
        else:
            record["state"], record["snoozed_until"] = "snoozed", fields["snoozed_until"]
            notices.append(("conversation.admin.snoozed", render_part(part), {}))
        if isinstance(fields.get("body"), str) and fields["body"]:
            self._admin_replied(record)  # "reply and close" and the like: the body is a reply
        return self._touched(record, notices)

    def _assign(self, record: dict[str, Any], admin_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        kind, assignee = fields.get("type", "admin"), str(fields.get("assignee_id", ""))
        if kind == "team":
            if assignee != "0" and assignee not in team_ids():
                raise ApiError(404, "team_not_found", "Team not found")
        elif kind == "admin":
            if assignee != "0" and assignee not in admin_ids():
                raise ApiError(404, "admin_not_found", "Admin not found")
        else:
            raise ApiError(400, "parameter_invalid", "type must be admin or team")
        part = self._add_part(record, "assignment", "admin", admin_id, fields.get("body"))
        part["assigned_to"] = None if assignee == "0" else {"type": kind, "id": assignee}
        record["admin_assignee_id" if kind == "admin" else "team_assignee_id"] = int(assignee)
        now = self.stamp()
        record.setdefault("first_assignment_at", now)
        record["last_assignment_at"] = now
        record["count_assignments"] = int(record.get("count_assignments", 0)) + 1
        if isinstance(fields.get("body"), str) and fields["body"]:
            self._admin_replied(record)  # an assignment with a message (2026 capture: it counts as the reply)
        notices: list[Notice] = []
        is_open = record.get("state", "open") == "open"
        if not is_open or self.config.webhook_open_assigned == "also":
            notices.append(("conversation.admin.assigned", render_part(part), {}))
        if is_open:
            notices.append(("conversation.admin.open.assigned", render_part(part), {}))
        return self._touched(record, notices)

    # ---- tags and ratings ------------------------------------------------------------------------------------------
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
            self._touched(record, [self._tag_notice(record, tag)])
        return dict(applied)

    def _tag_notice(self, record: dict[str, Any], tag: dict[str, Any]) -> Notice:
        """`conversation_part.tag.created`: the tagged part (the last part, else the opening message) and the tag in
        `tags_added` on the conversation (as captured) or on that part (`webhook_tags_added_on`)."""
        parts = record.get("parts") or []
        if parts:
            part = render_part(parts[-1])
        else:
            part = render_part(
                {
                    "id": f"src{record['id']}",
                    "part_type": "comment",
                    "body": record["body"],
                    "created_at": record["created_at"],
                    "author_type": record["author_type"],
                    "author_id": record["author_id"],
                }
            )
        added = {"type": "tag.list", "tags": [render_tag(tag)]}
        if self.config.webhook_tags_added_on == "part":
            return ("conversation_part.tag.created", {**part, "tags_added": added}, {})
        return ("conversation_part.tag.created", part, {"tags_added": added})

    def untag_conversation(self, conv_id: str, tag_id: str, admin_id: str) -> dict[str, Any]:
        """`DELETE /conversations/{id}/tags/{tag_id}`: the removed tag as it was applied; no webhook topic."""
        record = self.conversation_or_error(conv_id)
        self._check_admin(admin_id)
        tags: list[dict[str, Any]] = record.get("tags", [])
        applied = next((t for t in tags if t["id"] == tag_id), None)
        if applied is None:
            raise ApiError(404, "tag_not_found", "Tag not found")
        tags.remove(applied)
        self._touched(record, [])
        return dict(applied)

    def rate_conversation(
        self, conv_id: str, rating: int, remark: str | None = None, contact_id: str | None = None
    ) -> dict[str, Any]:
        """The conversation's contact rates it 1-5 (again: the rating is replaced); `conversation.rating.added`."""
        record = self.conversation_or_error(conv_id)
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ApiError(400, "parameter_invalid", "rating must be an integer from 1 to 5")
        if contact_id is not None and contact_id != record["contact_id"]:
            raise ApiError(404, "not_found", "User Not Found")
        now = self.stamp()
        previous = record.get("rating") or {}
        teammate = record.get("admin_assignee_id") or record.get("last_closed_by_id")
        record["rating"] = {
            "rating": rating,
            "remark": remark or "",
            "requested_at": previous.get("requested_at", record.get("last_close_at") or now),
            "replied_at": now,
            "contact_id": record["contact_id"],
            "contact_external_id": record.get("contact_external_id"),
            "teammate_id": None if not teammate else str(teammate),
        }
        return self._touched(record, [("conversation.rating.added", None, {})])

    # ---- helpers ---------------------------------------------------------------------------------------------------
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

    def _touched(self, record: dict[str, Any], notices: list[Notice]) -> dict[str, Any]:
        """Stamp `updated_at`, re-index, and send each notice's topic with the conversation after the write."""
        record["updated_at"] = self.stamp()
        snapshot = self.conversation_json(record)
        items = [(topic, conversation_item(snapshot, part, extra)) for topic, part, extra in notices]
        self.index_conversation(record["id"], snapshot, delayed=True, notices=items)
        return record
