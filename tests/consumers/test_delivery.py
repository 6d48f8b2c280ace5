"""Webhook delivery against Azurite and a real HTTP receiver on 127.0.0.1: success with X-Event-Id, retries with
backoff kept in storage across a restart, 410, timeouts, redirects, DNS rebinding, leases, two deliverers at once,
order, expired events."""

from __future__ import annotations

import logging
import shutil
import ssl
import subprocess
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.consumers.delivery import Deliverer, backoff_seconds, deliver_all, deliver_pending
from shared.consumers.feed import reconciled
from shared.consumers.subscriptions import Subscription, SubscriptionStore, subscribe
from shared.intercom.deadline import Deadline
from shared.settings import Settings
from shared.storage import table
from shared.triggers.eventlog import Checkpoint, EventLog, trigger_table_name
from tests.consumers.support import Receiver, append_events, body_of, run_receiver

TRIGGER = "lead-created"


class Clock:
    """Wall time that a test moves by hand (backoff and leases are kept as wall-clock instants)."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def deadline(seconds: float = 30) -> Deadline:
    return Deadline.after(seconds)


def subscribed(settings: Settings, connection: str, url: str, trigger: str = TRIGGER) -> Subscription:
    sub, created = subscribe(settings, settings.connection(connection), trigger, {"callbackUrl": url})
    assert created
    return sub


def stored(storage_conn: str, sub: Subscription) -> Subscription:
    found = SubscriptionStore(storage_conn, sub.connection).get(sub.trigger, sub.id)
    assert found is not None
    return found


def deliverer(settings: Settings, clock: Clock, **kwargs: object) -> Deliverer:
    options: dict[str, object] = {"now": clock, "rand": lambda: 1.0, "timeout": 2.0} | kwargs
    return Deliverer(settings, **options)  # type: ignore[arg-type]


def test_events_are_posted_one_by_one_with_their_event_id(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    append_events(storage_conn, unique_name, TRIGGER, [1, 2])  # history: not replayed
    sub = subscribed(settings, unique_name, receiver.url("/hook/run?sig=s3cret&sp=%2Ftriggers"))
    append_events(storage_conn, unique_name, TRIGGER, [3, 4, 5])

    assert deliver_pending(settings, unique_name, TRIGGER, deadline()) == 3

    got = receiver.accepted()
    assert [r.body for r in got] == [body_of(3), body_of(4), body_of(5)]
    assert [r.headers["x-event-id"] for r in got] == [f"{unique_name}:{TRIGGER}:lead{n}" for n in (3, 4, 5)]
    first = got[0]
    assert first.path == "/hook/run?sig=s3cret&sp=%2Ftriggers"
    assert first.headers["content-type"] == "application/json"
    assert first.headers["x-event-trigger"] == TRIGGER
    assert first.headers["host"] == f"127.0.0.1:{receiver.port}"
    row = stored(storage_conn, sub)
    assert (row.cursor, row.delivered, row.attempts, row.lease_until, row.lease_owner) == (5, 3, 0, None, "")
    # caught up: nothing is sent again, and no write is made
    assert deliver_pending(settings, unique_name, TRIGGER, deadline()) == 0
    assert len(receiver.received) == 3
    assert stored(storage_conn, sub).etag == row.etag


def test_a_name_that_resolves_to_loopback_is_connected_to_by_address(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    subscribed(settings, unique_name, receiver.url("/by-name", host="localhost"))
    append_events(storage_conn, unique_name, TRIGGER, [1])
    assert deliver_pending(settings, unique_name, TRIGGER, deadline()) == 1
    assert receiver.accepted()[0].headers["host"] == f"localhost:{receiver.port}"


def test_failures_back_off_in_storage_and_a_restarted_deliverer_carries_on(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    clock = Clock()
    sub = subscribed(settings, unique_name, receiver.url())
    append_events(storage_conn, unique_name, TRIGGER, [1, 2, 3])
    receiver.plan = [500, 500, 500, 500, 500]
    first = deliverer(settings, clock, backoff_base=10, backoff_cap=60)

    waits = []
    for attempt in range(1, 6):
        assert first.deliver_pending(unique_name, TRIGGER, deadline()) == 0
        row = stored(storage_conn, sub)
        assert row.attempts == attempt
        assert row.cursor == 0
        assert row.next_attempt_at is not None
        assert "HTTP 500" in row.last_error
        waits.append((row.next_attempt_at - clock()).total_seconds())
        # not due yet: nothing is sent
        assert first.deliver_pending(unique_name, TRIGGER, deadline()) == 0
        assert len(receiver.received) == attempt
        clock.advance(waits[-1])
    assert waits == [10, 20, 40, 60, 60]  # doubling, capped (rand=1.0: the top of the jitter range)

    # a new deliverer ("after a restart") reads the state from storage and delivers everything, in order
    again = deliverer(settings, clock)
    assert again.deliver_pending(unique_name, TRIGGER, deadline()) == 3
    assert receiver.accepted_ns() == [1, 2, 3]
    row = stored(storage_conn, sub)
    assert (row.cursor, row.attempts, row.next_attempt_at, row.last_error) == (3, 0, None, "")


def test_backoff_jitter_stays_between_half_and_all_of_the_step() -> None:
    assert backoff_seconds(1, base=10, cap=3600, rand=lambda: 0.0) == 5
    assert backoff_seconds(3, base=10, cap=3600, rand=lambda: 0.5) == 30
    assert backoff_seconds(40, base=10, cap=3600, rand=lambda: 1.0) == 3600


def test_retry_after_of_the_subscriber_is_honoured(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    clock = Clock()
    sub = subscribed(settings, unique_name, receiver.url())
    append_events(storage_conn, unique_name, TRIGGER, [1])
    receiver.plan = [503]  # answers Retry-After: 30
    deliverer(settings, clock).deliver_pending(unique_name, TRIGGER, deadline())
    row = stored(storage_conn, sub)
    assert row.next_attempt_at is not None
    assert (row.next_attempt_at - clock()).total_seconds() == 30


def test_order_is_kept_behind_a_failed_event(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    clock = Clock()
    subscribed(settings, unique_name, receiver.url())
    append_events(storage_conn, unique_name, TRIGGER, [1, 2, 3, 4])
    receiver.plan = [200, 500]
    d = deliverer(settings, clock)
    assert d.deliver_pending(unique_name, TRIGGER, deadline()) == 1
    assert [r.status for r in receiver.received] == [200, 500]  # 3 and 4 wait behind 2
    clock.advance(3600)
    assert d.deliver_pending(unique_name, TRIGGER, deadline()) == 3
    assert receiver.accepted_ns() == [1, 2, 3, 4]


def test_410_gone_ends_the_subscription(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    sub = subscribed(settings, unique_name, receiver.url())
    append_events(storage_conn, unique_name, TRIGGER, [1, 2])
    receiver.plan = [200, 410]
    assert deliver_pending(settings, unique_name, TRIGGER, deadline()) == 1
    assert SubscriptionStore(storage_conn, unique_name).get(TRIGGER, sub.id) is None
    append_events(storage_conn, unique_name, TRIGGER, [3])
    assert deliver_pending(settings, unique_name, TRIGGER, deadline()) == 0
    assert len(receiver.received) == 2


def test_a_timeout_is_a_failure_that_is_retried(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    clock = Clock()
    sub = subscribed(settings, unique_name, receiver.url())
    append_events(storage_conn, unique_name, TRIGGER, [1])
    receiver.plan, receiver.hang = [0], 1.5
    d = deliverer(settings, clock, timeout=0.5)
    assert d.deliver_pending(unique_name, TRIGGER, deadline()) == 0
    row = stored(storage_conn, sub)
    assert (row.attempts, row.cursor) == (1, 0)
    assert "timed out" in row.last_error
    clock.advance(3600)
    assert d.deliver_pending(unique_name, TRIGGER, deadline()) == 1
    assert stored(storage_conn, sub).cursor == 1


def test_connection_refused_and_redirects_are_failures(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    clock = Clock()
    closed = Receiver()
    gen = run_receiver(closed)
    next(gen)
    dead_url = closed.url()
    next(gen, None)  # stopped: nothing listens there any more
    dead = subscribed(settings, unique_name, dead_url)
    moved = subscribed(settings, unique_name, receiver.url("/moved"))
    append_events(storage_conn, unique_name, TRIGGER, [1])
    receiver.plan = [302]
    assert deliverer(settings, clock).deliver_pending(unique_name, TRIGGER, deadline()) == 0
    assert "ConnectError" in stored(storage_conn, dead).last_error
    assert "HTTP 302" in stored(storage_conn, moved).last_error
    assert [r.path for r in receiver.received] == ["/moved"]  # the redirect is not followed


def test_dns_rebinding_to_a_private_address_is_refused_at_delivery(
    settings: Settings, storage_conn: str, unique_name: str
) -> None:
    def public(host: str, port: int) -> list[tuple[object, object, object, object, tuple[object, ...]]]:
        return [(2, 1, 6, "", ("203.0.114.10", port))]

    def rebound(host: str, port: int) -> list[tuple[object, object, object, object, tuple[object, ...]]]:
        return [(2, 1, 6, "", ("10.0.0.7", port))]

    clock = Clock()
    conn = settings.connection(unique_name)
    sub, _ = subscribe(settings, conn, TRIGGER, {"callbackUrl": "https://hooks.example.com/x"}, resolver=public)
    append_events(storage_conn, unique_name, TRIGGER, [1])
    assert deliverer(settings, clock, resolver=rebound).deliver_pending(unique_name, TRIGGER, deadline()) == 0
    row = stored(storage_conn, sub)
    assert row.attempts == 1
    assert "callback refused" in row.last_error
    assert "10.0.0.7" in row.last_error


def test_a_leased_subscription_is_left_to_its_holder_until_the_lease_expires(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    clock = Clock()
    sub = subscribed(settings, unique_name, receiver.url())
    append_events(storage_conn, unique_name, TRIGGER, [1])
    store = SubscriptionStore(storage_conn, unique_name)
    held = store.update(stored(storage_conn, sub), lease_owner="other", lease_until=clock() + timedelta(seconds=60))
    assert held is not None
    d = deliverer(settings, clock)
    assert d.deliver_pending(unique_name, TRIGGER, deadline()) == 0
    assert receiver.received == []
    clock.advance(61)  # the holder died: its lease runs out
    assert d.deliver_pending(unique_name, TRIGGER, deadline()) == 1


def test_two_deliverers_at_once_deliver_each_event_once_in_order(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    subs = [subscribed(settings, unique_name, receiver.url(f"/s{i}")) for i in range(3)]
    append_events(storage_conn, unique_name, TRIGGER, list(range(1, 16)))
    receiver.delay = 0.01
    results: list[int] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        results.append(Deliverer(settings).deliver_pending(unique_name, TRIGGER, deadline(60)))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the losers of a lease leave a subscription alone in this run; one more run picks up anything they skipped
    results.append(Deliverer(settings).deliver_pending(unique_name, TRIGGER, deadline(60)))
    assert sum(results) == 45
    for i, sub in enumerate(subs):
        ns = [int(r.body["n"]) for r in receiver.received if r.path == f"/s{i}"]
        assert ns == list(range(1, 16)), ns
        assert stored(storage_conn, sub).cursor == 15


def test_expired_events_are_reported_not_silently_skipped(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    sub = subscribed(settings, unique_name, receiver.url())
    log = append_events(storage_conn, unique_name, TRIGGER, [1, 2, 3])
    log.prune(logged_before=datetime.now(UTC) + timedelta(seconds=5), keys_before=0)  # retention passed
    append_events(storage_conn, unique_name, TRIGGER, [4, 5])
    with caplog.at_level(logging.ERROR, logger="shared.consumers.delivery"):
        assert deliver_pending(settings, unique_name, TRIGGER, deadline()) == 2
    assert receiver.accepted_ns() == [4, 5]
    assert "events 1..3 expired" in caplog.text
    assert "sig" not in caplog.text
    assert stored(storage_conn, sub).cursor == 5


def test_deliver_all_covers_every_trigger_and_connection(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    subscribed(settings, unique_name, receiver.url("/leads"))
    subscribed(settings, unique_name, receiver.url("/users"), trigger="user-created")
    append_events(storage_conn, unique_name, TRIGGER, [1, 2])
    append_events(storage_conn, unique_name, "user-created", [7])
    assert deliver_all(settings, deadline()) == 3
    assert sorted((r.path, r.body["n"]) for r in receiver.accepted()) == [("/leads", 1), ("/leads", 2), ("/users", 7)]


def test_deliver_pending_never_raises(settings: Settings, unique_name: str, storage_conn: str) -> None:
    assert deliver_pending(settings, unique_name, "no-such-trigger", deadline()) == 0
    broken = Settings(
        connections=settings.connections,
        storage_connection_string=settings.storage_connection_string.__class__("not a connection string"),
    )
    assert deliver_pending(broken, unique_name, TRIGGER, deadline()) == 0
    assert deliver_all(broken, deadline()) == 0


def test_an_expired_deadline_sends_nothing(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    sub = subscribed(settings, unique_name, receiver.url())
    append_events(storage_conn, unique_name, TRIGGER, [1])
    assert deliver_pending(settings, unique_name, TRIGGER, Deadline.after(0.5)) == 0  # less than one POST's timeout
    assert receiver.received == []
    row = stored(storage_conn, sub)
    assert (row.cursor, row.attempts, row.lease_until) == (0, 0, None)


@pytest.mark.parametrize(
    ("checkpoint", "position", "expected"),
    [
        (None, (5, 100), (5, 100, False)),
        (Checkpoint(seq=9, start=100, watermark=0), (5, 100), (5, 100, False)),
        (Checkpoint(seq=9, start=100, watermark=0), (5, None), (5, 100, False)),
        (Checkpoint(seq=9, start=200, watermark=0), (5, 100), (0, 200, True)),  # the log was re-created
        (Checkpoint(seq=3, start=100, watermark=0), (5, 100), (0, 100, True)),  # behind the position: re-created
    ],
)
def test_reconciled_positions(
    checkpoint: Checkpoint | None, position: tuple[int, int | None], expected: Sequence[object]
) -> None:
    assert reconciled(checkpoint, *position) == tuple(expected)


def test_a_re_created_log_restarts_delivery_at_its_beginning(
    settings: Settings, storage_conn: str, unique_name: str, receiver: Receiver
) -> None:
    sub = subscribed(settings, unique_name, receiver.url())
    append_events(storage_conn, unique_name, TRIGGER, [1, 2])
    assert deliver_pending(settings, unique_name, TRIGGER, deadline()) == 2
    # the log's table emptied (storage replaced, table deleted): a new log starts at seq 1 with another start
    client = table(storage_conn, trigger_table_name(TRIGGER, unique_name))
    for row in list(client.list_entities()):
        client.delete_entity(row)
    EventLog(storage_conn, unique_name, TRIGGER).begin(1_800_000_000)
    append_events(storage_conn, unique_name, TRIGGER, [10])
    assert deliver_pending(settings, unique_name, TRIGGER, deadline()) == 1
    assert receiver.accepted_ns() == [1, 2, 10]
    assert stored(storage_conn, sub).cursor == 1


def test_https_goes_to_the_checked_address_and_verifies_the_certificate_for_the_name(
    settings: Settings, storage_conn: str, unique_name: str, tmp_path: Path
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hooks.test",
         "-addext", "subjectAltName=DNS:hooks.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))

    def to_loopback(host: str, port: int) -> list[tuple[object, object, object, object, tuple[object, ...]]]:
        return [(2, 1, 6, "", ("127.0.0.1", port))]  # both names lead to this machine

    gen = run_receiver(Receiver(), tls=server_tls)
    receiver = next(gen)
    try:
        conn = settings.connection(unique_name)
        good, _ = subscribe(
            settings, conn, TRIGGER, {"callbackUrl": f"https://hooks.test:{receiver.port}/ok"}, resolver=to_loopback
        )
        wrong, _ = subscribe(
            settings, conn, TRIGGER, {"callbackUrl": f"https://other.test:{receiver.port}/no"}, resolver=to_loopback
        )
        append_events(storage_conn, unique_name, TRIGGER, [1])
        d = deliverer(settings, Clock(), resolver=to_loopback, verify=client_tls)
        assert d.deliver_pending(unique_name, TRIGGER, deadline()) == 1
        got = receiver.accepted()
        assert [(r.path, r.headers["host"]) for r in got] == [("/ok", f"hooks.test:{receiver.port}")]
        assert stored(storage_conn, good).cursor == 1
        failed = stored(storage_conn, wrong)  # the certificate is for hooks.test, not other.test
        assert (failed.cursor, failed.attempts) == (0, 1)
        assert "ConnectError" in failed.last_error
        assert "certificate" in failed.last_error.lower()
    finally:
        next(gen, None)
