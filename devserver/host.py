"""The local Functions host: serves the app's HTTP functions, runs its timers and queue functions, and the host's
admin API.

What `func start` does for this app, in one Python process (Azure Functions Core Tools cannot be installed here):
each HTTP function at `/<routePrefix>/<route>` with a real `azure.functions.HttpRequest`; each timer on its NCRONTAB
schedule with a real `azure.functions.TimerRequest`; each queue function on its Storage queue with a real
`azure.functions.QueueMessage` (devserver/queues.py); `POST /admin/functions/<name>` runs a timer now. Function keys
are not enforced (as under `func start`): `code` and `x-functions-key` are accepted and ignored. See
docs/devserver.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import azure.functions as func

from devserver.catalog import (
    DEFAULT_APP,
    AnyFunction,
    Catalog,
    HttpFunction,
    QueueFunction,
    UnsupportedFunction,
    index,
    load_app,
)
from devserver.config import DEFAULT_PORT, ConfigError, HostJson, app_host_json, apply_local_settings
from devserver.queues import QueueHost
from devserver.timers import TimerHost

log = logging.getLogger("devserver")
http_log = logging.getLogger("devserver.http")

MAX_REQUEST_BYTES = 100 * 1024 * 1024  # the Functions host's own limit
NO_BODY_STATUSES = frozenset({204, 304})


# -- replies ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def json_reply(status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> Reply:
    data = json.dumps(body, separators=(",", ":")).encode()
    return Reply(status, (("Content-Type", "application/json"), *headers), data)


def error_reply(
    status: int, code: str, message: str, headers: Iterable[tuple[str, str]] = (), *, field: str | None = None
) -> Reply:
    details = [] if field is None else [{"field": field, "message": message}]
    return json_reply(status, {"error": {"code": code, "message": message, "details": details}}, headers)


def response_reply(response: func.HttpResponse) -> Reply:
    """The function's HttpResponse as the Python worker hands it to the host (Content-Type from mimetype/charset
    unless a header sets it; every header, repeated ones too)."""
    headers = [(str(k), str(v)) for k, v in response.headers.items()]
    if not any(k.lower() == "content-type" for k, _ in headers):
        mimetype = response.mimetype
        headers.append(
            ("Content-Type", f"{mimetype}; charset={response.charset}" if mimetype.startswith("text/") else mimetype)
        )
    return Reply(int(response.status_code), tuple(headers), response.get_body() or b"")


# -- dispatch ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    method: str
    target: str  # path and query as sent
    headers: tuple[tuple[str, str], ...]
    body: bytes
    origin: str  # scheme://host[:port] as the client addressed the host


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _flag(query: str, name: str) -> bool:
    return any(k == name and v.lower() in ("true", "1", "") for k, v in parse_qsl(query, keep_blank_values=True))


class Dispatcher:
    """Routes one request: the admin API, then the HTTP functions under the route prefix."""

    def __init__(self, catalog: Catalog, timers: TimerHost, queues: QueueHost, prefix: str, origin: str) -> None:
        self.catalog = catalog
        self.timers = timers
        self.queues = queues
        self.prefix = _segments(prefix)
        self.origin = origin
        enabled = [f for f in catalog.http if not f.disabled]
        self.routes = sorted(enabled, key=lambda f: f.route.precedence)

    def handle(self, request: Incoming) -> Reply:
        path, _, query = request.target.partition("?")
        segments = _segments(path)
        if segments[:1] and segments[0].lower() == "admin":
            return self._admin(request, [unquote(s) for s in segments[1:]], query)
        if [s.lower() for s in segments[: len(self.prefix)]] != [p.lower() for p in self.prefix]:
            return error_reply(404, "not_found", f"no function serves {path}")
        return self._function(request, "/".join(segments[len(self.prefix) :]), path, query)

    # HTTP functions

    def _function(self, request: Incoming, relative: str, path: str, query: str) -> Reply:
        matches = [(f, params) for f in self.routes if (params := f.route.match(relative)) is not None]
        if not matches:
            return error_reply(404, "not_found", f"no function serves {path}")
        allowed = [(f, params) for f, params in matches if f.allows(request.method)]
        if not allowed:
            methods = sorted({m for f, _ in matches for m in f.methods or ()})
            return error_reply(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {path}; allowed: {', '.join(methods)}",
                [("Allow", ", ".join(methods))],
            )
        function, route_params = allowed[0]
        query_params: dict[str, str] = {}  # a repeated name: its values joined by ",", as the host does
        for key, value in parse_qsl(query, keep_blank_values=True):
            query_params[key] = f"{query_params[key]},{value}" if key in query_params else value
        headers: dict[str, str] = {}
        for key, value in request.headers:
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        req = func.HttpRequest(
            request.method,
            request.origin + request.target,
            headers=headers,
            params=query_params,
            route_params=route_params,
            body=request.body,
        )
        try:
            response = function.invoke(req)
        except Exception:
            log.exception("%s raised", function.name)
            return error_reply(500, "internal_error", f"function {function.name} failed")
        if isinstance(response, str | bytes):
            return Reply(200, (("Content-Type", "text/plain; charset=utf-8"),), _bytes(response))
        if not isinstance(response, func.HttpResponse):
            log.error("%s returned %s, not an HttpResponse", function.name, type(response).__name__)
            return error_reply(500, "internal_error", f"function {function.name} failed")
        return response_reply(response)

    # admin API

    def _admin(self, request: Incoming, segments: list[str], query: str) -> Reply:
        method = request.method
        if segments == ["host", "status"]:
            return (
                json_reply(200, {"state": "Running", "host": "devserver"}) if method == "GET" else _not_allowed("GET")
            )
        if segments[:1] != ["functions"] or len(segments) > 2:
            return error_reply(404, "not_found", "no such admin endpoint")
        if len(segments) == 1:
            return json_reply(200, self.listing()) if method == "GET" else _not_allowed("GET")
        function = self.catalog.find(segments[1])
        if function is None:
            return error_reply(404, "not_found", f"no function named {segments[1]}")
        if method == "GET":
            return json_reply(200, self.describe(function))
        if method != "POST":
            return _not_allowed("GET, POST")
        return self._run(function, request.body, wait=_flag(query, "wait"))

    def _run(self, function: AnyFunction, body: bytes, *, wait: bool) -> Reply:
        if body.strip():
            try:
                invocation = json.loads(body)
            except (ValueError, RecursionError):  # RecursionError: nested too deeply
                invocation = None
            if not isinstance(invocation, dict):
                return error_reply(
                    400, "bad_request", 'the body must be a JSON object such as {"input": ""}', field="body"
                )
        runner = self.timers.runner(function.name)
        if runner is None:
            why = f"{function.name} is an HTTP function: call its route"
            if isinstance(function, UnsupportedFunction):
                why = f"devserver cannot run {function.name}: {function.reason}"
            elif isinstance(function, QueueFunction):
                why = f"{function.name} is a queue function: send a message to its queue"
            return error_reply(400, "bad_request", why, field="name")
        if not wait:
            self.timers.run_in_background(runner)
            return Reply(202)
        outcome = runner.run("admin")
        if outcome.error is None:
            return json_reply(200, {"function": runner.name, "status": "succeeded"})
        return json_reply(500, {"function": runner.name, "status": "failed", "error": type(outcome.error).__name__})

    def listing(self) -> list[dict[str, Any]]:
        return [self.describe(f) for f in self.catalog.everything]

    def describe(self, function: AnyFunction) -> dict[str, Any]:
        if isinstance(function, UnsupportedFunction):
            return {"name": function.name, "kind": "unsupported", "trigger": function.trigger, "error": function.reason}
        entry: dict[str, Any] = {"name": function.name, "disabled": function.disabled}
        if isinstance(function, HttpFunction):
            route = "/".join([*self.prefix, *_segments(function.route.template)])
            methods = sorted(function.methods) if function.methods else None
            return entry | {
                "kind": "http",
                "route": route,
                "methods": methods,
                "auth_level": function.auth_level,
                "invoke_url_template": f"{self.origin}/{route}",
            }
        if isinstance(function, QueueFunction):
            return entry | self.queues.describe(function)
        runner = self.timers.runner(function.name)
        return entry | {
            "kind": "timer",
            "schedule": function.schedule_text,
            "resolved_schedule": function.schedule.expression if function.schedule else None,
            "run_on_startup": function.run_on_startup,
            "use_monitor": function.use_monitor,
            "error": function.error,
            "last_run": runner.last_started.isoformat() if runner and runner.last_started else None,
            "next_run": runner.next_due.isoformat() if runner and runner.next_due else None,
        }


def _bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _not_allowed(allow: str) -> Reply:
    return error_reply(405, "method_not_allowed", f"allowed: {allow}", [("Allow", allow)])


# -- HTTP server ------------------------------------------------------------------------------------------------------


class _BodyError(Exception):
    def __init__(self, status: int, message: str, field: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}")  # an HTTP method token (RFC 9110), not too long
# http.server's own refusals, as (status, field): the reason phrases it passes to send_error, up to any "("
_REFUSALS = {
    "Bad request version": (400, "HTTP version"),
    "Invalid HTTP version": (400, "HTTP version"),  # http.server says 505; a request is bad input: a 4xx
    "Bad request syntax": (400, "request line"),
    "Bad HTTP/0.9 request type": (400, "HTTP version"),
    "Unsupported method": (400, "method"),  # a method that is not a token (any token is dispatched: 404/405)
    "Line too long": (431, "headers"),
    "Too many headers": (431, "headers"),
    "Request-URI Too Long": (414, "url"),
}


_HOST = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=%:\[\]-]{1,255}")  # RFC 3986 host[:port] characters


def _valid_host(host: str) -> bool:
    """A Host header that makes a URL: RFC 3986 characters, a well-formed IPv6 literal, a port 0..65535."""
    if not _HOST.fullmatch(host):
        return False
    try:
        urlsplit(f"http://{host}/").port  # noqa: B018 (parsing it is the check)
    except ValueError:
        return False
    return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck request never blocks shutdown
    block_on_close = False
    request_queue_size = 128
    dispatcher: Dispatcher


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "devserver"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stalls
    server: _Server

    def _serve(self) -> None:
        clock = time.monotonic()
        path = self.path.partition("?")[0]
        try:
            body = self._read_body()
        except _BodyError as exc:
            self.close_connection = True
            code = "payload_too_large" if exc.status == 413 else "bad_request"
            reply = error_reply(exc.status, code, str(exc), field=exc.field)
        else:
            headers = tuple((k, v) for k, v in self.headers.items())
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            if _valid_host(host):
                incoming = Incoming(self.command, self.path, headers, body, "http://" + host)
                reply = self.server.dispatcher.handle(incoming)
            else:  # as the Functions host's front end does; the app builds Location and nextLink from it
                self.close_connection = True
                reply = error_reply(400, "bad_request", "invalid Host header", field="Host")
        try:
            self._write(reply)
        except OSError:  # the client went away
            self.close_connection = True
        http_log.info("%s %s %d %.0f ms", self.command, path, reply.status, (time.monotonic() - clock) * 1000)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or ()}
        if len(lengths) > 1:  # which one frames the body? (request smuggling)
            raise _BodyError(400, "conflicting Content-Length headers", "Content-Length")
        length_text = lengths.pop() if lengths else "0"
        if not (length_text.isascii() and length_text.isdigit()):
            raise _BodyError(400, "bad Content-Length", "Content-Length")
        length = int(length_text)
        if length > MAX_REQUEST_BYTES:
            raise _BodyError(413, f"the request body is larger than {MAX_REQUEST_BYTES} bytes", "body")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise _BodyError(400, "bad chunked body", "body") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_REQUEST_BYTES:
                raise _BodyError(413, f"the request body is larger than {MAX_REQUEST_BYTES} bytes", "body")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _write(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for key, value in reply.headers:
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(key, value)
        has_body = reply.status >= 200 and reply.status not in NO_BODY_STATUSES
        if has_body:
            self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if has_body and self.command != "HEAD":
            self.wfile.write(reply.body)

    def __getattr__(self, name: str) -> Any:
        """`do_<METHOD>` for any method token, so that an unknown method reaches the dispatcher (405 with Allow on a
        path that some function serves, else 404) rather than http.server's HTML 501."""
        if name.startswith("do_") and _METHOD.fullmatch(name[3:]):
            return self._serve
        raise AttributeError(name)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # http.server would answer with a bare body, without a status line
            self.send_error(400, "Bad HTTP/0.9 request type")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, a line too long, too many headers, a version or a
        method it cannot serve) in the contract's JSON error shape instead of an HTML page, always as a 4xx, and
        without echoing the request line (its query string may hold a key)."""
        reason = (message or "").split("(", 1)[0].strip() or HTTPStatus(code).phrase
        status, field = _REFUSALS.get(reason, (code if 400 <= code < 500 else 400, "request"))
        if self.request_version in ("", "HTTP/0.9"):
            self.request_version = "HTTP/1.1"  # so that the answer has a status line and headers
        self.close_connection = True
        self.log_error("%d %s", status, reason)
        self._write(error_reply(status, "bad_request", reason, field=field))

    def log_message(self, format: str, *args: Any) -> None:
        """http.server's own messages (bad request lines and the like), without any query string."""
        text = format % args
        http_log.warning("%s", " ".join(w.split("?")[0] for w in text.split(" ")))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged by _serve (without the query string)."""


for _method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):  # http.server calls do_<METHOD>
    setattr(_Handler, f"do_{_method}", _Handler._serve)


# -- the host ---------------------------------------------------------------------------------------------------------


class DevHost:
    """The HTTP server, the timers and the queue listeners of one app; `start`, then `stop`."""

    def __init__(self, catalog: Catalog, *, port: int, host_json: HostJson, bind: str = "127.0.0.1") -> None:
        self.catalog = catalog
        self.timers = TimerHost(catalog.timers)
        self.queues = QueueHost(catalog.queues, host_json.queues)
        self.origin = f"http://{bind}:{port}"
        self.server = _Server((bind, port), _Handler)
        self.server.dispatcher = Dispatcher(catalog, self.timers, self.queues, host_json.route_prefix, self.origin)
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)

    def start(self) -> DevHost:
        self._thread.start()
        self.timers.start()
        self.queues.start()
        return self

    def stop(self) -> None:
        self.timers.stop()
        self.queues.stop()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=2)

    def banner(self) -> str:
        lines = [f"Functions ({self.origin}):"]
        for entry in self.server.dispatcher.listing():
            disabled = " (disabled)" if entry.get("disabled") else ""
            if entry["kind"] == "http":
                methods = ",".join(entry["methods"] or ["*"])
                lines.append(f"  {entry['name']}: [{methods}] {entry['invoke_url_template']}{disabled}")
            elif entry["kind"] == "timer":
                schedule = entry["resolved_schedule"] or f"{entry['schedule']} -- {entry['error']}"
                lines.append(f"  {entry['name']}: timerTrigger {schedule}{disabled}")
            elif entry["kind"] == "queue":
                queue = entry["queue_name"] or f"{entry['declared_queue_name']} -- {entry['error']}"
                lines.append(f"  {entry['name']}: queueTrigger {queue}{disabled}")
            else:
                lines.append(f"  {entry['name']}: {entry['trigger']} not served: {entry['error']}")
        lines.append(
            f"Admin API: POST {self.origin}/admin/functions/<name> (?wait=true), GET {self.origin}/admin/functions"
        )
        return "\n".join(lines)


# What every LogRecord has; anything else came with `extra=` (Application Insights: customDimensions).
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class StructuredFormatter(logging.Formatter):
    """One line per record; the fields a record carries from `extra=` follow as JSON, as Application Insights shows
    them in customDimensions: `... message | customDimensions {"cause": "unauthorized", ...}`."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS and not k.startswith("_")}
        if not extra:
            return line
        return f"{line} | customDimensions {json.dumps(extra, sort_keys=True, default=str)}"


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        StructuredFormatter("%(asctime)s.%(msecs)03d %(levelname).1s %(name)s: %(message)s", datefmt="%H:%M:%S")
    )
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    for noisy in ("azure", "httpx", "httpcore", "urllib3"):  # request lines with URLs and headers
        logging.getLogger(noisy).setLevel(logging.WARNING)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devserver", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"port (default: local.settings.json Host.LocalHttpPort, else {DEFAULT_PORT})",
    )
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--app", default=DEFAULT_APP, help=f"module:attribute of the FunctionApp (default {DEFAULT_APP})"
    )
    parser.add_argument("--no-local-settings", action="store_true", help="do not read local.settings.json")
    parser.add_argument("--host-json", default=None, help="host.json to read (default: the one beside the app)")
    parser.add_argument("--log-level", default="INFO", help="Python log level (default INFO)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.log_level)
    try:
        port = args.port
        if not args.no_local_settings:
            copied, local_port = apply_local_settings(Path("local.settings.json"))
            log.info("local.settings.json: %d settings copied (%s)", len(copied), ", ".join(copied) or "none")
            port = port or local_port
    except ConfigError as exc:
        log.error("%s", exc)
        return 1
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        catalog = index(load_app(args.app), os.environ)
    except Exception:
        log.exception("cannot load the function app %s", args.app)
        return 1
    try:
        module_file = getattr(sys.modules.get(args.app.partition(":")[0]), "__file__", None)
        host_json = HostJson.read(Path(args.host_json) if args.host_json else app_host_json(module_file))
    except ConfigError as exc:
        log.error("%s", exc)
        return 1
    try:
        host = DevHost(catalog, port=port or DEFAULT_PORT, host_json=host_json, bind=args.bind)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", args.bind, port or DEFAULT_PORT, exc)
        return 1
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            log.info("%s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    host.start()
    log.info("%s", host.banner())
    while not stop.wait(0.5):
        pass
    host.stop()
    log.info("stopped")
    return 0
