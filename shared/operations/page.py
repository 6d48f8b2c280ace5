"""The status page (interface §11): the `/api/status` document as one HTML page a person reads at a glance.

One table per connection: each trigger's state (ok, behind, failing) with its cause in plain words, last poll,
watermark age, events in 24 hours with a small chart of events per hour, and the webhook subscribers' backlog;
above it the connection's throttle use and webhook notifications. Self-contained: inline CSS (allowed by its hash
in the Content-Security-Policy) and inline SVG, no script, nothing fetched from anywhere. Every value is escaped.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fafafa}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.75rem 0 .25rem}
p{margin:.25rem 0}.meta{color:#555}
table{border-collapse:collapse;width:100%;background:#fff;margin-top:.5rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.state{display:inline-block;padding:0 .5rem;border-radius:.75rem;font-weight:600}
.ok{background:#e3f4e6;color:#17602a}.behind{background:#fff1d6;color:#7a4b00}
.failing,.unhealthy{background:#fde2e1;color:#9b1c1c}.waiting,.webhook_only{background:#eceff3;color:#445}
.healthy{background:#e3f4e6;color:#17602a}.degraded{background:#fde2e1;color:#9b1c1c}
.banner{padding:.5rem .75rem;margin:.75rem 0;border-radius:.25rem}
svg.chart rect.bar{fill:#3b6fb6}svg.chart rect.axis{fill:#bbb}small{color:#666}
""".strip()

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()}'; "
    "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Sent with the page: the URL holds the function key, so it goes nowhere; the page is never cached.
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
REFRESH_SECONDS = 60
CHART_WIDTH, CHART_HEIGHT, BAR = 144, 28, 6


def wants_html(accept: str | None) -> bool:
    """Whether the caller prefers the page to JSON: text/html is named before application/json (a browser's
    Accept); anything else gets JSON."""
    kinds = [part.split(";", 1)[0].strip().lower() for part in (accept or "").split(",")]
    for kind in kinds:
        if kind in ("text/html", "application/xhtml+xml"):
            return True
        if kind in ("application/json", "*/*"):
            return False
    return False


def render(report: Mapping[str, Any]) -> str:
    """The page of a status document (shared/operations/status.py)."""
    status = str(report.get("status", ""))
    generated = str(report.get("generated_at") or "")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">',
        '<link rel="icon" href="data:,">',
        f"<title>Intercom connector: {_text(status)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>Intercom connector status</h1>",
        f'<p>Overall: <span class="state {_text(status)}" id="overall">{_text(status)}</span></p>',
        f'<p class="meta">At {_text(generated)}; polls run on <code>{_text(report.get("poll_schedule"))}</code>'
        f" (every {_duration(report.get('poll_period_seconds'))}). This page refreshes every minute.</p></header>",
    ]
    if report.get("webhook_refusals_unrouted_24h"):
        parts.append(
            f'<p class="meta unrouted">{_text(report["webhook_refusals_unrouted_24h"])} webhook notifications in 24 h'
            " were refused before any connection was known: their signature matched no connection's client secret."
            "</p>"
        )
    if report.get("storage") not in (None, "ok"):
        parts.append(
            f'<p class="banner unhealthy">Storage cannot be reached ({_text(report["storage"])}): what follows is what'
            " this instance knows of its own polls.</p>"
        )
    parts += [_connection(c, generated) for c in report.get("connections", [])]
    parts.append("</body></html>")
    return "\n".join(parts)


