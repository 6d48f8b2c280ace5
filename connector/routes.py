"""The function app's functions as the connector sees them: HTTP routes (name, route, methods, auth level), and the
names of the functions that have no HTTP trigger. Read from the app's own binding metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from azure.functions.decorators.http import HttpTrigger

_PARAMETER = re.compile(r"\{([^{}]+)\}")


class RouteError(ValueError):
    """A route the connector cannot describe (optional or catch-all parameters, no methods)."""


class FunctionSource(Protocol):
    functions_bindings: Any

    def get_functions(self) -> Any: ...


@dataclass(frozen=True)
class HttpRoute:
    function: str
    route: str  # without the `api/` prefix and without parameter constraints: `users/{user_id}`
    methods: tuple[str, ...]  # upper case, sorted
    auth_level: str  # `function`, `anonymous`, `admin`

    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.route)


@dataclass(frozen=True)
class AppFunctions:
    http: tuple[HttpRoute, ...]
    other: tuple[str, ...]  # functions without an HTTP trigger (timers)

    def find(self, function: str) -> HttpRoute | None:
        return next((route for route in self.http if route.function == function), None)


def normalize(route: str) -> str:
    """`leads/{contact_id:alpha}` -> `leads/{contact_id}`; optional and catch-all parameters are refused."""

    def strip(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.endswith("?") or name.startswith("*"):
            raise RouteError(f"route {route!r}: optional or catch-all parameter {{{name}}}")
        return "{" + name.split(":", 1)[0] + "}"

    return _PARAMETER.sub(strip, route.strip("/"))


def read(app: FunctionSource) -> AppFunctions:
    """The app's functions. `get_functions()` remembers the names it has seen and refuses to list a name twice,
    so the app's record of names is set aside for the call and put back: reading is free of side effects."""
    saved = app.functions_bindings
    app.functions_bindings = None
    try:
        functions = list(app.get_functions())
    finally:
        app.functions_bindings = saved
    http: list[HttpRoute] = []
    other: list[str] = []
    for function in functions:
        name = str(function.get_function_name() or function.get_user_function().__name__)
        trigger = function.get_trigger()
        if not isinstance(trigger, HttpTrigger):
            other.append(name)
            continue
        if not trigger.methods:
            raise RouteError(f"HTTP function {name}: declare its methods (the connector describes each one)")
        methods = tuple(sorted(str(getattr(m, "value", m)).upper() for m in trigger.methods))
        level = getattr(trigger.auth_level, "value", trigger.auth_level)
        http.append(HttpRoute(name, normalize(trigger.route or name), methods, str(level).lower()))
    return AppFunctions(tuple(http), tuple(other))


def load() -> AppFunctions:
    """The routes of `function_app.app`, the app the Functions host serves."""
    from function_app import app

    return read(app)
