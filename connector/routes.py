"""The function app's functions as the connector sees them: HTTP routes (name, route, methods, auth level), and the
names of the functions that have no HTTP trigger. Read by devserver/catalog.py, the one reader of the app's binding
metadata: the connector describes what the local host serves."""

from __future__ import annotations

import re
from dataclasses import dataclass

from devserver.catalog import FunctionSource, HttpFunction, index
from devserver.routes import RouteError, RouteTemplate

__all__ = ["AppFunctions", "FunctionSource", "HttpRoute", "RouteError", "load", "normalize", "read"]

_PARAMETER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class HttpRoute:
    function: str
    route: str  # without the `api/` prefix: `users/{user_id}`
    methods: tuple[str, ...]  # upper case, sorted
    auth_level: str  # `function`, `anonymous`, `admin`

    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.route)


@dataclass(frozen=True)
class AppFunctions:
    http: tuple[HttpRoute, ...]
    other: tuple[str, ...]  # functions without an HTTP trigger (timers, queues)

    def find(self, function: str) -> HttpRoute | None:
        return next((route for route in self.http if route.function == function), None)


def normalize(route: str) -> str:
    """`/users/{user_id}/` -> `users/{user_id}`; a form the host does not serve (a constraint, an optional or
    catch-all parameter) is a RouteError."""
    return RouteTemplate.parse(route).template


def read(app: FunctionSource) -> AppFunctions:
    """The app's functions (reading leaves the app as it was). An HTTP function the host cannot serve, or one that
    does not declare its methods, is a RouteError: the connector describes each method of each route."""
    catalog = index(app, {})
    refused = next((f for f in catalog.unsupported if f.trigger == "httpTrigger"), None)
    if refused is not None:
        raise RouteError(f"HTTP function {refused.name}: {refused.reason}")
    http: list[HttpRoute] = []
    for function in catalog.http:
        if function.methods is None:
            raise RouteError(f"HTTP function {function.name}: declare its methods (the connector describes each one)")
        methods = tuple(sorted(function.methods))
        http.append(HttpRoute(function.name, function.route.template, methods, function.auth_level))
    other = tuple(f.name for f in catalog.everything if not isinstance(f, HttpFunction))
    return AppFunctions(tuple(http), other)


def load() -> AppFunctions:
    """The routes of `function_app.app`, the app the Functions host serves."""
    from function_app import app

    return read(app)
