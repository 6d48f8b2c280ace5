"""The status page in a real browser (interface §11): Debian's chromium, headless, driven by Playwright, opens
`/api/status` on the devserver as a person would, and sees each trigger's state with its cause in words, the charts
and the numbers; the console stays clean (no error, no Content-Security-Policy violation, nothing fetched).

Skipped, saying why, where no browser can be installed: scripts/setup installs `chromium` with apt-get when
/usr/bin/chromium is missing and apt is available, and Playwright from requirements-dev.txt (never
`playwright install`, which downloads a browser build of its own).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver.process import DevServerProcess
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomServerError, IntercomUnauthorized
from shared.intercom.throttle import TableLimiter
from shared.operations.recorder import record_poll
from tests.consumers.support import append_events
from tests.operations.support import polled

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route, sync_playwright
except ImportError:  # pragma: no cover - requirements-dev.txt installs it
    pytest.skip("Playwright is not installed (pip install -r requirements-dev.txt)", allow_module_level=True)
if not CHROMIUM.exists():  # pragma: no cover - scripts/setup installs it where apt-get is available
    pytest.skip(
        "no /usr/bin/chromium: scripts/setup installs Debian's chromium with apt-get; apt was unavailable",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A page with everything a person would not see collected: console messages, page errors, requests."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"{message.type}: {message.text}")


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context()
    yield Watched(context.new_page())
    context.close()


@pytest.fixture
def server(devserver_factory: object, app_env: dict[str, str], unique_name: str) -> DevServerProcess:
    env = {**app_env, "POLL_SCHEDULE": "0 0 0 1 1 *"}  # no poll runs: the test writes the records
    env.pop("INTERCOM_ACCESS_TOKEN")  # one connection only: the test's
    return devserver_factory(env)  # type: ignore[operator, no-any-return]


def test_a_person_sees_which_trigger_fails_and_why(
    server: DevServerProcess, watched: Watched, storage_conn: str, unique_name: str
) -> None:
    now = time.time()
    append_events(storage_conn, unique_name, "lead-created", [1, 2, 3, 4])
    record_poll(storage_conn, polled("lead-created", unique_name, events=4), now=now - 300)
    record_poll(
        storage_conn, polled("user-created", unique_name, IntercomUnauthorized("Access Token Invalid")), now=now - 30
    )
    record_poll(
        storage_conn, polled("user-updated", unique_name, IntercomServerError("Intercom failed: 503")), now=now - 5
    )
    limiter = TableLimiter(storage_conn, unique_name, calls=100, period=60, prefetch=0)
    for _ in range(7):
        limiter.acquire(Deadline.after(5))

    page = watched.page
    response = page.goto(f"{server.base_url}/api/status?code=function-key-123")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]

    assert "degraded" in page.title()
    assert page.locator("#overall").inner_text() == "degraded"
    section = page.locator(f'section[data-connection="{unique_name}"]')
    assert section.locator("h2").inner_text() == f"Connection {unique_name}"
    assert "Throttle use: 7 of 100 calls in the current 60 s window" in section.locator(".throttle").inner_text()

    failing = section.locator('tr[data-trigger="user-created"]')
    assert failing.locator(".state").inner_text() == "failing"
    cause = failing.locator(".cause").inner_text()
    assert "Intercom refused the access token (401)" in cause
    assert "Access Token Invalid" in cause
    assert "since" in cause
    assert "rotate the token" in cause

    behind = section.locator('tr[data-trigger="user-updated"]')
    assert behind.locator(".state").inner_text() == "behind"
    assert "Intercom failed or could not be reached" in behind.locator(".cause").inner_text()

    ok = section.locator('tr[data-trigger="lead-created"]')
    assert ok.locator(".state").inner_text() == "ok"
    assert ok.locator(".events-24h").inner_text() == "4"
    assert "5 min ago" in ok.locator(".last-poll").inner_text()
    chart = ok.locator("svg.chart")
    assert chart.is_visible()
    assert "4 in all" in (chart.get_attribute("aria-label") or "")
    assert chart.locator("rect.bar").count() == 24
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 100  # rendered, not collapsed

    assert section.locator("svg.chart").count() == section.locator("tr.trigger").count() >= 10
    waiting = section.locator('tr[data-trigger="conversation-started"]')
    assert waiting.locator(".state").inner_text() == "waiting"

    assert watched.console == []
    assert watched.errors == []
    assert watched.requests == [response.url]  # nothing else fetched: no favicon, no asset
    assert "tok-" not in page.content()


def test_the_console_watch_sees_a_csp_violation(server: DevServerProcess, watched: Watched) -> None:
    """The control: the listeners above do catch a violation of the page's policy (an inline style it forbids)."""
    from shared.operations.page import HEADERS

    url = f"{server.base_url}/control"

    def fulfil(route: Route) -> None:
        route.fulfill(
            status=200,
            headers={**HEADERS, "Content-Type": "text/html"},
            body="<!doctype html><title>x</title><style>body{color:red}</style><p>x</p>",
        )

    watched.page.route(url, fulfil)
    watched.page.goto(url)
    watched.page.wait_for_timeout(200)
    assert any("Content Security Policy" in line for line in watched.console), watched.console
