"""One entry per HTTP function of the app: the connector operations it becomes, or why it is left out.

An HTTP function without an entry stops the generator (a new route needs a decision here); an entry's route and
methods must be the ones the app registers. The actions are declared by concern (connector/contact_operations.py,
company_operations.py, conversation_operations.py); the triggers here. Display names (`summary`) and descriptions
are the seed connector's (Microsoft's Intercom connector), in English, as interface §2, §4 and §7 name them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from connector.company_operations import COMPANY_OPERATIONS
from connector.contact_operations import CONTACT_OPERATIONS
from connector.conversation_operations import CONVERSATION_OPERATIONS
from connector.parts import LOCATION, RETRY_AFTER, Entry, Paths, error, operation, path
from connector.routes import HttpRoute
from connector.shapes import CompanyBatch, ContactBatch, ConversationBatch, LeadBatch, TaggedBatch, UserBatch
from connector.swagger import Definitions

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
    Trigger(
        "lead-converted",
        "OnLeadConverted",
        "When a lead converts to a user",
        "Triggers when a lead becomes a user.",
        UserBatch,
        "To see it work now, convert a lead to a user in Intercom.",
    ),
    Trigger(
        "lead-email-added",
        "OnLeadEmailAdded",
        "When a lead adds an email",
        "Triggers when a lead that had no email gets one.",
        LeadBatch,
        "To see it work now, add an email to a lead without one in Intercom.",
    ),
    Trigger(
        "contact-tagged",
        "OnContactTagged",
        "When a contact is tagged",
        "Triggers when a tag is added to a user or a lead.",
        TaggedBatch,
        "To see it work now, tag a user or a lead in Intercom.",
    ),
    Trigger(
        "conversation-closed",
        "OnConversationClosed",
        "When a conversation is closed",
        "Triggers each time a conversation is closed.",
        ConversationBatch,
        "To see it work now, close a conversation in Intercom.",
    ),
    Trigger(
        "company-created",
        "OnCompanyCreated",
        "When a company is created",
        "Triggers when a new company is created.",
        CompanyBatch,
        "To see it work now, create a company in Intercom.",
    ),
    Trigger(
        "contact-unsubscribed",
        "OnContactUnsubscribed",
        "When a contact unsubscribes from emails",
        "Triggers when a user or a lead unsubscribes from emails.",
        ContactBatch,
        "To see it work now, unsubscribe a user or a lead from emails in Intercom.",
    ),
)


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
        built = operation(
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
        paths[path(route).replace("{" + TRIGGER_NAME + "}", trigger.name)] = {"get": built}
    return paths


_WEBHOOKS = (
    "webhook subscriptions serve the Logic Apps HTTP Webhook trigger (docs/deploy.md); the connector's triggers "
    "are the polling triggers, one per event, as in the seed connector"
)

OPERATIONS: dict[str, Entry] = {
    **CONTACT_OPERATIONS,
    **COMPANY_OPERATIONS,
    **CONVERSATION_OPERATIONS,
    "trigger_poll": Entry("triggers/{name}", ("GET",), _trigger_polls),
    "trigger_subscribe": Entry("triggers/{name}/subscriptions", ("POST",), None, _WEBHOOKS),
    "trigger_subscription": Entry("triggers/{name}/subscriptions/{subscription_id}", ("GET",), None, _WEBHOOKS),
    "trigger_unsubscribe": Entry("triggers/{name}/subscriptions/{subscription_id}", ("DELETE",), None, _WEBHOOKS),
    "trigger_unsubscribe_by_body": Entry("triggers/{name}/subscriptions", ("DELETE",), None, _WEBHOOKS),
    "health": Entry("health", ("GET",), None, "operators' endpoint (anonymous), not a flow step"),
    "intercom_webhooks": Entry(
        "intercom/webhooks", ("HEAD", "POST"), None, "Intercom's webhook intake (signed by Intercom), not a flow step"
    ),
}
