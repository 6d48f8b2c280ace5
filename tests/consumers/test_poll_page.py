"""The polling trigger in-process against Azurite (interface §4): 202 at the head, 200 with events and the next
cursor, Retry-After 0 while more wait, the 100 cap, cursors bound to their trigger and connection."""

from __future__ import annotations

import pytest

from shared.consumers.feed import IDLE_RETRY_AFTER, MAX_PAGE, TriggerPage, poll_page
from shared.cursors import seal
from shared.errors import BadRequest, NotFound
from shared.settings import Settings
from tests.consumers.support import append_events, body_of, make_settings

TRIGGER = "lead-created"


def page(settings: Settings, cursor: str | None, *, header: str | None = None, limit: str | None = None) -> TriggerPage:
    return poll_page(settings, TRIGGER, header=header, cursor=cursor, limit=limit)


def bad_request(settings: Settings, trigger: str, **kwargs: str | None) -> str:
    with pytest.raises(BadRequest) as err:
        poll_page(
            settings, trigger, header=kwargs.get("header"), cursor=kwargs.get("cursor"), limit=kwargs.get("limit")
        )
    return str(err.value.details[0]["field"])


def test_cursor_flow(settings: Settings, storage_conn: str, unique_name: str) -> None:
    append_events(storage_conn, unique_name, TRIGGER, [1, 2])  # history: not replayed
    first = page(settings, None, header=unique_name)
    assert (first.status, first.events, first.retry_after) == (202, [], IDLE_RETRY_AFTER)

    idle = page(settings, first.cursor)  # no header: the cursor names the connection
    assert (idle.status, idle.cursor, idle.retry_after) == (202, first.cursor, IDLE_RETRY_AFTER)

    append_events(storage_conn, unique_name, TRIGGER, [3, 4, 5])
    got = page(settings, first.cursor)
    assert (got.status, got.events, got.retry_after) == (200, [body_of(3), body_of(4), body_of(5)], IDLE_RETRY_AFTER)

    caught_up = page(settings, got.cursor, header=unique_name.upper())
    assert (caught_up.status, caught_up.cursor) == (202, got.cursor)
    # the same cursor again gives the same events (a retried poll loses nothing)
    assert page(settings, first.cursor).events == got.events


def test_retry_after_zero_while_more_wait_and_the_cap(settings: Settings, storage_conn: str, unique_name: str) -> None:
    start = page(settings, None, header=unique_name)
    append_events(storage_conn, unique_name, TRIGGER, list(range(1, 231)))
    seen: list[int] = []
    cursor = start.cursor
    answers = []
    while True:
        got = page(settings, cursor)
        answers.append((got.status, len(got.events), got.retry_after))
        if got.status == 202:
            break
        seen += [e["n"] for e in got.events]
        cursor = got.cursor
    assert answers == [(200, MAX_PAGE, 0), (200, MAX_PAGE, 0), (200, 30, IDLE_RETRY_AFTER), (202, 0, IDLE_RETRY_AFTER)]
    assert seen == list(range(1, 231))


def test_limit(settings: Settings, storage_conn: str, unique_name: str) -> None:
    start = page(settings, None, header=unique_name)
    append_events(storage_conn, unique_name, TRIGGER, [1, 2, 3])
    got = page(settings, start.cursor, limit="2")
    assert ([e["n"] for e in got.events], got.retry_after) == ([1, 2], 0)
    got = page(settings, got.cursor, limit="2")
    assert ([e["n"] for e in got.events], got.retry_after) == ([3], IDLE_RETRY_AFTER)
    for bad in ("0", "101", "x", "-1", "1.5", "1_0", "\u0661\u0662", "+5"):
        assert bad_request(settings, TRIGGER, cursor=start.cursor, limit=bad) == "limit"


def test_tampered_and_foreign_cursors_are_400(settings: Settings, storage_conn: str, unique_name: str) -> None:
    start = page(settings, None, header=unique_name)
    body, _, mac = start.cursor.partition(".")
    for bad in ("garbage", start.cursor + "x", "x" + start.cursor, f"{body}.{mac[::-1]}", ".", "a.b.c", "a.\u00e9"):
        assert bad_request(settings, TRIGGER, cursor=bad) == "cursor"
    # non-ASCII after the dot (a repeated `cursor` parameter is joined with ","): was a TypeError, a 500
    assert bad_request(settings, TRIGGER, cursor=f"{start.cursor},\ufffd") == "cursor"
    # a cursor of another trigger
    other = poll_page(settings, "user-created", header=unique_name, cursor=None)
    assert bad_request(settings, TRIGGER, cursor=other.cursor) == "cursor"
    # a cursor of another connection, with a header naming this one
    default = page(settings, None)
    assert bad_request(settings, TRIGGER, cursor=default.cursor, header=unique_name) == "cursor"
    # signed with another key (another deployment)
    elsewhere = make_settings(storage_conn, unique_name, CURSOR_SECRET="another-secret")
    assert bad_request(elsewhere, TRIGGER, cursor=start.cursor) == "cursor"
    # well signed, but not a position
    key = settings.cursor_key
    for payload in ({"c": unique_name, "s": -1}, {"c": unique_name, "s": "3"}, {"s": 3}, {"c": 1, "s": 1}):
        forged = seal(key, f"trigger-poll:{TRIGGER}", payload)
        assert bad_request(settings, TRIGGER, cursor=forged) == "cursor"
    # a connection that is no longer configured
    gone = seal(key, f"trigger-poll:{TRIGGER}", {"c": "gone" + unique_name, "s": 0, "e": None})
    assert bad_request(settings, TRIGGER, cursor=gone) == "cursor"
    # an unknown connection header
    assert bad_request(settings, TRIGGER, header="nosuchconnection") == "X-Intercom-Connection"


def test_unknown_trigger_is_404(settings: Settings) -> None:
    with pytest.raises(NotFound):
        poll_page(settings, "lead-deleted", header=None, cursor=None)
    with pytest.raises(NotFound):
        poll_page(settings, "lead-deleted", header=None, cursor="whatever")


def test_a_cursor_taken_before_the_first_poll_sees_the_first_events(
    settings: Settings, storage_conn: str, unique_name: str
) -> None:
    start = poll_page(settings, "conversation-started", header=unique_name, cursor=None)
    assert page(settings, None, header=unique_name).status == 202
    append_events(storage_conn, unique_name, "conversation-started", [1])
    got = poll_page(settings, "conversation-started", header=None, cursor=start.cursor)
    assert (got.status, got.events) == (200, [body_of(1)])


def test_storage_down_is_503(unique_name: str) -> None:
    from shared.errors import Unavailable

    down = make_settings(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        "TableEndpoint=http://127.0.0.1:9/devstoreaccount1;",
        unique_name,
    )
    with pytest.raises(Unavailable):
        poll_page(down, TRIGGER, header=unique_name, cursor=None)
