"""Every trigger, declared once: what its polls read from Intercom, its rule, its key, the webhook topics that feed it,
its body, and how the connector and the README present it (docs/triggers.md explains the machinery).

Everything else follows from this table: the log tables (`Trigger.table`), the poll timers (functions/triggers.py,
one per entry), the topic routes of the notifications (shared/notifications/topics.py), the connector's polling
triggers (connector/operations.py) and the README's trigger tables (connector/readme.py). Adding a trigger is one
entry here, plus a rule (shared/triggers/rules.py, shared/triggers/topic_rules.py) or a body
(shared/triggers/bodies.py, connector/shapes.py) where it needs a new one.

The declarations are data (names of rules and bodies, not the code): the timers import this module at a cold start,
so it imports nothing but the standard library (bench/cold_start.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class Source:
    """An Intercom object the polls read, once per cycle for all of its triggers: its search (or listing) `path`, the
    time `field` it is read newest first by, where a page's items are, whether its search compares timestamps by
    workspace day (contacts), and whether it is a listing by page number (companies)."""

    name: str
    path: str
    field: str = "updated_at"
    items: str = "data"
    day_granular: bool = False
    listing: bool = False

    @property
    def timer(self) -> str:
        """The name of its poll timer function (functions/triggers.py)."""
        return "poll_" + self.name


CONTACTS = Source("contacts", "/contacts/search", day_granular=True)
CONVERSATIONS = Source("conversations", "/conversations/search", items="conversations")
COMPANIES = Source("companies", "/companies", field="created_at", listing=True)  # oldest first (reads.scan_listing)
# Ticket search's date precision is unconfirmed (second, or the workspace day as contacts'): read as if by day, which
# costs no call more if it is by second (paging stops at the cutoff either way).
TICKETS = Source("tickets", "/tickets/search", items="tickets", day_granular=True)
SOURCES = (CONTACTS, CONVERSATIONS, COMPANIES, TICKETS)


class Rule(Enum):
    """How a poll picks a trigger's events among what it read (shared/triggers/rules.py RULES)."""

    ID = "one event per object: key = id"
    VERSION = "one event per value of the trigger's `version` field (default: its time field): key = id:value"
    USER_CREATED = "a user created in the window, or one a poll saw as a lead"
    LEAD_CONVERTED = "a user a poll saw as a lead"
    LEAD_EMAIL_ADDED = "a lead with an email that a poll saw without one"
    CONTACT_TAGGED = "each tag a contact carries that it did not when a poll last saw it"
    CONVERSATION_TAGGED = "each tag a conversation carries that it did not when a poll last saw it"
    STATE_CHANGED = "a ticket seen in a state other than the last one logged: key = id:state:n (the n-th change)"
    NONE = "no poll: webhook only"


class Body(Enum):
    """What an event is: built by shared/triggers/bodies.py BUILDERS, described to the connector by connector/shapes.py
    BATCHES; the value is how the README names it."""

    USER = "`User`"
    LEAD = "`Lead`"
    CONTACT = "`User` or `Lead`"
    CONVERSATION = "`Conversation`"
    COMPANY = "`Company`"
    TAGGED_CONTACT = '`{"tag": Tag, "contact": User or Lead}`'
    TAGGED_CONVERSATION = '`{"tag": Tag, "conversation": Conversation}`'
    TICKET = "`Ticket`"
    DELETED_CONTACT = '`{"id", "external_id", "deleted_at"}`'
    NOTIFICATION = '`{"id", "topic", "created_at", "item"}` (the item as Intercom sent it)'


class Form(Enum):
    """What a notification's `data.item` is to a trigger: the subject its key, time and body are read from
    (shared/triggers/topic_rules.py)."""

    ITEM = "the item itself (or the object a wrapper holds: `within`)"
    TAGS_ADDED = '`{"tag", "conversation"}` for each tag in the `tags_added` of the conversation or its part'
    DELETED = '`{"id", "external_id", "deleted_at"}`: `deleted_at` is the notification\'s `created_at`'
    NOTIFICATION = '`{"id", "topic", "created_at", "item"}`: the notification itself, its item as sent'


EVERY_TOPIC = "*"


