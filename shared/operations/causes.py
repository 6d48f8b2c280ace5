"""Why a poll failed, as one of the causes of interface §11, and what that means to an operator.

A cause is read from the exception's type (shared/errors.py; shared/intercom/errors.py derives from it), never
from its text. `unauthorized` and `forbidden` need someone to act (a new token, a scope): they are logged as ERROR
and make the polling trigger fail at once. The others are transient (WARNING): the trigger fails only when they
last three poll periods (shared/operations/verdicts.py).
"""

from __future__ import annotations

import logging

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

OK = "ok"
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
THROTTLED = "throttled"
INTERCOM_UNAVAILABLE = "intercom_unavailable"
STORAGE_UNAVAILABLE = "storage_unavailable"
UNEXPECTED = "unexpected"
# Not an outcome a poll records: the verdict's cause when polls stopped running altogether.
NOT_POLLED = "not_polled"

CAUSES = (UNAUTHORIZED, FORBIDDEN, THROTTLED, INTERCOM_UNAVAILABLE, STORAGE_UNAVAILABLE, UNEXPECTED)
# Someone must act: a retry alone will not mend these.
NEEDS_ACTION = frozenset({UNAUTHORIZED, FORBIDDEN})

# What each cause means, in an operator's words (the 502's message, the status page, docs/operations.md).
EXPLAINED = {
    OK: "polls complete",
    UNAUTHORIZED: "Intercom refused the access token (401): it was revoked or is wrong",
    FORBIDDEN: "Intercom refused access with this token (403): a scope or the workspace's plan is missing",
    THROTTLED: "the call budget or Intercom's rate limit cut the polls short",
    INTERCOM_UNAVAILABLE: "Intercom failed or could not be reached",
    STORAGE_UNAVAILABLE: "the storage account could not be reached",
    UNEXPECTED: "the poll failed unexpectedly (see the logs)",
    NOT_POLLED: "no poll has run",
}


def cause_of(error: BaseException) -> str:
    """The cause of a failed poll, from the error's type. Order matters: Intercom's 503-like errors are also
    `Unavailable`, and Intercom's refusals of input are also Intercom errors."""
    kind = type(error)
    if issubclass(kind, Unauthorized):
        return UNAUTHORIZED
    if issubclass(kind, Forbidden):
        return FORBIDDEN
    if issubclass(kind, Throttled):
        return THROTTLED
    if issubclass(kind, BadRequest | NotFound):
        return UNEXPECTED  # Intercom refused what the poll asked: a defect, not an outage
    if issubclass(kind, UpstreamFailed):  # every Intercom error, IntercomUnreachable included
        return INTERCOM_UNAVAILABLE
    if issubclass(kind, Unavailable):
        return STORAGE_UNAVAILABLE
    return UNEXPECTED


def log_level(cause: str) -> int:
    """ERROR when someone must act (and for defects), WARNING for what passes by itself."""
    return logging.ERROR if cause in NEEDS_ACTION or cause == UNEXPECTED else logging.WARNING


def detail_of(error: BaseException) -> str:
    """What went wrong, for the record and the page: a typed error's message (which never holds a token), else only
    the exception's type (a bug's text may hold anything)."""
    if isinstance(error, ConnectorError):
        return error.message[:500]
    return type(error).__name__
