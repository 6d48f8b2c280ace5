"""Operator endpoints (interface §11): `GET /api/health` (anonymous) and `GET /api/status` (function key; JSON, or
the status page for `Accept: text/html`)."""

from __future__ import annotations

import os

import azure.functions as func

from functions.http import handles_errors, json_response
from shared.settings import get_settings

bp = func.Blueprint()


@bp.function_name("health")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handles_errors
def health(req: func.HttpRequest) -> func.HttpResponse:
    from shared.operations.health import health as check

    found = check(os.environ)
    return json_response(found.body, status=found.status_code)


@bp.function_name("status")
@bp.route(route="status", methods=["GET"])
@handles_errors
def status(req: func.HttpRequest) -> func.HttpResponse:
    from shared.operations import page
    from shared.operations.status import status_report

    report = status_report(get_settings())
    if page.wants_html(req.headers.get("Accept")):
        return func.HttpResponse(
            page.render(report.body),
            status_code=report.status_code,
            headers=page.HEADERS,
            mimetype="text/html",
            charset="utf-8",
        )
    return json_response(report.body, status=report.status_code)
