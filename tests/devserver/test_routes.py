"""Route templates: literals and parameters, precedence, the forms refused; and the catalog read from a function
app's own metadata (twice, leaving the app as it was)."""

from __future__ import annotations

import pytest

from devserver.catalog import FunctionSource, index, is_disabled, load_app
from devserver.routes import RouteError, RouteTemplate
from tests.devserver.test_host_http import SAMPLE_APP


def sample_app() -> FunctionSource:
    return load_app(SAMPLE_APP)


def match(template: str, path: str) -> dict[str, str] | None:
    return RouteTemplate.parse(template).match(path)


def test_literals_and_parameters() -> None:
    assert match("users", "users") == {}
    assert match("users", "USERS/") == {}
    assert match("users", "users/1") is None
    assert match("users/{user_id}", "users/abc%20d") == {"user_id": "abc d"}
    assert match("users/{user_id}", "users/") is None
    assert match("", "") == {}
    assert match("triggers/{name}/subscriptions/{subscription_id}", "triggers/lead-created/subscriptions/s1") == {
        "name": "lead-created",
        "subscription_id": "s1",
    }


def test_a_literal_segment_comes_before_a_parameter() -> None:
    templates = ["items/{name}", "items/special", "{kind}/special"]
    ordered = sorted((RouteTemplate.parse(t) for t in templates), key=lambda r: r.precedence)
    assert [r.template for r in ordered] == ["items/special", "items/{name}", "{kind}/special"]


@pytest.mark.parametrize(
    "template",
    [
        "users/{",
        "users/}",
        "users/{1d}",
        "a/{x}/{X}",
        "a//b",
        # forms ASP.NET Core reads that no function of the app has: the devserver refuses them
        "subs/{id?}",
        "pages/{page=1}",
        "files/{*path}",
        "x/{v:int}",
        "x/{v:regex(^a$)}",
        "files/{name}.{ext}",
    ],
)
def test_bad_templates(template: str) -> None:
    with pytest.raises(RouteError):
        RouteTemplate.parse(template)


def test_catalog_from_the_sample_app_metadata() -> None:
    env = {"SAMPLE_SCHEDULE": "*/1 * * * * *", "AzureWebJobs__tock__Disabled": "True"}
    catalog = index(sample_app(), env)
    http = {f.name: f for f in catalog.http}
    assert http["get_item"].methods == frozenset({"GET"})
    assert http["get_item"].route.template == "items/{item_id}"
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
    assert [(u.name, u.trigger) for u in catalog.unsupported] == [
        ("constrained", "httpTrigger"),
        ("blobbed", "blobTrigger"),
    ]
    assert catalog.find("TICK") is timers["tick"]


def test_a_schedule_that_never_fires_is_an_error_at_indexing() -> None:
    catalog = index(sample_app(), {"SAMPLE_SCHEDULE": "0 0 0 30 2 *"})
    tick = next(f for f in catalog.timers if f.name == "tick")
    assert tick.schedule is None
    assert "never fires" in (tick.error or "")


def test_reading_twice_gives_the_same_functions_and_leaves_the_app_as_it_was() -> None:
    app = sample_app()
    before = app.functions_bindings
    first, second = index(app, {}), index(app, {})
    assert [f.name for f in first.everything] == [f.name for f in second.everything]
    assert app.functions_bindings is before


def test_disabled_settings() -> None:
    assert is_disabled("tick", {"AzureWebJobs.tick.Disabled": "true"})
    assert is_disabled("tick", {"AZUREWEBJOBS__TICK__DISABLED": "1"})
    assert not is_disabled("tick", {"AzureWebJobs.tick.Disabled": "false"})
    assert not is_disabled("tick", {"AzureWebJobs.tock.Disabled": "true"})
