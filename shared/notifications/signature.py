"""Intercom's webhook signature: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body under the client secret>`."""

from __future__ import annotations

import hashlib
import hmac
import re

SIGNATURE_HEADER = "X-Hub-Signature"
_FORMAT = re.compile(r"^sha1=([0-9a-fA-F]{40})$")


def parse_signature(header: str | None) -> bytes | None:
    """The 20 digest bytes a well-formed header carries; None for a missing or malformed one."""
    match = _FORMAT.match((header or "").strip())
    return bytes.fromhex(match.group(1)) if match else None


def sign(body: bytes, secret: str) -> str:
    """The header value Intercom sends for `body` (the simulator and the tests sign with it too)."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def signed_by(body: bytes, digest: bytes, secret: str) -> bool:
    """Whether `digest` is the HMAC-SHA1 of `body` under `secret`, compared in constant time."""
    return hmac.compare_digest(hmac.new(secret.encode(), body, hashlib.sha1).digest(), digest)
