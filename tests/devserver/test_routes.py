"""Route templates: parameters, optional and default values, catch-all, constraints, precedence, bad templates;
and the catalog read from a function app's own metadata."""

from __future__ import annotations

import importlib

import pytest

from devserver.catalog import FunctionSource, index, is_disabled, load_app
from devserver.routes import RouteError, RouteTemplate
from tests.devserver.test_host_http import SAMPLE_APP


def fresh_sample_app() -> FunctionSource:
    """The sample app from a fresh import: a FunctionApp's get_functions() runs once (a second call sees every name
    as a duplicate), as the host calls it once per process."""
    importlib.reload(importlib.import_module(SAMPLE_APP.partition(":")[0]))
    return load_app(SAMPLE_APP)


def match(template: str, path: str) -> dict[str, str] | None:
    return RouteTemplate.parse(template).match(path)


def test_literals_and_parameters() -> None:
    assert match("users", "users") == {}
    assert match("users", "USERS/") == {}
    assert match("users", "users/1") is None
    assert match("users/{user_id}", "users/abc%20d") == {"user_id": "abc d"}
    assert match("users/{user_id}", "users/") is None
    assert match("triggers/{name}/subscriptions/{subscription_id}", "triggers/lead-created/subscriptions/s1") == {
        "name": "lead-created",
        "subscription_id": "s1",
    }


def test_optional_default_and_catch_all() -> None:
    assert match("subs/{id?}", "subs") == {}
    assert match("subs/{id?}", "subs/7") == {"id": "7"}
    assert match("pages/{page=1}", "pages") == {"page": "1"}
    assert match("files/{*path}", "files/a/b/c.txt") == {"path": "a/b/c.txt"}
    assert match("files/{*path}", "files") == {}
    assert match("{id?}", "") == {}
    assert match("", "") == {}


def test_complex_segment() -> None:
    assert match("files/{name}.{ext}", "files/report.final.pdf") == {"name": "report", "ext": "final.pdf"}


@pytest.mark.parametrize(
    ("constraint", "good", "bad"),
    [
        ("int", ["42", "-7"], ["4.2", "x", "99999999999"]),
        ("long", ["99999999999"], ["1e3"]),
        ("bool", ["true", "False"], ["yes"]),
        ("alpha", ["abc"], ["ab1"]),
        ("guid", ["6f9619ff-8b86-d011-b42d-00cf4fc964ff"], ["6f9619ff"]),
        ("double", ["1.5", "-2"], ["nan", "one"]),
        ("datetime", ["2026-01-30"], ["yesterday"]),
        ("length(2)", ["ab"], ["a", "abc"]),
        ("length(1,3)", ["a", "abc"], ["abcd"]),
        ("minlength(2)", ["ab"], ["a"]),
        ("maxlength(2)", ["ab"], ["abc"]),
        ("min(10)", ["10"], ["9", "x"]),
        ("max(10)", ["10"], ["11"]),
        ("range(1,5)", ["1", "5"], ["0", "6"]),
        (r"regex(^[a-f0-9]{{4}}$)", ["beef"], ["beefy"]),
        ("alpha:maxlength(3)", ["abc"], ["abcd", "a1"]),
    ],
)
def test_constraints(constraint: str, good: list[str], bad: list[str]) -> None:
    route = RouteTemplate.parse(f"x/{{v:{constraint}}}")
    for value in good:
        assert route.match(f"x/{value}") == {"v": value}, value
    for value in bad:
        assert route.match(f"x/{value}") is None, value


def test_precedence_literal_then_constrained_then_plain_then_optional() -> None:
    templates = ["items/{*rest}", "items/{name}", "items/{id?}", "items/{id:int}", "items/special"]
    ordered = sorted((RouteTemplate.parse(t) for t in templates), key=lambda r: r.precedence)
    assert [r.template for r in ordered] == [
        "items/special",
        "items/{id:int}",
        "items/{name}",
        "items/{id?}",
        "items/{*rest}",
    ]


@pytest.mark.parametrize(
    "template",
    ["users/{", "users/}", "users/{id:nosuch}", "users/{1d}", "a/{*rest}/b", "a/{x}/{X}", "a//b", "x-{id?}"],
)
def test_bad_templates(template: str) -> None:
    with pytest.raises(RouteError):
        RouteTemplate.parse(template)


def test_catalog_from_the_sample_app_metadata() -> None:
    env = {"SAMPLE_SCHEDULE": "*/1 * * * * *", "AzureWebJobs__tock__Disabled": "True"}
    catalog = index(fresh_sample_app(), env)
    http = {f.name: f for f in catalog.http}
    assert http["get_item"].methods == frozenset({"GET"})
    assert http["get_item"].route.template == "items/{item_id:int}"
    assert http["anything"].methods is None
    assert http["public"].auth_level == "anonymous"
    assert http["create_item"].auth_level == "function"  # the app's default level
    timers = {f.name: f for f in catalog.timers}
    assert timers["tick"].schedule is not None
    assert timers["tick"].schedule.expression == "*/1 * * * * *"
    assert timers["tock"].disabled
    assert not timers["tick"].disabled
    assert timers["on_startup"].run_on_startup
    assert timers["orphan"].schedule is None
    assert "SAMPLE_UNSET_SCHEDULE" in (timers["orphan"].error or "")
    assert [(u.name, u.trigger) for u in catalog.unsupported] == [("blobbed", "blobTrigger")]
    assert catalog.find("TICK") is timers["tick"]


def test_a_schedule_that_never_fires_is_an_error_at_indexing() -> None:
    catalog = index(fresh_sample_app(), {"SAMPLE_SCHEDULE": "0 0 0 30 2 *"})
    tick = next(f for f in catalog.timers if f.name == "tick")
    assert tick.schedule is None
    assert "never fires" in (tick.error or "")


def test_disabled_settings() -> None:
    assert is_disabled("tick", {"AzureWebJobs.tick.Disabled": "true"})
    assert is_disabled("tick", {"AZUREWEBJOBS__TICK__DISABLED": "1"})
    assert not is_disabled("tick", {"AzureWebJobs.tick.Disabled": "false"})
    assert not is_disabled("tick", {"AzureWebJobs.tock.Disabled": "true"})
