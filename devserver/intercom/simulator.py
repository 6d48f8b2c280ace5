"""An Intercom 2.16 simulator: a real HTTP server on 127.0.0.1 with search delay, rate limits, faults and a clock."""

from __future__ import annotations

import base64
import bisect
import contextlib
import copy
import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from devserver.intercom.query import (
    CONTACT_DATE_FIELDS,
    CONVERSATION_DATE_FIELDS,
    QueryError,
    compile_query,
    field_value,
)
from devserver.intercom.state import INLINE_LIMIT, Indexed, Store, new_id

VERSIONS = {f"1.{i}" for i in range(5)} | {f"2.{i}" for i in range(17)} | {"Unstable"}
FAULT_KINDS = ("500", "502", "503", "429", "timeout")
WINDOW_SECONDS = 10
UNLIMITED = 1_000_000
APP_ID = "simapp01"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    status: int
    intercom_version: str | None
    at: float


@dataclass
class Config:
    timezone: str = "UTC"
    index_delay: tuple[float, float] = (0.0, 0.0)
    rate_limit_per_10s: int | None = None
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_methods: set[str] | None = None
    timeout_seconds: float = 2.0
    slow_seconds: float = 0.5
    clock_offset: float = 0.0
    seed: int = 0


@dataclass
class _Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None


