"""A trigger's state from its poll record (interface §11): ok, behind or failing; and the 502 of a failing one.

- failing: its polls fail for a cause someone must act on (`unauthorized`, `forbidden`), or no poll has completed
  for STALE_PERIODS poll periods (plus a grace of one period, at most STALE_GRACE_SECONDS, for the poll's own run
  time and clocks that differ between instances); then the polling trigger answers 502 `trigger_unhealthy` when it
  has nothing newer to hand out, and `/api/health` says `degraded`.
- behind: its last polls failed for a cause that passes by itself (`throttled`, `intercom_unavailable`,
  `storage_unavailable`, `unexpected`) and it is not stale yet: events arrive late, none is lost.
- ok: its last poll completed.
- waiting: no poll recorded yet (a new trigger): never failing for lack of polls.
- webhook_only: a trigger no poll can see (contact-deleted, intercom-notification): fed by Intercom's webhooks alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from shared.errors import TriggerUnhealthy
from shared.operations.causes import EXPLAINED, NEEDS_ACTION, NOT_POLLED
from shared.operations.records import PollRecord

OK, BEHIND, FAILING, WAITING, WEBHOOK_ONLY = "ok", "behind", "failing", "waiting", "webhook_only"
STALE_PERIODS = 3
STALE_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class Verdict:
    """`cause`: why it is behind or failing (None when ok or waiting); `since`: when that began (Unix seconds)."""

    state: str
    cause: str | None = None
    since: float | None = None


def verdict(record: PollRecord | None, *, now: float, period: float) -> Verdict:
    """The state of a trigger whose polls run every `period` seconds (module docstring)."""
    if record is None or record.last_poll is None:
        return Verdict(WAITING)
    completed = record.last_success if record.last_success is not None else record.since
    stale = completed is not None and now - completed > stale_after(period)
    if record.failures:
        state = FAILING if stale or record.outcome in NEEDS_ACTION else BEHIND
        return Verdict(state, record.outcome, record.since)
    if stale:
        return Verdict(FAILING, NOT_POLLED, record.last_poll)
    return Verdict(OK)


def stale_after(period: float) -> float:
    """Seconds without a completed poll after which a trigger is failing."""
    return STALE_PERIODS * period + min(period, STALE_GRACE_SECONDS)


def timestamp(moment: float | None) -> str | None:
    """The contract's timestamp (yyyy-MM-ddTHH:mm:ss.fffZ, UTC) of Unix seconds."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


ADVICE = {
    "unauthorized": "put a valid access token in the connection's setting (docs/operations.md, rotate the token)",
    "forbidden": "give the Intercom app the scopes the triggers read (docs/operations.md)",
    NOT_POLLED: "check that the app's timer functions run (docs/operations.md)",
}


def explanation(record: PollRecord, found: Verdict) -> str:
    """The verdict in an operator's words: which connection and trigger, what is wrong, what Intercom (or storage)
    said, since when, and what to do."""
    cause = found.cause or "ok"
    words = [f"Trigger {record.trigger} of connection '{record.connection}': {EXPLAINED.get(cause, cause)}"]
    if record.detail and found.cause != NOT_POLLED:
        said = "Intercom said" if cause in NEEDS_ACTION or cause == "intercom_unavailable" else "the error was"
        words.append(f'{said} "{record.detail}"')
    if found.since is not None:
        since = "last poll" if found.cause == NOT_POLLED else "since"
        words.append(f"{since} {timestamp(found.since)}")
    if record.failures:
        words.append(f"{record.failures} failed poll{'s' if record.failures != 1 else ''} in a row")
    words.append(f"last successful poll {timestamp(record.last_success) or 'never'}")
    advice = ADVICE.get(cause)
    text = "; ".join(words) + "."
    return f"{text} To fix: {advice}." if advice else f"{text} Events are kept and handed out once it recovers."


def unhealthy(record: PollRecord, found: Verdict) -> TriggerUnhealthy:
    return TriggerUnhealthy(
        explanation(record, found),
        details=[
            {
                "connection": record.connection,
                "trigger": record.trigger,
                "cause": found.cause,
                "since": timestamp(found.since),
                "last_success": timestamp(record.last_success),
            }
        ],
    )
