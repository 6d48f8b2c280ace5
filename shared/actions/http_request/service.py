"""Send an HTTP request to Intercom (interface §10): any method and path of the connection's Intercom API, through
the connection's client like every action (budget, token, `Intercom-Version`, Intercom's limits, safe retries).

What the caller gets is Intercom's answer as it came: its status, its JSON body (the text itself), its
`Content-Type` and `X-RateLimit-*` headers; a redirect as its status and `Location`, never followed. What is not an
answer of Intercom's is the contract's error like every action's: no budget or Intercom's 429 past the deadline
(429 with Retry-After), Intercom unreachable (503), Intercom failing (a 5xx once the safe retries are spent, or a
body that is not JSON: 502). The caller's headers are never sent; the client sends the connection's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx

from shared.actions.http_request.requests import IntercomRequest
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomServerError

RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@dataclass(frozen=True)
class IntercomAnswer:
    """Intercom's answer to pass on: status, JSON text (None when empty) and the headers kept."""

    status: int
    body: str | None
    headers: dict[str, str] = field(default_factory=dict)


def send_request(client: IntercomClient, request: IntercomRequest, deadline: Deadline) -> IntercomAnswer:
    request.check()
    response = client.exchange(
        request.method,
        request.path,
        json=request.body,
        params=httpx.QueryParams(tuple(request.query or ())),
        deadline=deadline,
    )
    status = response.status_code
    if status >= 500 or status == 408:
        raise client.failure(response)
    headers = {name: response.headers[name] for name in RATE_LIMIT_HEADERS if name in response.headers}
    if 300 <= status < 400:
        if "location" in response.headers:
            headers["Location"] = client.scrub(response.headers["location"])
        return IntercomAnswer(status, None, headers)
    text = client.scrub(response.text) if response.content else ""
    if not text.strip():
        return IntercomAnswer(status, None, headers)
    try:
        json.loads(text)
    except ValueError:
        raise IntercomServerError(f"Intercom answered {status} with a body that is not JSON") from None
    headers["Content-Type"] = response.headers.get("content-type", "application/json")
    return IntercomAnswer(status, text, headers)
