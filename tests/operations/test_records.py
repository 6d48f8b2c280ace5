"""How a poll changes a trigger's record: failures in a row, since, last success, events counted from the log's
head in minute and hour buckets (shared/operations/records.py)."""

from __future__ import annotations

from shared.operations.records import HOUR, PollRecord, after_poll, newer

T0 = 1_800_000_000.0  # a round hour: 1_800_000_000 / 3600 = 500_000


def test_failures_count_from_the_first_and_a_success_clears_them() -> None:
    first = after_poll(PollRecord("c", "lead-created"), now=T0, cause="ok", detail="", head=(0, 100))
    assert (first.failures, first.since, first.last_success, first.outcome) == (0, None, T0, "ok")
    one = after_poll(first, now=T0 + 60, cause="unauthorized", detail="Access Token Invalid", head=(0, 100))
    two = after_poll(one, now=T0 + 120, cause="intercom_unavailable", detail="503", head=(0, 100))
    assert (two.failures, two.since, two.last_success, two.outcome, two.detail) == (
        2,
        T0 + 60,
        T0,
        "intercom_unavailable",
        "503",
    )
    back = after_poll(two, now=T0 + 180, cause="ok", detail="", head=(0, 100))
    assert (back.failures, back.since, back.last_success, back.detail) == (0, None, T0 + 180, "")


def test_events_are_the_heads_growth_including_webhook_appends() -> None:
    record = after_poll(PollRecord("c", "t"), now=T0, cause="ok", detail="", head=(40, 1), logged=3)
    assert record.events_last_hour(T0) == 3  # no earlier head: what the poll itself logged
    record = after_poll(record, now=T0 + 30, cause="ok", detail="", head=(45, 2), logged=1)
    assert record.events_last_hour(T0 + 30) == 8  # 5 more in the log, whoever logged them
    record = after_poll(record, now=T0 + 60, cause="storage_unavailable", detail="", head=None)
    assert record.seq == 45
    assert record.watermark == 2
    record = after_poll(record, now=T0 + 90, cause="ok", detail="", head=(2, 3))
    assert record.events_last_hour(T0 + 90) == 10  # a re-created log: everything in it is new


def test_buckets_keep_an_hour_of_minutes_and_a_day_of_hours() -> None:
    record = PollRecord("c", "t", seq=0)
    for hour in range(30):
        record = after_poll(record, now=T0 + hour * HOUR, cause="ok", detail="", head=((record.seq or 0) + 2, 0))
    now = T0 + 29 * HOUR
    per_hour = record.events_per_hour(now)
    assert len(per_hour) == 24
    assert per_hour[-1] == ((500_000 + 29) * HOUR, 2)
    assert per_hour[0][0] == (500_000 + 6) * HOUR
    assert record.events_last_day(now) == 48
    assert record.events_last_hour(now) == 2
    assert record.events_last_hour(now + 3600) == 0
    assert len(record.hours) <= 24
    assert len(record.minutes) <= 60


def test_newer_takes_the_later_poll() -> None:
    old, new = PollRecord("c", "t", last_poll=T0), PollRecord("c", "t", last_poll=T0 + 1)
    assert newer(old, new) is new
    assert newer(new, old) is new
    assert newer(None, old) is old
    assert newer(old, None) is old
    assert newer(None, None) is None


def test_watermark_age() -> None:
    assert PollRecord("c", "t", watermark=int(T0) - 90).watermark_age(T0) == 90
    assert PollRecord("c", "t").watermark_age(T0) is None
