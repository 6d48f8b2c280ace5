"""Send an HTTP request to Intercom (interface §10): Intercom's answer passed on as it came (status, JSON body,
`Content-Type`, `X-RateLimit-*`, a redirect's `Location`). The service is imported inside the handler, as in
functions/contacts.py (cold start)."""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action

bp = func.Blueprint()


@bp.function_name("send_intercom_request")
@bp.route(route="intercom/request", methods=["POST"])
@action
def send_intercom_request(call: Call) -> func.HttpResponse:
    from shared.actions.http_request import requests as http_requests
    from shared.actions.http_request import service as http_request

    answer = http_request.send_request(call.client, call.body(http_requests.IntercomRequest), call.deadline)
    mimetype = None if answer.body is None else "application/json"  # Intercom's Content-Type header is kept as it came
    return func.HttpResponse(answer.body, status_code=answer.status, headers=answer.headers, mimetype=mimetype)
