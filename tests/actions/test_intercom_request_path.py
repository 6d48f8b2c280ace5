"""Send an HTTP request to Intercom: the `path` rules (shared/actions/http_request/requests.py), a table of paths
that would leave the connection's API and a property: whatever path is accepted, the URL the client builds stays on
the connection's host, under its base path, with no dot segment or escaped separator."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.actions.http_request.requests import IntercomRequest, check_path
from shared.actions.parsing import parse
from shared.errors import BadRequest

BASE = "https://api.intercom.test/v9"

ACCEPTED = [
    "/",
    "/me",
    "/contacts/6762f2d8",
    "/contacts/search",
    "/contacts/find_by_external_id/user.1",
    "/contacts/find_by_external_id/a%20b",
    "/contacts/find_by_external_id/caf%C3%A9",
    "/tickets/1/reply",
    "/data_attributes",
    "/a.b/c..d/...",
    "/~x/-y_",
]

REFUSED = [
    "",
    "contacts",
    "https://evil.example/contacts",
    "//evil.example/contacts",
    "/contacts//x",
    "/\\evil.example",
    "/contacts\\..\\admins",
    "/contacts/../admins",
    "/contacts/./x",
    "/..",
    "/contacts/..",
    "/%2e%2e/admins",
    "/%2E%2E/admins",
    "/.%2e/admins",
    "/contacts%2f..%2fadmins",
    "/contacts%2F1",
    "/contacts/%252e%252e/admins",
    "/contacts/%25",
    "/contacts/%5c",
    "/contacts/%00",
    "/contacts/%0d%0aHost:%20evil",
    "/contacts/%c0%ae%c0%ae",
    "/contacts/%ff",
    "/contacts/%",
    "/contacts/%2",
    "/contacts/%zz",
    "/contacts?per_page=1",
    "/contacts#x",
    "/user:pw@evil.example/",
    "/@evil.example",
    "/contacts/a b",
    "/contacts/\x00",
    "/contacts/\r\nHost: evil",
    "/contacts/\t",
    "/contacts/caf\u00e9",
    "/\uff0e\uff0e/admins",
    "/http:/evil.example",
    "/contacts;x=1",
    "/" + "a" * 2048,
]


@pytest.mark.parametrize("path", ACCEPTED)
def test_paths_of_the_api_are_accepted(path: str) -> None:
    assert check_path(path) == path


@pytest.mark.parametrize("path", REFUSED)
def test_paths_that_could_leave_the_api_are_a_400_naming_path(path: str) -> None:
    with pytest.raises(BadRequest) as raised:
        parse(IntercomRequest, {"path": path})
    assert [d["field"] for d in raised.value.details] == ["path"]


@pytest.mark.parametrize("value", [None, 1, ["/me"], {"p": "/me"}, True])
def test_a_path_that_is_not_a_string_is_a_400_naming_path(value: Any) -> None:
    with pytest.raises(BadRequest) as raised:
        parse(IntercomRequest, {"path": value})
    assert [d["field"] for d in raised.value.details] == ["path"]


def test_method_query_and_body() -> None:
    request = parse(IntercomRequest, {"path": "/contacts", "method": "post", "body": {"a": [1, {"b": None}]}})
    assert (request.method, request.body, request.query) == ("POST", {"a": [1, {"b": None}]}, None)
    assert parse(IntercomRequest, {"path": "/me", "method": ""}).method == "GET"
    query = {"per_page": 5, "open": True, "skip": None, "ids": ["a", 2], "q": "a&b=c"}
    assert parse(IntercomRequest, {"path": "/x", "query": query}).query == [
        ("per_page", "5"),
        ("open", "true"),
        ("ids", "a"),
        ("ids", "2"),
        ("q", "a&b=c"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"path": "/me", "method": "PATCH"}, "method"),
        ({"path": "/me", "method": "HEAD"}, "method"),
        ({"path": "/me", "method": 1}, "method"),
        ({"path": "/me", "query": [1]}, "query"),
        ({"path": "/me", "query": {"a": {"b": 1}}}, "query"),
        ({"path": "/me", "query": {"a": [[1]]}}, "query"),
        ({"path": "/me", "query": {"a\n": 1}}, "query"),
        ({"path": "/me", "query": {"a": float("inf")}}, "query"),
        ({"path": "/me", "query": {f"k{i}": 1 for i in range(51)}}, "query"),
        ({"path": "/me", "body": [1]}, "body"),
        ({"path": "/me", "headers": {"Authorization": "Bearer x"}}, "headers"),
        ({"method": "GET"}, "path"),
    ],
)
def test_bad_fields_are_a_400_naming_them(body: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequest) as raised:
        parse(IntercomRequest, body)
    assert field in [d["field"] for d in raised.value.details]


def test_a_get_with_a_body_is_a_400_naming_body() -> None:
    request = parse(IntercomRequest, {"path": "/me", "body": {"a": 1}})
    with pytest.raises(BadRequest) as raised:
        request.check()
    assert [d["field"] for d in raised.value.details] == ["body"]


def _stays_in_the_api(path: str) -> None:
    url = httpx.Client(base_url=BASE).build_request("GET", path).url
    assert (url.scheme, url.host, url.port) == ("https", "api.intercom.test", None), url
    raw = url.raw_path.decode("ascii")
    assert raw.startswith("/v9/"), url
    assert "?" not in raw, url
    decoded = unquote(raw)
    segments = decoded.split("/")
    assert ".." not in segments, url
    assert "." not in segments, url
    assert "\\" not in decoded, url
    assert decoded.count("/") == raw.count("/"), url  # no escaped slash


@settings(max_examples=3000, derandomize=True, database=None, deadline=None)
@given(
    st.one_of(
        st.text(max_size=30).map(lambda s: "/" + s),
        st.lists(
            st.sampled_from(["a", "/", ".", "..", "%2e", "%2f", "%25", "%5c", "%", "2e", "@", ":", "\\", "//", "x"]),
            max_size=10,
        ).map(lambda parts: "/" + "".join(parts)),
        st.text(max_size=30),
    )
)
def test_any_accepted_path_stays_in_the_connections_api(path: str) -> None:
    try:
        accepted = check_path(path)
    except ValueError:
        return
    _stays_in_the_api(accepted)
