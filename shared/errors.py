"""The connector's typed errors; each becomes the contract's error body in one place (functions/http.py)."""

from __future__ import annotations

from typing import Any


class ConnectorError(Exception):
    """An error with an HTTP status, a stable code and details naming the bad fields."""

    status: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(ConnectorError):
    status, code = 400, "bad_request"

    @classmethod
    def field(cls, field: str, message: str) -> BadRequest:
        return cls(f"{field}: {message}", details=[{"field": field, "message": message}])


class Unauthorized(ConnectorError):
    status, code = 401, "unauthorized"


class Forbidden(ConnectorError):
    status, code = 403, "forbidden"


class NotFound(ConnectorError):
    status, code = 404, "not_found"


class Conflict(ConnectorError):
    status, code = 409, "conflict"


class PayloadTooLarge(ConnectorError):
    status, code = 413, "payload_too_large"


class Throttled(ConnectorError):
    """The caller outran the connection's budget (or Intercom's); Retry-After says when to come back."""

    status, code = 429, "throttled"

    def __init__(self, message: str, *, retry_after: float) -> None:
        seconds = max(1, int(retry_after + 0.999))
        super().__init__(message, headers={"Retry-After": str(seconds)})
        self.retry_after = float(seconds)


class UpstreamFailed(ConnectorError):
    status, code = 502, "intercom_failed"


class TriggerUnhealthy(ConnectorError):
    """The polling trigger has nothing newer to hand out and its polls are failing (interface §11)."""

    status, code = 502, "trigger_unhealthy"


class Unavailable(ConnectorError):
    status, code = 503, "unavailable"


class NotConfigured(ConnectorError):
    """A setting is missing or invalid: the operator's problem, not the caller's."""

    status, code = 503, "not_configured"
