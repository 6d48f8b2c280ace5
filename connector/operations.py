"""One entry per HTTP function of the app: the connector operations it becomes, or why it is left out.

An HTTP function without an entry stops the generator (a new route needs a decision here); an entry's route and
methods must be the ones the app registers. The actions are declared by concern (connector/contact_operations.py,
company_operations.py, conversation_operations.py); the triggers here, one polling trigger per entry of
shared/triggers/registry.py, with its display name, description and hint. Display names (`summary`) and
descriptions are the seed connector's (Microsoft's Intercom connector), in English, as interface §2, §4 and §7 name
them.
"""

from __future__ import annotations

from connector.company_operations import COMPANY_OPERATIONS
from connector.contact_operations import CONTACT_OPERATIONS
from connector.conversation_operations import CONVERSATION_OPERATIONS
from connector.parts import LOCATION, RETRY_AFTER, Entry, Paths, error, operation, path
from connector.request_operations import REQUEST_OPERATIONS
from connector.routes import HttpRoute
from connector.shapes import BATCHES
from connector.swagger import Definitions
from connector.ticket_operations import TICKET_OPERATIONS
from shared.consumers.topics import TOPICS_FIELD
from shared.triggers.registry import TRIGGERS

TRIGGER_NAME = "name"  # the route parameter of the trigger functions, expanded over the registry's triggers


TOPICS_PARAMETER = {
    "name": TOPICS_FIELD,
    "in": "query",
    "required": False,
    "type": "string",
    "x-ms-summary": "Topics",
    "description": "Comma-separated Intercom topics; * matches any run of characters (conversation.* matches "
    "conversation.admin.replied); empty: every topic",
}


def _trigger_polls(route: HttpRoute, defs: Definitions) -> Paths:
    """One polling trigger per event log: the route `triggers/{name}` becomes `/triggers/user-updated` etc."""
    if route.parameters() != [TRIGGER_NAME]:
        raise ValueError(f"{route.function}: expected the one route parameter {{{TRIGGER_NAME}}}: {route.route}")
    headers = {**LOCATION, **RETRY_AFTER}
    paths: Paths = {}
    for trigger in TRIGGERS.values():
        batch = defs.add_model(BATCHES[trigger.body], mode="serialization")
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
            [cursor, TOPICS_PARAMETER] if trigger.topics_filter else [cursor],
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
                "502": error(
                    "Nothing new, and the trigger's polls are failing (Intercom refused the token, or no poll completed"
                    " for three periods); the Location stays valid and nothing is lost (trigger_unhealthy)"
                ),
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

_UNREADABLE = "operators' routes over unreadable Intercom notifications (docs/webhooks.md), not a flow step"

OPERATIONS: dict[str, Entry] = {
    **CONTACT_OPERATIONS,
    **COMPANY_OPERATIONS,
    **CONVERSATION_OPERATIONS,
    **TICKET_OPERATIONS,
    **REQUEST_OPERATIONS,
    "trigger_poll": Entry("triggers/{name}", ("GET",), _trigger_polls),
    "trigger_subscribe": Entry("triggers/{name}/subscriptions", ("POST",), None, _WEBHOOKS),
    "trigger_subscription": Entry("triggers/{name}/subscriptions/{subscription_id}", ("GET",), None, _WEBHOOKS),
    "trigger_unsubscribe": Entry("triggers/{name}/subscriptions/{subscription_id}", ("DELETE",), None, _WEBHOOKS),
    "trigger_unsubscribe_by_body": Entry("triggers/{name}/subscriptions", ("DELETE",), None, _WEBHOOKS),
    "health": Entry("health", ("GET",), None, "operators' endpoint (anonymous), not a flow step"),
    "status": Entry("status", ("GET",), None, "operators' status report and page, not a flow step"),
    "intercom_webhooks": Entry(
        "intercom/webhooks", ("HEAD", "POST"), None, "Intercom's webhook intake (signed by Intercom), not a flow step"
    ),
    "unreadable_notifications": Entry("intercom/webhooks/unreadable", ("GET",), None, _UNREADABLE),
    "unreadable_notification": Entry("intercom/webhooks/unreadable/{key}", ("DELETE", "GET"), None, _UNREADABLE),
    "replay_unreadable_notification": Entry("intercom/webhooks/unreadable/{key}/replay", ("POST",), None, _UNREADABLE),
}