def _cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _uncursor(text: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        raise ApiError(400, "parameter_invalid", "starting_after is not a valid cursor") from None


def _sort_key(value: Any, obj_id: str) -> tuple[int, float, str, str]:
    if value is None:
        return (0, 0.0, "", obj_id)
    if isinstance(value, bool):
        return (1, float(value), "", obj_id)
    if isinstance(value, int | float):
        return (1, float(value), "", obj_id)
    return (2, 0.0, str(value).lower(), obj_id)


class Simulator:
    """Intercom API 2.16 as far as the connector uses it; see docs/simulator.md."""

    def __init__(self, token: str = "sim-token", *, port: int = 0, seed: int = 0) -> None:  # noqa: S107
        self.token = token
        self._port = port
        self._lock = threading.RLock()
        self._config = Config(seed=seed)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._reset_state()

    # ---- lifecycle -------------------------------------------------------------------------------------------------
    def start(self) -> Simulator:
        sim = self

        class Handler(_Handler):
            simulator = sim

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="intercom-sim", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "simulator not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def now(self) -> float:
        return time.time() + self._config.clock_offset

    def _stamp(self) -> int:
        return int(self.now())

    # ---- configuration ---------------------------------------------------------------------------------------------
    def configure(self, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                if not hasattr(self._config, name):
                    raise ValueError(f"unknown simulator setting {name!r}")
                if name == "timezone":
                    ZoneInfo(value)
                if name == "index_delay":
                    value = (float(value[0]), float(value[1]))
                if name == "fault_kinds":
                    value = tuple(str(k) for k in value)
                if name == "fault_methods" and value is not None:
                    value = {str(m).upper() for m in value}
                setattr(self._config, name, value)
            if "seed" in changes:
                self._reseed()

    @property
    def config(self) -> Config:
        return self._config

    def _reseed(self) -> None:
        self._index_rng = random.Random(f"index-{self._config.seed}")
        self._fault_rng = random.Random(f"fault-{self._config.seed}")

    def _reset_state(self) -> None:
        self._store = Store()
        self._merged_records: dict[str, dict[str, Any]] = {}
        self._log: list[RequestRecord] = []
        self._window_start = 0.0
        self._window_count = 0
        self._seq = 0
        self._contact_seq: dict[str, int] = {}
        self._conversation_seq: dict[str, int] = {}
        self._search_cache: dict[Any, tuple[list[tuple[Any, ...]], list[dict[str, Any]]]] = {}
        self._reseed()

    def reset(self) -> None:
        with self._lock:
            self._config = Config(seed=self._config.seed)
            self._reset_state()

    # ---- request log -----------------------------------------------------------------------------------------------
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    # ---- Python data API -------------------------------------------------------------------------------------------
    def add_contact(
        self,
        role: str = "user",
        email: str | None = None,
        name: str | None = None,
        phone: str | None = None,
        external_id: str | None = None,
        created_at: int | None = None,
        updated_at: int | None = None,
        *,
        index: bool = True,
        **fields: Any,
    ) -> dict[str, Any]:
        """Store a contact directly (no duplicate check); `index=False` makes it searchable at once."""
        with self._lock:
            now = self._stamp()
            created = int(created_at if created_at is not None else now)
            record = {
                "id": new_id(),
                "role": role,
                "email": email,
                "phone": phone,
                "name": name,
                "external_id": external_id,
                "created_at": created,
                "updated_at": int(updated_at if updated_at is not None else created),
                "signed_up_at": created if role == "user" else None,
                **fields,
            }
            self._insert_contact(record, delayed=index)
            return self._render_contact(record)

    def bulk_add_contacts(
        self, n: int, role: str = "lead", start: int | None = None, spacing_seconds: float = 1.0
    ) -> list[str]:
        """Add n contacts with created_at/updated_at from `start` every `spacing_seconds`, searchable at once."""
        with self._lock:
            base = int(start if start is not None else self._stamp() - n * spacing_seconds)
            ids = []
            for i in range(n):
                ts = int(base + i * spacing_seconds)
                record = {
                    "id": new_id(),
                    "role": role,
                    "email": f"bulk{self._seq + 1}@example.com",
                    "phone": None,
                    "name": f"Bulk {self._seq + 1}",
                    "external_id": None,
                    "created_at": ts,
                    "updated_at": ts,
                    "signed_up_at": ts if role == "user" else None,
                }
                self._insert_contact(record, delayed=False)
                ids.append(str(record["id"]))
            return ids

    def update_contact(self, contact_id: str, at: int | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            record = self._contact_or_error(contact_id)
            record.update(fields)
            record["updated_at"] = int(at if at is not None else self._stamp())
            self._reindex_contact(record)
            return self._render_contact(record)

    def merge_contact(self, lead_id: str, user_id: str) -> dict[str, Any]:
        with self._lock:
            lead = self._contact_or_error(lead_id)
            user = self._contact_or_error(user_id)
            if lead["role"] != "lead" or user["role"] != "user":
                raise ApiError(400, "parameter_invalid", "merge needs a lead in `from` and a user in `into`")
            for key in ("email", "phone", "name"):
                if user.get(key) is None and lead.get(key) is not None:
                    user[key] = lead[key]
            for cid in self._store.contact_companies.pop(lead_id, []):
                self._link(self._store.contact_companies, user_id, cid)
            for tid in self._store.contact_tags.pop(lead_id, []):
                self._link(self._store.contact_tags, user_id, tid)
            self._merged_records[lead_id] = self._store.contacts.pop(lead_id)
            self._store.merged_into[lead_id] = user_id
            user["updated_at"] = self._stamp()
            self._store.index(self._store.contact_index, lead_id, None, self._delay(True), self._index_rng)
            self._reindex_contact(user)
            return self._render_contact(user)

    def add_company(self, name: str, company_id: str | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            return self._render_company(self._upsert_company({"name": name, "company_id": company_id, **fields}))

    def add_tag(self, name: str) -> dict[str, Any]:
        with self._lock:
            return self._tag(self._upsert_tag(name))

    def attach_company(self, contact_id: str, company_id: str) -> None:
        with self._lock:
            record = self._contact_or_error(contact_id)
            if company_id not in self._store.companies:
                raise ApiError(404, "company_not_found", "Company Not Found")
            self._link(self._store.contact_companies, contact_id, company_id)
            self._reindex_contact(record)

    def tag_contact(self, contact_id: str, tag_id: str) -> None:
        with self._lock:
            record = self._contact_or_error(contact_id)
            if tag_id not in self._store.tags:
                raise ApiError(404, "tag_not_found", "Tag not found")
            self._link(self._store.contact_tags, contact_id, tag_id)
            self._reindex_contact(record)

    def add_conversation(
        self,
        contact_id: str,
        created_at: int | None = None,
        subject: str | None = None,
        body: str = "<p>Hello</p>",
        author_type: str = "user",
        admin_assignee_id: int | None = None,
        updated_at: int | None = None,
        *,
        index: bool = True,
    ) -> dict[str, Any]:
        with self._lock:
            contact = self._contact_or_error(contact_id)
            created = int(created_at if created_at is not None else self._stamp())
            conv_id = str(100000000 + len(self._store.conversations) + 1)
            record = {
                "id": conv_id,
                "created_at": created,
                "updated_at": int(updated_at if updated_at is not None else created),
                "subject": subject,
                "body": body,
                "author_type": author_type,
                "author_id": contact_id if author_type in ("user", "lead", "contact") else "1",
                "contact_id": contact_id,
                "contact_external_id": contact.get("external_id"),
                "admin_assignee_id": admin_assignee_id,
                "state": "open",
            }
            self._store.conversations[conv_id] = record
            self._seq += 1
            self._conversation_seq[conv_id] = self._seq
            self._store.index(
                self._store.conversation_index,
                conv_id,
                self._render_conversation(record),
                self._delay(index),
                self._index_rng,
            )
            return self._render_conversation(record)

    def update_conversation(self, conv_id: str, at: int | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            record = self._store.conversations.get(conv_id)
            if record is None:
                raise ApiError(404, "not_found", "Resource Not Found")
            record.update(fields)
            record["updated_at"] = int(at if at is not None else self._stamp())
            rendered = self._render_conversation(record)
            self._store.index(self._store.conversation_index, conv_id, rendered, self._delay(True), self._index_rng)
            return rendered

    def contacts(self, include_merged: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            live = [self._render_contact(c) for c in self._store.contacts.values()]
            if include_merged:
                live += [self._render_contact(c) for c in self._merged_records.values()]
            return live

    def merged(self) -> dict[str, str]:
        with self._lock:
            return dict(self._store.merged_into)

    def conversations(self) -> list[dict[str, Any]]:
        with self._lock:
            return [self._render_conversation(c) for c in self._store.conversations.values()]

    # ---- internals: data ---------------------------------------------------------------------------------------------
    def _delay(self, delayed: bool) -> tuple[float, float] | None:
        return self._config.index_delay if delayed else None

    @staticmethod
    def _link(table: dict[str, list[str]], key: str, value: str) -> None:
        items = table.setdefault(key, [])
        if value not in items:
            items.append(value)

    def _insert_contact(self, record: dict[str, Any], *, delayed: bool) -> None:
        self._store.contacts[record["id"]] = record
        self._seq += 1
        self._contact_seq[record["id"]] = self._seq
        self._store.index(
            self._store.contact_index,
            record["id"],
            self._render_contact(record),
            self._delay(delayed),
            self._index_rng,
        )

    def _reindex_contact(self, record: dict[str, Any]) -> None:
        self._store.index(
            self._store.contact_index,
            record["id"],
            self._render_contact(record),
            self._delay(True),
            self._index_rng,
        )

    def _contact_or_error(self, contact_id: str) -> dict[str, Any]:
        record = self._store.contacts.get(contact_id)
        if record is not None:
            return record
        canonical = self._store.merged_into.get(contact_id)
        if canonical is not None:
            while canonical in self._store.merged_into:
                canonical = self._store.merged_into[canonical]
            raise ApiError(
                410,
                "contact_merged",
                f"Contact has been merged into {canonical}",
                {"Link": f'</contacts/{canonical}>; rel="canonical"'},
            )
        raise ApiError(404, "not_found", "User Not Found")

    def _upsert_company(self, data: dict[str, Any]) -> dict[str, Any]:
        company_id = data.get("company_id")
        existing = None
        if company_id is not None:
            existing = next((c for c in self._store.companies.values() if c["company_id"] == company_id), None)
        now = self._stamp()
        if existing is None:
            existing = {"id": new_id(), "company_id": company_id or new_id(), "created_at": now, "name": None}
            self._store.companies[existing["id"]] = existing
        for key, value in data.items():
            if value is not None:
                existing[key] = value
        existing["updated_at"] = now
        return existing

    def _upsert_tag(self, name: str) -> dict[str, Any]:
        for tag in self._store.tags.values():
            if tag["name"] == name:
                return tag
        tag = {"id": str(1000 + len(self._store.tags) + 1), "name": name}
        self._store.tags[tag["id"]] = tag
        return tag

    # ---- rendering -------------------------------------------------------------------------------------------------
    @staticmethod
    def _tag(tag: dict[str, Any]) -> dict[str, Any]:
        return {"type": "tag", "id": tag["id"], "name": tag["name"]}

    def _render_company(self, c: dict[str, Any]) -> dict[str, Any]:
        user_count = sum(1 for ids in self._store.contact_companies.values() if c["id"] in ids)
        return {
            "type": "company",
            "id": c["id"],
            "name": c.get("name"),
            "app_id": APP_ID,
            "company_id": c["company_id"],
            "remote_created_at": c.get("remote_created_at", c["created_at"]),
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "last_request_at": c.get("last_request_at", c["created_at"]),
            "size": int(c.get("size", 0)),
            "website": c.get("website", ""),
            "industry": c.get("industry", ""),
            "monthly_spend": int(c.get("monthly_spend", 0)),
            "session_count": int(c.get("session_count", 0)),
            "user_count": user_count,
            "custom_attributes": dict(c.get("custom_attributes", {})),
            "tags": {"type": "tag.list", "tags": []},
            "segments": {"type": "segment.list", "segments": []},
        }

    def _render_contact(self, c: dict[str, Any]) -> dict[str, Any]:
        cid = c["id"]
        companies = self._store.contact_companies.get(cid, [])
        tags = self._store.contact_tags.get(cid, [])
        email = c.get("email")
        avatar = c.get("avatar")
        location = c.get("location") or {}
        return {
            "type": "contact",
            "id": cid,
            "workspace_id": APP_ID,
            "external_id": c.get("external_id"),
            "role": c["role"],
            "email": email,
            "email_domain": email.split("@", 1)[1] if email and "@" in email else None,
            "phone": c.get("phone"),
            "formatted_phone": c.get("phone"),
            "name": c.get("name"),
            "owner_id": c.get("owner_id"),
            "has_hard_bounced": False,
            "marked_email_as_spam": False,
            "unsubscribed_from_emails": bool(c.get("unsubscribed_from_emails", False)),
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "signed_up_at": c.get("signed_up_at"),
            "last_seen_at": c.get("last_seen_at"),
            "last_replied_at": c.get("last_replied_at"),
            "last_contacted_at": c.get("last_contacted_at"),
            "last_email_opened_at": None,
            "last_email_clicked_at": None,
            "language_override": None,
            "browser": None,
            "browser_version": None,
            "browser_language": None,
            "os": None,
            "android_app_name": None,
            "android_app_version": None,
            "android_device": None,
            "android_os_version": None,
            "android_sdk_version": None,
            "android_last_seen_at": None,
            "ios_app_name": None,
            "ios_app_version": None,
            "ios_device": None,
            "ios_os_version": None,
            "ios_sdk_version": None,
            "ios_last_seen_at": None,
            "custom_attributes": dict(c.get("custom_attributes") or {}),
            "avatar": {"type": "avatar", "image_url": avatar},
            "tags": {
                "type": "list",
                "data": [{"type": "tag", "id": t, "url": f"/tags/{t}"} for t in tags[:INLINE_LIMIT]],
                "url": f"/contacts/{cid}/tags",
                "total_count": len(tags),
                "has_more": len(tags) > INLINE_LIMIT,
            },
            "notes": {
                "type": "list",
                "data": [],
                "url": f"/contacts/{cid}/notes",
                "total_count": 0,
                "has_more": False,
            },
            "companies": {
                "type": "list",
                "data": [{"type": "company", "id": k, "url": f"/companies/{k}"} for k in companies[:INLINE_LIMIT]],
                "url": f"/contacts/{cid}/companies",
                "total_count": len(companies),
                "has_more": len(companies) > INLINE_LIMIT,
            },
            "location": {
                "type": "location",
                "country": location.get("country"),
                "region": location.get("region"),
                "city": location.get("city"),
                "country_code": location.get("country_code"),
                "continent_code": location.get("continent_code"),
            },
            "social_profiles": {"type": "list", "data": []},
        }

    @staticmethod
    def _render_conversation(c: dict[str, Any]) -> dict[str, Any]:
        author_type = c["author_type"]
        return {
            "type": "conversation",
            "id": c["id"],
            "title": c.get("subject"),
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "waiting_since": c["created_at"] if author_type != "admin" else None,
            "snoozed_until": None,
            "open": c.get("state", "open") == "open",
            "state": c.get("state", "open"),
            "read": False,
            "priority": "none",
            "admin_assignee_id": int(c["admin_assignee_id"] or 0),
            "team_assignee_id": 0,
            "tags": {"type": "tag.list", "tags": []},
            "conversation_rating": None,
            "source": {
                "type": "conversation",
                "id": f"src{c['id']}",
                "delivered_as": "customer_initiated" if author_type != "admin" else "admin_initiated",
                "subject": c.get("subject") or "",
                "body": c["body"],
                "author": {
                    "type": author_type,
                    "id": c["author_id"],
                    "name": None,
                    "email": "",
                },
                "attachments": [],
                "url": None,
                "redacted": False,
            },
            "contacts": {
                "type": "contact.list",
                "contacts": [{"type": "contact", "id": c["contact_id"], "external_id": c.get("contact_external_id")}],
            },
            "teammates": {"type": "admin.list", "admins": []},
            "custom_attributes": {},
            "first_contact_reply": None,
            "sla_applied": None,
            "statistics": None,
            "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": False},
            "ai_agent_participated": False,
        }

    # ---- HTTP dispatch -----------------------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> _Response:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query)
        version = headers.get("intercom-version")
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
            if not path.startswith("/_sim"):
                return self._record(
                    method, path, query, None, version, self._error(400, "parameter_invalid", "Invalid JSON body")
                )
        if path.startswith("/_sim"):
            try:
                resp = self._control(method, path, query, payload)
            except (ApiError, ValueError, TypeError, KeyError) as exc:
                resp = self._error_from(exc)
            return resp
        resp = self._api(method, path, query, payload, headers, version)
        return self._record(method, path, query, payload, version, resp)

    def _record(
        self, method: str, path: str, query: dict[str, list[str]], payload: Any, version: str | None, resp: _Response
    ) -> _Response:
        with self._lock:
            self._log.append(RequestRecord(method, path, query, payload, resp.status, version, time.time()))
        return resp

    @staticmethod
    def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> _Response:
        body = {
            "type": "error.list",
            "request_id": str(uuid.uuid4()),
            "errors": [{"code": code, "message": message}],
        }
        return _Response(status, body, dict(headers or {}))

    def _error_from(self, exc: Exception) -> _Response:
        if isinstance(exc, ApiError):
            return self._error(exc.status, exc.code, exc.message, exc.headers)
        if isinstance(exc, QueryError):
            return self._error(400, exc.code, str(exc))
        return self._error(400, "parameter_invalid", str(exc))

    def _api(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        payload: Any,
        headers: dict[str, str],
        version: str | None,
    ) -> _Response:
        if headers.get("authorization", "") != f"Bearer {self.token}":
            return self._error(401, "unauthorized", "Access Token Invalid")
        if version is not None and version not in VERSIONS:
            return self._error(400, "intercom_version_invalid", f"Requested version {version} is not valid")
        with self._lock:
            fault = self._draw_fault(method)
            rate_headers, limited = self._rate(fault == "429")
        if limited:
            return self._error(429, "rate_limit_exceeded", "Exceeded rate limit", rate_headers)
        if fault in ("500", "502", "503"):
            messages = {"500": "Internal server error", "502": "Bad gateway", "503": "Service unavailable"}
            codes = {"500": "server_error", "502": "bad_gateway", "503": "service_unavailable"}
            return self._error(int(fault), codes[fault], messages[fault], rate_headers)
        try:
            with self._lock:
                status, body = self._route(method, path, query, payload)
            resp = _Response(status, body, rate_headers)
        except (ApiError, QueryError) as exc:
            resp = self._error_from(exc)
            resp.headers.update(rate_headers)
        if fault in ("timeout", "slow"):
            resp.fault = fault
        return resp

    def _draw_fault(self, method: str) -> str | None:
        cfg = self._config
        if cfg.fault_rate <= 0 or not cfg.fault_kinds:
            return None
        if cfg.fault_methods is not None and method not in cfg.fault_methods:
            return None
        if self._fault_rng.random() >= cfg.fault_rate:
            return None
        return self._fault_rng.choice(cfg.fault_kinds)

    def _rate(self, forced: bool) -> tuple[dict[str, str], bool]:
        now = time.time()
        start = now - (now % WINDOW_SECONDS)
        if start != self._window_start:
            self._window_start, self._window_count = start, 0
        limit = self._config.rate_limit_per_10s or UNLIMITED
        reset = int(start + WINDOW_SECONDS)
        over = self._window_count >= limit
        if not over and not forced:
            self._window_count += 1
        remaining = max(0, limit - self._window_count)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(0 if forced else remaining),
            "X-RateLimit-Reset": str(reset),
        }
        return headers, over or forced

    def _route(self, method: str, path: str, query: dict[str, list[str]], payload: Any) -> tuple[int, Any]:
        seg = path.strip("/").split("/")
        body = payload if isinstance(payload, dict) else {}
        if seg == ["me"] and method == "GET":
            return 200, self._me()
        if seg[0] == "contacts":
            return self._contacts_route(method, seg, query, body)
        if seg[0] == "companies":
            return self._companies_route(method, seg, query, body)
        if seg == ["tags"]:
            if method == "GET":
                return 200, {"type": "list", "data": [self._tag(t) for t in self._store.tags.values()]}
            if method == "POST":
                name = body.get("name")
                if not isinstance(name, str) or not name:
                    raise ApiError(400, "parameter_not_found", "name is required")
                return 200, self._tag(self._upsert_tag(name))
        if seg[0] == "conversations":
            return self._conversations_route(method, seg, query, body)
        raise ApiError(404, "not_found", "Resource Not Found")

    def _me(self) -> dict[str, Any]:
        return {
            "type": "admin",
            "id": "991267001",
            "name": "Simulated Admin",
            "email": "admin@example.com",
            "email_verified": True,
            "app": {
                "type": "app",
                "id_code": APP_ID,
                "name": "Simulated Workspace",
                "created_at": 1577836800,
                "secure": False,
                "identity_verification": False,
                "timezone": self._config.timezone,
                "region": "US",
            },
            "avatar": {"type": "avatar", "image_url": None},
            "has_inbox_seat": True,
        }

    # ---- contacts ----------------------------------------------------------------------------------------------------
    def _contacts_route(
        self, method: str, seg: list[str], query: dict[str, list[str]], body: dict[str, Any]
    ) -> tuple[int, Any]:
        if len(seg) == 1 and method == "GET":
            return 200, self._list_contacts(query)
        if len(seg) == 1 and method == "POST":
            return 200, self._create_contact(body)
        if seg[1:] == ["search"] and method == "POST":
            return 200, self._search(body, contacts=True)
        if seg[1:] == ["merge"] and method == "POST":
            lead_id, user_id = body.get("from"), body.get("into")
            if not isinstance(lead_id, str) or not isinstance(user_id, str):
                raise ApiError(400, "parameter_not_found", "from and into are required")
            return 200, self.merge_contact(lead_id, user_id)
        if len(seg) == 2:
            if method == "GET":
                return 200, self._render_contact(self._contact_or_error(seg[1]))
            if method == "PUT":
                return 200, self._put_contact(seg[1], body)
        if len(seg) == 3 and seg[2] == "companies":
            self._contact_or_error(seg[1])
            if method == "POST":
                company_id = body.get("id")
                if not isinstance(company_id, str):
                    raise ApiError(400, "parameter_not_found", "id is required")
                self.attach_company(seg[1], company_id)
                return 200, self._render_company(self._store.companies[company_id])
            if method == "GET":
                ids = self._store.contact_companies.get(seg[1], [])
                data = [self._render_company(self._store.companies[i]) for i in ids]
                return 200, {
                    "type": "list",
                    "data": data,
                    "total_count": len(data),
                    "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 1},
                }
        if len(seg) == 3 and seg[2] == "tags":
            self._contact_or_error(seg[1])
            if method == "POST":
                tag_id = body.get("id")
                if not isinstance(tag_id, str):
                    raise ApiError(400, "parameter_not_found", "id is required")
                self.tag_contact(seg[1], tag_id)
                return 200, self._tag(self._store.tags[tag_id])
            if method == "GET":
                ids = self._store.contact_tags.get(seg[1], [])
                return 200, {"type": "list", "data": [self._tag(self._store.tags[i]) for i in ids]}
        raise ApiError(404, "not_found", "Resource Not Found")

    _WRITABLE = (
        "role",
        "email",
        "phone",
        "name",
        "avatar",
        "external_id",
        "signed_up_at",
        "last_seen_at",
        "owner_id",
        "unsubscribed_from_emails",
        "custom_attributes",
    )

    def _contact_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        fields = {k: body[k] for k in self._WRITABLE if k in body}
        if "role" in fields and fields["role"] not in ("user", "lead"):
            raise ApiError(400, "parameter_invalid", "role must be user or lead")
        for key in ("email", "phone", "name", "avatar", "external_id"):
            if fields.get(key) is not None and not isinstance(fields[key], str):
                raise ApiError(400, "parameter_invalid", f"{key} must be a string")
        return fields

    def _duplicate(self, email: str | None, except_id: str | None = None) -> None:
        if not email:
            return
        for c in self._store.contacts.values():
            if c["id"] != except_id and (c.get("email") or "").lower() == email.lower() and not c.get("archived"):
                raise ApiError(409, "conflict", f"A contact matching those details already exists with id={c['id']}")

    def _create_contact(self, body: dict[str, Any]) -> dict[str, Any]:
        fields = self._contact_fields(body)
        if not any(fields.get(k) for k in ("email", "external_id", "role")):
            raise ApiError(400, "parameter_invalid", "email, external_id or role is required")
        self._duplicate(fields.get("email"))
        now = self._stamp()
        role = fields.pop("role", "user")
        record = {
            "id": new_id(),
            "role": role,
            "email": None,
            "phone": None,
            "name": None,
            "external_id": None,
            "created_at": now,
            "updated_at": now,
            "signed_up_at": now if role == "user" else None,
            **fields,
        }
        self._insert_contact(record, delayed=True)
        return self._render_contact(record)

    def _put_contact(self, contact_id: str, body: dict[str, Any]) -> dict[str, Any]:
        record = self._contact_or_error(contact_id)
        fields = self._contact_fields(body)
        if fields.get("email"):
            self._duplicate(fields["email"], except_id=contact_id)
        record.update(fields)
        record["updated_at"] = self._stamp()
        self._reindex_contact(record)
        return self._render_contact(record)

    @staticmethod
    def _per_page(raw: Any, default: int) -> int:
        if raw is None:
            return default
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ApiError(400, "parameter_invalid", "per_page must be an integer") from None
        if value < 1 or value > 150:
            raise ApiError(400, "parameter_invalid", "per_page must be between 1 and 150")
        return value

    def _list_by_seq(
        self, seqs: dict[str, int], query: dict[str, list[str]], default: int
    ) -> tuple[list[str], str | None, int]:
        per_page = self._per_page(query.get("per_page", [None])[0], default)
        ordered = sorted(seqs.items(), key=lambda kv: kv[1])
        after = query.get("starting_after", [None])[0]
        start = 0
        if after:
            last = _uncursor(after)
            if not isinstance(last, int):
                raise ApiError(400, "parameter_invalid", "starting_after is not a valid cursor")
            start = bisect.bisect_right([s for _, s in ordered], last)
        page = ordered[start : start + per_page]
        nxt = _cursor(page[-1][1]) if page and start + per_page < len(ordered) else None
        return [i for i, _ in page], nxt, len(ordered)

    def _pages(self, per_page: int, total: int, nxt: str | None, page: int = 1) -> dict[str, Any]:
        pages: dict[str, Any] = {
            "type": "pages",
            "page": page,
            "per_page": per_page,
            "total_pages": max(1, -(-total // per_page)),
        }
        if nxt is not None:
            pages["next"] = {"per_page": per_page, "starting_after": nxt}
        return pages

    def _list_contacts(self, query: dict[str, list[str]]) -> dict[str, Any]:
        live = {k: v for k, v in self._contact_seq.items() if k in self._store.contacts}
        ids, nxt, total = self._list_by_seq(live, query, 50)
        per_page = self._per_page(query.get("per_page", [None])[0], 50)
        return {
            "type": "list",
            "data": [self._render_contact(self._store.contacts[i]) for i in ids],
            "total_count": total,
            "pages": self._pages(per_page, total, nxt),
        }

    # ---- search ------------------------------------------------------------------------------------------------------
    def _search(self, body: dict[str, Any], *, contacts: bool) -> dict[str, Any]:
        if "query" not in body:
            raise ApiError(400, "parameter_not_found", "query is required")
        tz = ZoneInfo(self._config.timezone) if contacts else None
        date_fields = CONTACT_DATE_FIELDS if contacts else CONVERSATION_DATE_FIELDS
        predicate = compile_query(body["query"], date_fields=date_fields, day_tz=tz)
        sort = body.get("sort")
        sort_field, descending = "created_at", False
        if sort is not None:
            if not isinstance(sort, dict) or not isinstance(sort.get("field"), str):
                raise ApiError(400, "parameter_invalid", "sort needs a field")
            order = sort.get("order", "descending")
            if order not in ("ascending", "descending"):
                raise ApiError(400, "invalid_sort_order", f"Invalid sort order: {order}")
            sort_field, descending = sort["field"], order == "descending"
        pagination = body.get("pagination") or {}
        if not isinstance(pagination, dict):
            raise ApiError(400, "parameter_invalid", "pagination must be an object")
        per_page = self._per_page(pagination.get("per_page"), 50 if contacts else 20)
        index = self._store.contact_index if contacts else self._store.conversation_index
        asc_keys, asc_items = self._matches(index, body["query"], predicate, sort_field, contacts)
        keys, items = (asc_keys[::-1], asc_items[::-1]) if descending else (asc_keys, asc_items)
        start = 0
        after = pagination.get("starting_after")
        if after:
            last = tuple(_uncursor(str(after)))
            if descending:
                start = len(asc_keys) - bisect.bisect_left(asc_keys, last)
            else:
                start = bisect.bisect_right(asc_keys, last)
        page = items[start : start + per_page]
        nxt = _cursor(list(keys[start + len(page) - 1])) if page and start + per_page < len(items) else None
        result: dict[str, Any] = {
            "type": "list" if contacts else "conversation.list",
            "total_count": len(items),
            "pages": self._pages(per_page, len(items), nxt),
        }
        result["data" if contacts else "conversations"] = [copy.deepcopy(i) for i in page]
        return result

    def _matches(
        self, index: dict[str, Indexed], raw_query: Any, predicate: Any, sort_field: str, contacts: bool
    ) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
        now = time.time()
        cacheable = now >= self._store.pending_until
        cache_key = (contacts, json.dumps(raw_query, sort_keys=True), sort_field, self._store.version)
        if cacheable and cache_key in self._search_cache:
            return self._search_cache[cache_key]
        found = []
        for obj_id, entry in index.items():
            snap = (
                entry.versions[0][2] if len(entry.versions) == 1 and entry.versions[0][0] <= now else entry.visible(now)
            )
            if snap is not None and predicate(snap):
                found.append((_sort_key(field_value(snap, sort_field), obj_id), snap))
        found.sort(key=lambda kv: kv[0])
        result = ([k for k, _ in found], [s for _, s in found])
        if cacheable:
            if len(self._search_cache) > 64:
                self._search_cache.clear()
            self._search_cache[cache_key] = result
        return result

    # ---- companies -------------------------------------------------------------------------------------------------
    def _companies_route(
        self, method: str, seg: list[str], query: dict[str, list[str]], body: dict[str, Any]
    ) -> tuple[int, Any]:
        if len(seg) == 1 and method == "POST":
            allowed = (
                "name",
                "company_id",
                "plan",
                "size",
                "website",
                "industry",
                "custom_attributes",
                "monthly_spend",
                "remote_created_at",
            )
            data = {k: body[k] for k in allowed if k in body}
            return 200, self._render_company(self._upsert_company(data))
        if len(seg) == 1 and method == "GET":
            wanted = query.get("company_id", [None])[0]
            if wanted is not None:
                for c in self._store.companies.values():
                    if c["company_id"] == wanted:
                        return 200, self._render_company(c)
                raise ApiError(404, "company_not_found", "Company Not Found")
            per_page = self._per_page(query.get("per_page", [None])[0], 15)
            try:
                page = int(query.get("page", ["1"])[0])
            except ValueError:
                raise ApiError(400, "parameter_invalid", "page must be an integer") from None
            allc = list(self._store.companies.values())
            chunk = allc[(page - 1) * per_page : page * per_page]
            pages = self._pages(per_page, len(allc), None, page)
            return 200, {
                "type": "list",
                "data": [self._render_company(c) for c in chunk],
                "pages": pages,
                "total_count": len(allc),
            }
        if len(seg) == 2 and method == "GET":
            company = self._store.companies.get(seg[1])
            if company is None:
                raise ApiError(404, "company_not_found", "Company Not Found")
            return 200, self._render_company(company)
        raise ApiError(404, "not_found", "Resource Not Found")

    # ---- conversations ---------------------------------------------------------------------------------------------
    def _conversations_route(
        self, method: str, seg: list[str], query: dict[str, list[str]], body: dict[str, Any]
    ) -> tuple[int, Any]:
        if len(seg) == 1 and method == "GET":
            ids, nxt, total = self._list_by_seq(self._conversation_seq, query, 20)
            per_page = self._per_page(query.get("per_page", [None])[0], 20)
            return 200, {
                "type": "conversation.list",
                "conversations": [self._render_conversation(self._store.conversations[i]) for i in ids],
                "total_count": total,
                "pages": self._pages(per_page, total, nxt),
            }
        if seg[1:] == ["search"] and method == "POST":
            return 200, self._search(body, contacts=False)
        if len(seg) == 2 and method == "GET":
            conv = self._store.conversations.get(seg[1])
            if conv is None:
                raise ApiError(404, "not_found", "Resource Not Found")
            rendered = self._render_conversation(conv)
            rendered["conversation_parts"] = {
                "type": "conversation_part.list",
                "conversation_parts": [],
                "total_count": 0,
            }
            return 200, rendered
        raise ApiError(404, "not_found", "Resource Not Found")

    # ---- control API -----------------------------------------------------------------------------------------------
    def _control(self, method: str, path: str, query: dict[str, list[str]], payload: Any) -> _Response:
        body = payload if isinstance(payload, dict) else {}
        seg = path.strip("/").split("/")[1:]
        if seg == ["reset"] and method == "POST":
            self.reset()
            return _Response(200, {"ok": True})
        if seg == ["config"] and method == "POST":
            if "index_delay" in body and isinstance(body["index_delay"], list):
                body["index_delay"] = tuple(body["index_delay"])
            if body.get("fault_methods") is not None:
                body["fault_methods"] = set(body["fault_methods"])
            self.configure(**body)
            cfg = self._config
            return _Response(200, {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(cfg).items()})
        if seg == ["contacts"] and method == "POST":
            return _Response(201, self.add_contact(**body))
        if len(seg) == 2 and seg[0] == "contacts" and method == "PUT":
            return _Response(200, self.update_contact(seg[1], **body))
        if seg == ["merge"] and method == "POST":
            return _Response(200, self.merge_contact(body["from"], body["into"]))
        if seg == ["conversations"] and method == "POST":
            return _Response(201, self.add_conversation(**body))
        if seg == ["requests"] and method == "GET":
            return _Response(200, [vars(r) for r in self.requests()])
        if seg == ["demo"] and method == "POST":
            from devserver.intercom.demo import load_demo

            return _Response(200, load_demo(self))
        raise ApiError(404, "not_found", "Unknown control endpoint")

    def iter_contacts(self) -> Iterator[dict[str, Any]]:
        return iter(self.contacts())


class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.path.startswith("/_sim") and self.client_address[0] != "127.0.0.1":
            self.send_error(403)
            return
        resp = self.simulator.handle(self.command, self.path, headers, body)
        cfg = self.simulator.config
        if resp.fault == "timeout":
            time.sleep(cfg.timeout_seconds)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        if resp.fault == "slow":
            time.sleep(cfg.slow_seconds)
        data = b"" if resp.body is None else json.dumps(resp.body).encode()
        self.send_response(resp.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()
