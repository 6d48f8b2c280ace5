"""Unit tests of the client's retry and error logic with httpx.MockTransport (the one place a mock is fine)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import (
    BudgetExhausted,
    IntercomBadRequest,
    IntercomConflict,
    IntercomGone,
    IntercomRateLimited,
    IntercomServerError,
    IntercomUnauthorized,
    IntercomUnreachable,
)
from shared.intercom.throttle import MemoryLimiter
from shared.settings import Connection

TOKEN = "tok-SECRET-abcdef0123456789"
WALL_START = 1_700_000_000.0


class FakeTime:
    """A monotonic and a wall clock that only move when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return WALL_START + self.now - 1000.0

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


Handler = Callable[[httpx.Request], httpx.Response]


def make(
    handler: Handler, *, calls: int = 1000, period: float = 10.0
) -> tuple[IntercomClient, FakeTime, list[httpx.Request], MemoryLimiter]:
    fake = FakeTime()
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    limiter = MemoryLimiter(calls, period, clock=fake.monotonic, sleep=fake.sleep)
    conn = Connection(name="unit", access_token=SecretStr(TOKEN), base_url="http://intercom.test", api_version="2.16")
    client = IntercomClient(
        conn,
        limiter,
        transport=httpx.MockTransport(record),
        sleep=fake.sleep,
        clock=fake.monotonic,
        wall_clock=fake.wall,
    )
    return client, fake, seen, limiter


def deadline(fake: FakeTime, seconds: float = 8.0) -> Deadline:
    return Deadline.after(seconds, clock=fake.monotonic)


def errors(status: int, code: str, message: str, **extra: str) -> httpx.Response:
    return httpx.Response(status, json={"type": "error.list", "errors": [{"code": code, "message": message, **extra}]})


