"""The HTTP side: a threading server on 127.0.0.1 whose request handler hands every request to `Simulator.handle`."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intercom_sim.simulator import Simulator


def serve(sim: Simulator, port: int) -> ThreadingHTTPServer:
    """Start serving `sim` on 127.0.0.1:`port` (0: any free port) in a daemon thread; stop with `shutdown()`."""

    class Handler(_Handler):
        simulator = sim

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="intercom-sim", daemon=True)
    thread.start()
    return server


class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.path.startswith("/_sim") and self.client_address[0] != "127.0.0.1":
            self.send_error(403)
            return
        resp = self.simulator.handle(self.command, self.path, headers, body)
        cfg = self.simulator.config
        if resp.fault == "timeout":
            time.sleep(cfg.timeout_seconds)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        if resp.fault == "slow":
            time.sleep(cfg.slow_seconds)
        data = b"" if resp.body is None else json.dumps(resp.body).encode()
        self.send_response(resp.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()
