"""One scenario for the six triggers of interface §8, with its ground truth: what must be logged and what may be.

Phase 1 (`setup`): leads with and without an email, users, conversations, tags and companies, searchable at once;
the caller lets the polls see them. Phase 2 (`run`, a few seconds under whatever lag and faults the caller set):
conversions, emails added, taggings each followed by an update of the contact (Intercom's tagging does not move
`updated_at` in the simulator: only an update shows a poll the new tag), closes with a reopen and a second close,
companies created, unsubscriptions (one undone again). `required[trigger]` holds the keys a poll can see (all of
them must be logged), `allowed[trigger]` every key of a real event (nothing else may be logged).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from intercom_sim import Simulator
from shared.triggers.registry import of_interface

SIX = of_interface(8)


@dataclass
class Scenario:
    sim: Simulator
    step: float = 0.15  # seconds between phase-2 writes
    required: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in SIX})
    allowed: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in SIX})
    plain: list[str] = field(default_factory=list)  # leads without an email
    mailed: list[str] = field(default_factory=list)  # leads with one
    users: list[str] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    closes: dict[str, list[str]] = field(default_factory=dict)  # conversation id: its close keys, in order

    def setup(self) -> None:
        """Phase 1: objects every poll sees at once (no index delay), created after the triggers' start."""
        sim = self.sim
        self.plain = [sim.add_contact("lead", name=f"Plain {i}", index=False)["id"] for i in range(5)]
        self.mailed = [sim.add_contact("lead", email=f"m{i}@example.com", index=False)["id"] for i in range(3)]
        self.users = [sim.add_contact("user", email=f"u{i}@example.com", index=False)["id"] for i in range(6)]
        self.conversations = [sim.add_conversation(u, index=False)["id"] for u in self.users[:4]]
        self.tags = [sim.add_tag(f"tag{i}")["id"] for i in range(3)]
        for i in range(2):
            self._company(f"Early {i}")

    def run(self) -> None:
        """Phase 2: every kind of event, interleaved, `step` apart."""
        sim, plain, mailed, users, convs, tags = (
            self.sim,
            self.plain,
            self.mailed,
            self.users,
            self.conversations,
            self.tags,
        )
        writes: list[Callable[[], object]] = [
            lambda: self._convert(plain[0]),
            lambda: self._add_email(plain[1], "p1"),
            lambda: self._tag(users[0], tags[0], update=True),
            lambda: self._close(convs[0]),
            lambda: self._company("Late 0"),
            lambda: self._unsubscribe(users[3]),
            lambda: self._convert(mailed[0]),
            lambda: self._add_email(plain[2], "p2"),
            lambda: self._tag(mailed[1], tags[2], update=True),
            lambda: self._close(convs[1]),
            lambda: self._tag(users[0], tags[1], update=True),
            lambda: self._unsubscribe(mailed[2]),
            lambda: self._new_contact_tagged(tags[0]),
            lambda: self._close(convs[2]),
            lambda: self._tag(users[5], tags[2], update=False),  # seen only while its contact is in the window
            lambda: self._company("Late 1"),
            lambda: self._open(convs[1]),  # reopened: its close stays an event (last_close_at is kept)
            lambda: self._convert(plain[3]),
            lambda: self._add_email_to_new_lead(),
            lambda: self._unsubscribe_and_back(users[4]),
            lambda: self._open(convs[0]),
            lambda: self._close(convs[0]),  # closed again: a new key
            lambda: self._add_email(plain[4], "p4"),
            lambda: self._tag(users[2], tags[1], update=False),
            lambda: self._tag(users[1], tags[0], update=False),
            lambda: self._add_email_to_new_lead(),
            lambda: self._company("Late 2"),
            lambda: sim.add_conversation(users[1]),  # never closed: no event
        ]
        for write in writes:
            write()
            time.sleep(self.step)

    # -- the writes and what they must or may log --------------------------------------------------------------------

    def _both(self, trigger: str, key: str) -> None:
        self.required[trigger].add(key)
        self.allowed[trigger].add(key)

    def _company(self, name: str) -> None:
        self._both("company-created", self.sim.add_company(name, company_id=name.lower().replace(" ", "-"))["id"])

    def _convert(self, lead: str) -> None:
        self.sim.update_contact(lead, role="user", email=f"{lead}@example.com")
        self._both("lead-converted", lead)

    def _add_email(self, lead: str, local: str) -> None:
        self.sim.update_contact(lead, email=f"{local}@example.com")
        self._both("lead-email-added", lead)

    def _add_email_to_new_lead(self) -> None:
        """Created without an email and given one 1 s later: a poll sees it only if it read the lead in between."""
        lead = self.sim.add_contact("lead", name="Quick")["id"]
        time.sleep(1.0)
        self.sim.update_contact(lead, email=f"quick-{lead}@example.com")
        self.allowed["lead-email-added"].add(lead)

    def _tag(self, contact: str, tag: str, *, update: bool) -> None:
        self.sim.tag_contact(contact, tag)
        if update:
            self.sim.update_contact(contact, name=f"Tagged {tag}")
            self.required["contact-tagged"].add(f"{contact}:{tag}")
        self.allowed["contact-tagged"].add(f"{contact}:{tag}")

    def _new_contact_tagged(self, tag: str) -> None:
        contact = self.sim.add_contact("user", email="fresh@example.com")["id"]
        self._tag(contact, tag, update=True)

    def _close(self, conversation: str) -> None:
        closed = self.sim.close_conversation(conversation)
        key = f"{conversation}:{closed['statistics']['last_close_at']}"
        self.allowed["conversation-closed"].add(key)
        self.closes.setdefault(conversation, []).append(key)
        # Only its last close is sure to be seen: the required key is replaced by a later close.
        self.required["conversation-closed"] = {
            k for k in self.required["conversation-closed"] if not k.startswith(f"{conversation}:")
        } | {key}
        time.sleep(1.05)  # a second close of it falls in a later second: another key

    def _open(self, conversation: str) -> None:
        self.sim.open_conversation(conversation)

    def _unsubscribe(self, contact: str) -> None:
        self.sim.update_contact(contact, unsubscribed_from_emails=True)
        self._both("contact-unsubscribed", contact)

    def _unsubscribe_and_back(self, contact: str) -> None:
        self.sim.update_contact(contact, unsubscribed_from_emails=True)
        self.sim.update_contact(contact, unsubscribed_from_emails=False)
        self.allowed["contact-unsubscribed"].add(contact)
