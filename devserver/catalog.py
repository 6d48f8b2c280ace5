"""The function app's functions, read from their own binding metadata (azure.functions' `app.get_functions()`): the
one reader of it, for the local host and for the connector's generator (connector/routes.py).

HTTP triggers keep their route, methods and auth level; timer triggers their NCRONTAB schedule (with `%SETTING%`
resolved from the environment), `run_on_startup` and `use_monitor`; queue triggers their queue name (`%SETTING%`
resolved) and the storage connection the `connection` setting names. A function whose trigger, route or other
bindings the devserver cannot supply is listed as unsupported, with the reason, and never invoked.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import azure.functions as func
from azure.functions.decorators.http import HttpTrigger
from azure.functions.decorators.queue import QueueTrigger
from azure.functions.decorators.timer import TimerTrigger

from devserver.ncrontab import Schedule, ScheduleError, resolve_settings
from devserver.routes import RouteError, RouteTemplate

DEFAULT_APP = "function_app:app"


class FunctionSource(Protocol):
    functions_bindings: Any  # the names get_functions() has seen (it refuses to list a name twice)

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
class QueueFunction(Invocable):
    queue_name_text: str  # as declared, `%SETTING%` and all
    queue_name: str | None  # resolved and lower-cased; None when it does not resolve or is invalid: see `error`
    connection: str  # the name of the setting that holds the storage connection string
    connection_string: str | None = field(repr=False)  # None when that setting is missing: see `error`
    error: str | None


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
    queues: tuple[QueueFunction, ...] = ()

    @property
    def everything(self) -> list[AnyFunction]:
        return [*self.http, *self.timers, *self.queues, *self.unsupported]

    def find(self, name: str) -> AnyFunction | None:
        """A function by name, case-insensitively (as the host's admin API matches names)."""
        return next((f for f in self.everything if f.name.lower() == name.lower()), None)


AnyFunction = HttpFunction | TimerFunction | QueueFunction | UnsupportedFunction


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


def functions_of(app: FunctionSource) -> list[func.Function]:
    """The app's functions. `get_functions()` remembers the names it has seen and refuses to list a name twice, so
    the app's record of names is set aside for the call and put back: reading is free of side effects."""
    saved = app.functions_bindings
    app.functions_bindings = None
    try:
        return list(app.get_functions())
    finally:
        app.functions_bindings = saved


def index(app: FunctionSource, env: Mapping[str, str]) -> Catalog:
    """The app's functions, as the host would serve them with the settings `env`."""
    http: list[HttpFunction] = []
    timers: list[TimerFunction] = []
    queues: list[QueueFunction] = []
    unsupported: list[UnsupportedFunction] = []
    for function in functions_of(app):
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
            http.append(HttpFunction(*common, route, methods, str(level).lower()))
        elif isinstance(trigger, TimerTrigger):
            schedule, error = _schedule(trigger.schedule, env)
            timers.append(
                TimerFunction(
                    *common, trigger.schedule, schedule, error, bool(trigger.run_on_startup), trigger.use_monitor
                )
            )
        elif isinstance(trigger, QueueTrigger):
            queues.append(_queue_function(common, trigger, env))
    return Catalog(tuple(http), tuple(timers), tuple(unsupported), tuple(queues))


_QUEUE_NAME = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}")  # Azure's rule: 3-63, no "--", no edge "-"
DEFAULT_CONNECTION = "AzureWebJobsStorage"


def _queue_function(
    common: tuple[str, Callable[..., Any], str, bool], trigger: QueueTrigger, env: Mapping[str, str]
) -> QueueFunction:
    """The host's reading of a queueTrigger binding: `queueName` with `%SETTING%` resolved, lower-cased; the
    connection string in the setting `connection` names (default AzureWebJobsStorage), or in `AzureWebJobs<name>`."""
    error: str | None = None
    try:
        queue_name: str | None = resolve_settings(trigger.queue_name, env).lower()
    except ValueError as exc:
        queue_name, error = None, str(exc)
    if queue_name is not None and not _QUEUE_NAME.fullmatch(queue_name):
        queue_name, error = None, f"queue name {queue_name!r} is not a valid Azure queue name"
    connection = trigger.connection or DEFAULT_CONNECTION
    folded = {key.lower(): value for key, value in env.items() if value.strip()}
    connection_string = folded.get(connection.lower(), folded.get(f"azurewebjobs{connection}".lower()))
    if connection_string is None and error is None:
        identity = any(key.startswith(f"{connection.lower()}__") for key in folded)
        why = "identity-based connections are not served locally" if identity else "the setting is not set"
        error = f"connection {connection}: {why}"
    return QueueFunction(*common, trigger.queue_name, queue_name, connection, connection_string, error)


def _schedule(text: str, env: Mapping[str, str]) -> tuple[Schedule | None, str | None]:
    try:
        schedule = Schedule.parse(resolve_settings(text, env))
        schedule.next_after(datetime.now(UTC))  # one that never fires (30 February) is an error now, not later
    except ScheduleError as exc:
        return None, str(exc)
    return schedule, None


def _unsupported_reason(function: func.Function, trigger: object) -> str | None:
    if not isinstance(trigger, HttpTrigger | TimerTrigger | QueueTrigger):
        return f"devserver serves HTTP, timer and queue triggers only, not {getattr(trigger, 'type', None)}"
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
