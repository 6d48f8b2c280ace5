"""The parts every connector operation is made of: the connection header, error answers, body, path and query
parameters, the operation object, and `Action`, the declaration most actions are (connector/operations.py uses it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from connector.routes import HttpRoute
from connector.swagger import Definitions, convert
from shared.settings import CONNECTION_HEADER

Operation = dict[str, Any]
Paths = dict[str, dict[str, Operation]]  # path -> method (lower case) -> operation
Builder = Callable[[HttpRoute, Definitions], Paths]

CONNECTION_PARAMETER = "Connection"


@dataclass(frozen=True)
class Entry:
    """One HTTP function of the app: the connector operations it becomes, or why it is left out."""

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

_ERRORS: dict[str, dict[str, Any]] = {
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
CALLS_INTERCOM = ("400", "401", "403", "429", "502", "503")


def errors(*statuses: str, not_found: str = "") -> dict[str, dict[str, Any]]:
    out = {status: dict(_ERRORS[status]) for status in statuses}
    if not_found:
        out["404"] = error(not_found)
    return out


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


def path_parameter(name: str, summary: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "type": "string",
        "x-ms-summary": summary,
        "description": description,
    }


def response(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "schema": {"$ref": ref}}


def path(route: HttpRoute) -> str:
    return "/" + route.route


# Display name and visibility of every query parameter a list takes.
QUERY: dict[str, tuple[str, str]] = {
    "per_page": ("Page Size", "advanced"),
    "cursor": ("Cursor", "internal"),
    "email": ("Email", "important"),
    "state": ("State", "important"),
    "company_id": ("Your Company ID", "important"),
    "name": ("Name", "important"),
}


def query_parameters(model: type[BaseModel], descriptions: dict[str, str]) -> list[dict[str, Any]]:
    """The properties of a query model as Swagger query parameters (a query value is never null)."""
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    parameters = []
    for name, spec in schema["properties"].items():
        converted = convert(spec, f"{model.__name__}.{name}")
        converted.pop("x-nullable", None)
        summary, visibility = QUERY[name]
        parameter = {"name": name, "in": "query", "required": name in required, "type": converted.pop("type")}
        parameter.update(sorted(converted.items()))
        parameter.update({"x-ms-summary": summary, "x-ms-visibility": visibility})
        parameter["description"] = descriptions.get(name) or converted.get("description", "")
        parameters.append(parameter)
    return parameters


PAGE_QUERY = {
    "per_page": "Items per page (1 to 150)",
    "cursor": "Where the page starts; nextLink carries it (paging follows nextLink)",
}


@dataclass(frozen=True)
class Action:
    """One action's operation, declared: what it takes (path ids, a body or a query) and what it answers.

    `ids` describes each route parameter: name -> (display name, description). A list (`query` given) with a
    `nextLink` in its answer is `x-ms-pageable`. `status` is the success status, `statuses` the other answers
    beyond those of every Intercom call (400, 401, 403, 429, 502, 503).
    """

    operation_id: str
    summary: str
    description: str
    answer: type[BaseModel] | None
    answer_text: str
    status: str = "200"
    body: type[BaseModel] | None = None
    body_summary: str = "Body"
    query: type[BaseModel] | None = None
    query_text: dict[str, str] | None = None
    ids: dict[str, tuple[str, str]] | None = None
    statuses: tuple[str, ...] = ()
    not_found: str = ""
    pageable: bool = False
    visibility: str | None = None
    updated_text: str = ""  # an upsert: 200 (updated) answers the same shape as `status` (created)

    def build(self, route: HttpRoute, defs: Definitions) -> Paths:
        ids = self.ids or {}
        if sorted(ids) != sorted(route.parameters()):
            raise ValueError(f"{self.operation_id}: route parameters {route.parameters()} but ids {sorted(ids)}")
        parameters = [path_parameter(name, *ids[name]) for name in route.parameters()]
        if self.body is not None:
            parameters.append(body(self.body, self.body_summary, defs))
        if self.query is not None:
            parameters += query_parameters(self.query, {**PAGE_QUERY, **(self.query_text or {})})
        answers: dict[str, dict[str, Any]] = {}
        if self.answer is not None:
            absent = ("nextLink",) if self.pageable else ()
            ref = defs.add_model(self.answer, mode="serialization", absent=absent)
            answers[self.status] = response(self.answer_text, ref)
            if self.updated_text:
                answers["200"] = response(self.updated_text, ref)
        else:
            answers[self.status] = {"description": self.answer_text}
        extra = [s for s in self.statuses if s != "404"]
        if self.body is not None:
            extra.append("413")
        answers |= errors(*CALLS_INTERCOM, *extra, not_found=self.not_found)
        extensions: dict[str, Any] = {}
        if self.pageable:
            extensions["x-ms-pageable"] = {"nextLinkName": "nextLink"}
        if self.visibility:
            extensions["x-ms-visibility"] = self.visibility
        built = operation(self.operation_id, self.summary, self.description, parameters, answers, **extensions)
        return {path(route): {route.methods[0].lower(): built}}
