"""Timestamps as items carry them (interface §11): Unix seconds, or ISO-8601 with or without a fraction and with `Z`
or an offset, all give the Unix seconds a poll sees; what is no timestamp gives None and never raises. Properties
checked with hypothesis over every instant 1970-9999 and every offset."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.models.common import format_timestamp
from shared.notifications.topics import normalized, notification_item
from shared.triggers.topic_rules import MAX_SECONDS, unix_seconds

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
instants = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)  # a day's margin: any offset keeps the local time within datetime's range
offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))


def floor_seconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(seconds=1)


def iso_forms(moment: datetime) -> list[str]:
    """The forms Intercom's payloads carry (2026 captures) and the other ISO-8601 spellings of the same instant."""
    utc = moment.astimezone(UTC)
    plain = utc.strftime("%Y-%m-%dT%H:%M:%S")
    millis = f"{utc.microsecond // 1000:03d}"
    return [
        f"{plain}.{millis}+00:00",  # contacts and companies, 2026
        f"{plain}.{millis}Z",  # conversation statistics, 2026
        f"{plain}Z",
        f"{plain}+00:00",
        f"{plain}.{utc.microsecond:06d}Z",
        f"{plain}.{millis}z",
        utc.isoformat(),
        f" {plain}Z ",
    ]


@given(instants)
def test_every_utc_form_gives_the_floored_seconds(moment: datetime) -> None:
    expected = floor_seconds(moment)
    for text in iso_forms(moment):
        assert unix_seconds(text) == expected, text


@given(instants, offsets, st.sampled_from(["seconds", "milliseconds", "microseconds"]))
def test_any_offset_gives_the_same_instant(moment: datetime, offset: timezone, spec: str) -> None:
    local = moment.astimezone(offset)
    assert unix_seconds(local.isoformat(timespec=spec)) == floor_seconds(moment)


@given(st.integers(min_value=0, max_value=MAX_SECONDS - 1))
def test_unix_seconds_as_numbers_and_digit_strings(seconds: int) -> None:
    assert unix_seconds(seconds) == seconds
    assert unix_seconds(str(seconds)) == (seconds if len(str(seconds)) <= 12 else None)
    assert unix_seconds(seconds + 0.999) == seconds
    assert unix_seconds(f"{seconds}.5") == seconds


@given(instants)
def test_a_time_without_an_offset_is_none(moment: datetime) -> None:
    assert unix_seconds(moment.replace(tzinfo=None).isoformat()) is None


@given(st.one_of(st.none(), st.booleans(), st.text(), st.floats(), st.integers(), st.lists(st.integers())))
def test_anything_gives_a_timestamp_in_range_or_none_and_never_raises(value: Any) -> None:
    stamp = unix_seconds(value)
    assert stamp is None or (isinstance(stamp, int) and 0 <= stamp < MAX_SECONDS)
    assert format_timestamp(value) is None or isinstance(format_timestamp(value), str)


def test_what_is_no_timestamp() -> None:
    for value in (True, False, None, "", "yesterday", math.nan, math.inf, -1, MAX_SECONDS, 1_768_018_948_240,
                  "2026-01-10T07:56:29", "2026-01-10", [1], {"at": 1}):  # fmt: skip
        assert unix_seconds(value) is None, value


def test_the_captured_forms() -> None:
    assert unix_seconds("2026-01-10T04:22:28.240+00:00") == 1_768_018_948  # a contact's, 2026-01
    assert unix_seconds("2026-01-10T07:56:29.000Z") == 1_768_031_789  # a conversation's statistics, 2026-01
    assert unix_seconds(1_768_018_948) == 1_768_018_948  # REST and the older payloads


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["a", "b_at", "snoozed_until", "id"]), inner)
    ),
    max_leaves=20,
)


@given(JSON)
def test_normalized_is_idempotent(value: Any) -> None:
    once = normalized(value)
    assert normalized(once) == once


@given(instants, st.sampled_from([0, 1]))
def test_normalized_gives_the_rest_form_of_an_iso_item(moment: datetime, form: int) -> None:
    text = iso_forms(moment)[form]
    item = {"type": "contact", "id": "1", "created_at": text, "companies": {"data": [{"updated_at": text}]}}
    expected = floor_seconds(moment)
    assert normalized(item) == {
        "type": "contact",
        "id": "1",
        "created_at": expected,
        "companies": {"data": [{"updated_at": expected}]},
    }


def test_a_contact_tag_without_created_at_takes_the_envelopes() -> None:
    tag = {"type": "contact_tag", "tag": {"id": "7", "name": None}, "contact": {"id": "c1"}}
    envelope = {"created_at": 1_768_019_000, "data": {"item": tag}}
    assert notification_item(envelope)["created_at"] == 1_768_019_000
    with_own = {**envelope, "data": {"item": {**tag, "created_at": "2026-01-10T04:22:28.240+00:00"}}}
    assert notification_item(with_own)["created_at"] == unix_seconds("2026-01-10T04:22:28+00:00")
    contact = {"type": "contact", "id": "c1"}  # only a contact_tag takes the envelope's
    assert "created_at" not in notification_item({"created_at": 1, "data": {"item": contact}})
    assert notification_item({"data": None}) == {}
