"""Intercom's webhook notifications in (interface §6): the anonymous intake (verify, store durably, answer fast) and the
queue-triggered worker that turns a stored notification into trigger events. Parse, call one function of shared/,
answer. The shared/ modules are imported inside the functions, as in functions/contacts.py (cold start)."""

from __future__ import annotations

import azure.functions as func

from functions.http import handles_errors, json_response
from shared.notifications.inbox import QUEUE
from shared.settings import get_settings

bp = func.Blueprint()


@bp.function_name("intercom_webhooks")
@bp.route(route="intercom/webhooks", methods=["POST", "HEAD"], auth_level=func.AuthLevel.ANONYMOUS)
@handles_errors
def intercom_webhooks(req: func.HttpRequest) -> func.HttpResponse:
    if req.method == "HEAD":  # Intercom checks the URL with HEAD when the webhook is saved
        return func.HttpResponse(status_code=200)
    from shared.notifications import intake
    from shared.notifications.signature import SIGNATURE_HEADER

    result = intake.accept(get_settings(), req.get_body() or b"", req.headers.get(SIGNATURE_HEADER))
    return json_response({"status": result.status, "topic": result.topic})


@bp.function_name("process_notification")
@bp.queue_trigger(arg_name="message", queue_name=QUEUE, connection="AzureWebJobsStorage")
def process_notification(message: func.QueueMessage) -> None:
    from shared.notifications import worker as notification_worker

    notification_worker.process(get_settings(), message.get_body().decode("utf-8"))
