"""A trigger's state from its record (ok, behind, failing, waiting) and the words of its 502 (interface §11)."""

from __future__ import annotations

import pytest

from shared.operations.records import PollRecord
from shared.operations.verdicts import (
    BEHIND,
    FAILING,
    OK,
    WAITING,
    explanation,
    stale_after,
    timestamp,
    unhealthy,
    verdict,
)

T0 = 1_800_000_000.0
PERIOD = 120
STALE = stale_after(PERIOD)


def failing(cause: str, *, since: float, last_success: float | None, last_poll: float) -> PollRecord:
    return PollRecord(
        "eu",
        "lead-created",
        last_poll=last_poll,
        outcome=cause,
        detail="Access Token Invalid" if cause == "unauthorized" else "Intercom failed: 503",
        failures=3,
        since=since,
        last_success=last_success,
    )


def test_no_record_is_waiting_never_failing() -> None:
    # A trigger that only webhooks feed never has a poll record: it never fails for lack of polls.
    assert verdict(None, now=T0, period=PERIOD).state == WAITING
    assert verdict(PollRecord("eu", "t"), now=T0 + 10 * STALE, period=PERIOD).state == WAITING


def test_a_cause_someone_must_act_on_fails_at_once() -> None:
    for cause in ("unauthorized", "forbidden"):
        record = failing(cause, since=T0, last_success=T0 - 1, last_poll=T0)
        found = verdict(record, now=T0 + 1, period=PERIOD)
        assert (found.state, found.cause, found.since) == (FAILING, cause, T0)


@pytest.mark.parametrize("cause", ["throttled", "intercom_unavailable", "storage_unavailable", "unexpected"])
def test_a_transient_cause_is_behind_until_three_periods_pass(cause: str) -> None:
    record = failing(cause, since=T0, last_success=T0 - 1, last_poll=T0 + 200)
    assert verdict(record, now=T0 - 1 + STALE - 1, period=PERIOD).state == BEHIND
    found = verdict(record, now=T0 - 1 + STALE + 1, period=PERIOD)
    assert (found.state, found.cause, found.since) == (FAILING, cause, T0)


def test_never_succeeded_counts_from_the_first_failure() -> None:
    record = failing("intercom_unavailable", since=T0, last_success=None, last_poll=T0)
    assert verdict(record, now=T0 + STALE - 1, period=PERIOD).state == BEHIND
    assert verdict(record, now=T0 + STALE + 1, period=PERIOD).state == FAILING


def test_polls_that_stopped_running_fail_as_not_polled() -> None:
    record = PollRecord("eu", "lead-created", last_poll=T0, last_success=T0)
    assert verdict(record, now=T0 + STALE - 1, period=PERIOD).state == OK
    found = verdict(record, now=T0 + STALE + 1, period=PERIOD)
    assert (found.state, found.cause, found.since) == (FAILING, "not_polled", T0)


def test_the_502_names_the_connection_what_intercom_said_and_since_when() -> None:
    record = failing("unauthorized", since=T0, last_success=T0 - 3600, last_poll=T0 + 240)
    found = verdict(record, now=T0 + 241, period=PERIOD)
    error = unhealthy(record, found)
    assert (error.status, error.code) == (502, "trigger_unhealthy")
    body = error.body()["error"]
    assert body["details"] == [
        {
            "connection": "eu",
            "trigger": "lead-created",
            "cause": "unauthorized",
            "since": timestamp(T0),
            "last_success": timestamp(T0 - 3600),
        }
    ]
    message = body["message"]
    for words in ("connection 'eu'", "lead-created", "401", "Access Token Invalid", f"since {timestamp(T0)}", "token"):
        assert words in message, words
    assert timestamp(T0) == "2027-01-15T08:00:00.000Z"


def test_explanations_of_transient_and_stalled_triggers() -> None:
    record = failing("intercom_unavailable", since=T0, last_success=None, last_poll=T0)
    text = explanation(record, verdict(record, now=T0 + STALE + 1, period=PERIOD))
    assert "Intercom failed or could not be reached" in text
    assert "never" in text
    assert "503" in text
    stalled = PollRecord("eu", "lead-created", last_poll=T0, last_success=T0)
    text = explanation(stalled, verdict(stalled, now=T0 + STALE + 1, period=PERIOD))
    assert "no poll has run" in text
    assert "timer" in text


def test_stale_after_three_periods_and_a_grace() -> None:
    assert stale_after(120) == 370  # three periods and 10 s
    assert stale_after(1) == 4  # a grace of at most one period
