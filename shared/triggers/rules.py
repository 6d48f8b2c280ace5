"""The small rules of the triggers: which items of a poll's window are events, under which key (docs/triggers.md).

A rule takes what a poll read (newest first) and answers a `Selection`: the candidate events, and what to do once
their keys are logged (`settle`: delete a marker that served its event, record what this poll saw). Rules that
compare with earlier polls keep markers in their trigger's table (shared/triggers/markers.py); a marker is only added
before the commit (a poll that fails then leaves an extra marker, never a lost event), and removed or overwritten
only for contacts whose events are all logged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.triggers.markers import Markers
from shared.triggers.registry import Rule


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
    """What a rule may use: the window's cutoff, the trigger's time field and its markers (None: it keeps none)."""

    cutoff: int
    field: str
    markers: Markers | None = None

    def marked(self) -> Markers:
        if self.markers is None:
            raise ValueError(f"a rule over {self.field} needs markers")
        return self.markers


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
    """One event per version: key = id:time (user-updated: updated_at; conversation-closed: last_close_at). Every
    version read counts, not only the newest (two versions of one user may both be in the window)."""
    found: dict[str, Candidate] = {}
    for item in items:
        object_id, value = item.get("id"), stamp(item, ctx.field)
        if object_id is None or value is None or value < ctx.cutoff:
            continue
        key = f"{object_id}:{value}"
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
    tags = contact.get("tags")
    data = tags.get("data") if isinstance(tags, Mapping) else None
    return sorted({str(t["id"]) for t in data or [] if isinstance(t, Mapping) and t.get("id") is not None})


@dataclass
class _TagSets:
    """What contact-tagged read: each contact's tags now, its event keys, and its `updated_at`."""

    markers: Markers
    before: dict[str, tuple[int, str]] = field(default_factory=dict)
    now: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    seen_at: dict[str, int] = field(default_factory=dict)

    def settle(self, done: set[str]) -> None:
        """Record the tags of every contact whose events are all logged (the next poll compares with these); a
        contact read again as it was recorded (the look-back re-reads) costs no write."""
        ready = [
            i
            for i in self.now
            if all(k in done for k in self.keys.get(i, []))
            and self.before.get(i) != (self.seen_at[i], ",".join(self.now[i]))
        ]
        if ready:
            self.markers.mark({i: self.seen_at[i] for i in ready}, {i: ",".join(self.now[i]) for i in ready})


def contact_tagged(ctx: RuleContext, items: list[dict[str, Any]]) -> Selection:
    """(contact, tag) for each tag a contact carries now that it did not carry when a poll last saw it; a contact
    created in the window: each of its tags; a contact no poll saw before: none (its tags are recorded)."""
    sets = _TagSets(ctx.marked())
    window = list(_window(ctx, items))
    sets.before = before = sets.markers.values(i for i, _, _ in window)
    found: list[Candidate] = []
    for object_id, value, item in window:
        now = tag_ids(item)
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
            found.append(Candidate(key, object_id, value, {"tag": {"id": tag}, "contact": item}))
    return Selection(found, sets.settle)


RULES: dict[Rule, RuleFunction] = {
    Rule.ID: by_id,
    Rule.VERSION: by_version,
    Rule.USER_CREATED: user_created,
    Rule.LEAD_CONVERTED: lead_converted,
    Rule.LEAD_EMAIL_ADDED: lead_email_added,
    Rule.CONTACT_TAGGED: contact_tagged,
}
