"""The polling-trigger endpoint and the webhook subscriptions of every trigger (interface §4, §8), and the timer that
pushes pending events to the subscribers. Parse, call one function of shared/, answer. The shared modules are imported
inside the functions: a cold start does not compile them (bench/cold_start.py)."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.http import handles_errors, json_body, json_response, request_connection, url_with
from shared.errors import ConnectorError
from shared.intercom.deadline import Deadline
from shared.settings import CONNECTION_HEADER, get_settings

bp = func.Blueprint()
log = logging.getLogger("connector.trigger_api")

# Every 15 s: a subscriber gets an event within seconds of its poll (the pollers also push right after they commit),
# and a retry comes due within 15 s of its time. A run stops after DELIVERY_RUN_SECONDS and leaves the rest to the
# next one (a timer never overlaps itself).
WEBHOOK_SCHEDULE = "*/15 * * * * *"
DELIVERY_RUN_SECONDS = 120.0


@bp.function_name("trigger_poll")
@bp.route(route="triggers/{name}", methods=["GET"])
@handles_errors
def trigger_poll(req: func.HttpRequest) -> func.HttpResponse:
    from shared.consumers import feed as trigger_feed

    page = trigger_feed.poll_page(
        get_settings(),
        req.route_params.get("name", ""),
        header=req.headers.get(CONNECTION_HEADER),
        cursor=req.params.get("cursor"),
        limit=req.params.get("limit"),
    )
    headers = {"Location": url_with(req.url, cursor=page.cursor), "Retry-After": str(page.retry_after)}
    if page.status == 202:
        from shared.operations.health import trigger_problem

        # Nothing newer to hand out: a trigger whose polls are failing says so where its flow shows it (§11).
        problem = trigger_problem(get_settings(), page.connection, req.route_params.get("name", ""))
        if problem is not None:
            return json_response(problem.body(), status=problem.status, headers=headers)
        return func.HttpResponse(status_code=202, headers=headers)
    return json_response({"value": page.events}, headers=headers)


@bp.function_name("trigger_subscribe")
@bp.route(route="triggers/{name}/subscriptions", methods=["POST"])
@handles_errors
def trigger_subscribe(req: func.HttpRequest) -> func.HttpResponse:
    from shared.consumers import subscriptions

    settings = get_settings()
    trigger = subscriptions.known_trigger(req.route_params.get("name"))
    connection = request_connection(req, settings)
    sub, created = subscriptions.subscribe(settings, connection, trigger, json_body(req, settings))
    return json_response(
        sub.public(), status=201 if created else 200, headers={"Location": url_with(req.url, append=sub.id)}
    )


@bp.function_name("trigger_subscription")
@bp.route(route="triggers/{name}/subscriptions/{subscription_id}", methods=["GET"])
@handles_errors
def trigger_subscription(req: func.HttpRequest) -> func.HttpResponse:
    from shared.consumers import subscriptions

    sub = subscriptions.get_subscription(
        get_settings(),
        req.headers.get(CONNECTION_HEADER),
        req.route_params.get("name", ""),
        req.route_params.get("subscription_id"),
    )
    return json_response(sub.status())


@bp.function_name("trigger_unsubscribe")
@bp.route(route="triggers/{name}/subscriptions/{subscription_id}", methods=["DELETE"])
@handles_errors
def trigger_unsubscribe(req: func.HttpRequest) -> func.HttpResponse:
    from shared.consumers import subscriptions

    subscriptions.unsubscribe(
        get_settings(),
        req.headers.get(CONNECTION_HEADER),
        req.route_params.get("name", ""),
        req.route_params.get("subscription_id"),
    )
    return func.HttpResponse(status_code=204)


@bp.function_name("trigger_unsubscribe_by_body")
@bp.route(route="triggers/{name}/subscriptions", methods=["DELETE"])
@handles_errors
def trigger_unsubscribe_by_body(req: func.HttpRequest) -> func.HttpResponse:
    from shared.consumers import subscriptions

    settings = get_settings()
    trigger = subscriptions.known_trigger(req.route_params.get("name"))
    connection = request_connection(req, settings)
    subscriptions.unsubscribe_callback(settings, connection, trigger, json_body(req, settings))
    return func.HttpResponse(status_code=204)


@bp.function_name("deliver_webhooks")
@bp.timer_trigger(schedule=WEBHOOK_SCHEDULE, arg_name="timer", run_on_startup=False, use_monitor=False)
def deliver_webhooks(timer: func.TimerRequest) -> None:
    from shared.consumers import delivery

    try:
        settings = get_settings()
    except ConnectorError as error:
        log.error("deliver_webhooks: %s", error.message)
        return
    delivered = delivery.deliver_all(settings, Deadline.after(DELIVERY_RUN_SECONDS))
    if delivered:
        log.info("deliver_webhooks: %d events delivered", delivered)
