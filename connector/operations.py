"""One entry per HTTP function of the app: the connector operations it becomes, or why it is left out.

An HTTP function without an entry stops the generator (a new route needs a decision here); an entry's route and
methods must be the ones the app registers. Display names (`summary`) and descriptions are the seed connector's
(Microsoft's Intercom connector, `../shared/seed/`), in English, as CONTRACT §2 and §4 name them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from connector.building import (
    CALLS_INTERCOM,
    CONNECTION_PARAMETER,
    LOCATION,
    RETRY_AFTER,
    Builder,
    Entry,
    Paths,
    body,
    connection_parameter,
    error,
    errors,
    operation,
    path,
    path_parameter,
    query_parameters,
    response,
)
from connector.more_operations import MORE_OPERATIONS
from connector.routes import HttpRoute
from connector.shapes import ConversationBatch, LeadBatch, LeadPage, UserBatch
from connector.swagger import Definitions
from shared.contact_requests import CreateLead, ListLeads, UpsertUser
from shared.models import Lead, User

__all__ = ["CONNECTION_PARAMETER", "OPERATIONS", "TRIGGERS", "Entry", "connection_parameter"]
TRIGGER_NAME = "name"  # the route parameter of the trigger functions, expanded over TRIGGERS


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


def _create_or_update_user(route: HttpRoute, defs: Definitions) -> Paths:
    user = defs.add_model(User, mode="serialization")
    op = operation(
        "CreateOrUpdateUser",
        "Create or update user",
        "Creates a new user for your Intercom account. A user found by email is updated (a lead with that "
        "email becomes the user).",
        [body(UpsertUser, "User", defs)],
        {
            "200": response("Updated: a contact with this email existed", user),
            "201": response("Created", user),
            **errors(*CALLS_INTERCOM, "413"),
        },
        **{"x-ms-visibility": "important"},
    )
    return {path(route): {"post": op}}


def _create_lead(route: HttpRoute, defs: Definitions) -> Paths:
    lead = defs.add_model(Lead, mode="serialization")
    op = operation(
        "CreateLead",
        "Create new lead",
        "Creates a new lead for your Intercom account.",
        [body(CreateLead, "Lead", defs)],
        {"201": response("Created", lead), **errors(*CALLS_INTERCOM, "409", "413")},
        **{"x-ms-visibility": "important"},
    )
    return {path(route): {"post": op}}


def _list_leads(route: HttpRoute, defs: Definitions) -> Paths:
    page = defs.add_model(LeadPage, mode="serialization", absent=("nextLink",))
    parameters = query_parameters(
        ListLeads,
        {
            "per_page": "Leads per page (1 to 150)",
            "cursor": "Where the page starts; nextLink carries it (paging follows nextLink)",
        },
    )
    op = operation(
        "ListLeads",
        "List all leads",
        "Returns a list of all leads in your Intercom account, a page at a time.",
        parameters,
        {"200": response("A page of leads", page), **errors(*CALLS_INTERCOM)},
        **{"x-ms-pageable": {"nextLinkName": "nextLink"}},
    )
    return {path(route): {"get": op}}


def _get_contact(
    model: type[BaseModel], operation_id: str, summary: str, parameter: str, what: str, other: str
) -> Builder:
    """Get user / Get lead: `GET /{users|leads}/{id}` answering the contact, 404 when it has the other role."""

    def build(route: HttpRoute, defs: Definitions) -> Paths:
        shape = defs.add_model(model, mode="serialization")
        op = operation(
            operation_id,
            summary,
            f"Given the ID of an existing {what}, returns all the information about the {what}.",
            [path_parameter(parameter, f"{what.capitalize()} ID", f"The Intercom id of the {what}")],
            {
                "200": response(f"The {what}", shape),
                **errors(*CALLS_INTERCOM, not_found=f"There is no such {what} (or it is a {other})"),
            },
        )
        return {path(route): {"get": op}}

    return build


def _trigger_polls(route: HttpRoute, defs: Definitions) -> Paths:
    """One polling trigger per event log: the route `triggers/{name}` becomes `/triggers/user-updated` etc."""
    if route.parameters() != [TRIGGER_NAME]:
        raise ValueError(f"{route.function}: expected the one route parameter {{{TRIGGER_NAME}}}: {route.route}")
    headers = {**LOCATION, **RETRY_AFTER}
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
        op = operation(
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
                "400": error("The cursor is malformed"),
                "404": error("There is no such trigger"),
                "503": error("Storage is unreachable, or the app is not configured"),
            },
            **{"x-ms-trigger": "batch", "x-ms-trigger-hint": trigger.hint},
        )
        paths[path(route).replace("{" + TRIGGER_NAME + "}", trigger.name)] = {"get": op}
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
    **MORE_OPERATIONS,
    "trigger_poll": Entry("triggers/{name}", ("GET",), _trigger_polls),
    "trigger_subscribe": Entry("triggers/{name}/subscriptions", ("POST",), None, _WEBHOOKS),
    "trigger_subscription": Entry("triggers/{name}/subscriptions/{subscription_id}", ("GET",), None, _WEBHOOKS),
    "trigger_unsubscribe": Entry("triggers/{name}/subscriptions/{subscription_id}", ("DELETE",), None, _WEBHOOKS),
    "trigger_unsubscribe_by_body": Entry("triggers/{name}/subscriptions", ("DELETE",), None, _WEBHOOKS),
    "health": Entry("health", ("GET",), None, "operators' endpoint (anonymous), not a flow step"),
}
