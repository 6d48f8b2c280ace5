"""The Intercom client: every call spends the connection's budget, honours Intercom's limits and retries safely."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from shared.intercom.deadline import Deadline
from shared.intercom.errors import (
    IntercomBadRequest,
    IntercomConflict,
    IntercomError,
    IntercomForbidden,
    IntercomGone,
    IntercomNotFound,
    IntercomRateLimited,
    IntercomServerError,
    IntercomUnauthorized,
    IntercomUnreachable,
)
from shared.intercom.retry import MAX_ATTEMPTS, RateLimit, backoff, is_idempotent
from shared.intercom.throttle import Limiter, TableLimiter
from shared.settings import Connection, Settings, get_settings

log = logging.getLogger("shared.intercom")
# httpx logs every request's full URL (query included) at INFO; our own line replaces it without the query.
logging.getLogger("httpx").setLevel(logging.WARNING)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
MIN_ATTEMPT_SECONDS = 0.05
_EXISTING_ID = re.compile(r"\bid=([0-9a-fA-F]+)")
_CANONICAL = re.compile(r"<([^>]*)>\s*;[^,]*rel=\"?canonical\"?", re.IGNORECASE)
# Query parameters: a mapping, or (name, value) pairs where a name repeats.
Params = Mapping[str, Any] | httpx.QueryParams | None
# Errors raised before a single byte of the request left this process: safe to repeat even for a create.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class IntercomClient:
    """One connection's client: a pooled httpx.Client, the shared budget, Intercom's limits, safe retries."""

    def __init__(
        self,
        connection: Connection,
        limiter: Limiter,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.connection = connection
        self.limiter = limiter
        self._sleep, self._clock, self._wall = sleep, clock, wall_clock
        self._token = connection.access_token.get_secret_value()
        self._http = httpx.Client(
            base_url=connection.base_url,
            transport=transport,
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            headers={
                "Authorization": f"Bearer {self._token}",
                "Intercom-Version": connection.api_version,
                "Accept": "application/json",
            },
            follow_redirects=False,
        )
        self.last_rate_limit: RateLimit | None = None

    # -- helpers ---------------------------------------------------------------------------------------------

    def get(self, path: str, *, params: dict[str, Any] | None = None, deadline: Deadline) -> Any:
        return self.request("GET", path, params=params, deadline=deadline)

    def post(self, path: str, json: Any, *, deadline: Deadline) -> Any:
        return self.request("POST", path, json=json, deadline=deadline)

    def put(self, path: str, json: Any, *, deadline: Deadline) -> Any:
        return self.request("PUT", path, json=json, deadline=deadline)

    def delete(self, path: str, *, deadline: Deadline) -> Any:
        """A DELETE is a write: a repeat after a lost answer would meet a 404, so it is never retried blindly."""
        return self.request("DELETE", path, deadline=deadline, idempotent=False)

    def search(self, path: str, body: Any, *, deadline: Deadline) -> Any:
        return self.request("POST", path, json=body, deadline=deadline, idempotent=True)

    def close(self) -> None:
        self._http.close()

    # -- the one request path --------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        deadline: Deadline,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one logical request (several attempts when that is safe); the parsed JSON body, or a typed error."""
        response = self.exchange(method, path, json=json, params=params, deadline=deadline, idempotent=idempotent)
        if response.status_code < 300:
            return _body(response)
        raise self.failure(response)

    def exchange(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params = None,
        deadline: Deadline,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """The one request path: budget, Intercom's limits, safe retries; Intercom's last answer, whatever its status
        (a 429 is waited out or raised, a 5xx or 408 answered once the safe retries are spent). Unreachable: raised."""
        method = method.upper()
        route = path.split("?", 1)[0]  # what messages and logs show: never a query string
        retry_ok = is_idempotent(method, path) if idempotent is None else idempotent
        attempt = 0
        while True:
            attempt += 1
            if deadline.remaining() < MIN_ATTEMPT_SECONDS:
                raise IntercomUnreachable(f"Intercom {method} {route}: no time left before the deadline")
            self._await_upstream_window(method, route, deadline)
            self.limiter.acquire(deadline)  # every attempt spends budget
            started = self._clock()
            remaining = max(MIN_ATTEMPT_SECONDS, deadline.remaining())
            try:
                response = self._http.request(method, path, json=json, params=params, timeout=_timeout(remaining))
            except httpx.TransportError as exc:
                self._log(method, route, type(exc).__name__, started, attempt)
                safe = retry_ok or isinstance(exc, _NOT_SENT)
                if safe and self._pause_before_retry(attempt, deadline):
                    continue
                what = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be reached"
                outcome = "" if safe else "; the outcome is unknown and it was not repeated"
                raise IntercomUnreachable(f"Intercom {method} {route} {what}{outcome}") from None
            self._log(method, route, str(response.status_code), started, attempt)
            rate = RateLimit.from_headers(response.headers)
            if rate is not None:
                self.last_rate_limit = rate
            status = response.status_code
            if status == 429:
                # Intercom did not process it, so even a create may be sent again once the window resets.
                wait = (rate or RateLimit(None, None, None)).wait_seconds(wall_clock=self._wall)
                if wait + MIN_ATTEMPT_SECONDS < deadline.remaining():
                    self._sleep(wait)
                    continue
                raise IntercomRateLimited(
                    f"Intercom rate limit reached on {method} {route}; retry in {wait:.1f}s",
                    retry_after=wait,
                )
            if (status >= 500 or status == 408) and retry_ok and self._pause_before_retry(attempt, deadline):
                continue
            return response

    # -- internals -------------------------------------------------------------------------------------------

    def _await_upstream_window(self, method: str, route: str, deadline: Deadline) -> None:
        """Intercom said its window is spent (Remaining: 0): wait for its reset instead of spending a call on a 429."""
        rate = self.last_rate_limit
        if rate is None or rate.remaining != 0 or rate.reset is None or rate.reset <= self._wall():
            return
        wait = rate.wait_seconds(wall_clock=self._wall)
        if wait + MIN_ATTEMPT_SECONDS >= deadline.remaining():
            raise IntercomRateLimited(
                f"Intercom rate limit reached before {method} {route}; retry in {wait:.1f}s",
                retry_after=wait,
            )
        self._sleep(wait)

    def _pause_before_retry(self, attempt: int, deadline: Deadline) -> bool:
        if attempt >= MAX_ATTEMPTS:
            return False
        pause = backoff(attempt)
        if pause + MIN_ATTEMPT_SECONDS >= deadline.remaining():
            return False
        self._sleep(pause)
        return True

    def _log(self, method: str, route: str, status: str, started: float, attempt: int) -> None:
        ms = (self._clock() - started) * 1000
        log.info(
            "intercom %s %s %s %.0fms attempt=%d connection=%s",
            method,
            route,
            status,
            ms,
            attempt,
            self.connection.name,
        )

    def scrub(self, text: str) -> str:
        """`text` without the connection's token."""
        return text.replace(self._token, "***") if self._token else text

    def failure(self, response: httpx.Response) -> IntercomError:
        """Intercom's answer of status 300 or more as the connector's typed error (its message scrubbed of the
        token)."""
        method, route = response.request.method, response.request.url.path
        status = response.status_code
        code, message, field = _first_error(response)
        message = self.scrub(message or f"Intercom answered {status} to {method} {route}")
        error: IntercomError
        if status in (400, 422):
            error = IntercomBadRequest(message, intercom_code=code, field=field)
        elif status == 401:
            error = IntercomUnauthorized(message)
        elif status == 403:
            error = IntercomForbidden(message)
        elif status == 404:
            error = IntercomNotFound(message)
        elif status == 410:
            error = IntercomGone(message, canonical_id=_canonical_id(response.headers.get("link", "")))
        elif status == 409:
            found = _EXISTING_ID.search(message)
            error = IntercomConflict(message, existing_id=found.group(1) if found else None)
        else:
            error = IntercomServerError(f"Intercom failed: {status} on {method} {route}: {message}")
        error.upstream_status = status
        error.intercom_code = code
        return error


def _timeout(remaining: float) -> httpx.Timeout:
    """Explicit timeouts that never outlast the caller's deadline."""
    return httpx.Timeout(
        min(READ_TIMEOUT, remaining),
        connect=min(CONNECT_TIMEOUT, remaining),
        pool=min(CONNECT_TIMEOUT, remaining),
    )


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise IntercomServerError(f"Intercom answered {response.status_code} with a body that is not JSON") from None


def _first_error(response: httpx.Response) -> tuple[str | None, str | None, str | None]:
    """Intercom's `errors[0]` code, message and field, when the body has them."""
    try:
        body = response.json()
    except ValueError:
        return None, None, None
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    values = (first.get("code"), first.get("message"), first.get("field"))
    code, message, field = (v if isinstance(v, str) and v else None for v in values)
    return code, message, field


def _canonical_id(link: str) -> str | None:
    """The surviving contact's id from `Link: </contacts/{id}>; rel="canonical"`."""
    found = _CANONICAL.search(link)
    if not found:
        return None
    tail = found.group(1).rstrip("/").rsplit("/", 1)[-1]
    return tail or None


# -- one client per connection, process-wide -----------------------------------------------------------------

_clients: dict[tuple[str, str, str, int, float], IntercomClient] = {}
_clients_lock = threading.Lock()


def client_for(connection: Connection, settings: Settings | None = None) -> IntercomClient:
    """The process's client for a connection, with the Table Storage budget from settings (cached)."""
    settings = settings or get_settings()
    storage = settings.storage_connection_string.get_secret_value()
    key = (connection.name, connection.base_url, storage, settings.throttle_calls, settings.throttle_period_seconds)
    with _clients_lock:
        client = _clients.get(key)
        if client is None or client.connection != connection:
            limiter = TableLimiter(storage, connection.name, settings.throttle_calls, settings.throttle_period_seconds)
            client = IntercomClient(connection, limiter)
            _clients[key] = client
        return client


def reset_clients() -> None:
    """For tests and the devserver: close and forget every cached client."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
