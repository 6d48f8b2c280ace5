"""Start Azurite's table and queue services from the repo's node_modules (installed by scripts/setup)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import TracebackType

from devserver.ports import free_port, wait_for_port
from shared.storage import azurite_connection_string

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "node_modules" / ".bin"
COMMON_OPTIONS = ("--skipApiVersionCheck", "--disableTelemetry", "--loose", "--silent")


def service_command(service: str, port: int) -> list[str]:
    """Azurite's `service` (`table` or `queue`) on 127.0.0.1:port, in memory."""
    address = [f"--{service}Host", "127.0.0.1", f"--{service}Port", str(port)]
    return [str(BIN / f"azurite-{service}"), *address, "--inMemoryPersistence", *COMMON_OPTIONS]


class Azurite:
    """Private Azurite table and queue services on free loopback ports, in memory (no blob service); they stop
    with the context. `port` is the table service's, `queue_port` the queue service's."""

    def __init__(self, port: int | None = None, *, queue_port: int | None = None, quiet: bool = True) -> None:
        for service in ("table", "queue"):
            if not (BIN / f"azurite-{service}").exists():
                raise RuntimeError(f"{BIN}/azurite-{service} is missing: run `bash scripts/setup` (npm install) first")
        self.port = port or free_port()
        self.queue_port = queue_port or free_port()
        self._quiet = quiet
        self._processes: list[subprocess.Popen[bytes]] = []

    @property
    def connection_string(self) -> str:
        return azurite_connection_string(self.port, queue_port=self.queue_port)

    def start(self) -> Azurite:
        out = subprocess.DEVNULL if self._quiet else None
        services = {"table": self.port, "queue": self.queue_port}
        for service, port in services.items():  # both start at once, then both are awaited
            self._processes.append(subprocess.Popen(service_command(service, port), stdout=out, stderr=out))
        try:
            for (service, port), process in zip(services.items(), self._processes, strict=True):
                wait_for_port(port, timeout=60)
                if process.poll() is not None:
                    raise RuntimeError(f"Azurite's {service} service exited with code {process.returncode}")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in self._processes:
            if process.poll() is None:
                process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
