"""Property-based fuzzing of the whole HTTP surface over a real devserver (interface §2-§5).

What must hold for every request, whatever its method, path, query, headers or body:
- the answer comes (no hang) and is not a 5xx: the simulator and Azurite stay healthy here, so even 502/503 would be
  a bug;
- an error (4xx) is the contract's JSON body `{"error": {"code", "message", "details"}}`, and a 400 names its field;
- no access token and no storage account key in any answer (status line, headers, body) or in the devserver's log;
- the devserver stays up and logs no traceback.

One devserver for the module, in front of a healthy simulator (holding a user, a lead and a company) and Azurite.
Requests go over a raw socket, so anything can be sent: invalid UTF-8, odd methods, lying Content-Types, long
headers. Deterministic in CI: `derandomize=True`, no example database, FUZZ_EXAMPLES examples per test (default 60).
To hunt locally: `FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/fuzz -q -x`.

Callback URLs only ever name loopback or IP-literal hosts (no DNS lookups, no traffic off 127.0.0.1), and the timers
are disabled, so nothing is ever delivered.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devserver.azurite import Azurite
from devserver.process import DevServerProcess
from intercom_sim import Simulator
from intercom_sim.render import APP_ID
from shared.notifications.signature import sign
from shared.triggers.registry import EVERY_TOPIC, TRIGGERS
from tests.rawhttp import ANSWER_TIMEOUT, Req, Resp, parse_response, send, send_raw

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TOKEN = "fuzz-token-" + "7" * 24
CLIENT_SECRET = "fuzz-client-secret-" + "5" * 20
CONVERSATION_ACTIONS = (b"reply", b"close", b"open", b"snooze", b"assign", b"tags")
TIMERS = tuple({trigger.timer for trigger in TRIGGERS.values() if trigger.timer is not None})
TOPICS = sorted({w.topic for t in TRIGGERS.values() for w in t.webhooks if w.topic != EVERY_TOPIC})


# -- the server under test -------------------------------------------------------------------------------------------


@dataclass
class Target:
    server: DevServerProcess
    conn: str
    secrets: tuple[str, ...]
    user_id: str
    lead_id: str
    company_id: str
    conversation_id: str
    sim: Simulator
    cursors: list[str]
    sub_ids: list[str]

    @property
    def port(self) -> int:
        return self.server.port


@pytest.fixture(scope="module")
def target(azurite: Azurite) -> Iterator[Target]:
    conn = "fz" + uuid.uuid4().hex[:10]
    with Simulator(token=TOKEN) as sim:
        company = sim.add_company("Fuzz Ltd")
        user = sim.add_contact("user", email="fuzz.user@example.com", name="Fuzz User", index=False)
        lead = sim.add_contact("lead", email="fuzz.lead@example.com", name="Fuzz Lead", index=False)
        conversation = sim.add_conversation(user["id"], index=False)
        for i in range(3):
            sim.add_contact("lead", email=f"lead{i}@example.com", index=False)
        env = {
            "AzureWebJobsStorage": azurite.connection_string,
            "INTERCOM_ACCESS_TOKEN": TOKEN,
            "INTERCOM_BASE_URL": sim.base_url,
            "INTERCOM_CONNECTIONS": conn,
            f"INTERCOM_ACCESS_TOKEN__{conn}": TOKEN,
            f"INTERCOM_BASE_URL__{conn}": sim.base_url,
            f"INTERCOM_CLIENT_SECRET__{conn}": CLIENT_SECRET,
            "WEBHOOK_ALLOW_LOOPBACK": "true",
            "THROTTLE_CALLS": "1500",
        }
        env |= {f"AzureWebJobs.{name}.Disabled": "true" for name in (*TIMERS, "deliver_webhooks")}
        server = DevServerProcess(env).start()
        try:
            account_key = re.search(r"AccountKey=([^;]+)", azurite.connection_string)
            assert account_key is not None
            found = Target(
                server=server,
                conn=conn,
                secrets=(TOKEN, account_key[1], CLIENT_SECRET),
                user_id=str(user["id"]),
                lead_id=str(lead["id"]),
                company_id=str(company["id"]),
                conversation_id=str(conversation["id"]),
                sim=sim,
                cursors=[],
                sub_ids=[f"{conn}-{'0' * 32}", f"default-{'a' * 32}", f"{conn.upper()}-{'f' * 32}"],
            )
            _collect_cursors(found)
            yield found
        finally:
            server.stop()


def _collect_cursors(t: Target) -> None:
    """Real cursors of every kind (list-leads pages, trigger positions of both connections), to reuse and mutate."""
    with httpx.Client(base_url=t.server.base_url, trust_env=False, timeout=ANSWER_TIMEOUT) as http:
        page = http.get("/api/leads", params={"per_page": "1"})
        assert page.status_code == 200, page.text
        t.cursors.append(parse_qs(urlsplit(page.json()["nextLink"]).query)["cursor"][0])
        for name in TRIGGERS:
            for conn in ("default", t.conn):
                polled = http.get(f"/api/triggers/{name}", headers={"X-Intercom-Connection": conn})
                assert polled.status_code == 202, polled.text
                t.cursors.append(parse_qs(urlsplit(polled.headers["Location"]).query)["cursor"][0])
        subscribed = http.post(
            "/api/triggers/lead-created/subscriptions",
            json={"callbackUrl": "http://127.0.0.1:9/hook?sig=s3cret"},
            headers={"X-Intercom-Connection": t.conn},
        )
        assert subscribed.status_code in (200, 201), subscribed.text
        t.sub_ids.append(subscribed.json()["id"])


def check(t: Target, req: Req, *, intercoms: bool = False) -> Resp:
    """Send `req` and check what every answer must satisfy (`intercoms`: an error may be Intercom's own
    `error.list`, which Send an HTTP request to Intercom passes on as it came)."""
    resp = send(t.port, req)
    where = f"{req!r}\n-> {resp.status} {resp.headers} {resp.body[:400]!r}"
    assert resp.status < 500, where
    for secret in t.secrets:
        assert secret.encode() not in resp.raw, f"a secret in the answer: {where}"
    if resp.status in (204, 304) or req.method == b"HEAD":
        return resp
    if resp.status >= 400:
        assert resp.headers.get("content-type", "").startswith("application/json"), where
        try:
            body = json.loads(resp.body)
        except ValueError:
            raise AssertionError(f"error body is not JSON: {where}") from None
        if intercoms and isinstance(body, dict) and body.get("type") == "error.list":
            assert isinstance(body.get("errors"), list), where
            return resp
        error = body.get("error") if isinstance(body, dict) else None
        assert isinstance(error, dict), where
        assert isinstance(error.get("code"), str), where
        assert error["code"], where
        assert isinstance(error.get("message"), str), where
        assert error["message"], where
        details = error.get("details")
        assert isinstance(details, list), where
        if resp.status == 400:
            assert details, f"a 400 that names no field: {where}"
            for detail in details:  # (a field may be called "": {"": 1} is a body with an unknown field "")
                assert isinstance(detail, dict), where
                assert isinstance(detail.get("field"), str), where
    elif resp.body:
        assert resp.headers.get("content-type", "").startswith("application/json"), where
        json.loads(resp.body)
    return resp


# -- strategies ------------------------------------------------------------------------------------------------------

ODD_TEXT = [
    "",
    " ",
    "\t\n",
    "\x00",
    "\x7f",
    "\ud800",  # a lone surrogate: valid in a JSON string escape, not encodable as UTF-8
    "\udfff\ud800",
    "é",
    "😀",
    "\u202e",
    "\ufeff",
    "\uff21\uff22\uff23",  # fullwidth ABC
    "١٢٣",
    "²",
    "1_0",
    "null",
    "0",
    "-1",
    "+5",
    "1e309",
    "NaN",
    "%2F",
    "%00",
    "../",
    "a/b",
    "?x=1#y",
    "x" * 300,
    "é" * 3000,
    "x" * 70_000,
    "jane@example.com",
    "JANE@EXAMPLE.COM ",
    "jane@localhost",
    "jane@xn--bcher-kva.example",
    "@",
    "a@b.c",
    "https://example.com/a.png",
    "http://example.com/a.png",
    "https://[::1/a.png",
    "https://:0",
]
texts = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=40), st.text(st.characters(codec="utf-8"), max_size=8))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20, max_value=10**30),
    st.floats(),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=10,
)
BODY_KEYS = [
    "email",
    "name",
    "phone",
    "companies",
    "image_url",
    "callbackUrl",
    "Email",
    "email ",
    "role",
    "id",
    "unsubscribed_from_emails",
    "custom_attributes",
    "body",
    "admin_id",
    "company_id",
    "event_name",
    "user_id",
    "created_at",
    "metadata",
]


def emails() -> st.SearchStrategy[str]:
    return st.one_of(
        st.emails(),
        st.builds(lambda s: f"fz{s}@example.com", st.text("abcdefghij0123456789.+-_", min_size=1, max_size=12)),
        st.sampled_from(ODD_TEXT),
    )


def companies(t: Target) -> st.SearchStrategy[Any]:
    one = st.one_of(st.just(t.company_id), st.just(t.company_id.upper()), texts, json_values)
    return st.one_of(one, st.lists(one, max_size=12))


def contact_bodies(t: Target) -> st.SearchStrategy[Any]:
    """Plausible bodies (most reach Intercom), bodies with random fields, and any JSON value at all."""
    plausible = st.fixed_dictionaries(
        {"email": emails()},
        optional={
            "name": texts,
            "phone": texts,
            "companies": companies(t),
            "image_url": st.one_of(texts, st.just("https://example.com/x.png")),
        },
    )
    random_fields = st.dictionaries(st.one_of(st.sampled_from(BODY_KEYS), texts), json_values, max_size=6)
    return st.one_of(plausible, plausible, random_fields, json_values)


def encoded(value: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """JSON text of `value`, as ASCII escapes or as raw UTF-8 (lone surrogates as invalid 'surrogatepass' bytes)."""
    return st.builds(
        lambda v, ascii_only: json.dumps(v, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"),
        value,
        st.booleans(),
    )


RAW_BODIES = [
    b"",
    b" ",
    b"null",
    b"[]",
    b'"text"',
    b"1e999999",
    b"9" * 5000,
    b"-" + b"9" * 5000,
    b'{"email": "\xff@example.com"}',
    b'{"email": "a@example.com", "name": "\xc3"}',
    b"\xff\xfe{\x00}\x00",
    b"\xef\xbb\xbf{}",
    '{"email": "a@example.com"}'.encode("utf-16"),
    b'{"email": "a@example.com"',
    b'{"email": "a@example.com"}garbage',
    b'{"email": "a@example.com", "email": "b@example.com"}',
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b"[" * 100_000,
    b'{"callbackUrl": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"email": "' + b"a" * 70_000 + b'@example.com"}',
    b"email=a%40example.com&name=x",
    b"--b\r\nContent-Disposition: form-data; name=email\r\n\r\na@example.com\r\n--b--\r\n",
]
CONTENT_TYPES = [
    None,
    b"application/json",
    b"application/json; charset=utf-8",
    b"application/json; charset=latin-1",
    b"text/plain",
    b"application/x-www-form-urlencoded",
    b"multipart/form-data; boundary=b",
    b"application/octet-stream",
    b"\xff\xfe",
    b"",
]


def bodies(value: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes | None]:
    return st.one_of(encoded(value), st.sampled_from(RAW_BODIES), st.binary(max_size=64), st.none())


def latin1_bytes(text: str) -> bytes:
    return text.encode("latin-1", "replace")


header_values = st.one_of(
    st.text(max_size=30).map(lambda s: s.encode("utf-8")),
    st.sampled_from(ODD_TEXT).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=30),
    st.sampled_from([b"[", b"[::1", b"[::1]:80", b"a:99999", b"a:-1", b"a:b:c", b"x/y?z", b"\xff", b"@", b"a b"]),
    st.just(b"x" * 10_000),
    st.just(b"x" * 70_000),
).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))


def connection_headers(t: Target) -> st.SearchStrategy[tuple[tuple[bytes, bytes], ...]]:
    """X-Intercom-Connection (absent, known, other case, garbage), sometimes with an odd Host or another header."""
    conn = st.one_of(
        st.sampled_from([b"default", t.conn.encode(), t.conn.upper().encode(), b" default ", b"", b"nosuch"]),
        header_values,
    )
    header = st.tuples(st.sampled_from([b"X-Intercom-Connection", b"x-intercom-connection"]), conn)
    pairs = st.one_of(st.just(()), st.tuples(header), st.tuples(header, header))
    odd = st.one_of(
        st.just(()),
        st.tuples(
            st.tuples(
                st.sampled_from([b"Host", b"Accept", b"X-Forwarded-Host", b"x-functions-key", b"Expect", b"Cookie"]),
                header_values,
            )
        ),
    )
    return st.builds(lambda a, b: a + b, pairs, odd)


def content_headers(content_type: bytes | None) -> tuple[tuple[bytes, bytes], ...]:
    return () if content_type is None else ((b"Content-Type", content_type),)


def path_segments(*real: str) -> st.SearchStrategy[bytes]:
    """Path segments: real ids, ids that are nearly right, percent-encoded anything, raw bytes, very long."""
    text = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=40), st.sampled_from(list(real) or ["x"]))
    return st.one_of(
        st.sampled_from([r.encode() for r in real] or [b"x"]),
        st.sampled_from([b"%2F", b"a%2Fb", b"..", b".", b"%2e%2e", b"%00", b"%ff", b"%", b"%zz", b"a%20b", b";x=1"]),
        text.map(lambda s: quote(s, safe="", errors="surrogatepass").encode("ascii")),
        text.map(lambda s: quote(s, safe="/%;=@:", errors="surrogatepass").encode("ascii")),
        st.binary(min_size=1, max_size=20).filter(lambda b: not set(b) & set(b" \r\n?#/")),
        st.sampled_from([b"a" * 65, b"a" * 5000, b"a" * 70_000]),
    )


def query_values(*real: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from([r.encode() for r in real] or [b"x"]),
        st.sampled_from(ODD_TEXT).map(lambda s: quote(s, errors="surrogatepass").encode("ascii")),
        st.text(max_size=30).map(lambda s: quote(s).encode("ascii")),
        st.sampled_from([b"%ff", b"%", b"%zz", b"1%00", b"a=b", b"%26cursor%3D1", b"+1+", b"1.0", b"1e2", b"0x10"]),
        st.sampled_from(list(real) or ["x"]).map(lambda c: _mutate(c).encode()),
    )


def _mutate(cursor: str) -> str:
    body, _, mac = cursor.partition(".")
    return f"{body[:-2]}AA.{mac}" if len(body) > 2 else cursor + "x"


def queries(params: dict[str, st.SearchStrategy[bytes]]) -> st.SearchStrategy[bytes]:
    """A query string of some of `params` (sometimes repeated), plus a function key or a junk parameter."""
    pair = st.one_of(
        *[st.tuples(st.just(name.encode()), values) for name, values in params.items()],
        st.tuples(st.sampled_from([b"code", b"", b"%ff", b"cursor[]", b"x"]), st.sampled_from([b"k3y", b"", b"%"])),
    )
    return st.lists(pair, max_size=4).map(
        lambda ps: (b"?" + b"&".join(k + b"=" + v for k, v in ps)) if ps else b""
    ) | st.sampled_from([b"?", b"?&&", b"?=", b"?per_page", b"?cursor", b"?limit"])


METHODS = [b"GET", b"POST", b"PUT", b"PATCH", b"DELETE", b"HEAD", b"OPTIONS", b"TRACE", b"FOO", b"get", b"M" * 100]


# -- the tests -------------------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_contact_bodies(target: Target, data: st.DataObject) -> None:
    """POST /api/users and /api/leads with any body, content type and connection header."""
    path = data.draw(st.sampled_from([b"/api/users", b"/api/leads", b"/API/Users/", b"/api/leads?code=k3y"]))
    body = data.draw(bodies(contact_bodies(target)))
    headers = data.draw(connection_headers(target)) + content_headers(data.draw(st.sampled_from(CONTENT_TYPES)))
    check(target, Req(b"POST", path, headers, body))


@FUZZ
@given(data=st.data())
def test_list_leads_query(target: Target, data: st.DataObject) -> None:
    """GET /api/leads with garbage per_page and cursor."""
    query = data.draw(
        queries(
            {
                "per_page": st.one_of(
                    query_values("1", "150", "151", "0", " 7 "), st.integers().map(lambda i: b"%d" % i)
                ),
                "cursor": query_values(*target.cursors),
            }
        )
    )
    resp = check(target, Req(b"GET", b"/api/leads" + query, data.draw(connection_headers(target))))
    if resp.status == 200:
        link = json.loads(resp.body).get("nextLink")
        assert link is None or link.startswith("http://"), link


@FUZZ
@given(data=st.data())
def test_get_contact_paths(target: Target, data: st.DataObject) -> None:
    """GET /api/users/{id} and /api/leads/{id} with odd path segments."""
    route = data.draw(st.sampled_from([b"/api/users/", b"/api/leads/", b"/api//users/", b"/Api/LEADS/"]))
    segment = data.draw(path_segments(target.user_id, target.lead_id, target.company_id))
    tail = data.draw(st.sampled_from([b"", b"/", b"/x", b"?code=k3y", b"#frag"]))
    check(target, Req(b"GET", route + segment + tail, data.draw(connection_headers(target))))


@FUZZ
@given(data=st.data())
def test_contact_writes(target: Target, data: st.DataObject) -> None:
    """The §7 routes (update, archive, delete, tags, notes, companies, events) with odd ids, bodies and methods."""
    contact = data.draw(path_segments(target.user_id, target.lead_id, target.company_id))
    other = data.draw(path_segments(target.company_id, "1001"))
    method, path = data.draw(
        st.sampled_from(
            [
                (b"PUT", b"/api/users/" + contact),
                (b"PUT", b"/api/leads/" + contact),
                (b"POST", b"/api/contacts/" + contact + b"/archive"),
                (b"POST", b"/api/contacts/" + contact + b"/unarchive"),
                (b"POST", b"/api/contacts/" + contact + b"/tags"),
                (b"DELETE", b"/api/contacts/" + contact + b"/tags/" + other),
                (b"POST", b"/api/contacts/" + contact + b"/notes"),
                (b"POST", b"/api/contacts/" + contact + b"/companies"),
                (b"DELETE", b"/api/contacts/" + contact + b"/companies/" + other),
                (b"POST", b"/api/events"),
            ]
        )
    )
    value = st.one_of(
        contact_bodies(target),
        st.fixed_dictionaries(
            {"event_name": texts},
            optional={
                "email": emails(),
                "id": st.sampled_from([target.user_id, target.lead_id]),
                "created_at": st.one_of(texts, st.integers(), st.floats()),
                "metadata": json_values,
            },
        ),
        st.fixed_dictionaries(
            {},
            optional={
                "name": texts,
                "body": texts,
                "admin_id": texts,
                "company_id": st.one_of(st.just(target.company_id), texts),
                "custom_attributes": json_values,
                "unsubscribed_from_emails": json_values,
            },
        ),
    )
    body = data.draw(bodies(value))
    headers = data.draw(connection_headers(target)) + content_headers(data.draw(st.sampled_from(CONTENT_TYPES)))
    check(target, Req(method, path, headers, body))


@FUZZ
@given(data=st.data())
def test_company_and_conversation_writes(target: Target, data: st.DataObject) -> None:
    """The company and conversation routes of §7 with odd ids, bodies and content types."""
    company = data.draw(path_segments(target.company_id))
    conversation = data.draw(path_segments(target.conversation_id, "0"))
    method, path = data.draw(
        st.sampled_from(
            [
                (b"POST", b"/api/companies"),
                (b"GET", b"/api/companies/" + company),
                (b"POST", b"/api/companies/" + company + b"/tags"),
                (b"POST", b"/api/conversations"),
                (b"GET", b"/api/conversations/" + conversation),
                *[(b"POST", b"/api/conversations/" + conversation + b"/" + action) for action in CONVERSATION_ACTIONS],
            ]
        )
    )
    value = st.one_of(
        st.fixed_dictionaries(
            {"company_id": st.one_of(st.just("fuzz-co"), texts)},
            optional={
                "name": texts,
                "plan": texts,
                "size": json_values,
                "website": st.one_of(texts, st.just("https://fuzz.example")),
                "monthly_spend": json_values,
                "custom_attributes": json_values,
            },
        ),
        st.fixed_dictionaries(
            {},
            optional={
                "body": texts,
                "name": texts,
                "contact_id": st.one_of(st.just(target.user_id), texts),
                "admin_id": st.one_of(st.just("991267001"), texts, json_values),
                "message_type": st.one_of(st.sampled_from(["comment", "note"]), texts),
                "snoozed_until": st.one_of(st.just("2099-01-01T00:00:00Z"), texts, st.integers(), st.floats()),
                "assignee_id": st.one_of(st.sampled_from(["0", "5001", "991267002"]), texts),
            },
        ),
        json_values,
    )
    body = data.draw(bodies(value))
    headers = data.draw(connection_headers(target)) + content_headers(data.draw(st.sampled_from(CONTENT_TYPES)))
    check(target, Req(method, path, headers, body))


@FUZZ
@given(data=st.data())
def test_company_and_conversation_lists(target: Target, data: st.DataObject) -> None:
    """GET /api/companies and /api/conversations with garbage paging, filters and state; /api/admins, /api/tags."""
    query = data.draw(
        queries(
            {
                "per_page": query_values("1", "150", "151", "0"),
                "cursor": query_values(*target.cursors),
                "state": query_values("open", "closed", "snoozed", "OPEN"),
                "company_id": query_values("fuzz-co", ""),
                "name": query_values("Fuzz Ltd", ""),
            }
        )
    )
    route = data.draw(st.sampled_from([b"/api/companies", b"/api/conversations", b"/api/admins", b"/api/tags"]))
    check(target, Req(b"GET", route + query, data.draw(connection_headers(target))))


@FUZZ
@given(data=st.data())
def test_users_query(target: Target, data: st.DataObject) -> None:
    """GET /api/users and /api/leads with garbage per_page, cursor and email."""
    query = data.draw(
        queries(
            {
                "per_page": query_values("1", "150", "151", "0"),
                "cursor": query_values(*target.cursors),
                "email": query_values("fuzz.user@example.com", "FUZZ.USER@example.com", "nope"),
            }
        )
    )
    route = data.draw(st.sampled_from([b"/api/users", b"/api/leads"]))
    check(target, Req(b"GET", route + query, data.draw(connection_headers(target))))


@FUZZ
@given(data=st.data())
def test_trigger_poll(target: Target, data: st.DataObject) -> None:
    """GET /api/triggers/{name} with odd names, cursors and limits."""
    name = data.draw(st.one_of(st.sampled_from([n.encode() for n in TRIGGERS]), path_segments(*TRIGGERS)))
    query = data.draw(
        queries(
            {
                "cursor": query_values(*target.cursors),
                "limit": st.one_of(query_values("1", "100", "101", "0"), st.integers().map(lambda i: b"%d" % i)),
            }
        )
    )
    resp = check(target, Req(b"GET", b"/api/triggers/" + name + query, data.draw(connection_headers(target))))
    if resp.status in (200, 202):
        assert resp.headers.get("location", "").startswith("http://"), resp.headers


def callback_urls() -> st.SearchStrategy[Any]:
    """Callback URLs whose hosts never need DNS (loopback, IP literals, malformed), and non-strings."""
    host = st.sampled_from(
        [
            "127.0.0.1",
            "127.0.0.1:9",
            "[::1]:9",
            "localhost:9",
            "10.0.0.1",
            "169.254.169.254",
            "[::ffff:127.0.0.1]",
            "[fe80::1%25eth0]",
            "2130706433",
            "0x7f000001",
            "127.1",
            "0",
            "[::1",
            "::1]",
            "127.0.0.1:0",
            "127.0.0.1:99999",
            "127.0.0.1:-1",
            "127.0.0.1:x",
            "user:pw@127.0.0.1",
            "",
            "a" * 300,
            "xn--",
            "\u00e9.invalid@127.0.0.1",
        ]
    )
    url = st.builds(
        lambda scheme, h, path: f"{scheme}{h}{path}",
        st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "//", "", "https:/", "javascript:"]),
        host,
        st.one_of(
            st.sampled_from(["", "/", "/hook?sig=abc", "/\u00e9", "/ x", "/\x00", "#f", "/\ud800", "?\udfff"]),
            st.text(max_size=20),
        ),
    )
    return st.one_of(url, url, texts, json_values)


@FUZZ
@given(data=st.data())
def test_subscriptions(target: Target, data: st.DataObject) -> None:
    """POST / DELETE / GET on /api/triggers/{name}/subscriptions[/{id}] with odd bodies, names and ids."""
    name = data.draw(st.one_of(st.sampled_from([n.encode() for n in TRIGGERS]), path_segments(*TRIGGERS)))
    body_value = st.one_of(
        st.fixed_dictionaries({"callbackUrl": callback_urls()}),
        st.dictionaries(st.one_of(st.just("callbackUrl"), texts), callback_urls(), max_size=3),
        json_values,
    )
    with_id = data.draw(st.booleans())
    method = data.draw(st.sampled_from([b"POST", b"DELETE", b"GET"] if not with_id else [b"DELETE", b"GET", b"POST"]))
    path = b"/api/triggers/" + name + b"/subscriptions"
    if with_id:
        path += b"/" + data.draw(st.one_of(st.sampled_from([s.encode() for s in target.sub_ids]), path_segments()))
    path += data.draw(st.sampled_from([b"", b"?code=k3y", b"/"]))
    body = data.draw(bodies(body_value))
    headers = data.draw(connection_headers(target)) + content_headers(data.draw(st.sampled_from(CONTENT_TYPES)))
    check(target, Req(method, path, headers, body))


@FUZZ
@given(data=st.data())
def test_methods_and_routes(target: Target, data: st.DataObject) -> None:
    """Every route (and some that do not exist, and the admin API) with any method."""
    path = data.draw(
        st.sampled_from(
            [
                b"/api/users",
                b"/api/leads",
                b"/api/users/" + target.user_id.encode(),
                b"/api/leads/" + target.lead_id.encode(),
                b"/api/contacts/" + target.lead_id.encode(),
                b"/api/contacts/" + target.lead_id.encode() + b"/archive",
                b"/api/contacts/" + target.lead_id.encode() + b"/unarchive",
                b"/api/contacts/" + target.lead_id.encode() + b"/tags",
                b"/api/contacts/" + target.lead_id.encode() + b"/tags/1001",
                b"/api/contacts/" + target.lead_id.encode() + b"/notes",
                b"/api/contacts/" + target.lead_id.encode() + b"/companies",
                b"/api/contacts/" + target.lead_id.encode() + b"/companies/" + target.company_id.encode(),
                b"/api/events",
                b"/api/companies",
                b"/api/companies/" + target.company_id.encode() + b"/tags",
                b"/api/conversations",
                b"/api/conversations/" + target.conversation_id.encode(),
                b"/api/conversations/" + target.conversation_id.encode() + b"/close",
                b"/api/admins",
                b"/api/tags",
                b"/api/triggers/lead-created",
                b"/api/triggers/lead-created/subscriptions",
                b"/api/triggers/lead-created/subscriptions/" + target.sub_ids[-1].encode(),
                b"/api/health",
                b"/api/status",
                b"/api",
                b"/",
                b"*",
                b"/api/nosuch",
                b"/admin",
                b"/admin/functions",
                b"/admin/functions/create_lead",
                b"/admin/functions/nosuch",
                b"/admin/functions/%ff",
                b"/admin/host/status",
                b"http://127.0.0.1/api/leads",
            ]
        )
    )
    method = data.draw(st.sampled_from(METHODS))
    body = data.draw(st.one_of(st.none(), st.sampled_from([b"", b"{}", b"[", b'{"input": ""}', b"\xff"])))
    check(target, Req(method, path, data.draw(connection_headers(target)), body))


TICKET_ACTIONS = (b"", b"/reply")


@FUZZ
@given(data=st.data())
def test_ticket_and_message_routes(target: Target, data: st.DataObject) -> None:
    """The ticket, message, team and untag routes of §10 (and the designer's lists of a ticket and a ticket type) with
    odd ids, bodies and methods."""
    ticket = data.draw(path_segments("6000001", "1"))
    other = data.draw(path_segments("1001", "2001"))
    method, path = data.draw(
        st.sampled_from(
            [
                (b"POST", b"/api/tickets"),
                (b"GET", b"/api/tickets/" + ticket),
                (b"PUT", b"/api/tickets/" + ticket),
                (b"POST", b"/api/tickets/" + ticket + b"/reply"),
                (b"GET", b"/api/tickets/" + ticket + b"/ticket-states"),
                (b"GET", b"/api/tickets/" + ticket + b"/attributes-schema"),
                (b"GET", b"/api/ticket-types/" + other + b"/attributes-schema"),
                (b"GET", b"/api/ticket-types"),
                (b"GET", b"/api/ticket-states?ticket_type_id=" + other),
                (b"GET", b"/api/teams"),
                (b"POST", b"/api/messages"),
                (b"DELETE", b"/api/companies/" + target.company_id.encode() + b"/tags/" + other),
                (b"DELETE", b"/api/conversations/" + target.conversation_id.encode() + b"/tags/" + other),
                (b"DELETE", b"/api/conversations/" + ticket + b"/tags/" + other + b"?admin_id=" + other),
            ]
        )
    )
    value = st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "ticket_type_id": st.one_of(st.sampled_from(["2001", "2002"]), texts),
                "contact_id": st.one_of(st.just(target.user_id), texts),
                "email": emails(),
                "title": texts,
                "description": texts,
                "ticket_attributes": json_values,
                "ticket_state_id": st.one_of(st.just("8322"), texts, json_values),
                "assignee_id": st.one_of(st.sampled_from(["0", "5001", "991267002"]), texts),
                "open": json_values,
                "snoozed_until": st.one_of(st.just("2099-01-01T00:00:00Z"), texts, st.integers(), st.floats()),
                "admin_id": st.one_of(st.just("991267001"), texts),
                "company_id": st.one_of(st.just(target.company_id), texts),
                "conversation_to_link_id": st.one_of(st.just(target.conversation_id), texts),
            },
        ),
        st.fixed_dictionaries(
            {"body": texts},
            optional={
                "contact_id": st.one_of(st.just(target.lead_id), texts),
                "message_type": st.one_of(st.sampled_from(["inapp", "email", "comment", "note"]), texts),
                "subject": texts,
                "template": st.one_of(st.sampled_from(["plain", "personal"]), texts),
                "admin_id": st.one_of(st.just("991267001"), texts),
            },
        ),
        json_values,
    )
    body = data.draw(bodies(value))
    headers = data.draw(connection_headers(target)) + content_headers(data.draw(st.sampled_from(CONTENT_TYPES)))
    check(target, Req(method, path, headers, body))


PATH_PIECES = [
    "/",
    "//",
    "me",
    "contacts",
    "admins",
    "tags",
    ".",
    "..",
    "%2e",
    "%2E",
    "%2f",
    "%2F",
    "%25",
    "%252e",
    "%5c",
    "%00",
    "%0d%0a",
    "%c0%ae",
    "%ff",
    "%",
    "%zz",
    "\\",
    "@",
    ":",
    "?",
    "#",
    " ",
    "\t",
    "http:",
    "https://127.0.0.1:9",
    "evil.example",
    "\u00e9",
    "\uff0e",
    "~",
    "-",
]


def intercom_paths() -> st.SearchStrategy[Any]:
    """Paths of the API and paths that try to leave it (hosts only ever loopback or unresolvable), and non-strings."""
    pieces = st.lists(st.sampled_from(PATH_PIECES), min_size=1, max_size=8).map("".join)
    segments = st.lists(st.one_of(st.sampled_from(["me", "admins", "tags", "contacts", "x"]), pieces), max_size=4)
    return st.one_of(
        segments.map(lambda parts: "/" + "/".join(parts)),
        segments.map(lambda parts: "/" + "/".join(parts)),
        pieces,
        st.text(max_size=20).map(lambda p: "/" + p),
        json_values,
    )


@FUZZ
@given(data=st.data())
def test_intercom_request(target: Target, data: st.DataObject) -> None:
    """POST /api/intercom/request with any method, path, query and body: never a 5xx; a refused path is a 400 naming
    `path` and never reaches Intercom; whatever reaches Intercom is on its own host, with the connection's token."""
    value = st.one_of(
        st.fixed_dictionaries(
            {"path": intercom_paths()},
            optional={
                "method": st.one_of(
                    st.sampled_from(["GET", "get", "POST", "PUT", "DELETE", "HEAD", "PATCH", ""]), texts
                ),
                "query": st.one_of(st.dictionaries(texts, json_values, max_size=3), json_values),
                "headers": json_values,
            },
        ),
        st.dictionaries(st.sampled_from(["path", "method", "query", "body", "headers"]), json_values, max_size=4),
        json_values,
    )
    body = data.draw(st.one_of(encoded(value), encoded(value), bodies(value)))
    plain = ((b"X-Intercom-Connection", target.conn.encode()), (b"Content-Type", b"application/json"))
    headers = data.draw(
        st.one_of(
            st.just(plain),
            st.just(plain),
            st.builds(
                lambda a, b: a + b, connection_headers(target), st.sampled_from(CONTENT_TYPES).map(content_headers)
            ),
        )
    )
    target.sim.clear_requests()
    resp = check(target, Req(b"POST", b"/api/intercom/request", headers, body), intercoms=True)
    seen = target.sim.requests()
    if resp.status == 400 and b'"field":"path"' in resp.body:
        assert seen == [], f"a refused path reached Intercom: {body!r}"
    for request in seen:
        assert ".." not in request.path.split("/"), request.path
        assert "//" not in request.path, request.path


def notification_values(t: Target) -> st.SearchStrategy[Any]:
    """Envelopes as Intercom sends them (most well formed, so the worker takes many), with any field odd or missing,
    and anything else JSON."""
    stamps = st.one_of(
        st.integers(1_700_000_000, 1_900_000_000),
        st.sampled_from(["2026-12-03T07:00:00.000+00:00", "2026-12-03T07:00:00Z", "2026-12-03T07:00:00"]),
        scalars,
        texts,
    )
    contact = st.fixed_dictionaries(
        {
            "type": st.just("contact"),
            "id": st.one_of(st.sampled_from([t.lead_id, t.user_id]), texts, scalars),
            "role": st.sampled_from(["lead", "user", "visitor", None, 1]),
            "created_at": stamps,
            "updated_at": stamps,
        },
        optional={"email": texts, "companies": json_values, "tags": json_values, "source": json_values},
    )
    well_formed = st.fixed_dictionaries(
        {
            "type": st.just("notification_event"),
            "topic": st.sampled_from([*TOPICS, "ping", "contact.archived"]),
            "app_id": st.just(APP_ID),
            "data": st.fixed_dictionaries({"item": contact}),
        },
        optional={"id": st.one_of(st.none(), texts), "created_at": scalars},
    )
    odd = st.fixed_dictionaries(
        {
            "type": st.one_of(st.just("notification_event"), texts),
            "topic": st.one_of(st.sampled_from([*TOPICS, "ping"]), texts, scalars),
            "app_id": st.one_of(st.just(APP_ID), texts, scalars),
            "data": st.one_of(st.fixed_dictionaries({"item": st.one_of(contact, json_values)}), json_values),
        },
    )
    return st.one_of(well_formed, well_formed, odd, json_values)


@FUZZ
@given(data=st.data())
def test_webhook_intake(target: Target, data: st.DataObject) -> None:
    """Intercom's webhook route with odd envelopes, signed with the right secret or not: only 200, 400, 401 or 413,
    never a 410 (Intercom would disable the subscription); the worker that takes the accepted ones must not crash."""
    body = data.draw(bodies(notification_values(target))) or b""
    signature = data.draw(
        st.one_of(
            st.just(sign(body, CLIENT_SECRET).encode()),
            st.just(sign(body, CLIENT_SECRET).upper().encode()),
            st.just(sign(body, "another-secret").encode()),
            st.sampled_from([b"", b"sha1=", b"sha256=" + b"0" * 64, b"sha1=" + b"g" * 40]),
            header_values,
        )
    )
    headers = ((b"X-Hub-Signature", signature), *content_headers(b"application/json"))
    method = data.draw(st.sampled_from([b"POST", b"POST", b"HEAD"]))
    resp = check(target, Req(method, b"/api/intercom/webhooks", headers, body))
    assert resp.status in (200, 400, 401, 413, 431), resp  # 431: the host refuses a header line over its limit


@FUZZ
@given(data=st.binary(max_size=200))
def test_garbage_requests(target: Target, data: bytes) -> None:
    """Bytes that are not HTTP at all: the server answers (or closes) at once and stays up."""
    raw = send_raw(target.port, data.replace(b"\r\n\r\n", b"") + b"\r\n\r\n")
    if raw:
        resp = parse_response(raw)
        assert resp.status < 500, resp


def test_zz_server_and_log_are_clean(target: Target) -> None:
    """Last: the server is still up, and its log holds no secret, traceback or crash."""
    assert target.server.returncode is None
    assert send(target.port, Req(b"GET", b"/api/health")).status == 200
    log = target.server.log_text()
    for secret in target.secrets:
        assert secret not in log, "a secret in the devserver's log"
    for marker in ("Traceback", " crashed", " raised", "internal_error", " 500 "):
        assert marker not in log, f"{marker!r} in the log:\n{_around(log, marker)}"


def _around(log: str, marker: str) -> str:
    at = log.index(marker)
    return log[max(0, at - 1500) : at + 1500]


SEARCH_FIELDS = ["email", "name", "role", "created_at", "tag_id", "state", "open", "admin_assignee_id", "tag_ids"]
SEARCH_FIELDS += ["title", "category", "ticket_type_id", "contact_ids"]
SEARCH_OPERATORS = ["=", "!=", "IN", "NIN", "<", ">", "~", "!~", "^", "$", "==", "in", ""]


def search_bodies() -> st.SearchStrategy[Any]:
    """Search bodies (interface §10): plausible filters, odd ones, too many, and any JSON value."""
    one = st.fixed_dictionaries(
        {},
        optional={
            "field": st.one_of(st.sampled_from(SEARCH_FIELDS), st.just("custom_attributes.plan_tier"), texts),
            "operator": st.one_of(st.sampled_from(SEARCH_OPERATORS), texts),
            "value": st.one_of(
                st.just("2026-01-02T00:00:00Z"), st.just(["open", "closed"]), st.just("Customer, task"), json_values
            ),
        },
    )
    filters = st.one_of(st.lists(one, max_size=17), json_values)
    plausible = st.fixed_dictionaries(
        {"filters": filters},
        optional={"match": st.one_of(st.sampled_from(["all", "any"]), texts), "per_page": json_values},
    )
    return st.one_of(plausible, plausible, st.dictionaries(texts, json_values, max_size=4), json_values)


@FUZZ
@given(data=st.data())
def test_searches(target: Target, data: st.DataObject) -> None:
    """POST /api/contacts/search, /api/conversations/search and /api/tickets/search with any body; their nextLink GETs
    with any cursor; List search fields and List data attributes with any query."""
    method, path = data.draw(
        st.sampled_from(
            [
                (b"POST", b"/api/contacts/search"),
                (b"POST", b"/api/conversations/search"),
                (b"POST", b"/api/tickets/search"),
                (b"GET", b"/api/contacts/search"),
                (b"GET", b"/api/conversations/search"),
                (b"GET", b"/api/tickets/search"),
                (b"GET", b"/api/search-fields"),
                (b"GET", b"/api/data-attributes"),
            ]
        )
    )
    headers = data.draw(connection_headers(target))
    if method == b"POST":
        body = data.draw(bodies(search_bodies()))
        headers += content_headers(data.draw(st.sampled_from(CONTENT_TYPES)))
        check(target, Req(method, path, headers, body))
        return
    query = data.draw(
        queries(
            {
                "cursor": query_values(*target.cursors),
                "per_page": query_values("1", "150", "151"),
                "object": query_values("contacts", "conversations", "tickets"),
                "model": query_values("contact", "company", "conversation"),
                "include_archived": query_values("true", "false", "yes"),
            }
        )
    )
    check(target, Req(method, path + query, headers))
