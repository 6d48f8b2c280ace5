"""Injected faults: which one a request draws, and the error answer of the server-error kinds."""

from __future__ import annotations

import random

from intercom_sim.config import Config
from intercom_sim.errors import Response, error_response

SERVER_ERRORS = {
    "500": ("server_error", "Internal server error"),
    "502": ("bad_gateway", "Bad gateway"),
    "503": ("service_unavailable", "Service unavailable"),
}


def draw_fault(config: Config, rng: random.Random, method: str) -> str | None:
    """One of `config.fault_kinds` with probability `config.fault_rate` (for `config.fault_methods`), else None."""
    if config.fault_rate <= 0 or not config.fault_kinds:
        return None
    if config.fault_methods is not None and method not in config.fault_methods:
        return None
    if rng.random() >= config.fault_rate:
        return None
    return rng.choice(config.fault_kinds)


def server_error(fault: str | None, headers: dict[str, str]) -> Response | None:
    """The 500/502/503 answer for those faults; None for any other."""
    if fault is None or fault not in SERVER_ERRORS:
        return None
    code, message = SERVER_ERRORS[fault]
    return error_response(int(fault), code, message, headers)
