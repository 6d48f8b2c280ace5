"""Send a message to a contact (interface §10). The handler parses, calls shared/actions/messages/service.py, and
answers; the service is imported inside the handler, as in functions/contacts.py (cold start)."""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action, json_response

bp = func.Blueprint()


@bp.function_name("send_message")
@bp.route(route="messages", methods=["POST"])
@action
def send_message(call: Call) -> func.HttpResponse:
    from shared.actions.messages import requests as message_requests
    from shared.actions.messages import service as messages

    sent = messages.send_message(call.client, call.body(message_requests.SendMessage), call.deadline)
    return json_response(sent, status=201)