@dataclass(frozen=True)
class Webhook:
    """A webhook topic that feeds a trigger (`*`: every topic but `ping`). The subject (`form`) gives the event: its key
    is the values at the `key` paths joined by `:` (the first is the object's id), its time the value at `at`.
    `role`: the contact must have it (else no event); `within`: the object is this field of a wrapper item."""

    topic: str
    key: tuple[str, ...] = ("id",)
    at: str = "updated_at"
    role: str | None = None
    within: str | None = None
    form: Form = Form.ITEM


@dataclass(frozen=True)
class Trigger:
    """One trigger.

    Polls (none for a webhook-only trigger: `source` None): the `source` read once per cycle for all of its
    triggers; this trigger's events are the items that match `where` (field = value), its rule picks them with its
    time `field` (items with it at or after the poll's cutoff; `after_creation`: only when later than the item's
    `created_at`) and `version` (Rule.VERSION: the key's second part, default `field`). Flags: `identity_keys`: a
    key names the object for good (not a version in the window), so logged keys are checked by point reads and kept
    as long as markers (`keys_forever`: never pruned); `markers`: the rule compares with what earlier polls saw;
    `newest_only`: a notification for a version older than one already logged is dropped; `topics_filter`: its
    consumers may filter its events by the notification's topic. Presentation: `summary` (display name),
    `description` and `hint` for the connector, `key`, `poll_sees` and `poll_misses` for the README; `interface`:
    the section of docs/interface.md that defines it.
    """

    name: str
    interface: int
    source: Source | None
    field: str
    rule: Rule
    body: Body
    summary: str
    description: str
    hint: str
    key: str
    poll_sees: str
    poll_misses: str
    webhooks: tuple[Webhook, ...] = ()
    where: Mapping[str, Any] | None = None
    version: str | None = None
    after_creation: bool = False
    identity_keys: bool = False
    markers: bool = False
    keys_forever: bool = False
    newest_only: bool = False
    topics_filter: bool = False

    @property
    def camel(self) -> str:
        """`user-updated` -> `UserUpdated`."""
        return "".join(part.capitalize() for part in self.name.split("-"))

    @property
    def table(self) -> str:
        """The prefix of its log tables (`IcUserUpdated<connection>`)."""
        return "Ic" + self.camel

    @property
    def operation_id(self) -> str:
        return "On" + self.camel

    @property
    def timer(self) -> str | None:
        """The poll timer that polls it (its source's); None for a webhook-only trigger."""
        return None if self.source is None else self.source.timer


_POLLS = "(the connector polls Intercom every 2 minutes)"
_STATS = "statistics."


def _version(topic: str, at: str, role: str | None = None) -> Webhook:
    """A topic whose event is one version of the object: key (id, the value at `at`)."""
    return Webhook(topic, ("id", at), at, role)


