"""A raw HTTP/1.1 client for tests that send what no HTTP library would: invalid UTF-8, odd methods, malformed
request lines, conflicting headers. One request per connection; a missing answer is an AssertionError (a hang)."""

from __future__ import annotations

import contextlib
import re
import socket
from dataclasses import dataclass, field

ANSWER_TIMEOUT = 20.0  # the actions' own deadline is 8 s: anything slower is a hang


@dataclass(frozen=True)
class Req:
    method: bytes
    target: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes | None = None

    def __repr__(self) -> str:
        body = None if self.body is None else self.body[:200] + (b"..." if len(self.body) > 200 else b"")
        target = self.target[:300] + (b"..." if len(self.target) > 300 else b"")
        headers = [(k, v[:100]) for k, v in self.headers]
        return f"Req({self.method!r} {target!r} headers={headers!r} body={body!r} ({len(self.body or b'')} bytes))"


@dataclass(frozen=True)
class Resp:
    status: int
    headers: dict[str, str]
    body: bytes
    raw: bytes = field(repr=False)


def send_raw(port: int, data: bytes) -> bytes:
    """Send `data` on a fresh connection and read one answer (until its Content-Length, or until the server closes
    the connection); AssertionError when none comes in time (a hang)."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT) as sock:
        with contextlib.suppress(OSError):  # the server answered early and closed (e.g. a line too long)
            sock.sendall(data)
        received = b""
        try:
            while not _complete(received) and (chunk := sock.recv(65536)):
                received += chunk
        except TimeoutError:
            raise AssertionError(f"no answer within {ANSWER_TIMEOUT} s (hang) to {data[:300]!r}") from None
        except ConnectionResetError:
            pass
    return received


def _complete(received: bytes) -> bool:
    head, sep, body = received.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    return bool(sep) and length is not None and len(body) >= int(length[1])


def send(port: int, req: Req) -> Resp:
    names = {k.lower() for k, _ in req.headers}
    lines = [req.method + b" " + req.target + b" HTTP/1.1"]
    if b"host" not in names:
        lines.append(b"Host: 127.0.0.1:%d" % port)
    lines.append(b"Connection: close")
    lines += [k + b": " + v for k, v in req.headers]
    if req.body is not None and not names & {b"content-length", b"transfer-encoding"}:
        lines.append(b"Content-Length: %d" % len(req.body))
    raw = send_raw(port, b"\r\n".join(lines) + b"\r\n\r\n" + (req.body or b""))
    return parse_response(raw, req)


def parse_response(raw: bytes, req: Req | None = None) -> Resp:
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, f"no complete answer to {req!r}: {raw[:300]!r}"
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    match = re.fullmatch(r"HTTP/1\.[01] (\d{3})(?: .*)?", status_line)
    assert match, f"bad status line {status_line!r} for {req!r}"
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return Resp(int(match[1]), headers, body, raw)
