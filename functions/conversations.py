"""The conversation actions (interface §7). Each handler parses, calls one function of
shared/actions/conversations/service.py, and
answers. The services and request models are imported inside the handlers, as in functions/contacts.py (cold start)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import azure.functions as func
from pydantic import BaseModel

from functions.http import Call, action, json_response, no_content

if TYPE_CHECKING:
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
    from shared.actions.conversations import requests as conversation_requests
    from shared.actions.conversations import service as conversations

    request = call.body(conversation_requests.StartConversation)
    return json_response(conversations.start_conversation(call.client, request, call.deadline), status=201)


@bp.function_name("get_conversation")
@bp.route(route="conversations/{id}", methods=["GET"])
@action
def get_conversation(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import service as conversations

    return json_response(conversations.get_conversation(call.client, call.id("id"), call.deadline))


@bp.function_name("list_conversations")
@bp.route(route="conversations", methods=["GET"])
@action
def list_conversations(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import requests as conversation_requests
    from shared.actions.conversations import service as conversations

    query = call.query(conversation_requests.ListConversations)
    page = conversations.list_conversations(call.client, query, call.settings.cursor_key, call.deadline)
    return call.page(page, query.per_page, **({"state": query.state} if query.state else {}))


@bp.function_name("reply_to_conversation")
@bp.route(route="conversations/{id}/reply", methods=["POST"])
@action
def reply_to_conversation(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import requests
    from shared.actions.conversations import service as conversations

    return _on_conversation(call, requests.ReplyToConversation, conversations.reply)


@bp.function_name("close_conversation")
@bp.route(route="conversations/{id}/close", methods=["POST"])
@action
def close_conversation(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import requests
    from shared.actions.conversations import service as conversations

    return _on_conversation(call, requests.CloseConversation, conversations.close)


@bp.function_name("open_conversation")
@bp.route(route="conversations/{id}/open", methods=["POST"])
@action
def open_conversation(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import requests
    from shared.actions.conversations import service as conversations

    return _on_conversation(call, requests.OpenConversation, conversations.reopen)


@bp.function_name("snooze_conversation")
@bp.route(route="conversations/{id}/snooze", methods=["POST"])
@action
def snooze_conversation(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import requests
    from shared.actions.conversations import service as conversations

    return _on_conversation(call, requests.SnoozeConversation, conversations.snooze)


@bp.function_name("assign_conversation")
@bp.route(route="conversations/{id}/assign", methods=["POST"])
@action
def assign_conversation(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import requests
    from shared.actions.conversations import service as conversations

    return _on_conversation(call, requests.AssignConversation, conversations.assign)


@bp.function_name("tag_conversation")
@bp.route(route="conversations/{id}/tags", methods=["POST"])
@action
def tag_conversation(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import requests
    from shared.actions.conversations import service as conversations

    return _on_conversation(call, requests.TagConversation, conversations.tag)


@bp.function_name("search_conversations")
@bp.route(route="conversations/search", methods=["POST"])
@action
def search_conversations(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import find
    from shared.actions.conversations import requests as conversation_requests

    body = call.body(conversation_requests.SearchConversations)
    found = find.search_conversations(call.client, body, call.settings.cursor_key, call.deadline)
    return call.page(found, body.per_page)


@bp.function_name("search_conversations_next")
@bp.route(route="conversations/search", methods=["GET"])
@action
def search_conversations_next(call: Call) -> func.HttpResponse:
    from shared.actions import search
    from shared.actions.conversations import find

    query = call.query(search.SearchNext)
    found = find.more_conversations(call.client, query, call.settings.cursor_key, call.deadline)
    return call.page(found, query.per_page)


@bp.function_name("untag_conversation")
@bp.route(route="conversations/{id}/tags/{tag_id}", methods=["DELETE"])
@action
def untag_conversation(call: Call) -> func.HttpResponse:
    from shared.actions.conversations import requests
    from shared.actions.conversations import service as conversations

    conversation_id, tag_id = call.id("id"), call.id("tag_id")
    query = call.query(requests.UntagConversation)
    conversations.untag(call.client, conversation_id, tag_id, query.admin_id, call.deadline)
    return no_content()
