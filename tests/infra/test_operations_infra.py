"""infra/ for operators (interface §11): the action group with its optional e-mail receiver, the alert on the polls'
ERRORs and on failed executions, and the workbook; their KQL reads the very log lines the app writes."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from shared.intercom.errors import IntercomServerError, IntercomUnauthorized
from shared.operations.recorder import record_poll
from shared.triggers.poll import PollOutcome
from tests.infra import bicep
from tests.infra.bicep import INFRA, MAIN, REPO
from tests.operations.support import polled

ALERTS = INFRA / "modules" / "alerts.bicep"
WORKBOOK = INFRA / "modules" / "workbook.bicep"
_EXTRACT = re.compile(r'extract\(@"([^"]+)", 1, message\)')


def bicep_string(text: str, variables: dict[str, Any]) -> str:
    """A Bicep single-quoted string's value: `${var}` of a string variable replaced, escapes decoded."""
    parts = re.split(r"(\$\{\w+\})", text)  # escapes are decoded in the literal parts only
    return "".join(
        str(variables[part[2:-1]]["value"])
        if part.startswith("${")
        else re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), part)
        for part in parts
    )


def extracted(query: str, message: str) -> dict[str, str]:
    """What the query's `extend NAME = ... extract(@"...", 1, message)` gives for one log message."""
    found = {}
    for line in query.splitlines():
        name = re.search(r"extend (\w+) =", line)
        pattern = _EXTRACT.search(line)
        if name and pattern:
            match = re.search(pattern.group(1), message)
            found[name.group(1)] = match.group(1) if match else ""
    return found


def test_main_wires_alerts_and_workbook_to_application_insights() -> None:
    for name in ("alerts", "workbook"):
        params = bicep.modules()[name]["config"]["params"]
        assert bicep.accessor(params["applicationInsightsId"]) == ["monitoring", "outputs", "applicationInsightsId"]
    assert bicep.modules()["alerts"]["config"]["params"]["alertEmail"] == "alertEmail"
    assert bicep.parse(MAIN)["parameters"]["alertEmail"]["default"] == ""
    output = bicep.parse(INFRA / "modules" / "monitoring.bicep")["outputs"]["applicationInsightsId"]["value"]
    assert bicep.accessor(output) == ["applicationInsights", "id"]
    given = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert given["alertEmail"]["value"] == "${ALERT_EMAIL}"


def test_action_group_mails_only_when_an_address_is_given() -> None:
    group = bicep.body(bicep.resources(ALERTS)["actionGroup"])
    assert group["location"] == "Global"
    assert len(group["properties"]["groupShortName"]) <= 12
    receivers = group["properties"]["emailReceivers"]["operator"]
    assert receivers["type"] == "conditional"
    operands = receivers["operands"]
    assert operands["condition"] == {"function": {"type": "empty", "parameters": {"item_to_test": "alertEmail"}}}
    assert operands["true_value"] == []
    assert operands["false_value"] == [{"name": "operator", "emailAddress": "alertEmail", "useCommonAlertSchema": True}]


def _rules() -> dict[str, dict[str, Any]]:
    return {
        name: bicep.body(r)["properties"] for name, r in bicep.resources(ALERTS).items() if "QueryRules" in r["type"]
    }


def test_both_rules_alert_through_the_action_group() -> None:
    rules = _rules()
    assert set(rules) == {"pollErrors", "failedExecutions"}
    for rule in rules.values():
        assert rule["enabled"] is True
        assert rule["scopes"] == ["applicationInsightsId"]
        assert [bicep.accessor(g) for g in rule["actions"]["actionGroups"]] == [["actionGroup", "id"]]
        assert re.fullmatch(r"PT\d+M", rule["evaluationFrequency"])
        assert re.fullmatch(r"PT\d+M", rule["windowSize"])
        (criterion,) = rule["criteria"]["allOf"]
        assert (criterion["operator"], criterion["threshold"], criterion["timeAggregation"]) == (
            "GreaterThan",
            0,
            "Count",
        )
    dims = [d["name"] for d in rules["pollErrors"]["criteria"]["allOf"][0]["dimensions"]]
    assert dims == ["connection", "trigger", "cause"]


def test_the_error_alert_reads_the_recorders_error_lines(
    storage_conn: str, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    variables = bicep.parse(ALERTS)["variables"]
    query = variables["pollErrorsQuery"]["value"]
    assert "severityLevel >= 3" in query
    assert "customDimensions.cause" in query
    assert _rules()["pollErrors"]["criteria"]["allOf"][0]["query"] == "pollErrorsQuery"
    caplog.set_level(logging.INFO, logger="shared.operations")
    record_poll(storage_conn, polled("lead-created", unique_name, IntercomUnauthorized("Access Token Invalid")))
    record_poll(storage_conn, polled("user-created", unique_name, IntercomServerError("Intercom failed: 503")))
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]  # severityLevel >= 3
    assert [getattr(r, "cause", None) for r in errors] == ["unauthorized"]  # the 503 is a WARNING: no alert
    assert extracted(query, errors[0].getMessage()) == {
        "cause": "unauthorized",
        "connection": unique_name,
        "trigger": "lead-created",
    }
    failed = variables["failedExecutionsQuery"]["value"]
    assert "success == false" in failed


def test_the_workbook_charts_polls_failures_events_and_throttle_use(
    storage_conn: str, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    workbook = bicep.body(bicep.resources(WORKBOOK)["workbook"])
    assert workbook["kind"] == "shared"
    assert workbook["name"]["function"]["type"] == "guid"
    properties = workbook["properties"]
    assert (properties["category"], properties["sourceId"]) == ("workbook", "applicationInsightsId")
    data = properties["serializedData"]["function"]
    assert data["type"] == "string"
    assert data["parameters"]["value_to_convert"]["items"] == "items"
    variables = bicep.parse(WORKBOOK)["variables"]
    queries = {
        item["name"]: bicep_string(item["content"]["query"], variables)
        for item in variables["items"]["value"]
        if item["type"] == 3
    }
    assert set(queries) == {"failing-now", "polls", "failures", "events", "throttle"}
    for query in queries.values():
        assert "customDimensions" in query or "intercom " in query

    caplog.set_level(logging.INFO, logger="shared")
    record_poll(storage_conn, polled("lead-created", unique_name, IntercomServerError("Intercom failed: 503")))
    record_poll(storage_conn, PollOutcome("lead-created", unique_name, "ok", events=3))
    lines = [r.getMessage() for r in caplog.records if r.name == "shared.operations.polls"]
    assert [extracted(queries["polls"], line) for line in lines] == [
        {"connection": unique_name, "trigger": "lead-created", "cause": "intercom_unavailable", "events": ""},
        {"connection": unique_name, "trigger": "lead-created", "cause": "ok", "events": "0"},
    ]
    assert all(line.startswith(("poll recorded:", "poll failed:")) for line in lines)
    call = "intercom POST /contacts/search 200 12ms attempt=1 connection=eu"  # shared/intercom/client.py's line
    assert extracted(queries["throttle"], call) == {"connection": "eu"}


def test_docs_show_the_alerts_kql() -> None:
    docs = (REPO / "docs" / "operations.md").read_text()
    assert bicep.parse(ALERTS)["variables"]["pollErrorsQuery"]["value"].strip() in docs
