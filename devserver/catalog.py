"""The function app's functions, read from their own binding metadata (azure.functions' `app.get_functions()`).

HTTP triggers keep their route, methods and auth level; timer triggers their NCRONTAB schedule (with `%SETTING%`
resolved from the environment), `run_on_startup` and `use_monitor`. A function whose trigger or other bindings the
devserver cannot supply is listed as unsupported, with the reason, and never invoked.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import azure.functions as func
from azure.functions.decorators.http import HttpTrigger
from azure.functions.decorators.timer import TimerTrigger

from devserver.ncrontab import Schedule, ScheduleError, resolve_settings
from devserver.routes import RouteError, RouteTemplate

DEFAULT_APP = "function_app:app"


class FunctionSource(Protocol):
    def get_functions(self) -> list[func.Function]: ...


@dataclass(frozen=True)
class Invocable:
    """A user function and the name of the parameter its trigger binds."""

    name: str
    user_function: Callable[..., Any]
    arg_name: str
    disabled: bool

    def invoke(self, value: Any) -> Any:
        """Call the function with its trigger value; an async function runs to completion on a fresh event loop."""
        result = self.user_function(**{self.arg_name: value})
        if inspect.isawaitable(result):
            return asyncio.run(_awaited(result))
        return result


async def _awaited(result: Awaitable[Any]) -> Any:
    return await result


@dataclass(frozen=True)
class HttpFunction(Invocable):
    route: RouteTemplate
    methods: frozenset[str] | None  # None: every method
    auth_level: str

    def allows(self, method: str) -> bool:
        return self.methods is None or method.upper() in self.methods


@dataclass(frozen=True)
class TimerFunction(Invocable):
    schedule_text: str
    schedule: Schedule | None  # None when the schedule does not resolve or parse: see `error`
    error: str | None
    run_on_startup: bool
    use_monitor: bool | None


@dataclass(frozen=True)
class UnsupportedFunction:
    name: str
    trigger: str
    reason: str


@dataclass(frozen=True)
class Catalog:
    http: tuple[HttpFunction, ...]
    timers: tuple[TimerFunction, ...]
    unsupported: tuple[UnsupportedFunction, ...]

    def find(self, name: str) -> HttpFunction | TimerFunction | UnsupportedFunction | None:
        """A function by name, case-insensitively (as the host's admin API matches names)."""
        everything: list[HttpFunction | TimerFunction | UnsupportedFunction] = [*self.http, *self.timers]
        everything += self.unsupported
        return next((f for f in everything if f.name.lower() == name.lower()), None)


def load_app(spec: str = DEFAULT_APP) -> FunctionSource:
    """Import `module:attribute` (default `function_app:app`) from sys.path."""
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    app = getattr(module, attribute or "app")
    if not callable(getattr(app, "get_functions", None)):
        raise TypeError(f"{spec} is not a FunctionApp (it has no get_functions())")
    source: FunctionSource = app
    return source


def is_disabled(name: str, env: Mapping[str, str]) -> bool:
    """`AzureWebJobs.<name>.Disabled` (or `AzureWebJobs__<name>__Disabled`) is `true` or `1`."""
    keys = {f"azurewebjobs.{name}.disabled".lower(), f"azurewebjobs__{name}__disabled".lower()}
    return any(key.lower() in keys and value.strip().lower() in ("true", "1") for key, value in env.items())


def index(app: FunctionSource, env: Mapping[str, str]) -> Catalog:
    """The app's functions, once per app object (azure.functions' get_functions() refuses a second call: it sees
    every name as a duplicate)."""
    http: list[HttpFunction] = []
    timers: list[TimerFunction] = []
    unsupported: list[UnsupportedFunction] = []
    for function in app.get_functions():
        name = function.get_function_name() or function.get_user_function().__name__
        trigger = function.get_trigger()
        kind = str(getattr(trigger, "type", None))
        reason = _unsupported_reason(function, trigger)
        if reason is not None or trigger is None:
            unsupported.append(UnsupportedFunction(name, kind, reason or "no trigger"))
            continue
        common = (name, function.get_user_function(), trigger.name, is_disabled(name, env))
        if isinstance(trigger, HttpTrigger):
            try:
                route = RouteTemplate.parse(trigger.route or name)
            except RouteError as exc:
                unsupported.append(UnsupportedFunction(name, kind, str(exc)))
                continue
            methods = frozenset(str(m).upper() for m in trigger.methods) if trigger.methods else None
            level = getattr(trigger.auth_level, "value", trigger.auth_level)
            http.append(HttpFunction(*common, route, methods, str(level)))
        elif isinstance(trigger, TimerTrigger):
            schedule, error = _schedule(trigger.schedule, env)
            timers.append(
                TimerFunction(
                    *common, trigger.schedule, schedule, error, bool(trigger.run_on_startup), trigger.use_monitor
                )
            )
    return Catalog(tuple(http), tuple(timers), tuple(unsupported))


def _schedule(text: str, env: Mapping[str, str]) -> tuple[Schedule | None, str | None]:
    try:
        schedule = Schedule.parse(resolve_settings(text, env))
        schedule.next_after(datetime.now(UTC))  # one that never fires (30 February) is an error now, not later
    except ScheduleError as exc:
        return None, str(exc)
    return schedule, None


def _unsupported_reason(function: func.Function, trigger: object) -> str | None:
    if not isinstance(trigger, HttpTrigger | TimerTrigger):
        return f"devserver serves HTTP and timer triggers only, not {getattr(trigger, 'type', None)}"
    for binding in function.get_bindings():
        if binding is trigger:
            continue
        if not (isinstance(trigger, HttpTrigger) and binding.type == "http" and binding.name == "$return"):
            return f"devserver cannot supply the {binding.type} binding {binding.name!r}"
    required = [
        p.name
        for p in inspect.signature(function.get_user_function()).parameters.values()
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    others = [p for p in required if p != trigger.name]
    if others:
        return f"devserver passes only the trigger parameter {trigger.name!r}, not {', '.join(others)}"
    return None
