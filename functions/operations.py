"""Operator endpoints: health."""

from __future__ import annotations

import os

import azure.functions as func
from azure.core.exceptions import AzureError

from functions.http import handles_errors, json_response
from shared.settings import SettingsError, get_settings, storage_setting
from shared.storage import service_client

bp = func.Blueprint()


@bp.function_name("health")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handles_errors
def health(req: func.HttpRequest) -> func.HttpResponse:
    # Storage is checked even when other settings are invalid: health means "storage answers" (interface §5);
    # a settings problem is reported by name, never with a value.
    body: dict[str, object] = {"status": "healthy", "storage": "ok"}
    try:
        body["connections"] = sorted(get_settings().connections)
        body["settings"] = "ok"
    except SettingsError as exc:
        body["settings"] = exc.message
    try:
        tables = service_client(storage_setting(os.environ)).list_tables(results_per_page=1)
        next(iter(tables), None)
    except (AzureError, ValueError) as exc:
        body.update(status="unhealthy", storage=f"unreachable ({type(exc).__name__})")
        return json_response(body, status=503)
    return json_response(body)
