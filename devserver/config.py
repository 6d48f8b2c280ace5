"""What the host reads besides the app: local.settings.json `Values` (as `func start` does) and host.json."""

from __future__ import annotations

import json
import os
from collections.abc import MutableMapping
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
    if not host_json.is_file():
        return DEFAULT_ROUTE_PREFIX
    prefix = ((_read_json(host_json).get("extensions") or {}).get("http") or {}).get("routePrefix")
    return DEFAULT_ROUTE_PREFIX if prefix is None else str(prefix).strip("/")
