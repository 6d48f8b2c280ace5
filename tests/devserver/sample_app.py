"""A tiny function app for the devserver tests: HTTP routes with parameters, methods, an anonymous route, a crashing
handler, a slow one, and a constrained route the devserver does not serve; timers on `%SAMPLE_SCHEDULE%` that append
a JSON line per run to `$SAMPLE_TIMER_FILE`; queue triggers on `%SAMPLE_QUEUE%` and `%SAMPLE_QUEUE%-flaky` that
append a JSON line per message to `$SAMPLE_QUEUE_FILE`; and a blob trigger the devserver cannot serve. Its host.json
(beside it) makes queue retries fast."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import azure.functions as func

bp = func.Blueprint()


def echo(req: func.HttpRequest, status: int = 200) -> func.HttpResponse:
    body = {
        "method": req.method,
        "url": req.url,
        "route_params": dict(req.route_params),
        "params": dict(req.params),
        "headers": dict(req.headers),
        "body": req.get_body().decode(),
    }
    return func.HttpResponse(json.dumps(body), status_code=status, mimetype="application/json")


@bp.function_name("get_item")
@bp.route(route="items/{item_id}", methods=["GET"])
def get_item(req: func.HttpRequest) -> func.HttpResponse:
    return echo(req)


@bp.function_name("special_item")
@bp.route(route="items/special", methods=["GET"])
def special_item(req: func.HttpRequest) -> func.HttpResponse:
    return echo(req)


@bp.function_name("create_item")
@bp.route(route="items", methods=["POST"])
def create_item(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(
        req.get_body(),
        status_code=201,
        headers={"Location": "/api/items/1", "X-Twice": "one"},
        mimetype="text/plain",
        charset="utf-8",
    )


@bp.function_name("subscriptions")
@bp.route(route="triggers/{name}/subscriptions", methods=["POST", "DELETE"])
def subscriptions(req: func.HttpRequest) -> func.HttpResponse:
    return echo(req)


@bp.function_name("subscription")
@bp.route(route="triggers/{name}/subscriptions/{subscription_id}", methods=["GET", "DELETE"])
def subscription(req: func.HttpRequest) -> func.HttpResponse:
    return echo(req)


@bp.function_name("anything")
@bp.route(route="anything/{value}")
def anything(req: func.HttpRequest) -> func.HttpResponse:
    return echo(req)


@bp.function_name("constrained")
@bp.route(route="numbers/{number:int}", methods=["GET"])
def constrained(req: func.HttpRequest) -> func.HttpResponse:
    """A route constraint: a form the devserver does not serve (listed as unsupported)."""
    return echo(req)


@bp.function_name("public")
@bp.route(route="public", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def public(req: func.HttpRequest) -> func.HttpResponse:
    response = func.HttpResponse("<p>hi</p>", mimetype="text/html")
    response.headers.add("Set-Cookie", "a=1")
    response.headers.add("Set-Cookie", "b=2")
    return response


@bp.function_name("nothing")
@bp.route(route="nothing", methods=["DELETE"])
def nothing(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(status_code=204)


@bp.function_name("crash")
@bp.route(route="crash")
def crash(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("secret-detail-xyz")


@bp.function_name("slow")
@bp.route(route="slow", methods=["GET"])
def slow(req: func.HttpRequest) -> func.HttpResponse:
    started = time.time()
    time.sleep(float(req.params.get("seconds", "1")))
    return func.HttpResponse(json.dumps({"started": started, "ended": time.time()}), mimetype="application/json")


@bp.function_name("async_hello")
@bp.route(route="async", methods=["GET"])
async def async_hello(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("async ok")


def record(name: str, timer: func.TimerRequest) -> None:
    line = {
        "name": name,
        "t": time.time(),
        "past_due": timer.past_due,
        "status": getattr(timer, "schedule_status", None),
    }
    with open(os.environ["SAMPLE_TIMER_FILE"], "a", encoding="utf-8") as file:
        file.write(json.dumps(line) + "\n")


@bp.function_name("tick")
@bp.timer_trigger(schedule="%SAMPLE_SCHEDULE%", arg_name="timer")
def tick(timer: func.TimerRequest) -> None:
    record("tick", timer)


@bp.function_name("tock")
@bp.timer_trigger(schedule="%SAMPLE_SCHEDULE%", arg_name="timer")
def tock(timer: func.TimerRequest) -> None:
    record("tock", timer)


@bp.function_name("laggard")
@bp.timer_trigger(schedule="%SAMPLE_SCHEDULE%", arg_name="timer")
def laggard(timer: func.TimerRequest) -> None:
    record("laggard", timer)
    time.sleep(float(os.environ.get("SAMPLE_LAGGARD_SECONDS", "2.2")))


@bp.function_name("on_startup")
@bp.timer_trigger(schedule="0 0 0 1 1 *", arg_name="timer", run_on_startup=True)
def on_startup(timer: func.TimerRequest) -> None:
    record("on_startup", timer)


@bp.function_name("boom")
@bp.timer_trigger(schedule="0 0 0 1 1 *", arg_name="timer")
def boom(timer: func.TimerRequest) -> None:
    raise ValueError("boom")


@bp.function_name("orphan")
@bp.timer_trigger(schedule="%SAMPLE_UNSET_SCHEDULE%", arg_name="timer")
def orphan(timer: func.TimerRequest) -> None:
    record("orphan", timer)


def received(name: str, msg: func.QueueMessage, event: str) -> dict[str, Any]:
    """Append what the function got (and `event`: started, done) to $SAMPLE_QUEUE_FILE; returns the JSON body."""
    body = msg.get_body()
    line = {
        "name": name,
        "event": event,
        "t": time.time(),
        "id": msg.id,
        "body": body.decode(),
        "dequeue_count": getattr(msg, "dequeue_count", None),
        "insertion_time": str(getattr(msg, "insertion_time", None)),
        "pop_receipt": msg.pop_receipt,
    }
    with open(os.environ["SAMPLE_QUEUE_FILE"], "a", encoding="utf-8") as file:
        file.write(json.dumps(line) + "\n")
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@bp.function_name("queued")
@bp.queue_trigger(arg_name="msg", queue_name="%SAMPLE_QUEUE%", connection="AzureWebJobsStorage")
def queued(msg: func.QueueMessage) -> None:
    """Records each message; `{"sleep": s}` sleeps first (records `started`, then `done`)."""
    order = received("queued", msg, "started")
    time.sleep(float(order.get("sleep", 0)))
    received("queued", msg, "done")


@bp.function_name("flaky")
@bp.queue_trigger(arg_name="msg", queue_name="%SAMPLE_QUEUE%-flaky", connection="AzureWebJobsStorage")
def flaky(msg: func.QueueMessage) -> None:
    """`{"fail": n}` raises on the first n deliveries."""
    order = received("flaky", msg, "started")
    if (msg.dequeue_count or 0) <= int(order.get("fail", 0)):
        raise RuntimeError("flaky failure")
    received("flaky", msg, "done")


@bp.function_name("blobbed")
@bp.blob_trigger(arg_name="blob", path="samples/{name}", connection="AzureWebJobsStorage")
def blobbed(blob: func.InputStream) -> None:
    """The devserver serves HTTP, timers and queues only: this one is listed as unsupported."""


app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(bp)
