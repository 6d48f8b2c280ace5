"""Helpers of the webhook and trigger-API tests: a real HTTP receiver on 127.0.0.1, settings on Azurite, and events
appended to a trigger's log the way the pollers append them."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from shared.settings import Settings, load_settings
from shared.triggers.eventlog import EventLog, NewEvent

TOKEN = "tok-webhooks-0123456789"
START = 1_700_000_000


def make_settings(storage_conn: str, connection: str, **extra: str) -> Settings:
    """Settings with the connection `connection` (and `default`) on Azurite; loopback callbacks allowed."""
    env = {
        "INTERCOM_ACCESS_TOKEN": TOKEN,
        "INTERCOM_CONNECTIONS": connection,
        f"INTERCOM_ACCESS_TOKEN__{connection}": TOKEN,
        "AzureWebJobsStorage": storage_conn,
        "WEBHOOK_ALLOW_LOOPBACK": "true",
        "CURSOR_SECRET": "webhook-tests-cursor-secret",
    }
    return load_settings(env | extra)


def body_of(n: int) -> dict[str, Any]:
    return {"type": "lead", "id": f"lead{n}", "email": f"lead{n}@example.com", "n": n}


def append_events(storage_conn: str, connection: str, trigger: str, numbers: Sequence[int]) -> EventLog:
    """Append one event per number (key `lead<n>`), as one poll commits them; starts the log if needed."""
    log = EventLog(storage_conn, connection, trigger)
    checkpoint = log.checkpoint() or log.begin(START)
    events = [NewEvent(key=f"lead{n}", object_id=f"lead{n}", occurred_at=START + n, body=body_of(n)) for n in numbers]
    log.commit(checkpoint, events, watermark=START + max(numbers, default=0))
    return log


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    status: int


@dataclass
class Receiver:
    """A webhook subscriber: records every request and answers from `plan` (statuses in order), then `default`.

    A planned status of 0 hangs for `hang` seconds before answering 200 (a timeout for the deliverer).
    """

    default: int = 200
    plan: list[int] = field(default_factory=list)
    hang: float = 3.0
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def accepted_ns(self) -> list[int]:
        return [int(r.body["n"]) for r in self.accepted()]

    def answer(self) -> int:
        with self.lock:
            return self.plan.pop(0) if self.plan else self.default


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            status = receiver.answer()
            if receiver.delay:
                time.sleep(receiver.delay)
            if status == 0:
                time.sleep(receiver.hang)
                status = 200
                recorded = 599  # the deliverer gave up before this answer: not a delivery
            else:
                recorded = status
            with receiver.lock:
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw), recorded)
                )
            try:
                self.send_response(status)
                if status == 503:
                    self.send_header("Retry-After", "30")
                if status in (301, 302, 307):
                    self.send_header("Location", receiver.url("/elsewhere"))
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def run_receiver(receiver: Receiver, tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    server = _Server(("127.0.0.1", 0), _handler(receiver))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
