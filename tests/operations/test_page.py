"""The status page's HTML (shared/operations/page.py): self-contained, escaped, its CSS allowed by hash."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

from shared.operations.page import CONTENT_SECURITY_POLICY, CSS, render, wants_html


def report(**trigger: Any) -> dict[str, Any]:
    row = {
        "trigger": "lead-created",
        "state": "failing",
        "cause": "unauthorized",
        "message": "Intercom refused the access token",
        "last_poll": "2027-01-15T08:00:00.000Z",
        "watermark_age_seconds": 4000,
        "events_last_24_hours": 7,
        "events_per_hour": [{"hour": f"2027-01-15T{h:02d}:00:00.000Z", "events": h % 3} for h in range(24)],
        "webhook_subscribers": {"subscribers": 2, "pending": 5, "oldest_pending_age_seconds": 30},
        **trigger,
    }
    return {
        "status": "degraded",
        "generated_at": "2027-01-15T08:02:00.000Z",
        "storage": "ok",
        "poll_schedule": "0 */2 * * * *",
        "poll_period_seconds": 120,
        "connections": [
            {
                "connection": "eu",
                "throttle": {"calls": 12, "budget": 100, "period_seconds": 60},
                "webhook_notifications_24h": {"accepted": 3, "refused": 1, "unreadable": 0},
                "triggers": [row],
            }
        ],
    }


def test_the_page_has_one_table_per_connection_with_the_numbers() -> None:
    html = render(report())
    assert html.count("<table>") == 1
    assert 'data-trigger="lead-created" data-state="failing"' in html
    assert "Intercom refused the access token" in html
    assert "12 of 100 calls in the current 60 s window" in html
    assert "3 accepted, 1 refused, 0 unreadable" in html
    assert "2 min ago" in html
    assert "67 min" in html  # watermark age 4000 s
    assert "2; 5 pending, oldest 30 s" in html
    assert html.count('<rect class="bar"') == 24
    assert "unrouted" not in html
    assert "3 webhook notifications in 24 h were refused" in render({**report(), "webhook_refusals_unrouted_24h": 3})


def test_self_contained_no_script_nothing_fetched() -> None:
    html = render(report())
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)=["'](?!data:)""", html)  # no asset from anywhere
    assert " style=" not in html  # no inline style attribute: the CSP allows the style element only
    assert f"<style>{CSS}</style>" in html
    digest = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY


def test_everything_is_escaped() -> None:
    evil = '<img src=x onerror="alert(1)">'
    html = render(report(trigger=evil, message=evil, last_poll=evil))
    assert evil not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),  # a browser
        ("application/json", False),
        ("*/*", False),
        (None, False),
        ("", False),
        ("application/json, text/html", False),
        ("text/html", True),
    ],
)
def test_wants_html(accept: str | None, html: bool) -> None:
    assert wants_html(accept) is html
