"""Subscriptions against Azurite: create (from the log's head, idempotent per callback), both unsubscribe forms,
validation that names `callbackUrl`, the id that names its connection."""

from __future__ import annotations

import pytest

from shared.consumers.subscriptions import (
    SubscriptionStore,
    get_subscription,
    subscribe,
    unsubscribe,
    unsubscribe_callback,
)
from shared.errors import BadRequest, NotFound
from shared.settings import Settings
from tests.consumers.support import append_events

TRIGGER = "lead-created"


def test_subscribe_starts_at_the_head_of_the_log(settings: Settings, storage_conn: str, unique_name: str) -> None:
    append_events(storage_conn, unique_name, TRIGGER, [1, 2, 3])
    conn = settings.connection(unique_name)
    sub, created = subscribe(settings, conn, TRIGGER, {"callbackUrl": "http://127.0.0.1:9/hook?sig=abc"})
    assert created
    assert sub.cursor == 3
    assert sub.id.startswith(f"{unique_name}-")
    assert sub.public() == {
        "id": sub.id,
        "trigger": TRIGGER,
        "connection": unique_name,
        "callbackUrl": "http://127.0.0.1:9/hook?sig=abc",
        "createdAt": sub.public()["createdAt"],
    }
    assert sub.public()["createdAt"].endswith("Z")
    stored = SubscriptionStore(storage_conn, unique_name).get(TRIGGER, sub.id)
    assert stored is not None
    assert (stored.cursor, stored.callback_url) == (3, sub.callback_url)
    assert (stored.attempts, stored.next_attempt_at, stored.lease_until) == (0, None, None)


def test_subscribe_before_the_first_poll_starts_at_zero(settings: Settings, unique_name: str) -> None:
    sub, _ = subscribe(
        settings, settings.connection(unique_name), "user-created", {"callbackUrl": "http://127.0.0.1:9/"}
    )
    assert (sub.cursor, sub.epoch) == (0, None)


def test_subscribing_the_same_callback_again_gives_the_same_subscription(settings: Settings, unique_name: str) -> None:
    conn = settings.connection(unique_name)
    first, created = subscribe(settings, conn, TRIGGER, {"callbackUrl": "http://127.0.0.1:9/a"})
    again, created_again = subscribe(settings, conn, TRIGGER, {"callbackUrl": " http://127.0.0.1:9/a "})
    other, _ = subscribe(settings, conn, TRIGGER, {"callbackUrl": "http://127.0.0.1:9/b"})
    other_trigger, _ = subscribe(settings, conn, "user-updated", {"callbackUrl": "http://127.0.0.1:9/a"})
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert len({first.id, other.id, other_trigger.id}) == 3
    assert [s.id for s in SubscriptionStore(settings.storage_connection_string.get_secret_value(), conn.name).list()]


def test_unsubscribe_by_id_and_by_callback(settings: Settings, storage_conn: str, unique_name: str) -> None:
    conn = settings.connection(unique_name)
    store = SubscriptionStore(storage_conn, unique_name)
    a, _ = subscribe(settings, conn, TRIGGER, {"callbackUrl": "http://127.0.0.1:9/a"})
    b, _ = subscribe(settings, conn, TRIGGER, {"callbackUrl": "http://127.0.0.1:9/b"})
    unsubscribe(settings, None, TRIGGER, a.id)  # no header: the id names the connection
    assert store.get(TRIGGER, a.id) is None
    assert store.get(TRIGGER, b.id) is not None
    unsubscribe(settings, None, TRIGGER, a.id)  # idempotent
    unsubscribe_callback(settings, conn, TRIGGER, {"callbackUrl": "http://127.0.0.1:9/b"})
    assert store.get(TRIGGER, b.id) is None
    unsubscribe_callback(settings, conn, TRIGGER, {"callbackUrl": "http://127.0.0.1:9/b"})
    assert store.list(TRIGGER) == []


