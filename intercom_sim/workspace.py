"""One simulated Intercom workspace: settings, clock, stored objects in list order, and the writes both APIs share."""

from __future__ import annotations

import random
import time
from typing import Any

from intercom_sim.config import Config
from intercom_sim.conversation_writes import ConversationWrites
from intercom_sim.data_attributes import seeded_custom
from intercom_sim.errors import ApiError
from intercom_sim.notifications import contact_notices, contact_tag_item, conversation_notices, deleted_contact_item
from intercom_sim.render import render_company, render_contact, render_conversation, render_tag
from intercom_sim.shapes import shape_item
from intercom_sim.state import Indexed, Store, new_id
from intercom_sim.ticket_writes import TicketWrites
from intercom_sim.tickets import TicketBook
from intercom_sim.webhooks import WebhookSender

SearchResult = tuple[list[tuple[Any, ...]], list[dict[str, Any]]]


def link(table: dict[str, list[str]], key: str, value: str) -> bool:
    """Add `value` to `key`'s list; False if it was there already."""
    items = table.setdefault(key, [])
    if value in items:
        return False
    items.append(value)
    return True


def latest(kind: dict[str, Indexed], obj_id: str) -> dict[str, Any] | None:
    """The last written snapshot of an object (what it looked like before the write being made), None if new."""
    entry = kind.get(obj_id)
    return max(entry.versions, key=lambda v: v[1])[2] if entry and entry.versions else None


