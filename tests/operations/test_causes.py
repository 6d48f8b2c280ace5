"""A failed poll's cause, from the exception's type (interface §11), and its log level."""

from __future__ import annotations

import logging

import pytest

from shared.errors import ConnectorError, NotConfigured, Throttled, Unavailable, UpstreamFailed
from shared.intercom.errors import (
    BudgetExhausted,
    IntercomBadRequest,
    IntercomForbidden,
    IntercomNotFound,
    IntercomRateLimited,
    IntercomServerError,
    IntercomUnauthorized,
    IntercomUnreachable,
)
from shared.operations.causes import CAUSES, EXPLAINED, NEEDS_ACTION, cause_of, detail_of, log_level
from shared.storage import unavailable


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (IntercomUnauthorized("Access Token Invalid"), "unauthorized"),
        (IntercomForbidden("missing scope"), "forbidden"),
        (BudgetExhausted("spent", retry_after=3), "throttled"),
        (IntercomRateLimited("429", retry_after=3), "throttled"),
        (Throttled("spent", retry_after=1), "throttled"),
        (IntercomServerError("Intercom failed: 503"), "intercom_unavailable"),
        (IntercomUnreachable("could not be reached"), "intercom_unavailable"),  # also an Unavailable: Intercom's
        (UpstreamFailed("bad answer"), "intercom_unavailable"),
        (unavailable("event storage", ConnectionError()), "storage_unavailable"),
        (Unavailable("throttle storage unreachable"), "storage_unavailable"),
        (IntercomBadRequest("bad query"), "unexpected"),
        (IntercomNotFound("gone"), "unexpected"),
        (NotConfigured("setting X"), "unexpected"),
        (ConnectorError("Intercom answered with something that is not a page"), "unexpected"),
        (KeyError("x"), "unexpected"),
    ],
)
def test_cause_of(error: BaseException, cause: str) -> None:
    assert cause_of(error) == cause
    assert cause in CAUSES
    assert EXPLAINED[cause]


def test_log_levels() -> None:
    assert {"unauthorized", "forbidden"} == NEEDS_ACTION
    assert log_level("unauthorized") == log_level("forbidden") == logging.ERROR
    assert log_level("unexpected") == logging.ERROR  # a defect: someone must look
    for transient in ("throttled", "intercom_unavailable", "storage_unavailable"):
        assert log_level(transient) == logging.WARNING


def test_detail_is_a_typed_errors_message_or_only_a_type_name() -> None:
    assert detail_of(IntercomUnauthorized("Access Token Invalid")) == "Access Token Invalid"
    assert detail_of(ValueError("token=abc123 leaked in a bug's text")) == "ValueError"
    assert len(detail_of(UpstreamFailed("x" * 5000))) == 500
