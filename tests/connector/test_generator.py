"""The generator's rules: every HTTP function needs a decision, declared routes must be the app's, and the schema
conversion refuses what Swagger 2.0 cannot say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from pydantic import BaseModel, Field

from connector import generate
from connector.operations import OPERATIONS
from connector.parts import Entry
from connector.routes import AppFunctions, HttpRoute, RouteError, normalize, read
from connector.swagger import ConversionError, Definitions, convert


def _app(*routes: HttpRoute, other: tuple[str, ...] = ()) -> AppFunctions:
    return AppFunctions(tuple(routes), other)


def _declared() -> list[HttpRoute]:
    return [HttpRoute(name, normalize(e.route), tuple(sorted(e.methods)), "function") for name, e in OPERATIONS.items()]


def test_an_http_function_without_an_entry_stops_the_generator() -> None:
    routes = [*_declared(), HttpRoute("export_contacts", "export", ("GET",), "function")]
    with pytest.raises(generate.GeneratorError, match=r"export_contacts .*connector/operations.py"):
        generate.definition(_app(*routes))


def test_functions_without_http_triggers_need_no_entry() -> None:
    document, warnings = generate.definition(_app(*_declared(), other=("poll_lead_created", "prune_events")))
    assert warnings == ()
    assert "/triggers/lead-created" in document["paths"]


def test_a_route_that_differs_from_its_entry_stops_the_generator() -> None:
    routes = [
        r if r.function != "get_user" else HttpRoute("get_user", "users/{id}", ("GET",), "function")
        for r in _declared()
    ]
    with pytest.raises(generate.GeneratorError, match=r"get_user: the app registers GET /users/\{id\}"):
        generate.definition(_app(*routes))


def test_an_anonymous_operation_stops_the_generator() -> None:
    routes = [
        r if r.function != "list_leads" else HttpRoute("list_leads", "leads", ("GET",), "anonymous")
        for r in _declared()
    ]
    with pytest.raises(generate.GeneratorError, match="auth level 'anonymous'"):
        generate.definition(_app(*routes))


def test_an_entry_the_app_does_not_register_is_described_with_a_warning() -> None:
    routes = [r for r in _declared() if r.function != "trigger_poll"]
    document, warnings = generate.definition(_app(*routes))
    assert warnings == ("trigger_poll is not registered by function_app yet: described from its declared route",)
    assert "/triggers/user-updated" in document["paths"]


def test_resolve_reports_each_left_out_function_with_its_reason() -> None:
    table = {"health": Entry("health", ("GET",), None, "operators only")}
    resolved = generate.resolve(_app(HttpRoute("health", "health", ("GET",), "anonymous")), table)
    assert [(r.function, e.reason) for r, e in resolved.routes] == [("health", "operators only")]


@pytest.mark.parametrize("route", ["users/{user_id?}", "files/{*path}", "leads/{contact_id:alpha}", "pages/{page=1}"])
def test_routes_the_host_does_not_serve_are_refused(route: str) -> None:
    assert normalize("/leads/{contact_id}/") == "leads/{contact_id}"
    with pytest.raises(RouteError):
        normalize(route)


def test_an_http_function_the_host_cannot_serve_or_without_methods_stops_the_reader() -> None:
    for route, methods in (("files/{*path}", ["GET"]), ("files", None)):
        app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
        app.route(route=route, methods=methods)(_handler)
        with pytest.raises(RouteError, match="_handler"):
            read(app)


def _handler(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("")


def test_reading_the_app_twice_works_and_leaves_it_as_it_was() -> None:
    from function_app import app

    before = app.functions_bindings
    first, second = read(app), read(app)
    assert first == second
    assert app.functions_bindings is before
    assert {"create_or_update_user", "health"} <= {r.function for r in first.http}


def test_nullable_const_and_bounds_convert() -> None:
    assert convert({"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}], "default": None}) == {
        "type": "string",
        "maxLength": 5,
        "x-nullable": True,
    }
    assert convert({"const": "user"}) == {"enum": ["user"], "type": "string"}
    assert convert({"type": "integer", "exclusiveMinimum": 0}) == {
        "type": "integer",
        "minimum": 0,
        "exclusiveMinimum": True,
    }
    assert convert({"type": ["number", "null"]}) == {"type": "number", "x-nullable": True}


@pytest.mark.parametrize(
    "schema",
    [
        {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        {"anyOf": [{"$ref": "#/definitions/A"}, {"type": "null"}]},
        {"type": "string", "prefixItems": []},
        {"oneOf": [{"type": "string"}]},
        {"$ref": "#/definitions/A", "default": {}},
    ],
)
def test_what_swagger_2_cannot_say_is_an_error(schema: dict[str, Any]) -> None:
    with pytest.raises(ConversionError):
        convert(schema)


class _Thing(BaseModel):
    name: str = Field(title="Name", description="a name", json_schema_extra={"x-ms-visibility": "important"})
    size: int | None = None


def test_definitions_need_a_display_name_for_every_property() -> None:
    defs = Definitions()
    assert defs.add_model(_Thing, mode="serialization") == "#/definitions/_Thing"
    assert defs.schemas["_Thing"]["required"] == ["name", "size"], "a response writes every field"
    name = defs.schemas["_Thing"]["properties"]["name"]
    assert (name["x-ms-summary"], name["x-ms-visibility"]) == ("Name", "important"), "the field's title and hints"
    assert "x-ms-summary" not in defs.schemas["_Thing"]["properties"]["size"], "no title is made up from the name"
    with pytest.raises(ConversionError, match=r"no display name for _Thing.size"):
        defs.require_display_names()

    class _Titled(BaseModel):
        size: int | None = Field(None, title="Size")

    titled = Definitions()
    titled.add_model(_Titled, mode="serialization")
    titled.require_display_names()
    assert titled.schemas["_Titled"]["properties"]["size"]["x-ms-summary"] == "Size"


def test_two_models_with_one_name_are_an_error() -> None:
    class Thing(BaseModel):
        other: str

    defs = Definitions()
    defs.add("Thing", {"type": "object"})
    with pytest.raises(ConversionError, match="two different schemas"):
        defs.add_model(Thing, mode="validation")


def test_check_mode_reports_stale_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(generate, "DEFINITION_FILE", tmp_path / "apiDefinition.swagger.json")
    monkeypatch.setattr(generate, "PROPERTIES_FILE", tmp_path / "apiProperties.json")
    assert generate.main(["--check"]) == 1
    assert "stale:" in capsys.readouterr().err
    assert generate.main([]) == 0
    assert generate.main(["--check"]) == 0
    assert (tmp_path / "apiDefinition.swagger.json").read_text().startswith('{\n  "swagger": "2.0",')


def test_a_copy_for_one_app_gets_its_host(tmp_path: Path) -> None:
    assert generate.main(["--host", "func-abc.azurewebsites.net", "--out", str(tmp_path)]) == 0
    written = json.loads((tmp_path / "apiDefinition.swagger.json").read_text())
    assert written["host"] == "func-abc.azurewebsites.net"
    assert (tmp_path / "apiProperties.json").exists()
    assert json.loads(generate.DEFINITION_FILE.read_text())["host"] == generate.HOST_PLACEHOLDER
    with pytest.raises(SystemExit):
        generate.main(["--host", "https://func-abc.azurewebsites.net/api", "--out", str(tmp_path)])
    with pytest.raises(SystemExit):
        generate.main(["--host", "func-abc.azurewebsites.net"])