class Workspace(ConversationWrites, TicketWrites):
    """All that `Simulator.reset` clears but the request log; callers hold the simulator's lock."""

    def __init__(self, config: Config, webhooks: WebhookSender | None = None) -> None:
        self.config = config
        self.webhooks = webhooks
        self.store = Store()
        self.merged_records: dict[str, dict[str, Any]] = {}
        self.seq = 0
        self.contact_seq: dict[str, int] = {}
        self.conversation_seq: dict[str, int] = {}
        self.search_cache: dict[Any, SearchResult] = {}
        self.notes: list[dict[str, Any]] = []
        self.events: dict[tuple[str, str, int], dict[str, Any]] = {}  # (contact id, name, created_at): deduped
        self.messages: list[dict[str, Any]] = []
        self.reseed()
        self.tickets = TicketBook()
        self.tickets.seed(self.stamp())
        self.data_attributes: list[dict[str, Any]] = seeded_custom(self.stamp())

    def reseed(self) -> None:
        self.index_rng = random.Random(f"index-{self.config.seed}")
        self.fault_rng = random.Random(f"fault-{self.config.seed}")
        self.webhook_rng = random.Random(f"webhook-{self.config.seed}")

    # ---- clock -----------------------------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.config.clock_offset

    def stamp(self) -> int:
        return int(self.now())

    # ---- webhook notifications -------------------------------------------------------------------------------------
    def wants(self, topic: str) -> bool:
        return self.webhooks is not None and self.config.webhook_url is not None and topic in self.config.webhook_topics

    def emit(self, topic: str, object_id: str, item: dict[str, Any]) -> None:
        """The one hook for webhook notifications: a write calls it with the REST JSON of the object after the write.
        Nothing happens unless webhooks are on and `topic` is subscribed; sending happens later, off the lock."""
        if self.webhooks is not None and self.wants(topic):
            item = shape_item(item, self.config.webhook_shapes)
            self.webhooks.publish(topic, object_id, item, self.stamp(), self.config, self.webhook_rng)

    def contact_written(self, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        if self.config.webhook_url is None:
            return
        signed_up = self.config.webhook_signed_up_on_conversion
        for topic, item in contact_notices(before, after, self.stamp(), signed_up=signed_up):
            self.emit(topic, after["id"], item)

    def conversation_json(self, record: dict[str, Any]) -> dict[str, Any]:
        """A conversation's REST JSON under the workspace's settings (`snoozed_is_open`)."""
        return render_conversation(record, snoozed_is_open=self.config.snoozed_is_open)

    # ---- search index ----------------------------------------------------------------------------------------------
    def delay(self, delayed: bool) -> tuple[float, float] | None:
        return self.config.index_delay if delayed else None

    def insert_contact(self, record: dict[str, Any], *, delayed: bool) -> None:
        self.store.contacts[record["id"]] = record
        self.seq += 1
        self.contact_seq[record["id"]] = self.seq
        self._index_contact(record, self.delay(delayed))

    def reindex_contact(self, record: dict[str, Any]) -> dict[str, Any]:
        """Index a changed contact (and notify what changed); returns its REST JSON."""
        return self._index_contact(record, self.delay(True))

    def _index_contact(self, record: dict[str, Any], delay: tuple[float, float] | None) -> dict[str, Any]:
        before = latest(self.store.contact_index, record["id"])
        after = render_contact(self.store, record)
        self.store.index(self.store.contact_index, record["id"], after, delay, self.index_rng)
        self.contact_written(before, after)
        return after

    def insert_conversation(self, record: dict[str, Any], *, delayed: bool) -> None:
        self.store.conversations[record["id"]] = record
        self.seq += 1
        self.conversation_seq[record["id"]] = self.seq
        self.index_conversation(record["id"], self.conversation_json(record), delayed=delayed)

    def index_conversation(
        self,
        conv_id: str,
        snapshot: dict[str, Any],
        *,
        delayed: bool,
        notices: list[tuple[str, dict[str, Any]]] | None = None,
    ) -> None:
        """Index a conversation's new snapshot and send `notices` ((topic, item) pairs); a write that names none
        (None) notifies what the snapshots' difference shows (`conversation_notices`)."""
        before = latest(self.store.conversation_index, conv_id)
        self.store.index(self.store.conversation_index, conv_id, snapshot, self.delay(delayed), self.index_rng)
        if notices is None:
            notices = conversation_notices(before, snapshot, part_id=new_id())
        for topic, item in notices:
            self.emit(topic, conv_id, item)

    # ---- lookups and writes ----------------------------------------------------------------------------------------
    def contact_or_error(self, contact_id: str) -> dict[str, Any]:
        record = self.store.contacts.get(contact_id)
        if record is not None:
            return record
        canonical = self.store.merged_into.get(contact_id)
        if canonical is not None:
            while canonical in self.store.merged_into:
                canonical = self.store.merged_into[canonical]
            raise ApiError(
                410,
                "contact_merged",
                f"Contact has been merged into {canonical}",
                {"Link": f'</contacts/{canonical}>; rel="canonical"'},
            )
        raise ApiError(404, "not_found", "User Not Found")

    def merge_contact(self, lead_id: str, user_id: str) -> dict[str, Any]:
        """Merge a lead into a user; returns the user's record."""
        lead = self.contact_or_error(lead_id)
        user = self.contact_or_error(user_id)
        if lead["role"] != "lead" or user["role"] != "user":
            raise ApiError(400, "parameter_invalid", "merge needs a lead in `from` and a user in `into`")
        for key in ("email", "phone", "name"):
            if user.get(key) is None and lead.get(key) is not None:
                user[key] = lead[key]
        for cid in self.store.contact_companies.pop(lead_id, []):
            link(self.store.contact_companies, user_id, cid)
        for tid in self.store.contact_tags.pop(lead_id, []):
            link(self.store.contact_tags, user_id, tid)
        self.merged_records[lead_id] = self.store.contacts.pop(lead_id)
        self.store.merged_into[lead_id] = user_id
        user["updated_at"] = self.stamp()
        self.store.index(self.store.contact_index, lead_id, None, self.delay(True), self.index_rng)
        self.reindex_contact(user)
        return user

    def attach_company(self, contact_id: str, company_id: str) -> None:
        record = self.contact_or_error(contact_id)
        if company_id not in self.store.companies:
            raise ApiError(404, "company_not_found", "Company Not Found")
        link(self.store.contact_companies, contact_id, company_id)
        self.reindex_contact(record)

    def tag_contact(self, contact_id: str, tag_id: str) -> None:
        record = self.contact_or_error(contact_id)
        if tag_id not in self.store.tags:
            raise ApiError(404, "tag_not_found", "Tag not found")
        if link(self.store.contact_tags, contact_id, tag_id):
            contact = self.reindex_contact(record)
            item = contact_tag_item(render_tag(self.store.tags[tag_id]), contact, self.stamp())
            self.emit(f"contact.{record['role']}.tag.created", contact_id, item)

    def upsert_company(self, data: dict[str, Any]) -> dict[str, Any]:
        company_id = data.get("company_id")
        existing, created = None, False
        if company_id is not None:
            existing = next((c for c in self.store.companies.values() if c["company_id"] == company_id), None)
        now = self.stamp()
        if existing is None:
            existing = {"id": new_id(), "company_id": company_id or new_id(), "created_at": now, "name": None}
            self.store.companies[existing["id"]] = existing
            created = True
        for key, value in data.items():
            if value is not None:
                existing[key] = value
        existing["updated_at"] = now
        if created and self.wants("company.created"):
            self.emit("company.created", existing["id"], render_company(self.store, existing))
        return existing

    def tag_company(self, company_id: str, tag_id: str) -> None:
        company = self.store.companies.get(company_id)
        if company is None:
            raise ApiError(404, "company_not_found", "Company Not Found")
        link(company, "tag_ids", tag_id)

    def untag_company(self, company_id: str, tag_id: str) -> None:
        """Remove a tag from a company; a company without it is left as it is (unconfirmed)."""
        company = self.store.companies.get(company_id)
        if company is None:
            raise ApiError(404, "company_not_found", "Company Not Found")
        if tag_id in company.get("tag_ids", []):
            company["tag_ids"].remove(tag_id)

    def upsert_tag(self, name: str) -> dict[str, Any]:
        for tag in self.store.tags.values():
            if tag["name"] == name:
                return tag
        tag = {"id": str(1000 + len(self.store.tags) + 1), "name": name}
        self.store.tags[tag["id"]] = tag
        return tag

    # ---- the contact writes of the actions (contact_routes.py) ------------------------------------------------------
    def update_contact(self, contact_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """PUT /contacts/{id}: the fields given replace the stored ones; custom attributes are merged by name."""
        record = self.contact_or_error(contact_id)
        attributes = fields.pop("custom_attributes", None)
        record.update(fields)
        if isinstance(attributes, dict):
            record["custom_attributes"] = {**(record.get("custom_attributes") or {}), **attributes}
        record["updated_at"] = self.stamp()
        self.reindex_contact(record)
        return record

    def set_archived(self, contact_id: str, archived: bool) -> dict[str, Any]:
        record = self.contact_or_error(contact_id)
        record["archived"] = archived
        record["updated_at"] = self.stamp()
        self.reindex_contact(record)
        return record

    def delete_contact(self, contact_id: str) -> dict[str, Any]:
        record = self.contact_or_error(contact_id)
        del self.store.contacts[contact_id]
        self.contact_seq.pop(contact_id, None)
        self.store.contact_companies.pop(contact_id, None)
        self.store.contact_tags.pop(contact_id, None)
        self.store.index(self.store.contact_index, contact_id, None, self.delay(True), self.index_rng)
        self.emit("contact.deleted", contact_id, deleted_contact_item(record))
        return record

    def untag_contact(self, contact_id: str, tag_id: str) -> dict[str, Any]:
        record = self.contact_or_error(contact_id)
        tags = self.store.contact_tags.get(contact_id, [])
        if tag_id not in tags:  # unconfirmed: Intercom's answer for a tag the contact does not carry
            raise ApiError(404, "tag_not_found", "Tag not found")
        tags.remove(tag_id)
        self.reindex_contact(record)
        return self.store.tags[tag_id]

    def detach_company(self, contact_id: str, company_id: str) -> dict[str, Any]:
        record = self.contact_or_error(contact_id)
        companies = self.store.contact_companies.get(contact_id, [])
        if company_id not in companies:
            raise ApiError(404, "company_not_found", "Company Not Found")
        companies.remove(company_id)
        self.reindex_contact(record)
        return self.store.companies[company_id]

    def add_note(self, contact_id: str, body: str, admin_id: str) -> dict[str, Any]:
        self.contact_or_error(contact_id)
        note = {
            "id": str(len(self.notes) + 1),
            "contact_id": contact_id,
            "body": body,
            "admin_id": admin_id,
            "created_at": self.stamp(),
        }
        self.notes.append(note)
        return note

    def track_event(self, contact_id: str, name: str, created_at: int, metadata: dict[str, Any]) -> bool:
        """Store a data event once per (contact, name, created_at), as Intercom dedupes; False for a repeat."""
        key = (contact_id, name, created_at)
        if key in self.events:
            return False
        self.events[key] = {"contact_id": contact_id, "event_name": name, "created_at": created_at, **metadata}
        return True
