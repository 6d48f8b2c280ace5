"""Settings and connections (interface §1): read once, validated, with errors that name the bad setting."""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import SecretStr

from shared.errors import BadRequest, NotConfigured

DEFAULT_CONNECTION = "default"
CONNECTION_HEADER = "X-Intercom-Connection"
DEFAULT_BASE_URL = "https://api.intercom.io"
DEFAULT_API_VERSION = "2.16"
DEFAULT_POLL_SCHEDULE = "0 */2 * * * *"
MAX_THROTTLE_CALLS = 1500  # shared/intercom/throttle.py keeps a window's grants in one entity property (64 KiB)
_CONNECTION_NAME = re.compile(r"^[A-Za-z0-9]{1,40}$")
_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_API_VERSIONS = {f"1.{i}" for i in range(5)} | {f"2.{i}" for i in range(17)}


class SettingsError(NotConfigured):
    """A setting is missing or malformed; the message names it (never its value when it is a secret)."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"setting {setting}: {problem}", details=[{"field": setting, "message": problem}])
        self.setting = setting


@dataclass(frozen=True)
class Connection:
    """One Intercom workspace the connector talks to."""

    name: str
    access_token: SecretStr = field(repr=False)
    base_url: str
    api_version: str
    # The Intercom app's client secret, which signs its webhook notifications; None: this connection takes none.
    client_secret: SecretStr | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Settings:
    connections: Mapping[str, Connection]
    storage_connection_string: SecretStr = field(repr=False)
    throttle_calls: int = 100
    throttle_period_seconds: float = 60.0
    poll_schedule: str = DEFAULT_POLL_SCHEDULE
    trigger_start: timedelta = timedelta(0)
    poll_lookback_seconds: int = 600
    event_retention_days: float = 7.0
    webhook_allow_loopback: bool = False
    max_body_bytes: int = 65536
    cursor_secret: SecretStr = field(default=SecretStr(""), repr=False)

    @property
    def cursor_key(self) -> bytes:
        """The key of shared.cursors: CURSOR_SECRET, else derived from the storage connection string."""
        secret = self.cursor_secret.get_secret_value() or self.storage_connection_string.get_secret_value()
        return hashlib.sha256(b"intercom-connector-cursor:" + secret.encode()).digest()

    def connection(self, name: str | None) -> Connection:
        """The connection a caller asked for with X-Intercom-Connection (absent: default); unknown -> 400."""
        wanted = (name or DEFAULT_CONNECTION).strip()
        for key, conn in self.connections.items():
            if key.lower() == wanted.lower():
                return conn
        raise BadRequest.field(CONNECTION_HEADER, f"unknown connection {wanted!r}")


def parse_duration(text: str) -> timedelta:
    """An ISO-8601 duration such as P1D, PT6H or P1DT12H; raises ValueError otherwise."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    parts = {k: float(v) for k, v in match.groupdict().items() if v is not None}
    return timedelta(**parts)


def _parse_trigger_start(value: str) -> timedelta:
    if value.strip().lower() in ("", "now"):
        return timedelta(0)
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise SettingsError("TRIGGER_START", "must be 'now' or an ISO-8601 duration such as P1D") from exc


