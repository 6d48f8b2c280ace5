"""Opaque, tamper-evident cursors for callers (list-leads pages, trigger positions).

A cursor is base64url(JSON) + "." + an HMAC over it, so a caller cannot forge or edit one; the key is the
CURSOR_SECRET setting or, by default, derived from the storage connection string (secret, and the same on every
instance of the app).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from shared.errors import BadRequest


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, purpose: str, body: str) -> str:
    return _b64(hmac.new(key, f"{purpose}:{body}".encode(), hashlib.sha256).digest()[:16])


def seal(key: bytes, purpose: str, payload: dict[str, Any]) -> str:
    """Wrap `payload` in a cursor that only `unseal` with the same key and purpose accepts."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(key, purpose, body)}"


def unseal(key: bytes, purpose: str, cursor: str, *, field: str = "cursor") -> dict[str, Any]:
    """The payload of a cursor made by `seal`; a 400 naming `field` when it is malformed or was altered."""
    body, dot, mac = cursor.strip().partition(".")
    # compared as bytes: compare_digest raises TypeError on str with non-ASCII characters (a garbage cursor)
    if not dot or not hmac.compare_digest(mac.encode(), _mac(key, purpose, body).encode()):
        raise BadRequest.field(field, "malformed or altered cursor; use the link the connector returned")
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, binascii.Error) as exc:
        raise BadRequest.field(field, "malformed cursor") from exc
    if not isinstance(payload, dict):
        raise BadRequest.field(field, "malformed cursor")
    return payload