def test_unsubscribe_of_unknown_or_malformed_ids_is_not_an_error(settings: Settings, unique_name: str) -> None:
    unsubscribe(settings, None, TRIGGER, f"{unique_name}-{'0' * 32}")
    unsubscribe(settings, None, TRIGGER, "nope")
    unsubscribe(settings, None, TRIGGER, f"gone{unique_name}-{'0' * 32}")  # a connection not configured
    unsubscribe(settings, None, TRIGGER, None)


def test_a_header_naming_another_connection_than_the_id_is_a_400(settings: Settings, unique_name: str) -> None:
    sub, _ = subscribe(settings, settings.connection(unique_name), TRIGGER, {"callbackUrl": "http://127.0.0.1:9/a"})
    with pytest.raises(BadRequest) as err:
        unsubscribe(settings, "default", TRIGGER, sub.id)
    assert err.value.details[0]["field"] == "X-Intercom-Connection"
    unsubscribe(settings, unique_name.upper(), TRIGGER, sub.id)  # names match case-insensitively
    assert SubscriptionStore(settings.storage_connection_string.get_secret_value(), unique_name).list() == []


def test_get_subscription_shows_its_delivery_state(settings: Settings, unique_name: str) -> None:
    sub, _ = subscribe(settings, settings.connection(unique_name), TRIGGER, {"callbackUrl": "http://127.0.0.1:9/a"})
    status = get_subscription(settings, None, TRIGGER, sub.id).status()
    assert status["delivery"] == {
        "delivered": 0,
        "lastDeliveredSeq": 0,
        "failedAttempts": 0,
        "nextAttemptAt": None,
        "lastError": None,
    }
    with pytest.raises(NotFound):
        get_subscription(settings, None, "user-created", sub.id)
    with pytest.raises(NotFound):
        get_subscription(settings, None, TRIGGER, "nope")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "callbackUrl"),
        ({"callbackUrl": ""}, "callbackUrl"),
        ({"callbackUrl": 5}, "callbackUrl"),
        ({"callbackUrl": "https://10.0.0.1/x"}, "callbackUrl"),
        ({"callbackUrl": "http://example.com/x"}, "callbackUrl"),
        ({"callbackUrl": "http://127.0.0.1:9/x", "extra": 1}, "extra"),
        ({"callbackUrl": "http://127.0.0.1:9/\ud800"}, "callbackUrl"),  # no UTF-8: the id's HMAC raised, a 500
    ],
)
def test_bad_bodies_are_400_naming_the_field(
    settings: Settings, unique_name: str, body: dict[str, object], field: str
) -> None:
    with pytest.raises(BadRequest) as err:
        subscribe(settings, settings.connection(unique_name), TRIGGER, body)
    assert err.value.details[0]["field"] == field


@pytest.mark.parametrize(
    "body", [{}, {"callbackUrl": 5}, {"callbackUrl": "http://127.0.0.1:9/\ud800"}, {"callbackUrl": "x", "extra": 1}]
)
def test_unsubscribe_by_a_bad_body_is_400(settings: Settings, unique_name: str, body: dict[str, object]) -> None:
    with pytest.raises(BadRequest) as err:
        unsubscribe_callback(settings, settings.connection(unique_name), TRIGGER, body)
    assert err.value.details[0]["field"] in ("callbackUrl", "extra")


def test_unknown_trigger_is_404(settings: Settings, unique_name: str) -> None:
    with pytest.raises(NotFound):
        subscribe(settings, settings.connection(unique_name), "lead-deleted", {"callbackUrl": "http://127.0.0.1:9/"})
    with pytest.raises(NotFound):
        unsubscribe(settings, None, "lead-deleted", f"{unique_name}-{'0' * 32}")


def test_loopback_callbacks_need_the_setting(storage_conn: str, unique_name: str) -> None:
    from tests.consumers.support import make_settings

    strict = make_settings(storage_conn, unique_name, WEBHOOK_ALLOW_LOOPBACK="false")
    with pytest.raises(BadRequest) as err:
        subscribe(strict, strict.connection(unique_name), TRIGGER, {"callbackUrl": "http://127.0.0.1:9/"})
    assert err.value.details[0]["field"] == "callbackUrl"
