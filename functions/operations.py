"""Operator endpoints: health."""

from __future__ import annotations

import azure.functions as func
from azure.core.exceptions import AzureError

from functions.http import handles_errors, json_response
from shared.settings import get_settings
from shared.storage import service_client

bp = func.Blueprint()


@bp.function_name("health")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handles_errors
def health(req: func.HttpRequest) -> func.HttpResponse:
    settings = get_settings()
    try:
        tables = service_client(settings.storage_connection_string.get_secret_value()).list_tables(results_per_page=1)
        next(iter(tables), None)
    except AzureError as exc:
        return json_response({"status": "unhealthy", "storage": f"unreachable ({type(exc).__name__})"}, status=503)
    return json_response({"status": "healthy", "storage": "ok", "connections": sorted(settings.connections)})
