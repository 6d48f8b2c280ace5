"""The small rules of the triggers: which items of a poll's window are events, under which key (docs/triggers.md).

A rule takes what a poll read (newest first) and answers a `Selection`: the candidate events, and what to do once
their keys are logged (`settle`: delete a marker that served its event, record what this poll saw). Rules that
compare with earlier polls keep markers in their trigger's table (shared/triggers/markers.py); a marker is only added
before the commit (a poll that fails then leaves an extra marker, never a lost event), and removed or overwritten
only for contacts whose events are all logged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from shared.triggers.eventlog import LOOKUP_THREADS, EventLog
from shared.triggers.markers import Markers
from shared.triggers.registry import Rule, Trigger
from shared.triggers.topic_rules import Found


@dataclass(frozen=True)
class Candidate:
    """A possible event: its key, its object, when it occurred (Intercom's seconds) and what its body is built from."""

    key: str
    object_id: str
    occurred_at: int
    item: Mapping[str, Any]


@dataclass
class Selection:
    """A rule's answer. `settle(done)` runs after the poll's commit, with every key that is logged by then."""

    candidates: list[Candidate]
    settle: Callable[[set[str]], None] | None = None


@dataclass(frozen=True)
class RuleContext:
    """What a rule may use: the window's cutoff, the trigger's time field, the field whose value versions its keys
    (Rule.VERSION; None: the time field), its markers (None: it keeps none) and its log (the rules whose keys follow
    what is logged)."""

    cutoff: int
    field: str
    markers: Markers | None = None
    version: str | None = None
    log: EventLog | None = None

    def marked(self) -> Markers:
        if self.markers is None:
            raise ValueError(f"a rule over {self.field} needs markers")
        return self.markers

    def logged(self) -> EventLog:
        if self.log is None:
            raise ValueError(f"a rule over {self.field} needs its log")
        return self.log


RuleFunction = Callable[[RuleContext, list[dict[str, Any]]], Selection]


def stamp(item: Mapping[str, Any], name: str) -> int | None:
    """A Unix-seconds field of an item, dotted names reaching into objects (`statistics.last_close_at`)."""
    value: Any = item
    for part in name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def matches(item: Mapping[str, Any], where: Mapping[str, Any] | None) -> bool:
    """Whether the item has each of these field values (a trigger's `where`)."""
    return where is None or all(item.get(name) == value for name, value in where.items())


def eligible(trigger: Trigger, item: Mapping[str, Any]) -> bool:
    """Whether a read item may be one of the trigger's events (its `where`, and `after_creation`)."""
    return matches(item, trigger.where) and (not trigger.after_creation or after_creation(item, trigger.field))


def after_creation(item: Mapping[str, Any], field: str) -> bool:
    """Whether the item's `field` is later than its `created_at` (a lead's creation is no lead update, a
    conversation's opening message no reply); an item without `created_at` passes."""
    value, created = stamp(item, field), stamp(item, "created_at")
    return created is None or (value is not None and value > created)


def _window(ctx: RuleContext, items: list[dict[str, Any]]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(id, time, item) of each object in the window once, in its newest version read (items come newest first)."""
    seen: set[str] = set()
    for item in items:
        object_id, value = item.get("id"), stamp(item, ctx.field)
        if object_id is None or value is None or value < ctx.cutoff or str(object_id) in seen:
            continue
        seen.add(str(object_id))
        yield str(object_id), value, item


def by_id(ctx: RuleContext, items: list[dict[str, Any]]) -> Selection:
    """One event per object: key = id (lead-created, conversation-started, company-created, contact-unsubscribed)."""
    return Selection([Candidate(i, i, value, item) for i, value, item in _window(ctx, items)])


def by_version(ctx: RuleContext, items: list[dict[str, Any]]) -> Selection:
    """One event per version: key = id:value of the version field (user-updated: updated_at; conversation-closed:
    last_close_at; conversation-snoozed: snoozed_until, in the window by updated_at). Every version read counts, not
    only the newest (two versions of one user may both be in the window)."""
    found: dict[str, Candidate] = {}
    for item in items:
        object_id, value = item.get("id"), stamp(item, ctx.field)
        version = value if ctx.version is None else stamp(item, ctx.version)
        if object_id is None or value is None or version is None or value < ctx.cutoff:
            continue
        key = f"{object_id}:{version}"
        found.setdefault(key, Candidate(key, str(object_id), value, item))
    return Selection(list(found.values()))


def _forgetting(markers: Markers, marked: dict[str, str]) -> Callable[[set[str]], None]:
    """Settle: delete the markers {contact id: key} whose events are logged."""

    def settle(done: set[str]) -> None:
        markers.forget(sorted(i for i, key in marked.items() if key in done))

    return settle


def user_created(ctx: RuleContext, items: list[dict[str, Any]]) -> Selection:
    """A user created in the window, or a user a poll saw as a lead (marker). Every lead read is marked. A user
    created in the window may carry a marker too (a poll cut short saw it as a lead): it goes with its event, or it
    would outlive the key row, whose time is the older `created_at`."""
    markers = ctx.marked()
    leads: dict[str, int] = {}
    found: list[Candidate] = []
    maybe: list[Candidate] = []
    for object_id, value, item in _window(ctx, items):
        if item.get("role") == "lead":
            leads[object_id] = value
        elif item.get("role") == "user":
            created = stamp(item, "created_at")
            if created is not None and created >= ctx.cutoff:
                found.append(Candidate(object_id, object_id, created, item))
            else:
                maybe.append(Candidate(object_id, object_id, value, item))
    if leads:
        markers.mark(leads)
    marked = markers.marked([c.object_id for c in found + maybe])
    found += [c for c in maybe if c.object_id in marked]
    return Selection(found, _forgetting(markers, {i: i for i in marked}))


def lead_converted(ctx: RuleContext, items: list[dict[str, Any]]) -> Selection:
    """A user that a poll of this trigger saw as a lead (its own markers: user-created deletes its markers when its
    event is logged, which says nothing about this trigger's)."""
    markers = ctx.marked()
    leads = {i: value for i, value, item in _window(ctx, items) if item.get("role") == "lead"}
    users = [Candidate(i, i, value, item) for i, value, item in _window(ctx, items) if item.get("role") == "user"]
    if leads:
        markers.mark(leads)
    marked = markers.marked([c.object_id for c in users])
    return Selection([c for c in users if c.object_id in marked], _forgetting(markers, {i: i for i in marked}))


def lead_email_added(ctx: RuleContext, items: list[dict[str, Any]]) -> Selection:
    """A lead with an email that a poll saw without one (marker); leads read without an email are marked."""
    markers = ctx.marked()
    without: dict[str, int] = {}
    emailed: list[Candidate] = []
    for object_id, value, item in _window(ctx, items):
        if item.get("role") != "lead":
            continue
        if item.get("email"):
            emailed.append(Candidate(object_id, object_id, value, item))
        else:
            without[object_id] = value
    if without:
        markers.mark(without)
    marked = markers.marked([c.object_id for c in emailed])
    return Selection([c for c in emailed if c.object_id in marked], _forgetting(markers, {i: i for i in marked}))


def tag_ids(contact: Mapping[str, Any]) -> list[str]:
    """The tag ids Intercom lists inline in a contact (at most 10)."""
    return sorted(_inline_tags(contact, "data"))


def _inline_tags(item: Mapping[str, Any], within: str) -> dict[str, Any]:
    """{tag id: its name or None} of the tags an item lists inline (`tags.data[]` of a contact, `tags.tags[]` of a
    conversation)."""
    tags = item.get("tags")
    data = tags.get(within) if isinstance(tags, Mapping) else None
    return {
        str(t["id"]): t.get("name")
        for t in (data if isinstance(data, list) else [])
        if isinstance(t, Mapping) and t.get("id") is not None
    }


@dataclass
class _TagSets:
    """What a tagged rule read: each object's tags now, its event keys, and its time."""

    markers: Markers
    before: dict[str, tuple[int, str]] = field(default_factory=dict)
    now: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    seen_at: dict[str, int] = field(default_factory=dict)

    def settle(self, done: set[str]) -> None:
        """Record the tags of every object whose events are all logged (the next poll compares with these); one
        read again as it was recorded (the look-back re-reads) costs no write."""
        ready = [
            i
            for i in self.now
            if all(k in done for k in self.keys.get(i, []))
            and self.before.get(i) != (self.seen_at[i], ",".join(self.now[i]))
        ]
        if ready:
            self.markers.mark({i: self.seen_at[i] for i in ready}, {i: ",".join(self.now[i]) for i in ready})


def _tagged(holder: str, within: str) -> RuleFunction:
    """(object, tag) for each tag an object carries now that it did not carry when a poll last saw it; an object
    created in the window: each of its tags; an object no poll saw before: none (its tags are recorded). The event
    is `{"tag": {id, name}, holder: item}`."""

    def rule(ctx: RuleContext, items: list[dict[str, Any]]) -> Selection:
        sets = _TagSets(ctx.marked())
        window = list(_window(ctx, items))
        sets.before = before = sets.markers.values(i for i, _, _ in window)
        found: list[Candidate] = []
        for object_id, value, item in window:
            names = _inline_tags(item, within)
            now = sorted(names)
            sets.now[object_id], sets.seen_at[object_id] = now, value
            created = stamp(item, "created_at")
            if object_id in before:
                new = set(now) - set(filter(None, before[object_id][1].split(",")))
            elif created is not None and created >= ctx.cutoff:
                new = set(now)
            else:
                new = set()
            for tag in sorted(new):
                key = f"{object_id}:{tag}"
                sets.keys.setdefault(object_id, []).append(key)
                subject = {"tag": {"id": tag, "name": names[tag]}, holder: item}
                found.append(Candidate(key, object_id, value, subject))
        return Selection(found, sets.settle)

    return rule


# -- ticket-state-changed: keys that follow the log ---------------------------------------------------------------


def ticket_state(ticket: Mapping[str, Any]) -> str | None:
    """A ticket's state: its `ticket_state.id` (2.16), or an older payload's flat state string."""
    state = ticket.get("ticket_state")
    if isinstance(state, Mapping):
        state = state.get("id")
    if isinstance(state, bool) or not isinstance(state, str | int) or not _SAFE.match(str(state)):
        return None
    return str(state)


_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class LastState:
    """What a ticket's next change is compared with: its state, the number of changes logged for it (0: a state a
    poll saw first, no change logged yet) and the ticket's `updated_at` then."""

    state: str
    changes: int
    at: int


def logged_state(log: EventLog, ticket_id: str) -> LastState | None:
    """The last change logged for the ticket (its key rows `<id>:<state>:<n>`, kept for good), or None."""
    last: LastState | None = None
    for key, at in log.key_rows(ticket_id).items():
        _, state, changes = key.split(":")
        if last is None or int(changes) > last.changes:
            last = LastState(state, int(changes), at)
    return last


def last_state(log: EventLog, markers: Markers, ticket_id: str) -> LastState | None:
    """The last change logged; before any is, the state a poll first saw (the marker, `Value` = the state)."""
    last = logged_state(log, ticket_id)
    if last is None:
        seen = markers.values([ticket_id]).get(ticket_id)
        last = None if seen is None else LastState(seen[1], 0, seen[0])
    return last


def state_change(last: LastState | None, ticket: Mapping[str, Any], at: int) -> str | None:
    """The key of the change this version of the ticket is (None: no change, or a version older than the last)."""
    state = ticket_state(ticket)
    if state is None or (last is not None and (at < last.at or state == last.state)):
        return None
    return f"{ticket['id']}:{state}:{1 if last is None else last.changes + 1}"


def state_changed(ctx: RuleContext, items: list[dict[str, Any]]) -> Selection:
    """A ticket read in another state than the last one logged for it (key `<id>:<state>:<n>`, the n-th change). A
    ticket with nothing logged is compared with the state a poll first saw it in (a marker, refreshed while the
    ticket is seen unchanged); the first sight itself is no event (a poll cannot tell that it changed)."""
    markers, log = ctx.marked(), ctx.logged()
    window = [entry for entry in _window(ctx, items) if ticket_state(entry[2]) is not None]
    with ThreadPoolExecutor(max_workers=max(1, min(LOOKUP_THREADS, len(window)))) as pool:
        lasts = list(pool.map(lambda entry: last_state(log, markers, entry[0]), window))
    found: list[Candidate] = []
    seen: dict[str, int] = {}
    states: dict[str, str] = {}
    for (object_id, value, item), last in zip(window, lasts, strict=True):
        state = str(ticket_state(item))
        if last is None or (last.changes == 0 and state == last.state and value > last.at):
            seen[object_id], states[object_id] = value, state
            continue
        key = state_change(last, item, value)
        if key is not None:
            found.append(Candidate(key, object_id, value, item))
    if seen:
        markers.mark(seen, states)
    return Selection(found)


def notified(trigger: Trigger, log: EventLog, subject: Mapping[str, Any], found: Found) -> Found | None:
    """A notification's event as a poll of the trigger would key it, or None when a poll would see no event in it:
    `after_creation` (a lead's creation, a conversation's opening message); ticket-state-changed (`ticket.state
    .updated`: a change happened) the change after the last one logged (None: logged already, or older than it)."""
    if trigger.after_creation and not after_creation(subject, trigger.field):
        return None
    if trigger.rule is Rule.STATE_CHANGED:
        key = state_change(logged_state(log, found.object_id), subject, found.occurred_at)
        return None if key is None else Found(key, found.object_id, found.occurred_at)
    return found


RULES: dict[Rule, RuleFunction] = {
    Rule.ID: by_id,
    Rule.VERSION: by_version,
    Rule.USER_CREATED: user_created,
    Rule.LEAD_CONVERTED: lead_converted,
    Rule.LEAD_EMAIL_ADDED: lead_email_added,
    Rule.CONTACT_TAGGED: _tagged("contact", "data"),
    Rule.CONVERSATION_TAGGED: _tagged("conversation", "tags"),
    Rule.STATE_CHANGED: state_changed,
    Rule.NONE: lambda ctx, items: Selection([]),
}
