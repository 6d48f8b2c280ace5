"""The simulator's settings: what `Simulator.configure` and `POST /_sim/config` change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

FAULT_KINDS = ("500", "502", "503", "429", "timeout")


@dataclass
class Config:
    timezone: str = "UTC"
    index_delay: tuple[float, float] = (0.0, 0.0)
    rate_limit_per_10s: int | None = None
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_methods: set[str] | None = None
    timeout_seconds: float = 2.0
    slow_seconds: float = 0.5
    clock_offset: float = 0.0
    seed: int = 0


def update_config(config: Config, changes: dict[str, Any]) -> None:
    """Set the given settings in order, normalised; an unknown name is a ValueError."""
    for name, value in changes.items():
        if not hasattr(config, name):
            raise ValueError(f"unknown simulator setting {name!r}")
        setattr(config, name, _normalised(name, value))


def _normalised(name: str, value: Any) -> Any:
    if name == "timezone":
        ZoneInfo(value)
    if name == "index_delay":
        value = (float(value[0]), float(value[1]))
    if name == "fault_kinds":
        value = tuple(str(k) for k in value)
    if name == "fault_methods" and value is not None:
        value = {str(m).upper() for m in value}
    return value
