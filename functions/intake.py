"""Intercom's webhook notifications in (interface §6, §11): the anonymous intake (verify, store durably, answer fast),
the queue-triggered worker that turns a stored notification into trigger events (and the handler of its poison
queue), and the operator's routes over the notifications kept as unreadable. Parse, call one function of shared/,
answer. The shared/ modules are imported inside the functions, as in functions/contacts.py (cold start)."""

from __future__ import annotations

import azure.functions as func

from functions.http import handles_errors, json_response, no_content, request_connection
from shared.errors import NotFound
from shared.notifications.inbox import QUEUE
from shared.settings import get_settings

bp = func.Blueprint()
UNREADABLE = "intercom/webhooks/unreadable"


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

    final = (message.dequeue_count or 0) >= notification_worker.MAX_ATTEMPTS
    notification_worker.process(get_settings(), message.get_body().decode("utf-8"), final_attempt=final)


@bp.function_name("keep_poisoned_notification")
@bp.queue_trigger(arg_name="message", queue_name=f"{QUEUE}-poison", connection="AzureWebJobsStorage")
def keep_poisoned_notification(message: func.QueueMessage) -> None:
    from shared.notifications import worker as notification_worker

    notification_worker.poisoned(get_settings(), message.get_body().decode("utf-8"))


@bp.function_name("unreadable_notifications")
@bp.route(route=UNREADABLE, methods=["GET"])
@handles_errors
def unreadable_notifications(req: func.HttpRequest) -> func.HttpResponse:
    from shared.notifications import unreadable

    settings = get_settings()
    connection = request_connection(req, settings)
    return json_response(unreadable.overview(settings.storage_connection_string.get_secret_value(), connection.name))


@bp.function_name("unreadable_notification")
@bp.route(route=UNREADABLE + "/{key}", methods=["GET", "DELETE"])
@handles_errors
def unreadable_notification(req: func.HttpRequest) -> func.HttpResponse:
    from shared.notifications import unreadable

    settings = get_settings()
    connection = request_connection(req, settings)
    storage, key = settings.storage_connection_string.get_secret_value(), req.route_params.get("key", "")
    if req.method == "DELETE":
        if not unreadable.forget(storage, connection.name, key):
            raise _not_kept(key)
        return no_content()
    kept = unreadable.get(storage, connection.name, key)
    if kept is None:
        raise _not_kept(key)
    return json_response(kept.detail())


@bp.function_name("replay_unreadable_notification")
@bp.route(route=UNREADABLE + "/{key}/replay", methods=["POST"])
@handles_errors
def replay_unreadable_notification(req: func.HttpRequest) -> func.HttpResponse:
    from shared.notifications import unreadable

    settings = get_settings()
    connection = request_connection(req, settings)
    key = req.route_params.get("key", "")
    kept = unreadable.replay(settings.storage_connection_string.get_secret_value(), connection.name, key)
    if kept is None:
        raise _not_kept(key)
    return json_response({"status": "queued", **kept.summary()}, status=202)


def _not_kept(key: str) -> NotFound:
    return NotFound(f"no unreadable notification {key!r} is kept for this connection")
