"""What the host reads besides the app: local.settings.json `Values` (as `func start` does) and host.json (the
route prefix and `extensions.queues`)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_ROUTE_PREFIX = "api"
DEFAULT_PORT = 7071


class ConfigError(ValueError):
    """local.settings.json or host.json cannot be used."""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a JSON object")
    return data


def _extension(host_json: Path, name: str) -> dict[str, Any]:
    """host.json's `extensions.<name>` section (empty when the file or the section is missing)."""
    if not host_json.is_file():
        return {}
    extensions = _read_json(host_json).get("extensions", {})
    section = extensions.get(name, {}) if isinstance(extensions, dict) else None
    if not isinstance(section, dict):
        raise ConfigError(f"{host_json}: extensions.{name} is not an object")
    return section


def apply_local_settings(path: Path, environ: MutableMapping[str, str] | None = None) -> tuple[list[str], int | None]:
    """Copy `Values` into the environment without overriding what is already set; returns the names copied and
    `Host.LocalHttpPort`. A missing file is no error (nothing copied)."""
    env = os.environ if environ is None else environ
    if not path.is_file():
        return [], None
    data = _read_json(path)
    if data.get("IsEncrypted"):
        raise ConfigError(f"{path}: encrypted settings are not supported (run `func settings decrypt`)")
    values = data.get("Values") or {}
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: Values is not an object")
    copied = []
    for name, value in values.items():
        if value is None or name in env:
            continue
        env[name] = value if isinstance(value, str) else json.dumps(value)
        copied.append(name)
    port = (data.get("Host") or {}).get("LocalHttpPort")
    return copied, int(port) if port else None


def route_prefix(host_json: Path) -> str:
    """`extensions.http.routePrefix` of host.json (default `api`; an empty string means no prefix)."""
    prefix = _extension(host_json, "http").get("routePrefix")
    return DEFAULT_ROUTE_PREFIX if prefix is None else str(prefix).strip("/")


@dataclass(frozen=True)
class QueueOptions:
    """host.json `extensions.queues`, with the host's defaults (Storage extension 5.x)."""

    max_polling_interval: float = 60.0  # seconds
    visibility_timeout: float = 0.0  # seconds a failed message stays invisible before its retry
    batch_size: int = 16
    max_dequeue_count: int = 5
    new_batch_threshold: int | None = None  # None: batch_size // 2 (the host's N * batchSize / 2 with N = 1)
    message_encoding: str = "base64"

    @property
    def threshold(self) -> int:
        return self.batch_size // 2 if self.new_batch_threshold is None else self.new_batch_threshold


_TIMESPAN = re.compile(r"(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:\.\d+)?)")


def timespan_seconds(text: str, name: str) -> float:
    """A .NET TimeSpan as host.json writes it: `[d.]hh:mm:ss[.fffffff]`."""
    match = _TIMESPAN.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ConfigError(f"host.json extensions.queues.{name}: {text!r} is not a TimeSpan such as 00:00:30")
    days = int(match["days"] or 0)
    return ((days * 24 + int(match["h"])) * 60 + int(match["m"])) * 60 + float(match["s"])


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"host.json extensions.queues.{name}: must be a whole number from {low} to {high}")
    return value


def queue_options(host_json: Path) -> QueueOptions:
    """`extensions.queues` of host.json; a missing file or section gives the host's defaults."""
    section = _extension(host_json, "queues")
    options = QueueOptions()
    encoding = str(section.get("messageEncoding", options.message_encoding)).lower()
    if encoding not in ("base64", "none"):
        raise ConfigError("host.json extensions.queues.messageEncoding: must be base64 or none")
    polling = section.get("maxPollingInterval")
    visibility = section.get("visibilityTimeout")
    threshold = section.get("newBatchThreshold")
    if polling is not None and timespan_seconds(polling, "maxPollingInterval") < 0.1:
        raise ConfigError("host.json extensions.queues.maxPollingInterval: must be at least 00:00:00.100")
    return QueueOptions(
        max_polling_interval=(
            options.max_polling_interval if polling is None else timespan_seconds(polling, "maxPollingInterval")
        ),
        visibility_timeout=(
            options.visibility_timeout if visibility is None else timespan_seconds(visibility, "visibilityTimeout")
        ),
        batch_size=_whole(section.get("batchSize", options.batch_size), "batchSize", 1, 32),
        max_dequeue_count=_whole(section.get("maxDequeueCount", options.max_dequeue_count), "maxDequeueCount", 1, 1000),
        new_batch_threshold=None if threshold is None else _whole(threshold, "newBatchThreshold", 0, 1000),
        message_encoding=encoding,
    )


@dataclass(frozen=True)
class HostJson:
    """What the devserver applies of host.json."""

    route_prefix: str = DEFAULT_ROUTE_PREFIX
    queues: QueueOptions = QueueOptions()

    @classmethod
    def read(cls, path: Path) -> HostJson:
        return cls(route_prefix(path), queue_options(path))


def app_host_json(module_file: str | None) -> Path:
    """The host reads host.json in the app's root: beside the module that defines the FunctionApp."""
    return Path(module_file).resolve().parent / "host.json" if module_file else Path("host.json")
