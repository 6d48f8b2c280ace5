"""The conversation actions (CONTRACT §7). Each handler parses, calls one function of shared/conversations.py, and
answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import azure.functions as func
from pydantic import BaseModel

from functions.http import Call, action, json_response
from shared import conversations
from shared.conversation_requests import (
    AssignConversation,
    CloseConversation,
    ListConversations,
    OpenConversation,
    ReplyToConversation,
    SnoozeConversation,
    StartConversation,
    TagConversation,
)
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline

bp = func.Blueprint()
M = TypeVar("M", bound=BaseModel)


def _on_conversation(
    call: Call, model: type[M], service: Callable[[IntercomClient, str, M, Deadline], BaseModel]
) -> func.HttpResponse:
    """The actions on one conversation: its id from the route, the body as `model`, one service call."""
    conversation_id = call.id("id")
    return json_response(service(call.client, conversation_id, call.body(model), call.deadline))


@bp.function_name("start_conversation")
@bp.route(route="conversations", methods=["POST"])
@action
def start_conversation(call: Call) -> func.HttpResponse:
    request = call.body(StartConversation)
    return json_response(conversations.start_conversation(call.client, request, call.deadline), status=201)


@bp.function_name("get_conversation")
@bp.route(route="conversations/{id}", methods=["GET"])
@action
def get_conversation(call: Call) -> func.HttpResponse:
    return json_response(conversations.get_conversation(call.client, call.id("id"), call.deadline))


@bp.function_name("list_conversations")
@bp.route(route="conversations", methods=["GET"])
@action
def list_conversations(call: Call) -> func.HttpResponse:
    query = call.query(ListConversations)
    page = conversations.list_conversations(call.client, query, call.settings.cursor_key, call.deadline)
    body: dict[str, object] = {"value": [item.model_dump(mode="json") for item in page.value]}
    if page.next_cursor is not None:
        links = {"per_page": str(query.per_page), "cursor": page.next_cursor}
        body["nextLink"] = call.link(**links, **({"state": query.state} if query.state else {}))
    return json_response(body)


@bp.function_name("reply_to_conversation")
@bp.route(route="conversations/{id}/reply", methods=["POST"])
@action
def reply_to_conversation(call: Call) -> func.HttpResponse:
    return _on_conversation(call, ReplyToConversation, conversations.reply)


@bp.function_name("close_conversation")
@bp.route(route="conversations/{id}/close", methods=["POST"])
@action
def close_conversation(call: Call) -> func.HttpResponse:
    return _on_conversation(call, CloseConversation, conversations.close)


@bp.function_name("open_conversation")
@bp.route(route="conversations/{id}/open", methods=["POST"])
@action
def open_conversation(call: Call) -> func.HttpResponse:
    return _on_conversation(call, OpenConversation, conversations.reopen)


@bp.function_name("snooze_conversation")
@bp.route(route="conversations/{id}/snooze", methods=["POST"])
@action
def snooze_conversation(call: Call) -> func.HttpResponse:
    return _on_conversation(call, SnoozeConversation, conversations.snooze)


@bp.function_name("assign_conversation")
@bp.route(route="conversations/{id}/assign", methods=["POST"])
@action
def assign_conversation(call: Call) -> func.HttpResponse:
    return _on_conversation(call, AssignConversation, conversations.assign)


@bp.function_name("tag_conversation")
@bp.route(route="conversations/{id}/tags", methods=["POST"])
@action
def tag_conversation(call: Call) -> func.HttpResponse:
    return _on_conversation(call, TagConversation, conversations.tag)
