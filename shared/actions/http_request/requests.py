"""What callers send to Send an HTTP request to Intercom (interface §10).

`path` is a path of the connection's Intercom API and nothing else. It begins with one `/` and holds only letters,
digits, `-`, `.`, `_`, `~`, `/` and percent-escapes; so a scheme, a host (`//`), user info (`@`), a query or
fragment (`?`, `#`: give `query`), a backslash, spaces and control characters are refused, as are `.` and `..`
segments and escapes of what could reshape the path once decoded (`%2F`, `%2E`, `%5C`, `%25` (a double escape),
control characters, bytes that are not UTF-8). Every refusal is a 400 naming `path`.

`query` is an object of names to strings, numbers, booleans (sent as `true`/`false`), nulls (left out) or lists of
those (the name repeated); `body` is any JSON object, sent as it is (not with GET).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema

from shared.actions.parsing import Body, blank_to_none
from shared.errors import BadRequest

MAX_PATH = 2048
MAX_QUERY_KEYS = 50
MAX_QUERY_VALUES = 100
MAX_QUERY_TEXT = 2048
_PATH_CHARS = re.compile(r"[A-Za-z0-9._~/%-]*")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_ESCAPED_BYTE = re.compile(rb"%([0-9A-Fa-f]{2})")
_KEY = re.compile(r"[^\x00-\x1f\x7f]{1,100}")
# Escapes that could turn into a separator, a dot segment or another escape once a server decodes them.
_FORBIDDEN_DECODED = frozenset(b"/\\.%?#@:;") | frozenset(range(0x20)) | {0x7F}


def check_path(value: Any) -> str:
    """A path of the connection's Intercom API (see the module's rules); ValueError saying why otherwise."""
    if not isinstance(value, str):
        raise ValueError("must be a string such as /contacts/123")
    if not value.startswith("/"):
        raise ValueError("must begin with / (a path of the connection's Intercom API, such as /contacts/123)")
    if len(value) > MAX_PATH:
        raise ValueError(f"must be at most {MAX_PATH} characters")
    if not _PATH_CHARS.fullmatch(value):
        raise ValueError(
            "may hold only letters, digits, '-', '.', '_', '~', '/' and %XX escapes "
            "(no scheme, host, '@', '?', '#', backslash, space or control character; give query parameters as query)"
        )
    if "//" in value:
        raise ValueError("must not hold '//' (a host or an empty segment)")
    if any(segment in (".", "..") for segment in value.split("/")):
        raise ValueError("must not hold '.' or '..' segments")
    _check_escapes(value)
    return value


def _check_escapes(value: str) -> None:
    escapes = _ESCAPE.findall(value)
    if value.count("%") != len(escapes):
        raise ValueError("each % must start an escape of two hex digits (%20)")
    if any(int(hex_digits, 16) in _FORBIDDEN_DECODED for hex_digits in escapes):
        raise ValueError("must not escape '/', '\\', '.', '%', '?', '#', '@', ':', ';' or control characters")
    try:
        _ESCAPED_BYTE.sub(lambda m: bytes([int(m[1], 16)]), value.encode("ascii")).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("must escape UTF-8 only") from None


def _query_value(name: str, value: Any) -> list[str]:
    """One query parameter's values as Intercom receives them (a null: none)."""
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name!r}: must be a finite number")
    if isinstance(value, int | float):
        return [str(value)]
    if isinstance(value, str):
        if len(value) > MAX_QUERY_TEXT:
            raise ValueError(f"{name!r}: at most {MAX_QUERY_TEXT} characters")
        return [value]
    raise ValueError(f"{name!r}: must be a string, number, boolean, null or a list of them")


def _query(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("must be an object of parameter names to values")
    if len(value) > MAX_QUERY_KEYS:
        raise ValueError(f"at most {MAX_QUERY_KEYS} parameters")
    params: list[tuple[str, str]] = []
    for name, item in value.items():
        if not _KEY.fullmatch(name):
            raise ValueError("each name is 1-100 characters without control characters")
        items = item if isinstance(item, list) else [item]
        if len(items) > MAX_QUERY_VALUES:
            raise ValueError(f"{name!r}: at most {MAX_QUERY_VALUES} values")
        for one in items:
            if isinstance(one, list | dict):
                raise ValueError(f"{name!r}: a list holds strings, numbers, booleans or nulls")
            params += [(name, text) for text in _query_value(name, one)]
    return params


_OBJECT: dict[str, Any] = {"type": "object"}


def _method(value: Any) -> Any:
    value = blank_to_none(value)
    return "GET" if value is None else value.upper() if isinstance(value, str) else value


class IntercomRequest(Body):
    """Body of Send an HTTP request to Intercom (POST /api/intercom/request)."""

    method: Annotated[Literal["GET", "POST", "PUT", "DELETE"], BeforeValidator(_method)] = Field(
        "GET", title="Method", description="GET (default), POST, PUT or DELETE"
    )
    path: Annotated[str, BeforeValidator(check_path)] = Field(
        title="Path",
        description="A path of the connection's Intercom API, such as /contacts/123 (no scheme, host, query or '..')",
    )
    query: Annotated[list[tuple[str, str]] | None, BeforeValidator(_query), WithJsonSchema(_OBJECT)] = Field(
        None, title="Query Parameters", description="An object of names to values (a list repeats the name)"
    )
    body: dict[str, Any] | None = Field(None, title="Body", description="The JSON object to send (POST, PUT, DELETE)")

    def check(self) -> None:
        """A 400 naming `body` for a GET with a body."""
        if self.method == "GET" and self.body is not None:
            raise BadRequest.field("body", "a GET sends no body; give query parameters as query")
