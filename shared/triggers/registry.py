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
    """An Intercom object the polls read: its search (or listing) `path`, where a page's items are, whether its
    search compares timestamps by workspace day (contacts), and whether it is a listing by page number."""

    name: str
    path: str
    items: str = "data"
    day_granular: bool = False
    listing: bool = False


CONTACTS = Source("contacts", "/contacts/search", day_granular=True)
CONVERSATIONS = Source("conversations", "/conversations/search", items="conversations")
COMPANIES = Source("companies", "/companies", listing=True)  # oldest first (shared/triggers/reads.scan_listing)


class Rule(Enum):
    """How a poll picks a trigger's events among what it read (shared/triggers/rules.py RULES)."""

    ID = "one event per object: key = id"
    VERSION = "one event per value of the trigger's field: key = id:value"
    USER_CREATED = "a user created in the window, or one a poll saw as a lead"
    LEAD_CONVERTED = "a user a poll saw as a lead"
    LEAD_EMAIL_ADDED = "a lead with an email that a poll saw without one"
    CONTACT_TAGGED = "each tag a contact carries that it did not when a poll last saw it"


class Body(Enum):
    """What an event is: built by shared/triggers/bodies.py BUILDERS, described to the connector by connector/shapes.py
    BATCHES; the value is how the README names it."""

    USER = "`User`"
    LEAD = "`Lead`"
    CONTACT = "`User` or `Lead`"
    CONVERSATION = "`Conversation`"
    COMPANY = "`Company`"
    TAGGED_CONTACT = '`{"tag": Tag, "contact": User or Lead}`'


class Key(Enum):
    """How a notification's item gives the event's key (shared/triggers/topic_rules.py), the same key a poll gives."""

    ID = "the object's id"
    VERSION = "the object's id and the value of `at`"
    TAGGING = "a `contact_tag`'s contact id and tag id"


@dataclass(frozen=True)
class Webhook:
    """A webhook topic that feeds a trigger: the key rule, the item's time field (`at`: when the event occurred), the
    role the contact must have (if any), and where the object is in `data.item` (`within`: a field of a wrapper item;
    None: the item itself)."""

    topic: str
    key: Key = Key.ID
    at: str = "updated_at"
    role: str | None = None
    within: str | None = None


@dataclass(frozen=True)
class Trigger:
    """One trigger.

    Polls: `source` read newest first by `field` (the event's time), searched with `where` (field = value; items that
    do not match are no events). Flags: `identity_keys`: a key names the object for good (not a version in the
    window), so logged keys are checked by point reads and kept as long as markers (`keys_forever`: never pruned);
    `markers`: the rule compares with what earlier polls saw; `newest_only`: a notification for a version older than
    one already logged is dropped. Presentation: `summary` (display name), `description` and `hint` for the connector,
    `key`, `poll_sees` and `poll_misses` for the README; `interface`: the section of docs/interface.md that defines it.
    """

    name: str
    interface: int
    source: Source
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
    identity_keys: bool = False
    markers: bool = False
    keys_forever: bool = False
    newest_only: bool = False

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
    def timer(self) -> str:
        """The name of its poll timer function."""
        return "poll_" + self.name.replace("-", "_")


_POLLS = "(the connector polls Intercom every 2 minutes)"

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
            Webhook("contact.user.created", Key.VERSION, role="user"),
            Webhook("contact.user.updated", Key.VERSION, role="user"),
            Webhook("contact.lead.signed_up", Key.VERSION, role="user"),
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
        webhooks=(
            Webhook("contact.user.tag.created", Key.TAGGING, at="created_at"),
            Webhook("contact.lead.tag.created", Key.TAGGING, at="created_at"),
        ),
        identity_keys=True, markers=True,
    ),
    Trigger(
        "conversation-closed", 8, CONVERSATIONS, "statistics.last_close_at", Rule.VERSION, Body.CONVERSATION,
        summary="When a conversation is closed",
        description="Triggers each time a conversation is closed.",
        hint="To see it work now, close a conversation in Intercom.",
        key="(conversation id, `statistics.last_close_at`)",
        poll_sees="each close whose `last_close_at` a poll reads (also if reopened since)",
        poll_misses="a close followed by another close of the same conversation before a poll read the first",
        webhooks=(Webhook("conversation.admin.closed", Key.VERSION, at="statistics.last_close_at"),),
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
)  # fmt: skip

TRIGGERS: dict[str, Trigger] = {trigger.name: trigger for trigger in _DECLARED}


def trigger(name: str) -> Trigger:
    """The trigger of this name; ValueError for a name that is none."""
    found = TRIGGERS.get(name)
    if found is None:
        raise ValueError(f"unknown trigger {name!r}")
    return found


def of_interface(*sections: int) -> tuple[str, ...]:
    """The names of the triggers that these sections of docs/interface.md define, in declaration order."""
    return tuple(t.name for t in TRIGGERS.values() if t.interface in sections)