_DECLARED = (
    Trigger(
        "user-updated", 4, CONTACTS, "updated_at", Rule.VERSION, Body.USER,
        summary="When a user is updated",
        description="Triggers when the information of an existing user is updated.",
        hint=f"To see it work now, update a user in Intercom {_POLLS}.",
        key="(user id, `updated_at`)",
        poll_sees="the latest update of every user; earlier versions a poll read",
        poll_misses="a version replaced before any poll read it",
        webhooks=(
            _version("contact.user.created", "updated_at", "user"),
            _version("contact.user.updated", "updated_at", "user"),
            _version("contact.lead.signed_up", "updated_at", "user"),
        ),
        where={"role": "user"}, newest_only=True,
    ),
    Trigger(
        "lead-created", 4, CONTACTS, "created_at", Rule.ID, Body.LEAD,
        summary="When a lead is created",
        description="Triggers when a new lead is created.",
        hint=f"To see it work now, create a lead in Intercom {_POLLS}.",
        key="lead id",
        poll_sees="every lead",
        poll_misses="a lead converted or merged before a poll read it as a lead",
        webhooks=(Webhook("contact.lead.created", at="created_at", role="lead"),),
        where={"role": "lead"},
    ),
    Trigger(
        "user-created", 4, CONTACTS, "updated_at", Rule.USER_CREATED, Body.USER,
        summary="When a user is created",
        description="Triggers when a new user is created.",
        hint=f"To see it work now, create a user in Intercom {_POLLS}.",
        key="user id: created as a user, or a lead that became one",
        poll_sees="every new user; a converted lead that a poll saw as a lead (within 90 days)",
        poll_misses="a lead converted before any poll saw it as a lead (created before the start and untouched, or "
        "last seen over 90 days ago)",
        webhooks=(
            Webhook("contact.user.created", at="created_at", role="user"),
            Webhook("contact.lead.signed_up", role="user"),
        ),
        identity_keys=True, markers=True,
    ),
    Trigger(
        "conversation-started", 4, CONVERSATIONS, "created_at", Rule.ID, Body.CONVERSATION,
        summary="When a new conversation starts",
        description="Triggers when a user starts a new conversation.",
        hint=f"To see it work now, start a conversation in Intercom {_POLLS}.",
        key="conversation id",
        poll_sees="every conversation",
        poll_misses="-",
        webhooks=(Webhook("conversation.user.created", at="created_at"),),
    ),
    Trigger(
        "lead-converted", 8, CONTACTS, "updated_at", Rule.LEAD_CONVERTED, Body.USER,
        summary="When a lead converts to a user",
        description="Triggers when a lead becomes a user.",
        hint="To see it work now, convert a lead to a user in Intercom.",
        key="contact id",
        poll_sees="a user that a poll saw as a lead (within 90 days)",
        poll_misses="a lead created and converted between two polls; a lead no poll saw as a lead; a lead merged "
        "into a user",
        webhooks=(Webhook("contact.lead.signed_up", role="user"),),
        identity_keys=True, markers=True,
    ),
    Trigger(
        "lead-email-added", 8, CONTACTS, "updated_at", Rule.LEAD_EMAIL_ADDED, Body.LEAD,
        summary="When a lead adds an email",
        description="Triggers when a lead that had no email gets one.",
        hint="To see it work now, add an email to a lead without one in Intercom.",
        key="lead id",
        poll_sees="a lead with an email that a poll saw without one",
        poll_misses="an email added before any poll saw the lead without one (created and given an email between "
        "two polls); a lead created with an email never fires",
        webhooks=(Webhook("contact.lead.added_email", role="lead"),),
        where={"role": "lead"}, identity_keys=True, markers=True,
    ),
    Trigger(
        "contact-tagged", 8, CONTACTS, "updated_at", Rule.CONTACT_TAGGED, Body.TAGGED_CONTACT,
        summary="When a contact is tagged",
        description="Triggers when a tag is added to a user or a lead.",
        hint="To see it work now, tag a user or a lead in Intercom.",
        key="(contact id, tag id)",
        poll_sees="a tag on a contact that is updated after the tagging (tagging leaves `updated_at` alone in the "
        "simulator; **unconfirmed** for Intercom), compared with the tags a poll saw before; every tag of a contact "
        "created since the last polls",
        poll_misses="a tagging not followed by an update of the contact; a tag added and removed between polls; tags "
        "a contact created before the start carried when first seen; tags beyond the 10 listed inline",
        webhooks=tuple(
            Webhook(topic, ("contact.id", "tag.id"), "created_at")  # or the notification's (notification_item)
            for topic in ("contact.user.tag.created", "contact.lead.tag.created")
        ),
        identity_keys=True, markers=True,
    ),
    Trigger(
        "conversation-closed", 8, CONVERSATIONS, _STATS + "last_close_at", Rule.VERSION, Body.CONVERSATION,
        summary="When a conversation is closed",
        description="Triggers each time a conversation is closed.",
        hint="To see it work now, close a conversation in Intercom.",
        key="(conversation id, `statistics.last_close_at`)",
        poll_sees="each close whose `last_close_at` a poll reads (also if reopened since)",
        poll_misses="a close followed by another close of the same conversation before a poll read the first",
        webhooks=(_version("conversation.admin.closed", _STATS + "last_close_at"),),
    ),
    Trigger(
        "company-created", 8, COMPANIES, "created_at", Rule.ID, Body.COMPANY,
        summary="When a company is created",
        description="Triggers when a new company is created.",
        hint="To see it work now, create a company in Intercom.",
        key="company id",
        poll_sees="every company `GET /companies` lists (read from its last page)",
        poll_misses="companies the listing does not show or reach: it is assumed to list every company oldest first "
        "with no 10,000 cap (**unconfirmed**)",
        webhooks=(Webhook("company.created", at="created_at"),),
    ),
    Trigger(
        "contact-unsubscribed", 8, CONTACTS, "updated_at", Rule.ID, Body.CONTACT,
        summary="When a contact unsubscribes from emails",
        description="Triggers when a user or a lead unsubscribes from emails.",
        hint="To see it work now, unsubscribe a user or a lead from emails in Intercom.",
        key="contact id, the first time seen unsubscribed",
        poll_sees="every contact that is unsubscribed when a poll reads it",
        poll_misses="an unsubscription undone between polls; it cannot tell when a contact unsubscribed: one already "
        "unsubscribed before the start fires at its first update after it",
        webhooks=(Webhook("contact.unsubscribed", within="contact"),),
        where={"unsubscribed_from_emails": True}, identity_keys=True, keys_forever=True,
    ),
    Trigger(
        "conversation-contact-replied", 9, CONVERSATIONS, _STATS + "last_contact_reply_at", Rule.VERSION,
        Body.CONVERSATION,
        summary="When a contact replies to a conversation",
        description="Triggers when a user or a lead replies to a conversation (not its opening message).",
        hint="To see it work now, reply to a conversation as its contact in Intercom.",
        key="(conversation id, `statistics.last_contact_reply_at`)",
        poll_sees="the latest contact reply of each conversation a poll reads",
        poll_misses="a reply followed by another reply of the contact before a poll read the first (two replies "
        "between two polls are one event to a poll)",
        webhooks=(_version("conversation.user.replied", _STATS + "last_contact_reply_at"),),
        after_creation=True,
    ),
    Trigger(
        "conversation-admin-replied", 9, CONVERSATIONS, _STATS + "last_admin_reply_at", Rule.VERSION,
        Body.CONVERSATION,
        summary="When a teammate replies to a conversation",
        description="Triggers when a teammate replies to a conversation.",
        hint="To see it work now, reply to a conversation as a teammate in Intercom.",
        key="(conversation id, `statistics.last_admin_reply_at`)",
        poll_sees="the latest teammate reply of each conversation a poll reads",
        poll_misses="a reply followed by another teammate reply before a poll read the first",
        webhooks=(_version("conversation.admin.replied", _STATS + "last_admin_reply_at"),),
    ),
    Trigger(
        "conversation-assigned", 9, CONVERSATIONS, _STATS + "last_assignment_at", Rule.VERSION, Body.CONVERSATION,
        summary="When a conversation is assigned",
        description="Triggers when a conversation is assigned to a teammate or a team.",
        hint="To see it work now, assign a conversation in Intercom.",
        key="(conversation id, `statistics.last_assignment_at`)",
        poll_sees="the latest assignment of each conversation a poll reads",
        poll_misses="an assignment followed by another one before a poll read the first",
        webhooks=tuple(
            _version(topic, _STATS + "last_assignment_at")
            for topic in ("conversation.admin.assigned", "conversation.admin.open.assigned")
        ),
    ),
    Trigger(
        "conversation-snoozed", 9, CONVERSATIONS, "updated_at", Rule.VERSION, Body.CONVERSATION,
        summary="When a conversation is snoozed",
        description="Triggers when a conversation is snoozed.",
        hint="To see it work now, snooze a conversation in Intercom.",
        key="(conversation id, `snoozed_until`)",
        poll_sees="each conversation a poll reads snoozed, once per `snoozed_until`",
        poll_misses="a snooze ended (or replaced by another) before a poll read it",
        webhooks=(Webhook("conversation.admin.snoozed", ("id", "snoozed_until")),),
        where={"state": "snoozed"}, version="snoozed_until", identity_keys=True,
    ),
    Trigger(
        "conversation-rated", 9, CONVERSATIONS, "conversation_rating.updated_at", Rule.ID, Body.CONVERSATION,
        summary="When a conversation is rated",
        description="Triggers when a contact rates a conversation (once per conversation).",
        hint="To see it work now, rate a conversation as its contact in Intercom.",
        key="conversation id (a conversation rated again fires nothing more)",
        poll_sees="every rated conversation a poll reads",
        poll_misses="-",
        webhooks=(Webhook("conversation.rating.added", at="conversation_rating.updated_at"),),
        identity_keys=True, keys_forever=True,
    ),
    Trigger(
        "conversation-tagged", 9, CONVERSATIONS, "updated_at", Rule.CONVERSATION_TAGGED, Body.TAGGED_CONVERSATION,
        summary="When a conversation is tagged",
        description="Triggers when a tag is added to a conversation.",
        hint="To see it work now, tag a conversation in Intercom.",
        key="(conversation id, tag id)",
        poll_sees="a tag a conversation carries that it did not when a poll last read it; every tag of a "
        "conversation created since the last polls",
        poll_misses="a tag added and removed between polls; tags a conversation created before the start carried "
        "when first seen",
        webhooks=(
            Webhook(
                "conversation_part.tag.created", ("conversation.id", "tag.id"), "conversation.updated_at",
                form=Form.TAGS_ADDED,
            ),
        ),
        identity_keys=True, markers=True,
    ),
    Trigger(
        "ticket-created", 9, TICKETS, "created_at", Rule.ID, Body.TICKET,
        summary="When a ticket is created",
        description="Triggers when a new ticket is created.",
        hint="To see it work now, create a ticket in Intercom.",
        key="ticket id",
        poll_sees="every ticket",
        poll_misses="-",
        webhooks=(Webhook("ticket.created", at="created_at"),),
    ),
    Trigger(
        "ticket-state-changed", 9, TICKETS, "updated_at", Rule.STATE_CHANGED, Body.TICKET,
        summary="When a ticket's state changes",
        description="Triggers each time a ticket moves to another state.",
        hint="To see it work now, change the state of a ticket in Intercom.",
        key="(ticket id, `ticket_state.id`, the change's number for that ticket)",
        poll_sees="a ticket in another state than the last one logged for it (or seen by a poll)",
        poll_misses="a change undone, or followed by another, before a poll read it; a change before any poll saw "
        "the ticket (created and moved between two polls, or last seen over 90 days ago)",
        webhooks=(Webhook("ticket.state.updated"),),
        identity_keys=True, markers=True, keys_forever=True,
    ),
    Trigger(
        "lead-updated", 9, CONTACTS, "updated_at", Rule.VERSION, Body.LEAD,
        summary="When a lead is updated",
        description="Triggers when the information of an existing lead is updated.",
        hint=f"To see it work now, update a lead in Intercom {_POLLS}.",
        key="(lead id, `updated_at`), not its creation",
        poll_sees="the latest update of every lead; earlier versions a poll read",
        poll_misses="a version replaced before any poll read it",
        webhooks=(_version("contact.lead.updated", "updated_at", "lead"),),
        where={"role": "lead"}, after_creation=True, newest_only=True,
    ),
    Trigger(
        "contact-deleted", 9, None, "deleted_at", Rule.NONE, Body.DELETED_CONTACT,
        summary="When a contact is deleted",
        description="Triggers when a user or a lead is deleted (from Intercom's webhooks only).",
        hint="To see it work, delete a contact in Intercom (Intercom's webhooks must be set up: the connector cannot "
        "poll deletions).",
        key="contact id",
        poll_sees="nothing: webhook only (Intercom shows no deleted contact to a poll)",
        poll_misses="every deletion whose notification Intercom does not send",
        webhooks=(Webhook("contact.deleted", at="deleted_at", form=Form.DELETED),),
    ),
    Trigger(
        "intercom-notification", 9, None, "created_at", Rule.NONE, Body.NOTIFICATION,
        summary="When any Intercom notification arrives",
        description="Triggers for each webhook notification Intercom sends (filter them with topics such as "
        "conversation.*).",
        hint="To see it work, make any change your Intercom app's webhook topics cover (Intercom's webhooks must be "
        "set up).",
        key="notification `id` (duplicates collapse)",
        poll_sees="nothing: webhook only",
        poll_misses="every notification Intercom does not send",
        webhooks=(Webhook(EVERY_TOPIC, at="created_at", form=Form.NOTIFICATION),),
        topics_filter=True,
    ),
)  # fmt: skip

TRIGGERS: dict[str, Trigger] = {trigger.name: trigger for trigger in _DECLARED}


def trigger(name: str) -> Trigger:
    """The trigger of this name; ValueError for a name that is none."""
    found = TRIGGERS.get(name)
    if found is None:
        raise ValueError(f"unknown trigger {name!r}")
    return found


def of_source(source: Source) -> tuple[Trigger, ...]:
    """The triggers its poll reads `source` for, in declaration order."""
    return tuple(t for t in TRIGGERS.values() if t.source is source)


def of_interface(*sections: int) -> tuple[str, ...]:
    """The names of the triggers that these sections of docs/interface.md define, in declaration order."""
    return tuple(t.name for t in TRIGGERS.values() if t.interface in sections)