def _number(
    env: Mapping[str, str], name: str, default: float, *, minimum: float, integer: bool, maximum: float = 1e9
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    kind = "a whole number" if integer else "a number"
    try:
        value = int(raw) if integer else float(raw)
    except ValueError as exc:
        raise SettingsError(name, f"must be {kind}") from exc
    if not math.isfinite(value):  # nan and inf pass a `< minimum` check
        raise SettingsError(name, f"must be {kind}")
    if value < minimum:
        raise SettingsError(name, f"must be at least {minimum:g}")
    if value > maximum:
        raise SettingsError(name, f"must be at most {maximum:g}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise SettingsError(name, "must be true or false")


def _base_url(env: Mapping[str, str], name: str) -> str:
    url = env.get(name, "").strip() or DEFAULT_BASE_URL
    if not re.match(r"^https?://[^\s/]+(/[^\s]*)?$", url):
        raise SettingsError(name, "must be an http(s) URL such as https://api.intercom.io")
    return url.rstrip("/")


def _connection(env: Mapping[str, str], name: str, api_version: str) -> Connection:
    suffix = "" if name == DEFAULT_CONNECTION else f"__{name}"
    token_name = f"INTERCOM_ACCESS_TOKEN{suffix}"
    token = _secret(env, token_name)
    if not token:
        raise SettingsError(token_name, "is required")
    client_secret = _secret(env, f"INTERCOM_CLIENT_SECRET{suffix}")
    return Connection(
        name=name,
        access_token=SecretStr(token),
        base_url=_base_url(env, f"INTERCOM_BASE_URL{suffix}"),
        api_version=api_version,
        client_secret=SecretStr(client_secret) if client_secret else None,
    )


def _secret(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if value.startswith("@Microsoft.KeyVault("):
        # App Service leaves the reference text in place when it cannot resolve it.
        raise SettingsError(name, "is an unresolved Key Vault reference (check the secret and the app's access)")
    return value


def _connection_names(env: Mapping[str, str]) -> list[str]:
    names = [DEFAULT_CONNECTION] if env.get("INTERCOM_ACCESS_TOKEN", "").strip() else []
    for raw in env.get("INTERCOM_CONNECTIONS", "").split(","):
        name = raw.strip()
        if not name:
            continue
        if not _CONNECTION_NAME.match(name):
            raise SettingsError("INTERCOM_CONNECTIONS", f"connection names are 1-40 letters or digits: {name!r}")
        if name.lower() in (n.lower() for n in names):
            raise SettingsError("INTERCOM_CONNECTIONS", f"connection {name!r} is named twice")
        names.append(name)
    if not names:
        raise SettingsError("INTERCOM_ACCESS_TOKEN", "is required (or name connections in INTERCOM_CONNECTIONS)")
    return names


def storage_setting(env: Mapping[str, str]) -> str:
    """AzureWebJobsStorage, defaulting to Azurite as the Functions host does locally."""
    return env.get("AzureWebJobsStorage", "").strip() or "UseDevelopmentStorage=true"


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validate every setting; raises SettingsError naming the first bad one."""
    api_version = env.get("INTERCOM_API_VERSION", "").strip() or DEFAULT_API_VERSION
    if api_version not in _API_VERSIONS:
        raise SettingsError("INTERCOM_API_VERSION", "must be an Intercom API version such as 2.16")
    connections = {name: _connection(env, name, api_version) for name in _connection_names(env)}
    storage = storage_setting(env)
    schedule = env.get("POLL_SCHEDULE", "").strip() or DEFAULT_POLL_SCHEDULE
    if len(schedule.split()) != 6:
        raise SettingsError("POLL_SCHEDULE", "must be an NCRONTAB expression with six fields")
    return Settings(
        connections=connections,
        storage_connection_string=SecretStr(storage),
        throttle_calls=int(_number(env, "THROTTLE_CALLS", 100, minimum=1, maximum=MAX_THROTTLE_CALLS, integer=True)),
        throttle_period_seconds=_number(env, "THROTTLE_PERIOD_SECONDS", 60.0, minimum=1, integer=False),
        poll_schedule=schedule,
        trigger_start=_parse_trigger_start(env.get("TRIGGER_START", "now")),
        poll_lookback_seconds=int(_number(env, "POLL_LOOKBACK_SECONDS", 600, minimum=0, integer=True)),
        event_retention_days=_number(env, "EVENT_RETENTION_DAYS", 7.0, minimum=0.01, maximum=36500, integer=False),
        webhook_allow_loopback=_flag(env, "WEBHOOK_ALLOW_LOOPBACK"),
        max_body_bytes=int(_number(env, "MAX_BODY_BYTES", 65536, minimum=1024, integer=True)),
        cursor_secret=SecretStr(env.get("CURSOR_SECRET", "").strip()),
    )


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment (app settings in Azure)."""
    return load_settings(os.environ)


def reset_settings_cache() -> None:
    """For tests and the devserver: forget the settings read so far."""
    get_settings.cache_clear()
