"""One scenario for the triggers of interface §9, with its ground truth: what must be logged and what may be.

Phase 1 (`setup`): users, leads, conversations started a minute ago, tags and tickets, searchable at once; the caller
lets the polls see them. Phase 2 (`run`, a few seconds under whatever lag and faults the caller set): replies as the
contact and as a teammate (some twice, a second apart), assignments, snoozes (one woken by a reply), ratings (one
rated twice), conversation tags (one removed and added again), tickets created and moved between states (one back to
where it was, one through two states at once), leads updated (one twice), leads deleted.

`required[trigger]` holds the keys a poll can see (all of them must be logged), `allowed[trigger]` every key of a real
event (nothing else may be logged). Where a poll sees only the latest of several changes of one object, only the
latest is required. Ticket state changes are numbered by what was logged before them, so they are checked as a
sequence (`ticket_changes_hold`). `published` lists the notifications each write makes, in order, with the key its
event has (tests/triggers/test_lifecycle_webhooks.py matches them with the simulator's deliveries).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from intercom_sim import Simulator
from shared.triggers.registry import TRIGGERS, of_interface

NINE = tuple(name for name in of_interface(9) if TRIGGERS[name].source is not None)  # polled
INITIAL_STATE = "8321"  # the simulator's Submitted: every ticket starts there
OTHER_ADMINS = ("991267002", "991267003")


@dataclass
class LifecycleScenario:
    sim: Simulator
    step: float = 0.15  # seconds between phase-2 writes
    required: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in of_interface(9)})
    allowed: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in of_interface(9)})
    published: list[tuple[str, str, str, str]] = field(default_factory=list)  # (topic, object id, trigger, key)
    users: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    tickets: list[str] = field(default_factory=list)
    states: dict[str, list[str]] = field(default_factory=dict)  # ticket id: every state it was in, in order
    snoozed: dict[str, str] = field(default_factory=dict)  # conversation id: its snooze's key while snoozed

    def setup(self) -> None:
        """Phase 1: objects every poll sees at once (no index delay), created after the triggers' start."""
        sim = self.sim
        self.users = [sim.add_contact("user", email=f"life{i}@example.com", index=False)["id"] for i in range(3)]
        self.leads = [sim.add_contact("lead", name=f"Lead {i}", index=False)["id"] for i in range(4)]
        ago = int(sim.now()) - 60  # an opening message before the replies (and inside the triggers' window)
        self.conversations = [
            sim.add_conversation(self.users[i % 3], created_at=ago, index=False)["id"] for i in range(5)
        ]
        self.tags = [sim.add_tag(f"life-tag{i}")["id"] for i in range(2)]
        for i in range(3):
            ticket = sim.add_ticket("2001", self.users[i], title=f"Crash {i}", attributes={"Platform": "opt-web"})
            self.tickets.append(ticket["id"])
            self.states[ticket["id"]] = [INITIAL_STATE]
            self._both("ticket-created", ticket["id"])  # after the start: events too
            self._publish("ticket.created", ticket["id"], "ticket-created", ticket["id"])

    def run(self) -> None:
        """Phase 2: every kind of event, interleaved, `step` apart (a second apart where a key is a time)."""
        c, t, leads = self.conversations, self.tickets, self.leads
        writes: list[Callable[[], object]] = [
            lambda: self._reply(c[0]),
            lambda: self._admin_reply(c[0]),
            lambda: self._assign(c[1], OTHER_ADMINS[0]),
            lambda: self._snooze(c[2]),
            lambda: self._rate(c[3], 4),
            lambda: self._tag(c[4], self.tags[0]),
            self._new_ticket,
            lambda: self._move(t[0], "8322"),
            lambda: self._update_lead(leads[0]),
            lambda: self._reply(c[1]),
            self._next_second,
            lambda: self._reply(c[0]),  # its second reply: a new key, the only one a poll must see
            lambda: self._assign(c[1], OTHER_ADMINS[1]),
            lambda: self._move(t[1], "8322"),
            lambda: self._rate(c[3], 2),  # rated again: nothing more
            lambda: self._tag(c[0], self.tags[1]),
            lambda: self._untag_and_tag_again(c[4], self.tags[0]),
            lambda: self._move(t[0], "8324"),
            lambda: self._update_lead(leads[1]),
            lambda: self._snooze(c[3]),
            lambda: self._reply(c[3]),  # wakes it: its snooze may be missed by a poll
            self._next_second,
            lambda: self._update_lead(leads[1]),  # its second update: the only one a poll must see
            lambda: self._move(t[1], INITIAL_STATE),  # back where it was
            lambda: self._move(t[2], "8323"),
            lambda: self._move(t[2], "8322"),  # at once after the last: a poll may see only this one
            self._new_ticket,
            lambda: self._admin_reply(c[2]),
            self._new_conversation,
            lambda: self._delete_lead(leads[2]),
            lambda: self._delete_lead(leads[3]),
        ]
        for write in writes:
            write()
            time.sleep(self.step)

    # -- ground truth ----------------------------------------------------------------------------------------------

    def ticket_changes_hold(self, keys: list[str]) -> list[str]:
        """What is wrong with the logged changes of the tickets (empty: nothing). Per ticket the keys must number
        1..n with no gap or double, each state differing from the one before (the first from the state a poll first
        saw: the initial one), in the order the ticket went through them, ending at the ticket's last state."""
        problems = []
        for ticket, history in self.states.items():
            mine = sorted((int(k.split(":")[2]), k.split(":")[1]) for k in keys if k.startswith(f"{ticket}:"))
            numbers, states = [n for n, _ in mine], [s for _, s in mine]
            if numbers != list(range(1, len(mine) + 1)):
                problems.append(f"{ticket}: changes numbered {numbers}")
            previous, position = history[0], 0
            for state in states:
                found = next((i for i in range(position + 1, len(history)) if history[i] == state), None)
                if state == previous or found is None:
                    problems.append(f"{ticket}: {state} logged after {previous}, history {history}")
                    break
                previous, position = state, found
            if previous != history[-1]:
                problems.append(f"{ticket}: ends at {previous}, the ticket at {history[-1]}")
        return problems

    def _both(self, trigger: str, key: str) -> None:
        self.required[trigger].add(key)
        self.allowed[trigger].add(key)

    def _latest(self, trigger: str, object_id: str, key: str) -> None:
        """A version: every one is allowed, only the latest of the object is required."""
        self.allowed[trigger].add(key)
        self.required[trigger] = {k for k in self.required[trigger] if not k.startswith(f"{object_id}:")} | {key}

    def _publish(self, topic: str, object_id: str, trigger: str, key: str) -> None:
        self.published.append((topic, object_id, trigger, key))

    def _woken(self, conversation: str) -> None:
        """A snoozed conversation that wakes: a poll may never have read its snooze."""
        key = self.snoozed.pop(conversation, None)
        if key is not None:
            self.required["conversation-snoozed"].discard(key)

    # -- the writes ------------------------------------------------------------------------------------------------

    def _next_second(self) -> None:
        time.sleep(1.05)

    def _version(self, topics: tuple[str, ...], trigger: str, after: dict[str, Any]) -> None:
        spec = TRIGGERS[trigger]
        value: Any = after
        for part in (spec.version or spec.field).split("."):
            value = value[part]
        key = f"{after['id']}:{value}"
        self._latest(trigger, after["id"], key)
        for topic in topics:
            self._publish(topic, after["id"], trigger, key)

    def _reply(self, conversation: str) -> None:
        after = self.sim.reply_as_contact(conversation)
        self._woken(conversation)
        self._version(("conversation.user.replied",), "conversation-contact-replied", after)

    def _admin_reply(self, conversation: str) -> None:
        after = self.sim.reply_as_admin(conversation)
        self._version(("conversation.admin.replied",), "conversation-admin-replied", after)

    def _assign(self, conversation: str, admin: str) -> None:
        after = self.sim.assign_conversation(conversation, admin)
        topics = ("conversation.admin.assigned", "conversation.admin.open.assigned")
        self._version(topics if after["open"] else topics[:1], "conversation-assigned", after)

    def _snooze(self, conversation: str) -> None:
        after = self.sim.snooze_conversation(conversation, until=int(self.sim.now()) + 3600)
        key = f"{conversation}:{after['snoozed_until']}"
        self._both("conversation-snoozed", key)
        self.snoozed[conversation] = key
        self._publish("conversation.admin.snoozed", conversation, "conversation-snoozed", key)

    def _rate(self, conversation: str, rating: int) -> None:
        self.sim.rate_conversation(conversation, rating)
        self._both("conversation-rated", conversation)
        self._publish("conversation.rating.added", conversation, "conversation-rated", conversation)

    def _tag(self, conversation: str, tag: str) -> None:
        self.sim.tag_conversation(conversation, tag)
        key = f"{conversation}:{tag}"
        self._both("conversation-tagged", key)
        self._publish("conversation_part.tag.created", conversation, "conversation-tagged", key)

    def _untag_and_tag_again(self, conversation: str, tag: str) -> None:
        self.sim.untag_conversation(conversation, tag)
        self._tag(conversation, tag)  # the same key: no second event

    def _new_ticket(self) -> None:
        ticket = self.sim.add_ticket("2001", self.users[0], title="New", attributes={"Platform": "opt-web"})
        self._both("ticket-created", ticket["id"])
        self._publish("ticket.created", ticket["id"], "ticket-created", ticket["id"])

    def _move(self, ticket: str, state: str) -> None:
        self.sim.set_ticket_state(ticket, state)
        self.states[ticket].append(state)

    def _new_conversation(self) -> None:
        """Its opening message is no reply (`statistics.last_contact_reply_at` is its `created_at`)."""
        self.sim.add_conversation(self.users[1], body="<p>New question</p>")

    def _update_lead(self, lead: str) -> None:
        after = self.sim.update_contact(lead, name=f"Renamed {time.monotonic():.3f}")
        self._version(("contact.lead.updated",), "lead-updated", after)

    def _delete_lead(self, lead: str) -> None:
        self.sim.delete_contact(lead)
        self.allowed["contact-deleted"].add(lead)
        self._publish("contact.deleted", lead, "contact-deleted", lead)
