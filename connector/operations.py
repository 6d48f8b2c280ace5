"""One entry per HTTP function of the app: the connector operations it becomes, or why it is left out.

An HTTP function without an entry stops the generator (a new route needs a decision here); an entry's route and
methods must be the ones the app registers. Display names (`summary`) and descriptions are the seed connector's
(Microsoft's Intercom connector, `../shared/seed/`), in English, as CONTRACT §2 and §4 name them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from connector.routes import HttpRoute
from connector.shapes import ConversationBatch, LeadBatch, LeadPage, UserBatch
from connector.swagger import Definitions, convert
from shared.models import Lead, User
from shared.contact_requests import CreateLead, ListLeads, UpsertUser
from shared.settings import CONNECTION_HEADER

Operation = dict[str, Any]
Paths = dict[str, dict[str, Operation]]  # path -> method (lower case) -> operation
Builder = Callable[[HttpRoute, Definitions], Paths]

CONNECTION_PARAMETER = "Connection"
TRIGGER_NAME = "name"  # the route parameter of the trigger functions, expanded over TRIGGERS


@dataclass(frozen=True)
class Entry:
    route: str
    methods: tuple[str, ...]
    build: Builder | None  # None: not an operation of the connector
    reason: str = ""  # why it is left out


@dataclass(frozen=True)
class Trigger:
    name: str  # the event log's name: /api/triggers/{name}
    operation_id: str
    summary: str
    description: str
    batch: type[BaseModel]
    hint: str


TRIGGERS: tuple[Trigger, ...] = (
    Trigger(
        "user-updated",
        "OnUserUpdated",
        "When a user is updated",
        "Triggers when the information of an existing user is updated.",
        UserBatch,
        "To see it work now, update a user in Intercom (the connector polls Intercom every 2 minutes).",
    ),
    Trigger(
        "lead-created",
        "OnLeadCreated",
        "When a lead is created",
        "Triggers when a new lead is created.",
        LeadBatch,
        "To see it work now, create a lead in Intercom (the connector polls Intercom every 2 minutes).",
    ),
    Trigger(
        "user-created",
        "OnUserCreated",
        "When a user is created",
        "Triggers when a new user is created.",
        UserBatch,
        "To see it work now, create a user in Intercom (the connector polls Intercom every 2 minutes).",
    ),
    Trigger(
        "conversation-started",
        "OnConversationStarted",
        "When a new conversation starts",
        "Triggers when a user starts a new conversation.",
        ConversationBatch,
        "To see it work now, start a conversation in Intercom (the connector polls Intercom every 2 minutes).",
    ),
)


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


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "schema": {"$ref": "#/definitions/Error"}}
    if headers:
        response["headers"] = headers
    return response


_RETRY_AFTER = {"Retry-After": {"type": "integer", "description": "Seconds to wait before calling again"}}
_LOCATION = {"Location": {"type": "string", "description": "The URL to poll next (it carries the cursor)"}}

_ERRORS: dict[str, dict[str, Any]] = {
    "400": _error("Bad input: the details name each bad field (or an unknown X-Intercom-Connection)"),
    "401": _error("Intercom refused the connection's access token"),
    "403": _error("Intercom refused the connection's access token for this call"),
    "404": _error("Not found"),
    "409": _error("A contact already holds this email"),
    "413": _error("The body is larger than the app's MAX_BODY_BYTES"),
    "429": _error("The connection's budget of Intercom calls (or Intercom's rate limit) is spent", _RETRY_AFTER),
    "502": _error("Intercom failed"),
    "503": _error("Intercom or storage is unreachable, or the app is not configured"),
}


def _errors(*statuses: str, not_found: str = "") -> dict[str, dict[str, Any]]:
    out = {status: dict(_ERRORS[status]) for status in statuses}
    if not_found:
        out["404"] = _error(not_found)
    return out


_CALLS_INTERCOM = ("400", "401", "403", "429", "502", "503")


def _operation(
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


def _body(model: type[BaseModel], summary: str, defs: Definitions) -> dict[str, Any]:
    return {
        "name": "body",
        "in": "body",
        "required": True,
        "x-ms-summary": summary,
        "schema": {"$ref": defs.add_model(model, mode="validation")},
    }


def _path_parameter(name: str, summary: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "type": "string",
        "x-ms-summary": summary,
        "description": description,
    }


def _response(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "schema": {"$ref": ref}}


def _path(route: HttpRoute) -> str:
    return "/" + route.route


def _create_or_update_user(route: HttpRoute, defs: Definitions) -> Paths:
    user = defs.add_model(User, mode="serialization")
    operation = _operation(
        "CreateOrUpdateUser",
        "Create or update user",
        "Creates a new user for your Intercom account. A user found by email is updated (a lead with that "
        "email becomes the user).",
        [_body(UpsertUser, "User", defs)],
        {
            "200": _response("Updated: a contact with this email existed", user),
            "201": _response("Created", user),
            **_errors(*_CALLS_INTERCOM, "413"),
        },
        **{"x-ms-visibility": "important"},
    )
    return {_path(route): {"post": operation}}


def _create_lead(route: HttpRoute, defs: Definitions) -> Paths:
    lead = defs.add_model(Lead, mode="serialization")
    operation = _operation(
        "CreateLead",
        "Create new lead",
        "Creates a new lead for your Intercom account.",
        [_body(CreateLead, "Lead", defs)],
        {"201": _response("Created", lead), **_errors(*_CALLS_INTERCOM, "409", "413")},
        **{"x-ms-visibility": "important"},
    )
    return {_path(route): {"post": operation}}


_QUERY = {
    "per_page": ("Page Size", "advanced"),
    "cursor": ("Cursor", "internal"),
}


def _query_parameters(model: type[BaseModel], descriptions: dict[str, str]) -> list[dict[str, Any]]:
    """The properties of a query model as Swagger query parameters (a query value is never null)."""
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    parameters = []
    for name, spec in schema["properties"].items():
        converted = convert(spec, f"{model.__name__}.{name}")
        converted.pop("x-nullable", None)
        summary, visibility = _QUERY[name]
        parameter = {"name": name, "in": "query", "required": name in required, "type": converted.pop("type")}
        parameter.update(sorted(converted.items()))
        parameter.update({"x-ms-summary": summary, "x-ms-visibility": visibility})
        parameter["description"] = descriptions.get(name) or converted.get("description", "")
        parameters.append(parameter)
    return parameters


def _list_leads(route: HttpRoute, defs: Definitions) -> Paths:
    page = defs.add_model(LeadPage, mode="serialization", absent=("nextLink",))
    parameters = _query_parameters(
        ListLeads,
        {
            "per_page": "Leads per page (1 to 150)",
            "cursor": "Where the page starts; nextLink carries it (paging follows nextLink)",
        },
    )
    operation = _operation(
        "ListLeads",
        "List all leads",
        "Returns a list of all leads in your Intercom account, a page at a time.",
        parameters,
        {"200": _response("A page of leads", page), **_errors(*_CALLS_INTERCOM)},
        **{"x-ms-pageable": {"nextLinkName": "nextLink"}},
    )
    return {_path(route): {"get": operation}}


def _get_contact(
    model: type[BaseModel], operation_id: str, summary: str, parameter: str, what: str, other: str
) -> Builder:
    """Get user / Get lead: `GET /{users|leads}/{id}` answering the contact, 404 when it has the other role."""

    def build(route: HttpRoute, defs: Definitions) -> Paths:
        shape = defs.add_model(model, mode="serialization")
        operation = _operation(
            operation_id,
            summary,
            f"Given the ID of an existing {what}, returns all the information about the {what}.",
            [_path_parameter(parameter, f"{what.capitalize()} ID", f"The Intercom id of the {what}")],
            {
                "200": _response(f"The {what}", shape),
                **_errors(*_CALLS_INTERCOM, not_found=f"There is no such {what} (or it is a {other})"),
            },
        )
        return {_path(route): {"get": operation}}

    return build


def _trigger_polls(route: HttpRoute, defs: Definitions) -> Paths:
    """One polling trigger per event log: the route `triggers/{name}` becomes `/triggers/user-updated` etc."""
    if route.parameters() != [TRIGGER_NAME]:
        raise ValueError(f"{route.function}: expected the one route parameter {{{TRIGGER_NAME}}}: {route.route}")
    headers = {**_LOCATION, **_RETRY_AFTER}
    paths: Paths = {}
    for trigger in TRIGGERS:
        batch = defs.add_model(trigger.batch, mode="serialization")
        cursor = {
            "name": "cursor",
            "in": "query",
            "required": False,
            "type": "string",
            "x-ms-summary": "Cursor",
            "description": "Where the previous poll stopped; the Location header of each answer carries it",
            "x-ms-visibility": "internal",
        }
        operation = _operation(
            trigger.operation_id,
            trigger.summary,
            trigger.description,
            [cursor],
            {
                "200": {
                    "description": "New events, oldest first (Retry-After 0: more are waiting)",
                    "schema": {"$ref": batch},
                    "headers": headers,
                },
                "202": {
                    "description": "Nothing new: poll the Location again after Retry-After seconds",
                    "headers": headers,
                },
                "400": _error("The cursor is malformed"),
                "404": _error("There is no such trigger"),
                "503": _error("Storage is unreachable, or the app is not configured"),
            },
            **{"x-ms-trigger": "batch", "x-ms-trigger-hint": trigger.hint},
        )
        paths[_path(route).replace("{" + TRIGGER_NAME + "}", trigger.name)] = {"get": operation}
    return paths


_WEBHOOKS = (
    "webhook subscriptions serve the Logic Apps HTTP Webhook trigger (docs/deploy.md); the connector's triggers "
    "are the polling triggers, one per event, as in the seed connector"
)

OPERATIONS: dict[str, Entry] = {
    "create_or_update_user": Entry("users", ("POST",), _create_or_update_user),
    "create_lead": Entry("leads", ("POST",), _create_lead),
    "list_leads": Entry("leads", ("GET",), _list_leads),
    "get_user": Entry(
        "users/{user_id}", ("GET",), _get_contact(User, "GetUser", "Get user", "user_id", "user", "lead")
    ),
    "get_lead": Entry(
        "leads/{contact_id}", ("GET",), _get_contact(Lead, "GetLead", "Get lead", "contact_id", "lead", "user")
    ),
    "trigger_poll": Entry("triggers/{name}", ("GET",), _trigger_polls),
    "trigger_subscribe": Entry("triggers/{name}/subscriptions", ("POST",), None, _WEBHOOKS),
    "trigger_subscription": Entry("triggers/{name}/subscriptions/{subscription_id}", ("GET",), None, _WEBHOOKS),
    "trigger_unsubscribe": Entry("triggers/{name}/subscriptions/{subscription_id}", ("DELETE",), None, _WEBHOOKS),
    "trigger_unsubscribe_by_body": Entry("triggers/{name}/subscriptions", ("DELETE",), None, _WEBHOOKS),
    "health": Entry("health", ("GET",), None, "operators' endpoint (anonymous), not a flow step"),
}
