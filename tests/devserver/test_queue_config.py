"""What the devserver reads for queue triggers, as units: host.json `extensions.queues`, the queueTrigger binding
metadata (`%SETTING%` queue names, the connection setting), message decoding, and `UseDevelopmentStorage=true`."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from devserver.catalog import QueueFunction, index
from devserver.config import ConfigError, HostJson, QueueOptions, app_host_json, queue_options, timespan_seconds
from devserver.ports import free_port
from devserver.queues import QueueHost, UndecodableMessage, decode
from shared.storage import azurite_connection_string, expand_connection_string
from tests.devserver.test_routes import sample_app

REPO = Path(__file__).resolve().parents[2]


def write_queues(tmp_path: Path, queues: object) -> Path:
    path = tmp_path / "host.json"
    path.write_text(json.dumps({"version": "2.0", "extensions": {"queues": queues}}))
    return path


def test_the_repos_host_json() -> None:
    options = queue_options(REPO / "host.json")
    assert options == QueueOptions(
        max_polling_interval=1.0, visibility_timeout=10.0, batch_size=16, max_dequeue_count=5, message_encoding="base64"
    )
    assert options.threshold == 8  # the host's default newBatchThreshold: batchSize / 2 on one vCPU
    assert HostJson.read(REPO / "host.json").route_prefix == "api"
    assert app_host_json(str(REPO / "function_app.py")) == REPO / "host.json"


def test_host_defaults_without_the_section(tmp_path: Path) -> None:
    assert queue_options(tmp_path / "missing.json") == QueueOptions()
    assert QueueOptions().max_polling_interval == 60.0
    assert QueueOptions().visibility_timeout == 0.0
    assert queue_options(write_queues(tmp_path, {"newBatchThreshold": 0, "messageEncoding": "None"})).threshold == 0
    assert queue_options(write_queues(tmp_path, {"messageEncoding": "None"})).message_encoding == "none"


@pytest.mark.parametrize(
    ("queues", "named"),
    [
        ({"messageEncoding": "utf8"}, "messageEncoding"),
        ({"batchSize": 33}, "batchSize"),
        ({"batchSize": True}, "batchSize"),
        ({"maxDequeueCount": 0}, "maxDequeueCount"),
        ({"maxPollingInterval": "00:00:00.050"}, "maxPollingInterval"),
        ({"visibilityTimeout": "ten seconds"}, "visibilityTimeout"),
        ({"visibilityTimeout": 30}, "visibilityTimeout"),
        ([], "queues"),
    ],
)
def test_bad_queue_settings_are_refused_by_name(tmp_path: Path, queues: object, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        queue_options(write_queues(tmp_path, queues))


def test_timespans() -> None:
    assert timespan_seconds("00:00:02", "x") == 2
    assert timespan_seconds("00:01:00.5", "x") == 60.5
    assert timespan_seconds("1.02:00:00", "x") == 26 * 3600


def queue_functions(env: dict[str, str]) -> dict[str, QueueFunction]:
    return {f.name: f for f in index(sample_app(), env).queues}


STORAGE = {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}


def test_queue_names_resolve_from_settings_and_are_lower_cased() -> None:
    functions = queue_functions(STORAGE | {"sample_queue": "Intake-Work"})  # settings match case-insensitively
    assert functions["queued"].queue_name == "intake-work"
    assert functions["flaky"].queue_name == "intake-work-flaky"
    assert functions["flaky"].queue_name_text == "%SAMPLE_QUEUE%-flaky"
    assert functions["flaky"].connection == "AzureWebJobsStorage"
    assert functions["flaky"].error is None
    assert functions["flaky"].arg_name == "msg"


@pytest.mark.parametrize(
    ("env", "error"),
    [
        (STORAGE, "SAMPLE_QUEUE"),
        (STORAGE | {"SAMPLE_QUEUE": "a--b"}, "not a valid Azure queue name"),
        (STORAGE | {"SAMPLE_QUEUE": "ab"}, "not a valid Azure queue name"),
        (STORAGE | {"SAMPLE_QUEUE": "work_1"}, "not a valid Azure queue name"),
        ({"SAMPLE_QUEUE": "work"}, "connection AzureWebJobsStorage: the setting is not set"),
        ({"SAMPLE_QUEUE": "work", "AzureWebJobsStorage": " "}, "the setting is not set"),
        (
            {"SAMPLE_QUEUE": "work", "AzureWebJobsStorage__queueServiceUri": "https://x.queue.core.windows.net"},
            "identity-based connections are not served locally",
        ),
    ],
)
def test_a_queue_function_that_cannot_be_served_says_why(env: dict[str, str], error: str) -> None:
    queued = queue_functions(env)["queued"]
    assert error in (queued.error or "")
    assert "AccountKey" not in repr(queued)


def test_the_connection_string_never_shows_in_the_repr() -> None:
    secret = azurite_connection_string()
    queued = queue_functions({"SAMPLE_QUEUE": "work", "AzureWebJobsStorage": secret})["queued"]
    assert queued.connection_string == secret
    assert "AccountKey" not in repr(queued)


def test_decoding() -> None:
    assert decode("aGVs\nbG8=", "base64") == b"hello"  # whitespace ignored, as .NET's Convert.FromBase64String does
    assert decode("héllo", "none") == "héllo".encode()
    for bad in ("hello!", "aGVsbG8", "{}"):
        with pytest.raises(UndecodableMessage, match="not valid base64"):
            decode(bad, "base64")


def test_development_storage_means_azurite_table_and_queue() -> None:
    expanded = expand_connection_string("UseDevelopmentStorage=true")
    assert "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;" in expanded
    assert "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;" in expanded
    assert expand_connection_string(" usedevelopmentstorage = TRUE ;") == expanded
    proxied = expand_connection_string("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite.local")
    assert "QueueEndpoint=http://azurite.local:10001/devstoreaccount1;" in proxied
    for other in ("UseDevelopmentStorage=false", "UseDevelopmentStorage=trueish", "AccountName=a;AccountKey=b"):
        assert expand_connection_string(other) == other
    assert azurite_connection_string(20002, queue_port=20001).count("http://127.0.0.1:2000") == 2


def test_a_disabled_queue_function_is_listed_but_its_queue_is_not_read() -> None:
    env = STORAGE | {"SAMPLE_QUEUE": "work", "AzureWebJobs.queued.Disabled": "true"}
    functions = queue_functions(env)
    assert functions["queued"].disabled
    host = QueueHost(functions.values(), QueueOptions())
    assert host.runner("queued") is None
    assert host.runner("FLAKY") is not None
    assert host.describe(functions["queued"])["queue_name"] == "work"


def test_unreachable_storage_is_logged_once_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    dead = azurite_connection_string(free_port(), queue_port=free_port())
    functions = queue_functions({"SAMPLE_QUEUE": "work", "AzureWebJobsStorage": dead})
    host = QueueHost([functions["queued"]], QueueOptions())
    with caplog.at_level(logging.INFO, logger="devserver.queues"):
        host.start()
        time.sleep(3)
        host.stop()
    warnings = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert warnings == ["queued: queue work unreachable (ServiceRequestError); retrying"]
    assert "AccountKey" not in caplog.text
