"""Start Azurite's table service from the repo's node_modules (installed by scripts/setup)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import TracebackType

from devserver.ports import free_port, wait_for_port
from shared.storage import azurite_connection_string

REPO = Path(__file__).resolve().parent.parent
AZURITE_TABLE = REPO / "node_modules" / ".bin" / "azurite-table"


class Azurite:
    """A private Azurite table service on a free loopback port, in memory; stops with its context."""

    def __init__(self, port: int | None = None, *, quiet: bool = True) -> None:
        if not AZURITE_TABLE.exists():
            raise RuntimeError(f"{AZURITE_TABLE} is missing: run `bash scripts/setup` (npm install) first")
        self.port = port or free_port()
        self._quiet = quiet
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def connection_string(self) -> str:
        return azurite_connection_string(self.port)

    def start(self) -> Azurite:
        out = subprocess.DEVNULL if self._quiet else None
        self._process = subprocess.Popen(
            [
                str(AZURITE_TABLE),
                "--tableHost",
                "127.0.0.1",
                "--tablePort",
                str(self.port),
                "--inMemoryPersistence",
                "--skipApiVersionCheck",
                "--disableTelemetry",
                "--loose",
                "--silent",
            ],
            stdout=out,
            stderr=out,
        )
        try:
            wait_for_port(self.port, timeout=60)
        except TimeoutError:
            self.stop()
            raise
        if self._process.poll() is not None:
            raise RuntimeError(f"Azurite exited with code {self._process.returncode}")
        return self

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
