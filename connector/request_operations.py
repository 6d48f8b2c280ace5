"""Send an HTTP request to Intercom as a connector operation (interface §10): the answer is Intercom's own, so its
responses are declared by hand (any JSON object; Intercom's status), beside the connector's own refusals."""

from __future__ import annotations

from connector.parts import CONNECTION_PARAMETER, Entry, Paths, body, errors, path
from connector.routes import HttpRoute
from connector.swagger import Definitions
from shared.actions.http_request.requests import IntercomRequest


def _send_request(route: HttpRoute, defs: Definitions) -> Paths:
    answer = {"$ref": defs.add("IntercomAnswer", {"type": "object", "description": "Intercom's JSON body as it came"})}
    refused = errors("400", "413", "429", "502", "503")
    refused["400"]["description"] = "The path (or another input) is refused: the details name it"
    built = {
        "operationId": "SendHttpRequestToIntercom",
        "summary": "Send an HTTP request to Intercom",
        "description": "Calls any endpoint of the connection's Intercom API (GET, POST, PUT or DELETE on a path such "
        "as /contacts/123) with the connection's token and Intercom version, and returns Intercom's status and JSON "
        "body as they came. A path that would leave the connection's Intercom API is refused.",
        "parameters": [
            body(IntercomRequest, "Request", defs),
            {"$ref": f"#/parameters/{CONNECTION_PARAMETER}"},
        ],
        "responses": {
            "200": {"description": "Intercom's answer (its body as it came)", "schema": answer},
            "default": {"description": "Intercom's answer with its status (a 4xx carries Intercom's error list)"},
            **refused,
        },
        "x-ms-visibility": "advanced",
    }
    return {path(route): {"post": built}}


REQUEST_OPERATIONS: dict[str, Entry] = {
    "send_intercom_request": Entry("intercom/request", ("POST",), _send_request),
}
