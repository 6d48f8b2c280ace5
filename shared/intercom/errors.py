"""Intercom's answers as the connector's typed errors (each maps to the contract's status through ConnectorError)."""

from __future__ import annotations

from typing import Any

from shared.errors import (
    BadRequest,
    ConnectorError,
    Forbidden,
    NotFound,
    Throttled,
    Unauthorized,
    Unavailable,
    UpstreamFailed,
)
from shared.errors import Conflict as _Conflict


class IntercomError(UpstreamFailed):
    """Base of every error that comes from talking to Intercom (502 unless a subclass says otherwise)."""

    upstream_status: int | None = None
    intercom_code: str | None = None


class IntercomBadRequest(BadRequest, IntercomError):
    """Intercom refused the input (400/422); carries its message and code, and the field when Intercom names it."""

    def __init__(self, message: str, *, intercom_code: str | None = None, field: str | None = None) -> None:
        detail: dict[str, Any] = {"message": message}
        if field:
            detail["field"] = field
        if intercom_code:
            detail["code"] = intercom_code
        super().__init__(message, details=[detail])
        self.intercom_code = intercom_code
        self.field_name = field


class IntercomUnauthorized(Unauthorized, IntercomError):
    """401: Intercom refused the access token."""


class IntercomForbidden(Forbidden, IntercomError):
    """403: the token lacks a scope or the plan lacks the feature."""


class IntercomNotFound(NotFound, IntercomError):
    """404 from Intercom."""


class IntercomGone(IntercomNotFound):
    """410 (a merged contact, API 2.16): a 404 to callers; `canonical_id` is the surviving contact if Link says it."""

    def __init__(self, message: str, *, canonical_id: str | None = None) -> None:
        super().__init__(message)
        self.canonical_id = canonical_id


class IntercomConflict(_Conflict, IntercomError):
    """409: a contact with those details exists; `existing_id` is its id when the message says `with id=<hex>`."""

    def __init__(self, message: str, *, existing_id: str | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class IntercomServerError(IntercomError):
    """Intercom failed (5xx after the retries we may make, or an answer we cannot use): 502."""


class IntercomUnreachable(Unavailable, IntercomError):
    """Intercom could not be reached, or a create timed out with an unknown outcome: 503."""


class BudgetExhausted(Throttled):
    """Our own per-connection budget has no call free before the caller's deadline: 429 with Retry-After."""


class IntercomRateLimited(Throttled, IntercomError):
    """Intercom's own 429 whose reset lies past the caller's deadline: 429 with Retry-After."""


__all__ = [
    "BudgetExhausted",
    "ConnectorError",
    "IntercomBadRequest",
    "IntercomConflict",
    "IntercomError",
    "IntercomForbidden",
    "IntercomGone",
    "IntercomNotFound",
    "IntercomRateLimited",
    "IntercomServerError",
    "IntercomUnauthorized",
    "IntercomUnreachable",
]
