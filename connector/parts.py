"""The parts every connector operation is built from: the entry type, the shared connection parameter, error
responses, and builders of bodies, path and query parameters and responses (connector/operations.py and
connector/contact_operations.py declare the operations with them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel

from connector.routes import HttpRoute
from connector.swagger import ConversionError, Definitions, convert, model_schema
from shared.models.designer import Dropdown
from shared.settings import CONNECTION_HEADER

Operation = dict[str, Any]
Paths = dict[str, dict[str, Operation]]  # path -> method (lower case) -> operation
Builder = Callable[[HttpRoute, Definitions], Paths]

CONNECTION_PARAMETER = "Connection"


@dataclass(frozen=True)
class Entry:
    route: str
    methods: tuple[str, ...]
    build: Builder | None  # None: not an operation of the connector
    reason: str = ""  # why it is left out


def connection_parameter() -> dict[str, Any]:
    """X-Intercom-Connection, shared by every operation (root `parameters`)."""
    return {
        "name": CONNECTION_HEADER,
        "in": "header",
        "required": False,
        "type": "string",
        "x-ms-summary": "Connection",
        "description": "Name of the Intercom connection (workspace) to use, as the app's INTERCOM_CONNECTIONS "
        "names it; empty: the connection `default`.",
        "x-ms-visibility": "advanced",
    }


def error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "schema": {"$ref": "#/definitions/Error"}}
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {"Retry-After": {"type": "integer", "description": "Seconds to wait before calling again"}}
LOCATION = {"Location": {"type": "string", "description": "The URL to poll next (it carries the cursor)"}}

ERRORS: dict[str, dict[str, Any]] = {
    "400": error("Bad input: the details name each bad field (or an unknown X-Intercom-Connection)"),
    "401": error("Intercom refused the connection's access token"),
    "403": error("Intercom refused the connection's access token for this call"),
    "404": error("Not found"),
    "409": error("A contact already holds this email"),
    "413": error("The body is larger than the app's MAX_BODY_BYTES"),
    "429": error("The connection's budget of Intercom calls (or Intercom's rate limit) is spent", RETRY_AFTER),
    "502": error("Intercom failed"),
    "503": error("Intercom or storage is unreachable, or the app is not configured"),
}


def errors(*statuses: str, not_found: str = "") -> dict[str, dict[str, Any]]:
    out = {status: dict(ERRORS[status]) for status in statuses}
    if not_found:
        out["404"] = error(not_found)
    return out


CALLS_INTERCOM = ("400", "401", "403", "429", "502", "503")
INTERNAL = {"x-ms-visibility": "internal"}  # what the designer calls for a dropdown or typed fields, not a flow step


def operation(
    operation_id: str,
    summary: str,
    description: str,
    parameters: list[dict[str, Any]],
    responses: dict[str, dict[str, Any]],
    **extensions: Any,
) -> Operation:
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "parameters": [*parameters, {"$ref": f"#/parameters/{CONNECTION_PARAMETER}"}],
        "responses": dict(sorted(responses.items())),
        **extensions,
    }


def body(model: type[BaseModel], summary: str, defs: Definitions) -> dict[str, Any]:
    return {
        "name": "body",
        "in": "body",
        "required": True,
        "x-ms-summary": summary,
        "schema": {"$ref": defs.add_model(model, mode="validation")},
    }


def path_parameter(name: str, summary: str, description: str, dropdown: Dropdown | None = None) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": name,
        "in": "path",
        "required": True,
        "type": "string",
        "x-ms-summary": summary,
        "description": description,
    }
    if dropdown is not None:
        parameter["x-ms-dynamic-values"] = dropdown.extension()
    return parameter


def response(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "schema": {"$ref": ref}}


def path(route: HttpRoute) -> str:
    return "/" + route.route


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The fields of a query model as Swagger query parameters (a query value is never null); each field's title,
    description and designer hints (shared/models/designer.py) are the parameter's."""
    schema = model_schema(model, "validation")
    required = set(schema.get("required", []))
    parameters = []
    for name, spec in schema["properties"].items():
        where = f"{model.__name__}.{name}"
        if not spec.get("title"):
            raise ConversionError(f"no display name for {where}: give the field a title (Field(title=...))")
        converted = convert(spec, where)
        converted.pop("x-nullable", None)
        hints = {key: converted.pop(key) for key in sorted(converted) if key.startswith("x-ms-")}
        description = converted.pop("description", "")
        parameter = {"name": name, "in": "query", "required": name in required, "type": converted.pop("type")}
        parameter.update(sorted(converted.items()))
        parameter["x-ms-summary"] = spec["title"]
        if "x-ms-visibility" in hints:
            parameter["x-ms-visibility"] = hints.pop("x-ms-visibility")
        parameter["description"] = description
        parameter.update(hints)
        parameters.append(parameter)
    return parameters


class RouteId(NamedTuple):
    """A route parameter's display name, description and dropdown (the ids of a path)."""

    summary: str
    description: str
    dropdown: Dropdown | None = None


@dataclass(frozen=True)
class Op:
    """An operation of one route and method, declared in a few lines: `Entry(route, methods, Op(...))`.

    Path parameters come from the route, their display names from `ids`; a body model adds the body parameter
    (and a 413); `shape` is the success answer's model (None: no body, as a 202 or 204). A `query` model adds its
    query parameters; `pageable` marks a list whose answer has a `nextLink` (absent on the last page) as
    `x-ms-pageable`. The models' fields carry the display names, descriptions and designer hints.
    """

    operation_id: str
    summary: str
    description: str
    ok: str  # the success status
    ok_description: str
    shape: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_summary: str = ""
    ids: dict[str, RouteId] = field(default_factory=dict)  # route parameter -> display name, description, dropdown
    statuses: tuple[str, ...] = ()  # more error statuses than CALLS_INTERCOM
    not_found: str = ""
    more: tuple[tuple[str, str], ...] = ()  # other success statuses with the same shape: (status, description)
    extensions: dict[str, Any] = field(default_factory=dict)
    query: type[BaseModel] | None = None
    pageable: bool = False

    def __call__(self, route: HttpRoute, defs: Definitions) -> Paths:
        parameters = [path_parameter(name, *self.ids[name]) for name in route.parameters()]
        statuses = [*CALLS_INTERCOM, *self.statuses]
        if self.body is not None:
            parameters.append(body(self.body, self.body_summary, defs))
            statuses.append("413")
        if self.query is not None:
            parameters += query_parameters(self.query)
        ok: dict[str, Any] = {"description": self.ok_description}
        if self.shape is not None:
            absent = ("nextLink",) if self.pageable else ()
            ok["schema"] = {"$ref": defs.add_model(self.shape, mode="serialization", absent=absent)}
        responses = {self.ok: ok, **{status: {**ok, "description": text} for status, text in self.more}}
        responses |= errors(*statuses, not_found=self.not_found)
        extensions = dict(self.extensions)
        if self.pageable:
            extensions["x-ms-pageable"] = {"nextLinkName": "nextLink"}
        built = operation(self.operation_id, self.summary, self.description, parameters, responses, **extensions)
        return {path(route): {method.lower(): built for method in route.methods}}
