"""Intercom's error answers: the exception the simulator raises, the response it sends, and the error list body."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from intercom_sim.query import QueryError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {
        "type": "error.list",
        "request_id": str(uuid.uuid4()),
        "errors": [{"code": code, "message": message}],
    }
    return Response(status, body, dict(headers or {}))


def error_from(exc: Exception) -> Response:
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)
    if isinstance(exc, QueryError):
        return error_response(400, exc.code, str(exc))
    return error_response(400, "parameter_invalid", str(exc))