def _connection(view: Mapping[str, Any], generated: str) -> str:
    name = _text(view.get("connection"))
    rows = "\n".join(_row(t, generated) for t in view.get("triggers", []))
    return (
        f'<section class="connection" data-connection="{name}">'
        f"<h2>Connection {name}</h2>"
        f'<p class="meta throttle">{_throttle(view.get("throttle"))}</p>'
        f'<p class="meta webhooks">{_webhooks(view.get("webhook_notifications_24h"))}</p>'
        "<table><thead><tr><th>Trigger</th><th>State</th><th>Cause</th><th>Last poll</th><th>Watermark age</th>"
        "<th>Events (24 h)</th><th>Events per hour (24 h)</th><th>Subscribers</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _row(view: Mapping[str, Any], generated: str) -> str:
    trigger, state = _text(view.get("trigger")), _text(view.get("state"))
    cause = "" if state == "ok" else _text(view.get("message"))
    last = view.get("last_poll")
    last_poll = "never" if not last else f"{_ago(last, generated)}<br><small>{_text(last)}</small>"
    return (
        f'<tr class="trigger" data-trigger="{trigger}" data-state="{state}">'
        f"<td>{trigger}</td>"
        f'<td><span class="state {state}">{state.replace("_", " ")}</span></td>'
        f'<td class="cause">{cause}</td>'
        f'<td class="last-poll">{last_poll}</td>'
        f'<td class="num watermark-age">{_duration(view.get("watermark_age_seconds"))}</td>'
        f'<td class="num events-24h">{_text(view.get("events_last_24_hours", 0))}</td>'
        f'<td class="chart">{_chart(str(view.get("trigger")), view.get("events_per_hour") or [])}</td>'
        f'<td class="subscribers">{_subscribers(view.get("webhook_subscribers"))}</td>'
        "</tr>"
    )


def _chart(trigger: str, hours: Sequence[Mapping[str, Any]]) -> str:
    """24 bars, one per hour, oldest first; each with its hour and count as a tooltip."""
    counts = [int(h.get("events") or 0) for h in hours]
    top = max(counts, default=0) or 1
    bars = []
    for index, (hour, count) in enumerate(zip(hours, counts, strict=True)):
        height = 0 if count == 0 else max(1, round(count / top * (CHART_HEIGHT - 2)))
        stamp = str(hour.get("hour") or "")[11:16]
        bars.append(
            f'<rect class="bar" x="{index * BAR}" y="{CHART_HEIGHT - 1 - height}" width="{BAR - 1}" height="{height}">'
            f"<title>{_text(stamp)} UTC: {count} event{'s' if count != 1 else ''}</title></rect>"
        )
    total = sum(counts)
    label = f"Events per hour of {trigger} over the last 24 hours: {total} in all, at most {max(counts, default=0)}"
    return (
        f'<svg class="chart" role="img" aria-label="{_text(label)}" width="{CHART_WIDTH}" height="{CHART_HEIGHT}"'
        f' viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_text(label)}</title>"
        f'<rect class="axis" x="0" y="{CHART_HEIGHT - 1}" width="{CHART_WIDTH}" height="1"></rect>'
        f"{''.join(bars)}</svg>"
    )


def _throttle(use: Mapping[str, Any] | None) -> str:
    if not use:
        return "Throttle use: unknown (storage did not answer)"
    return (
        f"Throttle use: {_text(use.get('calls'))} of {_text(use.get('budget'))} calls in the current"
        f" {_duration(use.get('period_seconds'))} window"
    )


def _webhooks(counts: Mapping[str, Any] | None) -> str:
    if counts is None:
        return "Webhook notifications (24 h): not counted"
    return (
        f"Webhook notifications (24 h): {_text(counts.get('accepted'))} accepted,"
        f" {_text(counts.get('refused'))} refused, {_text(counts.get('unreadable'))} unreadable"
    )


def _subscribers(backlog: Mapping[str, Any] | None) -> str:
    if not backlog:
        return "none"
    text = f"{_text(backlog.get('subscribers'))}; {_text(backlog.get('pending'))} pending"
    age = backlog.get("oldest_pending_age_seconds")
    return f"{text}, oldest {_duration(age)}" if age is not None else text


def _duration(seconds: Any) -> str:
    """A length of time in the largest unit that fits: 45 s, 3 min, 2.5 h, 4 d."""
    if not isinstance(seconds, int | float):
        return "-"
    value = float(seconds)
    if value < 90:
        return f"{value:.0f} s"
    if value < 90 * 60:
        return f"{value / 60:.0f} min"
    if value < 36 * 3600:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} d"


def _ago(stamp: str, generated: str) -> str:
    try:
        seconds = (_moment(generated) - _moment(stamp)).total_seconds()
    except ValueError:
        return _text(stamp)
    return f"{_duration(max(0.0, seconds))} ago"


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _text(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)
