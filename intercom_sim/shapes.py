"""The shape of a webhook item: `classic` is the REST JSON as it is; `2026` follows the payloads captured in 2026-01
(public captures of real notifications, in other projects' test fixtures), which differ from REST in these ways:

- a `contact` or `company` object's Unix `*_at` fields are ISO-8601 with milliseconds and `+00:00`
  (`2026-01-10T04:22:28.240+00:00`; the milliseconds are drawn from the object id and the value, so an instant
  reads the same wherever it appears);
- a `conversation_statistics` object's are ISO-8601 with `.000Z`, and every usual statistic is present (null
  when unset);
- a `contact_tag` has no `created_at` (the envelope's stands for it);
- a conversation's unassigned `admin_assignee_id`/`team_assignee_id` is null (not REST's 0), a null `title` is `""`,
  and `priority` `none` is `not_priority`;
- a ticket's `admin_assignee_id`/`team_assignee_id` are strings (`"0"` unassigned), `snoozed_until` and `company_id`
  are present (null when unset).

A conversation's own `created_at`/`updated_at`, a ticket's, the parts' and the envelope's stay Unix in both shapes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

CONTACT_FORM = "%Y-%m-%dT%H:%M:%S"
STATISTICS = (
    "time_to_assignment",
    "time_to_admin_reply",
    "time_to_first_close",
    "time_to_last_close",
    "median_time_to_reply",
    "first_contact_reply_at",
    "first_assignment_at",
    "first_admin_reply_at",
    "first_close_at",
    "last_assignment_at",
    "last_assignment_admin_reply_at",
    "last_contact_reply_at",
    "last_admin_reply_at",
    "last_close_at",
    "last_closed_by_id",
    "count_reopens",
    "count_assignments",
    "count_conversation_parts",
)


def shape_item(item: dict[str, Any], shapes: str) -> dict[str, Any]:
    """A deep copy of a REST-rendered item in the given shapes (`2026` or `classic`)."""
    shaped = _shaped(item, shapes == "2026", "")
    assert isinstance(shaped, dict)
    return shaped


def _shaped(value: Any, new: bool, owner: str) -> Any:
    if isinstance(value, list):
        return [_shaped(v, new, owner) for v in value]
    if not isinstance(value, dict):
        return value
    kind = str(value.get("type", ""))
    out = {key: _shaped(v, new, kind) for key, v in value.items()}
    if not new:
        return out
    if kind in ("contact", "company") and "created_at" in value:
        for key, v in value.items():
            if key.endswith("_at") and _is_int(v):
                out[key] = iso_millis(v, str(value.get("id")))
    elif kind == "conversation_statistics":
        out = {"type": kind, **{k: value.get(k) for k in STATISTICS}, **{k: out[k] for k in out if k != "type"}}
        for key, v in out.items():
            if key.endswith("_at") and _is_int(v):
                out[key] = dt.datetime.fromtimestamp(v, dt.UTC).strftime(f"{CONTACT_FORM}.000Z")
    elif kind == "contact_tag":
        out.pop("created_at", None)
    elif kind == "conversation" and "statistics" in value:
        for key in ("admin_assignee_id", "team_assignee_id"):
            if out.get(key) == 0:
                out[key] = None
        out["title"] = out.get("title") or ""
        if out.get("priority") == "none":
            out["priority"] = "not_priority"
    elif kind == "ticket" and "ticket_state" in value:
        for key in ("admin_assignee_id", "team_assignee_id"):
            out[key] = str(out.get(key) or 0)
        out.setdefault("snoozed_until", None)
        out.setdefault("company_id", None)
    return out


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def iso_millis(ts: int, salt: str) -> str:
    """`ts` as ISO-8601 with `+00:00` and milliseconds that stand for the sub-second part REST drops."""
    millis = int(hashlib.sha1(f"{salt}:{ts}".encode()).hexdigest()[:6], 16) % 1000  # noqa: S324 - not security
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime(CONTACT_FORM) + f".{millis:03d}+00:00"
