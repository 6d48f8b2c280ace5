"""`python -m devserver` as a subprocess, for tests: given app settings only, on a free port, its log in a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from devserver.ports import free_port

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0

# App settings never inherited from the caller's environment: the server sees exactly the `env` it is given.
APP_SETTING_PREFIXES = ("INTERCOM_", "THROTTLE_", "POLL_", "WEBHOOK_", "AZUREWEBJOBS")
APP_SETTINGS = ("TRIGGER_START", "EVENT_RETENTION_DAYS", "MAX_BODY_BYTES", "CURSOR_SECRET")


def is_app_setting(name: str) -> bool:
    upper = name.upper()
    return upper.startswith(APP_SETTING_PREFIXES) or upper in APP_SETTINGS


class DevServerProcess:
    """The local Functions host in a subprocess: `start()` returns once it answers; `stop()` ends it."""

    def __init__(
        self,
        env: Mapping[str, str],
        port: int | None = None,
        *,
        app: str | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.env = dict(env)
        self.port = port or free_port()
        self.app = app
        self.args = list(args)
        self._process: subprocess.Popen[bytes] | None = None
        fd, name = tempfile.mkstemp(prefix="devserver-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)
        weakref.finalize(self, self.log_path.unlink, missing_ok=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process else None

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "devserver", "--port", str(self.port), "--no-local-settings"]
        if self.app:
            command += ["--app", self.app]
        return command + self.args

    def start(self, timeout: float = START_TIMEOUT) -> DevServerProcess:
        environ = {k: v for k, v in os.environ.items() if not is_app_setting(k)} | self.env
        environ["PYTHONUNBUFFERED"] = "1"
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self.command(), cwd=REPO, env=environ, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.returncode is not None:
                raise RuntimeError(f"devserver exited with code {self.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/admin/functions", timeout=1, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"devserver did not answer within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int | None:
        """Send `sig`, wait up to `timeout`, then kill; returns the exit code (None if it never started)."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def log_text(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def wait_for_log(self, text: str, timeout: float = 10.0) -> str:
        """Block until `text` appears in the log; returns the log. TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while text not in (log := self.log_text()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} not logged within {timeout} s:\n{self.log_tail()}")
            time.sleep(0.05)
        return log

    def run_function(self, name: str, wait: bool = True, timeout: float = 60.0) -> tuple[int, Any]:
        """POST /admin/functions/<name> with {"input": ""}; returns (status, JSON body or None)."""
        response = httpx.post(
            f"{self.base_url}/admin/functions/{name}",
            params={"wait": "true"} if wait else None,
            json={"input": ""},
            timeout=timeout,
            trust_env=False,  # loopback only, never through a proxy
        )
        return response.status_code, response.json() if response.content else None

    def __enter__(self) -> DevServerProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