def sequence(*responses: httpx.Response | Exception) -> Handler:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def test_headers_sent_on_every_call() -> None:
    client, fake, seen, _ = make(sequence(httpx.Response(200, json={"ok": True})))
    assert client.get("/contacts/1", deadline=deadline(fake)) == {"ok": True}
    headers = seen[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["intercom-version"] == "2.16"
    assert headers["accept"] == "application/json"


def test_get_5xx_is_retried_and_every_attempt_spends_budget() -> None:
    client, fake, seen, limiter = make(
        sequence(httpx.Response(502), httpx.Response(503), httpx.Response(200, json={"id": "1"}))
    )
    assert client.get("/contacts/1", deadline=deadline(fake)) == {"id": "1"}
    assert len(seen) == 3
    assert len(limiter.granted) == 3
    assert len(fake.sleeps) == 2
    assert all(s > 0 for s in fake.sleeps)
    assert fake.sleeps[1] > fake.sleeps[0] * 0.9  # backoff grows (jittered)


def test_get_5xx_gives_up_after_max_attempts_as_502() -> None:
    client, fake, seen, _ = make(lambda r: httpx.Response(500))
    with pytest.raises(IntercomServerError) as info:
        client.get("/contacts/1", deadline=deadline(fake, 60))
    assert info.value.status == 502
    assert len(seen) == 4


def test_post_create_5xx_is_not_retried() -> None:
    client, fake, seen, _ = make(sequence(httpx.Response(500), httpx.Response(200, json={})))
    with pytest.raises(IntercomServerError):
        client.post("/contacts", {"email": "a@b.c"}, deadline=deadline(fake))
    assert len(seen) == 1


def test_post_create_timeout_is_unreachable_and_not_retried() -> None:
    client, fake, seen, _ = make(sequence(httpx.ReadTimeout("slow"), httpx.Response(200, json={})))
    with pytest.raises(IntercomUnreachable) as info:
        client.post("/contacts", {"email": "a@b.c"}, deadline=deadline(fake))
    assert info.value.status == 503
    assert "not repeated" in info.value.message
    assert len(seen) == 1


def test_post_create_connect_error_is_retried_because_nothing_was_sent() -> None:
    client, fake, seen, _ = make(sequence(httpx.ConnectError("refused"), httpx.Response(200, json={"id": "9"})))
    assert client.post("/contacts", {"email": "a@b.c"}, deadline=deadline(fake)) == {"id": "9"}
    assert len(seen) == 2


def test_search_is_idempotent_and_retried() -> None:
    client, fake, seen, _ = make(sequence(httpx.ReadTimeout("slow"), httpx.Response(200, json={"data": []})))
    assert client.search("/contacts/search", {"query": {}}, deadline=deadline(fake)) == {"data": []}
    assert len(seen) == 2


def test_429_waits_until_reset_then_retries() -> None:
    reset = str(int(WALL_START) + 3)
    limited = httpx.Response(
        429, headers={"X-RateLimit-Limit": "167", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    )
    ok = httpx.Response(
        200, json={}, headers={"X-RateLimit-Limit": "167", "X-RateLimit-Remaining": "166", "X-RateLimit-Reset": reset}
    )
    client, fake, seen, _ = make(sequence(limited, ok))
    client.post("/contacts", {"email": "a@b.c"}, deadline=deadline(fake))  # a 429 was not processed: safe to resend
    assert len(seen) == 2
    assert 3.0 <= fake.sleeps[0] <= 3.5
    assert client.last_rate_limit is not None
    assert client.last_rate_limit.remaining == 166


def test_429_past_the_deadline_is_rate_limited_with_retry_after() -> None:
    reset = str(int(WALL_START) + 30)
    client, fake, _seen, _ = make(lambda r: httpx.Response(429, headers={"X-RateLimit-Reset": reset}))
    with pytest.raises(IntercomRateLimited) as info:
        client.get("/contacts/1", deadline=deadline(fake, 8))
    assert info.value.status == 429
    assert 30 <= info.value.retry_after <= 31
    assert info.value.headers["Retry-After"] == str(int(info.value.retry_after))
    assert fake.sleeps == []


def test_budget_exhausted_before_the_deadline_has_retry_after() -> None:
    client, fake, seen, _ = make(lambda r: httpx.Response(200, json={}), calls=2, period=10.0)
    client.get("/a", deadline=deadline(fake, 1))
    client.get("/b", deadline=deadline(fake, 1))
    with pytest.raises(BudgetExhausted) as info:
        client.get("/c", deadline=deadline(fake, 1))
    assert info.value.status == 429
    assert info.value.retry_after == 10.0
    assert len(seen) == 2


def test_budget_waits_when_the_deadline_allows() -> None:
    client, fake, seen, limiter = make(lambda r: httpx.Response(200, json={}), calls=2, period=10.0)
    for _ in range(3):
        client.get("/a", deadline=deadline(fake, 20))
    assert len(seen) == 3
    assert limiter.granted[2] - limiter.granted[0] >= 10.0


def test_409_carries_the_existing_id() -> None:
    message = "A contact matching those details already exists with id=6571f1d2a3b4c5d6e7f80910"
    client, fake, _, _ = make(sequence(errors(409, "conflict", message)))
    with pytest.raises(IntercomConflict) as info:
        client.post("/contacts", {"email": "a@b.c"}, deadline=deadline(fake))
    assert info.value.status == 409
    assert info.value.existing_id == "6571f1d2a3b4c5d6e7f80910"


def test_409_without_an_id() -> None:
    client, fake, _, _ = make(sequence(errors(409, "conflict", "Multiple existing users match this email address")))
    with pytest.raises(IntercomConflict) as info:
        client.post("/contacts", {"email": "a@b.c"}, deadline=deadline(fake))
    assert info.value.existing_id is None


def test_410_gone_is_404_with_the_canonical_id() -> None:
    gone = errors(410, "contact_merged", "Contact was merged")
    gone.headers["Link"] = '</contacts/65abc0123>; rel="canonical"'
    client, fake, _, _ = make(sequence(gone))
    with pytest.raises(IntercomGone) as info:
        client.get("/contacts/old", deadline=deadline(fake))
    assert info.value.status == 404
    assert info.value.canonical_id == "65abc0123"


def test_400_names_the_field_and_code() -> None:
    client, fake, _, _ = make(sequence(errors(400, "parameter_invalid", "Email is invalid", field="email")))
    with pytest.raises(IntercomBadRequest) as info:
        client.post("/contacts", {"email": "x"}, deadline=deadline(fake))
    assert info.value.status == 400
    assert info.value.intercom_code == "parameter_invalid"
    assert info.value.details == [{"message": "Email is invalid", "field": "email", "code": "parameter_invalid"}]


def test_token_never_in_exceptions_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = errors(401, "unauthorized", f"Access Token Invalid: {TOKEN}")
    client, fake, _, _ = make(sequence(echo, httpx.ReadTimeout(f"timeout {TOKEN}"), httpx.Response(500, text=TOKEN)))
    raised: list[BaseException] = []
    calls: list[Callable[[], object]] = [
        lambda: client.get(f"/contacts/1?token={TOKEN}", deadline=deadline(fake)),
        lambda: client.post("/contacts", {}, deadline=deadline(fake)),
        lambda: client.post("/contacts", {}, deadline=deadline(fake)),
    ]
    for call in calls:
        with pytest.raises(Exception) as info:
            call()
        raised.append(info.value)
    assert isinstance(raised[0], IntercomUnauthorized)
    assert isinstance(raised[1], IntercomUnreachable)
    assert isinstance(raised[2], IntercomServerError)
    for exc in raised:
        assert TOKEN not in str(exc)
        assert TOKEN not in repr(exc.__dict__)
        assert exc.__cause__ is None or TOKEN not in str(exc.__cause__)
    assert caplog.records, "one log line per call is expected"
    assert TOKEN not in caplog.text
    assert "intercom GET /contacts/1 401" in caplog.text


def test_remaining_zero_waits_for_the_reset_instead_of_a_sure_429() -> None:
    reset = str(int(WALL_START) + 2)
    spent = httpx.Response(200, json={}, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    client, fake, seen, limiter = make(sequence(spent, httpx.Response(200, json={})))
    client.get("/a", deadline=deadline(fake))
    client.get("/b", deadline=deadline(fake))
    assert len(seen) == 2
    assert 2.0 <= fake.sleeps[0] <= 2.5
    assert len(limiter.granted) == 2


def test_remaining_zero_past_the_deadline_spends_no_budget() -> None:
    reset = str(int(WALL_START) + 9)
    spent = httpx.Response(200, json={}, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    client, fake, seen, limiter = make(sequence(spent))
    client.get("/a", deadline=deadline(fake))
    with pytest.raises(IntercomRateLimited):
        client.get("/b", deadline=deadline(fake, 3))
    assert len(seen) == 1
    assert len(limiter.granted) == 1


# -- exchange: Intercom's last answer, whatever its status (Send an HTTP request to Intercom) ---------------------


def test_exchange_answers_a_redirect_without_following_it() -> None:
    redirect = httpx.Response(302, headers={"Location": "https://elsewhere.example/x"})
    client, fake, seen, _ = make(sequence(redirect))
    response = client.exchange("GET", "/contacts", deadline=deadline(fake))
    assert (response.status_code, response.headers["location"]) == (302, "https://elsewhere.example/x")
    assert [str(r.url) for r in seen] == ["http://intercom.test/contacts"]


def test_exchange_answers_a_4xx_as_it_came() -> None:
    client, fake, seen, _ = make(sequence(errors(404, "not_found", "Resource Not Found")))
    response = client.exchange("DELETE", "/contacts/1", deadline=deadline(fake))
    assert response.status_code == 404
    assert len(seen) == 1


def test_exchange_retries_a_get_5xx_then_answers_the_last() -> None:
    client, fake, seen, _ = make(lambda r: httpx.Response(503))
    response = client.exchange("GET", "/admins", deadline=deadline(fake, 60))
    assert response.status_code == 503
    assert len(seen) == 4
    with pytest.raises(IntercomServerError) as info:
        raise client.failure(response)
    assert info.value.status == 502


def test_exchange_sends_a_create_once_and_waits_out_a_429() -> None:
    client, fake, seen, _ = make(sequence(httpx.Response(500)))
    assert client.exchange("POST", "/contacts", json={}, deadline=deadline(fake)).status_code == 500
    assert len(seen) == 1
    reset = str(int(WALL_START) + 2)
    limited = httpx.Response(429, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    client, fake, seen, _ = make(sequence(limited, httpx.Response(201, json={"id": "1"})))
    assert client.exchange("POST", "/contacts", json={}, deadline=deadline(fake)).status_code == 201
    assert len(seen) == 2
