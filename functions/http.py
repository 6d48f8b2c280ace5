"""Shared plumbing of the HTTP handlers: JSON answers, the one place errors become the contract's body, and `Call`,
the prologue every action shares (settings, connection, client, deadline, body, route ids, query, links).

The Intercom client and the request parsing (pydantic) are imported when a call first needs them, not when the app
is indexed: a cold start pays for the routes only (bench/cold_start.py).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import azure.functions as func

from shared.errors import BadRequest, ConnectorError, PayloadTooLarge
from shared.intercom.deadline import Deadline, action_deadline
from shared.settings import CONNECTION_HEADER, Connection, Settings, get_settings

if TYPE_CHECKING:
    from pydantic import BaseModel

    from shared.actions.paging import Page
    from shared.intercom.client import IntercomClient

log = logging.getLogger("connector.http")

Handler = Callable[[func.HttpRequest], func.HttpResponse]
M = TypeVar("M", bound="BaseModel")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> func.HttpResponse:
    from pydantic import BaseModel

    text = body.model_dump_json() if isinstance(body, BaseModel) else json.dumps(body, separators=(",", ":"))
    return func.HttpResponse(text, status_code=status, headers=headers, mimetype="application/json")


def no_content() -> func.HttpResponse:
    return func.HttpResponse(status_code=204)


def error_response(error: ConnectorError) -> func.HttpResponse:
    return json_response(error.body(), status=error.status, headers=error.headers)


def handles_errors(handler: Handler) -> Handler:
    """Turn typed errors into the contract's error body, and anything unexpected into a 500 without details."""

    @functools.wraps(handler)
    def wrapper(req: func.HttpRequest) -> func.HttpResponse:
        try:
            return handler(req)
        except ConnectorError as error:
            if error.status >= 500:
                log.warning("%s failed: %s %s", handler.__name__, error.code, error.message)
            return error_response(error)
        except Exception:
            log.exception("%s crashed", handler.__name__)
            return json_response(
                {"error": {"code": "internal_error", "message": "unexpected error", "details": []}},
                status=500,
            )

    return wrapper


def request_connection(req: func.HttpRequest, settings: Settings | None = None) -> Connection:
    """The connection named by X-Intercom-Connection (absent: default)."""
    return (settings or get_settings()).connection(req.headers.get(CONNECTION_HEADER))


def json_body(req: func.HttpRequest, settings: Settings | None = None) -> dict[str, Any]:
    """The request's JSON object; 413 over the size limit, 400 when it is not a JSON object."""
    limit = (settings or get_settings()).max_body_bytes
    raw = req.get_body() or b""
    if len(raw) > limit:
        raise PayloadTooLarge(f"body is larger than {limit} bytes", details=[{"field": "body", "message": "too large"}])
    if not raw.strip():
        raise BadRequest.field("body", "a JSON object is required")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest.field("body", f"malformed JSON: {exc}") from exc
    except RecursionError:  # arrays or objects nested thousands deep: json's parser recurses
        raise BadRequest.field("body", "malformed JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest.field("body", "must be a JSON object")
    return data


def url_with(url: str, *, append: str | None = None, **params: str) -> str:
    """The request's own URL with `params` set (other parameters, e.g. the function key `code`, stay) and `append`
    added as one more path segment: how a Location or nextLink that the caller follows as it is gets built."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += list(params.items())
    path = parts.path if append is None else f"{parts.path.rstrip('/')}/{quote(append, safe='')}"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


class Call:
    """One action call: what every handler needs, each part made when first asked for (so a bad body is a 400 even
    when, say, storage is down). Errors raised here are typed and become the contract's body in `handles_errors`."""

    def __init__(self, req: func.HttpRequest) -> None:
        self.req = req
        self.deadline: Deadline = action_deadline()  # started on arrival: budget waits and Intercom share it
        self._settings: Settings | None = None
        self._connection: Connection | None = None
        self._client: IntercomClient | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    @property
    def connection(self) -> Connection:
        """The connection named by X-Intercom-Connection (400 naming the header when unknown)."""
        if self._connection is None:
            self._connection = request_connection(self.req, self.settings)
        return self._connection

    @property
    def client(self) -> IntercomClient:
        """The throttled Intercom client of the connection named by X-Intercom-Connection."""
        if self._client is None:
            from shared.intercom.client import client_for

            self._client = client_for(self.connection, self.settings)
        return self._client

    def body(self, model: type[M]) -> M:
        """The JSON body validated as `model` (413 over the size limit, 400 naming each bad field)."""
        from shared.actions.parsing import parse

        self._connection_first()
        return parse(model, json_body(self.req, self.settings))

    def query(self, model: type[M]) -> M:
        """The query string validated as `model`."""
        from shared.actions.parsing import parse

        self._connection_first()
        return parse(model, dict(self.req.params))

    def id(self, name: str) -> str:
        """The route parameter `name` as an Intercom id (400 naming `name` otherwise)."""
        from shared.actions.parsing import parse_id

        self._connection_first()
        return parse_id(self.req.route_params.get(name), name)

    def _connection_first(self) -> None:
        """An unknown connection is reported before any input, whatever order a handler reads its inputs in."""
        self.connection  # noqa: B018

    def link(self, **params: str) -> str:
        """The request's URL with `params` set: a nextLink the caller follows as it is."""
        return url_with(self.req.url, **params)

    def values(self, items: Sequence[BaseModel]) -> func.HttpResponse:
        """A whole list's answer `{"value": [...]}` (no paging)."""
        return json_response({"value": [item.model_dump(mode="json") for item in items]})

    def page(self, page: Page[BaseModel], per_page: int, **filters: str) -> func.HttpResponse:
        """A list action's answer `{"value": [...], "nextLink"}`: the next page's link keeps the request's other
        parameters (filters, the function key) and sets `per_page`, `cursor` and `filters`; none on the last page."""
        body: dict[str, object] = {"value": [item.model_dump(mode="json") for item in page.value]}
        if page.next_cursor is not None:
            body["nextLink"] = self.link(per_page=str(per_page), cursor=page.next_cursor, **filters)
        return json_response(body)


def action(handler: Callable[[Call], func.HttpResponse]) -> Handler:
    """Make `handler(call)` an HTTP function `(req)` whose errors become the contract's body.

    The wrapper's signature is `(req: func.HttpRequest)` and it carries no `__wrapped__`: the Functions worker and
    the devserver bind the trigger by that parameter name.
    """

    def function(req: func.HttpRequest) -> func.HttpResponse:
        return handler(Call(req))

    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(function, attribute, getattr(handler, attribute))
    return handles_errors(function)
