"""functions/http.py's `action` and `Call`: the wrapper the Functions worker binds, and the order of input errors."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator

import azure.functions as func
import pytest

from functions import contacts
from functions.http import Call
from shared.actions.contacts.requests import AddTag
from shared.errors import BadRequest
from shared.settings import reset_settings_cache


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INTERCOM_ACCESS_TOKEN", "helper-token-0123456789")
    monkeypatch.setenv("INTERCOM_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("INTERCOM_CONNECTIONS", "")
    reset_settings_cache()
    yield
    reset_settings_cache()


def request(route: dict[str, str], headers: dict[str, str] | None = None, body: object = None) -> func.HttpRequest:
    return func.HttpRequest(
        "POST",
        "http://127.0.0.1/api/contacts/x/tags?code=k",
        headers=headers or {},
        params={"code": "k"},
        route_params=route,
        body=b"" if body is None else json.dumps(body).encode(),
    )


def test_handlers_keep_the_req_signature_the_worker_binds() -> None:
    from function_app import app

    saved, app.functions_bindings = app.functions_bindings, None  # get_functions() refuses names seen before
    try:
        functions = list(app.get_functions())
    finally:
        app.functions_bindings = saved
    handlers = [f.get_user_function() for f in functions if f.get_user_function().__module__ == contacts.__name__]
    assert len(handlers) == inspect.getsource(contacts).count("@bp.route("), "every HTTP function of the module"
    for handler in handlers:
        assert list(inspect.signature(handler).parameters) == ["req"], handler.__name__
        made = getattr(handler, "__wrapped__", None)  # handles_errors' wraps: the function `action` made
        assert made is not None
        assert made.__name__ == handler.__name__
        assert not hasattr(made, "__wrapped__"), "the signature must not reach the (call) function"


def test_an_unknown_connection_is_reported_before_the_input(settings_env: None) -> None:
    call = Call(request({"id": "a/b"}, {"X-Intercom-Connection": "nosuch"}, body=[]))
    for read in (lambda: call.id("id"), lambda: call.body(AddTag)):
        with pytest.raises(BadRequest) as info:
            read()
        assert info.value.details[0]["field"] == "X-Intercom-Connection"


def test_inputs_and_links(settings_env: None) -> None:
    call = Call(request({"id": " abc ", "tag_id": "a.b"}, body={"name": " Hot "}))
    assert call.id("id") == "abc"
    with pytest.raises(BadRequest) as info:
        call.id("tag_id")
    assert info.value.details[0]["field"] == "tag_id"
    assert call.body(AddTag).name == "Hot"
    assert call.link(cursor="c1") == "http://127.0.0.1/api/contacts/x/tags?code=k&cursor=c1"
    assert 7 < call.deadline.remaining() <= 8
