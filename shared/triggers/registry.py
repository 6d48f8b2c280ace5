"""The triggers, declared: what each one reads from Intercom, its rule (shared/triggers/rules.py) and its body
(shared/triggers/bodies.py). One poll algorithm (shared/triggers/poll.py) runs them all; docs/triggers.md explains each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.triggers import rules
from shared.triggers.bodies import BodyBuilder, company_body, contact_body, conversation_body, tagged_body
from shared.triggers.eventlog import TRIGGERS

CONTACTS = "/contacts/search"
CONVERSATIONS = "/conversations/search"
COMPANIES = "/companies"  # a listing by page number, oldest first (shared/poll_reads.scan_listing)


@dataclass(frozen=True)
class TriggerSpec:
    """A trigger: the search (or listing) it reads newest first by `field`, the search's other filters, its rule and
    its body. `identity_keys`: a key names the object for good (not a version in the window), so logged keys are
    checked by point reads and kept as long as markers (`keys_forever`: never pruned). `markers`: the rule compares
    with what earlier polls saw."""

    name: str
    path: str
    field: str
    rule: rules.Rule
    body: BodyBuilder
    filters: tuple[Mapping[str, Any], ...] = ()
    identity_keys: bool = False
    markers: bool = False
    keys_forever: bool = False

    @property
    def contacts(self) -> bool:
        return self.path == CONTACTS

    @property
    def listing(self) -> bool:
        return self.path == COMPANIES

    @property
    def items(self) -> str:
        """Where a page's items are."""
        return "conversations" if self.path == CONVERSATIONS else "data"


def equals(field: str, value: Any) -> Mapping[str, Any]:
    return {"field": field, "operator": "=", "value": value}


SPECS: dict[str, TriggerSpec] = {
    spec.name: spec
    for spec in (
        TriggerSpec(
            "user-updated", CONTACTS, "updated_at", rules.by_version(rules.role("user")), contact_body,
            (equals("role", "user"),),
        ),
        TriggerSpec(
            "lead-created", CONTACTS, "created_at", rules.by_id(rules.role("lead")), contact_body,
            (equals("role", "lead"),),
        ),
        TriggerSpec(
            "user-created", CONTACTS, "updated_at", rules.user_created, contact_body, identity_keys=True, markers=True
        ),
        TriggerSpec("conversation-started", CONVERSATIONS, "created_at", rules.by_id(), conversation_body),
        TriggerSpec(
            "lead-converted", CONTACTS, "updated_at", rules.lead_converted, contact_body,
            identity_keys=True, markers=True,
        ),
        TriggerSpec(
            "lead-email-added", CONTACTS, "updated_at", rules.lead_email_added, contact_body,
            (equals("role", "lead"),), identity_keys=True, markers=True,
        ),
        TriggerSpec(
            "contact-tagged", CONTACTS, "updated_at", rules.contact_tagged, tagged_body,
            identity_keys=True, markers=True,
        ),
        TriggerSpec(
            "conversation-closed", CONVERSATIONS, "statistics.last_close_at", rules.by_version(), conversation_body
        ),
        TriggerSpec("company-created", COMPANIES, "created_at", rules.by_id(), company_body),
        TriggerSpec(
            "contact-unsubscribed", CONTACTS, "updated_at", rules.by_id(rules.unsubscribed), contact_body,
            (equals("unsubscribed_from_emails", True),), identity_keys=True, keys_forever=True,
        ),
    )
}  # fmt: skip
assert set(SPECS) == set(TRIGGERS)
