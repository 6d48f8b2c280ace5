"""The status report's webhook counts come from the intake's tally (shared/notifications/tally.py) where the app has
it, and say "not counted" (None) where it does not."""

from __future__ import annotations

import importlib.util
import sys
import types

import pytest

from shared.operations.notifications import webhook_counts


def test_counts_come_from_the_intakes_tally(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str | None, float | None]] = []

    def counts(storage: str, connection: str | None, *, now: float | None = None) -> dict[str, int]:
        calls.append((storage, connection, now))
        return {"accepted": 5, "refused": 1, "unreadable": 2, "other": 9}

    tally = types.ModuleType("shared.notifications.tally")
    tally.webhook_counts = counts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shared.notifications.tally", tally)
    assert webhook_counts("conn", "eu", now=100.0) == {"accepted": 5, "refused": 1, "unreadable": 2}
    assert calls == [("conn", "eu", 100.0)]


def test_without_a_tally_nothing_is_counted() -> None:
    if importlib.util.find_spec("shared.notifications.tally") is not None:
        pytest.skip("the intake's tally is part of the app: counted (the test above)")
    assert webhook_counts("conn", "eu", now=100.0) is None
