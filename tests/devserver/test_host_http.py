"""The devserver over real HTTP, serving tests/devserver/sample_app.py: routing from the functions' metadata,
request and response mapping, errors, concurrency, request logs, and the admin API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devserver.process import DevServerProcess
from tests.rawhttp import parse_response, send_raw

SAMPLE_APP = "tests.devserver.sample_app:app"


@pytest.fixture(scope="module")
def timer_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("devserver") / "runs.jsonl"


@pytest.fixture(scope="module")
def server(timer_file: Path) -> Iterator[DevServerProcess]:
    env = {"SAMPLE_SCHEDULE": "0 0 0 1 1 *", "SAMPLE_TIMER_FILE": str(timer_file)}
    with DevServerProcess(env, app=SAMPLE_APP) as process:
        yield process


@pytest.fixture(scope="module")
def http(server: DevServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30, trust_env=False) as client:
        yield client


def runs(timer_file: Path, name: str) -> list[dict[str, Any]]:
    if not timer_file.exists():
        return []
    lines = [json.loads(line) for line in timer_file.read_text().splitlines()]
    return [line for line in lines if line["name"] == name]


def assert_error(response: httpx.Response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert [d["field"] for d in body["error"]["details"]] == ([] if field is None else [field])
    assert body["error"]["message"]
    return body


# -- routing ----------------------------------------------------------------------------------------------------------


def test_route_and_query_parameters_reach_the_function(http: httpx.Client, server: DevServerProcess) -> None:
    response = http.get("/api/items/42?code=fn-key&tag=a&tag=b&empty=", headers={"X-Functions-Key": "k"})
    assert response.status_code == 200
    seen = response.json()
    assert seen["method"] == "GET"
    assert seen["route_params"] == {"item_id": "42"}
    assert seen["params"] == {"code": "fn-key", "tag": "a,b", "empty": ""}  # keys are accepted and ignored
    assert seen["url"] == f"{server.base_url}/api/items/42?code=fn-key&tag=a&tag=b&empty="
    assert seen["headers"]["x-functions-key"] == "k"


def test_a_literal_segment_beats_a_parameter(http: httpx.Client) -> None:
    assert http.get("/api/items/special").json()["route_params"] == {}
    assert http.get("/api/items/7").json()["route_params"] == {"item_id": "7"}


def test_functions_sharing_a_path_and_a_function_of_every_method(http: httpx.Client) -> None:
    assert http.post("/api/triggers/lead-created/subscriptions").json()["route_params"] == {"name": "lead-created"}
    one = http.delete("/api/triggers/lead-created/subscriptions/s-1").json()
    assert one["route_params"] == {"name": "lead-created", "subscription_id": "s-1"}
    assert http.get("/api/triggers/lead-created/subscriptions/s-1").json()["method"] == "GET"
    not_allowed = http.get("/api/triggers/lead-created/subscriptions")
    assert_error(not_allowed, 405, "method_not_allowed")
    assert not_allowed.headers["allow"] == "DELETE, POST"
    anything = http.request("PATCH", "/API/Anything/b%20c", content=b"x")
    assert anything.json()["route_params"] == {"value": "b c"}
    assert anything.json()["method"] == "PATCH"


def test_a_route_the_devserver_does_not_serve_is_listed_unsupported(http: httpx.Client) -> None:
    assert_error(http.get("/api/numbers/7"), 404, "not_found")
    listed = http.get("/admin/functions/constrained").json()
    assert (listed["kind"], listed["trigger"]) == ("unsupported", "httpTrigger")
    assert "numbers/{number:int}" in listed["error"]


def test_methods_405_and_404(http: httpx.Client) -> None:
    not_allowed = http.put("/api/items/42")
    assert_error(not_allowed, 405, "method_not_allowed")
    assert not_allowed.headers["allow"] == "GET"
    assert http.post("/api/items", content=b"made").status_code == 201
    assert_error(http.get("/api/items"), 405, "method_not_allowed")
    assert_error(http.get("/api/nosuch"), 404, "not_found")
    assert_error(http.get("/nosuch"), 404, "not_found")
    assert_error(http.get("/api"), 404, "not_found")
    assert_error(http.get("/api/items/1/2"), 404, "not_found")


def test_response_status_headers_mimetype_and_body(http: httpx.Client) -> None:
    created = http.post("/api/items", content="žluťoučký".encode())
    assert created.status_code == 201
    assert created.text == "žluťoučký"
    assert created.headers["content-type"] == "text/plain; charset=utf-8"
    assert created.headers["location"] == "/api/items/1"
    public = http.get("/api/public")
    assert public.headers["content-type"] == "text/html; charset=utf-8"
    assert public.headers.get_list("set-cookie") == ["a=1", "b=2"]
    empty = http.delete("/api/nothing")
    assert empty.status_code == 204
    assert empty.content == b""
    assert http.get("/api/async").text == "async ok"


def test_any_method_token_is_dispatched(server: DevServerProcess) -> None:
    """A method no function declares is a 405 with Allow (was http.server's HTML 501), or a 404 off the routes."""
    resp = parse_response(send_raw(server.port, b"BREW /api/items/42 HTTP/1.1\r\nConnection: close\r\n\r\n"))
    assert (resp.status, resp.headers["allow"], json.loads(resp.body)["error"]["code"]) == (
        405,
        "GET",
        "method_not_allowed",
    )
    resp = parse_response(send_raw(server.port, b"BREW /nosuch HTTP/1.1\r\nConnection: close\r\n\r\n"))
    assert resp.status == 404


@pytest.mark.parametrize(
    ("request_bytes", "status", "field"),
    [
        (b"POST /api/items HTTP/1.1\r\nContent-Length: -1\r\nConnection: close\r\n\r\n", 400, "Content-Length"),
        (b"POST /api/items HTTP/1.1\r\nContent-Length: \xd9\xa3\r\n\r\n", 400, "Content-Length"),  # Arabic 3
        (b"POST /api/items HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "Content-Length"),
        (b"POST /api/items HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "body"),
        (b"POST /api/items HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n", 413, "body"),
        (b"GET /api/items/" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "url"),
        (b"GET /api/items/1 HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431, "headers"),
        (b"GET /api/items/1 HTTP/1.1\r\n" + b"X-A: 1\r\n" * 200 + b"\r\n", 431, "headers"),
        (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, "HTTP version"),  # http.server: 505
        (b"GET /api/items/1 HTTP/9.9\r\n\r\n", 400, "HTTP version"),
        (b"GET /api/items/1\r\n\r\n", 400, "HTTP version"),  # HTTP/0.9: http.server answered without a status line
        (b"GET /api/items/1 HTTP/x\r\n\r\n", 400, "HTTP version"),
        (b"\x00\r\n\r\n", 400, "request line"),  # http.server answered without a status line
        (b"GET /a b c HTTP/1.1\r\n\r\n", 400, "request line"),
        (b"G\x00T /api/items/1 HTTP/1.1\r\n\r\n", 400, "method"),  # http.server: HTML 501
        # a Host that makes no URL: the app's Location / nextLink (built from it) raised ValueError, a 500
        (b"GET /api/items/1 HTTP/1.1\r\nHost: [\r\n\r\n", 400, "Host"),
        (b"GET /api/items/1 HTTP/1.1\r\nHost: a:99999\r\n\r\n", 400, "Host"),
        (b"GET /api/items/1 HTTP/1.1\r\nHost: a/b?c\r\n\r\n", 400, "Host"),
        (b"GET /api/items/1 HTTP/1.1\r\nHost: \xff\r\n\r\n", 400, "Host"),
    ],
)
def test_malformed_http_is_a_json_4xx(server: DevServerProcess, request_bytes: bytes, status: int, field: str) -> None:
    """What http.server refuses by itself (it used to answer HTML, some of it 5xx or without a status line) is the
    contract's JSON error naming what was wrong, at once, and the server stays up."""
    resp = parse_response(send_raw(server.port, request_bytes))
    assert resp.status == status, resp
    assert resp.headers["content-type"] == "application/json"
    error = json.loads(resp.body)["error"]
    code = "payload_too_large" if status == 413 else "bad_request"
    assert (error["code"], [d["field"] for d in error["details"]]) == (code, [field]), error
    assert b"aaaa" not in resp.body  # the request line is not echoed
    assert server.returncode is None


def test_chunked_request_body(http: httpx.Client) -> None:
    response = http.post("/api/anything/x", content=iter([b"ab", b"cd", b"ef"]))
    assert response.json()["body"] == "abcdef"


def test_crash_is_500_json_without_details(http: httpx.Client, server: DevServerProcess) -> None:
    response = http.get("/api/crash")
    assert_error(response, 500, "internal_error")
    assert "secret-detail-xyz" not in response.text
    assert "Traceback" not in response.text
    log = server.wait_for_log("secret-detail-xyz")
    assert "Traceback" in log
    assert http.get("/api/items/1").status_code == 200  # the server is fine


def test_two_slow_requests_overlap(http: httpx.Client) -> None:
    results: list[dict[str, float]] = []

    def call() -> None:
        results.append(http.get("/api/slow", params={"seconds": "1"}).json())

    clock = time.monotonic()
    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    assert time.monotonic() - clock < 2.5
    assert max(r["started"] for r in results) < min(r["ended"] for r in results)


def test_requests_logged_without_query_string(http: httpx.Client, server: DevServerProcess) -> None:
    http.get("/api/items/31337", params={"cursor": "sekrit-cursor", "code": "sekrit-key"})
    log = server.wait_for_log("GET /api/items/31337 200")
    assert "sekrit" not in log


# -- admin API --------------------------------------------------------------------------------------------------------


def test_listing(http: httpx.Client, server: DevServerProcess) -> None:
    functions = {f["name"]: f for f in http.get("/admin/functions").json()}
    assert functions["get_item"] == {
        "name": "get_item",
        "kind": "http",
        "disabled": False,
        "route": "api/items/{item_id}",
        "methods": ["GET"],
        "auth_level": "function",
        "invoke_url_template": f"{server.base_url}/api/items/{{item_id}}",
    }
    assert functions["tick"]["kind"] == "timer"
    assert functions["tick"]["schedule"] == "%SAMPLE_SCHEDULE%"
    assert functions["tick"]["resolved_schedule"] == "0 0 0 1 1 *"
    assert functions["tick"]["next_run"].startswith(f"{time.gmtime().tm_year + 1}-01-01T00:00:00")
    assert "SAMPLE_UNSET_SCHEDULE" in functions["orphan"]["error"]
    assert functions["blobbed"]["kind"] == "unsupported"
    assert functions["queued"]["kind"] == "queue"
    assert "SAMPLE_QUEUE" in functions["queued"]["error"]  # no setting: listed, not polled
    assert http.get("/admin/functions/TICK").json()["name"] == "tick"


def test_run_in_background_202_then_effect(http: httpx.Client, timer_file: Path) -> None:
    response = http.post("/admin/functions/tock", json={"input": ""})
    assert response.status_code == 202
    assert response.content == b""
    deadline = time.monotonic() + 10
    while not runs(timer_file, "tock"):
        assert time.monotonic() < deadline, "the admin run did not happen"
        time.sleep(0.05)
    assert runs(timer_file, "tock")[0]["past_due"] is False


def test_run_and_wait(http: httpx.Client, timer_file: Path) -> None:
    before = len(runs(timer_file, "tick"))
    response = http.post("/admin/functions/tick?wait=true", json={"input": ""})
    assert response.status_code == 200
    assert response.json() == {"function": "tick", "status": "succeeded"}
    assert len(runs(timer_file, "tick")) == before + 1
    failed = http.post("/admin/functions/boom?wait=true", json={"input": ""})
    assert failed.status_code == 500
    assert failed.json() == {"function": "boom", "status": "failed", "error": "ValueError"}


def test_timer_whose_schedule_does_not_resolve_still_runs_on_demand(http: httpx.Client, timer_file: Path) -> None:
    assert http.post("/admin/functions/orphan?wait=true", json={"input": ""}).status_code == 200
    assert len(runs(timer_file, "orphan")) == 1


def test_admin_errors(http: httpx.Client) -> None:
    assert_error(http.post("/admin/functions/nosuch", json={"input": ""}), 404, "not_found")
    assert_error(http.post("/admin/functions/get_item", json={"input": ""}), 400, "bad_request", "name")
    assert_error(http.post("/admin/functions/queued", json={"input": ""}), 400, "bad_request", "name")
    assert_error(http.post("/admin/functions/blobbed", json={"input": ""}), 400, "bad_request", "name")
    assert_error(http.post("/admin/functions/tick", content=b"[1]"), 400, "bad_request", "body")
    # nested past json's recursion limit: the RecursionError killed the request thread (no answer at all)
    assert_error(http.post("/admin/functions/tick", content=b"[" * 5000), 400, "bad_request", "body")
    assert_error(http.delete("/admin/functions/tick"), 405, "method_not_allowed")
    assert_error(http.get("/admin/nosuch"), 404, "not_found")
    assert http.get("/admin/host/status").json()["state"] == "Running"
