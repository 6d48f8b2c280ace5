"""An Intercom 2.16 simulator: a real HTTP server on 127.0.0.1 with search delay, rate limits, faults and a clock.

This module holds `Simulator`: its lifecycle, settings, request log, Python data API and the front door of every HTTP
request (auth, version, faults, rate limit). The rest of the package: `server` (HTTP handler), `routes` and
`contact_routes` (REST endpoints), `search`, `paging`, `render` (Intercom JSON), `workspace` and `state` (data),
`control` (`/_sim/*`), `faults`, `ratelimit`, `config`, `errors`, `query` (search language), `notifications` and
`webhooks` (webhook notifications and their delivery); `lifecycle_api` holds the Python API of the lifecycle events.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from intercom_sim.config import Config, update_config
from intercom_sim.control import control
from intercom_sim.errors import ApiError, Response, error_from, error_response
from intercom_sim.faults import draw_fault, server_error
from intercom_sim.lifecycle_api import LifecycleApi
from intercom_sim.query import QueryError
from intercom_sim.ratelimit import RateWindow
from intercom_sim.render import ADMIN_ID, render_company, render_contact, render_tag
from intercom_sim.routes import route
from intercom_sim.server import serve
from intercom_sim.state import new_id
from intercom_sim.webhooks import Delivery, WebhookSender
from intercom_sim.workspace import Workspace

__all__ = ["Config", "RequestRecord", "Simulator"]

VERSIONS = {f"1.{i}" for i in range(5)} | {f"2.{i}" for i in range(17)} | {"Unstable"}


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    status: int
    intercom_version: str | None
    at: float
    headers: dict[str, str] = field(default_factory=dict)  # as received, names in lower case


class Simulator(LifecycleApi):
    """Intercom API 2.16 as far as the connector uses it; see docs/simulator.md."""

    def __init__(self, token: str = "sim-token", *, port: int = 0, seed: int = 0) -> None:  # noqa: S107
        self.token = token
        self._port = port
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.webhooks = WebhookSender()
        self._reset_state(Config(seed=seed))

    # ---- lifecycle -------------------------------------------------------------------------------------------------
    def start(self) -> Simulator:
        self._server = serve(self, self._port)
        self.webhooks.start()
        return self

    def stop(self) -> None:
        self.webhooks.stop()
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
        return self._ws.now()

    # ---- configuration ---------------------------------------------------------------------------------------------
    def configure(self, **changes: Any) -> None:
        with self._lock:
            update_config(self._ws.config, changes)
            if "seed" in changes:
                self._ws.reseed()
            if "webhook_url" in changes:
                self.webhooks.enable()

    @property
    def config(self) -> Config:
        return self._ws.config

    def _reset_state(self, config: Config) -> None:
        self._ws = Workspace(config, self.webhooks)
        self._log: list[RequestRecord] = []
        self._rate = RateWindow()

    def reset(self) -> None:
        with self._lock:
            self._reset_state(Config(seed=self._ws.config.seed))
        self.webhooks.clear()

    # ---- webhooks --------------------------------------------------------------------------------------------------
    def webhook_deliveries(self) -> list[Delivery]:
        """The webhook delivery log (a snapshot): one `Delivery` per notification, with its attempts."""
        return self.webhooks.deliveries()

    def flush_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until no notification is queued or being sent (retries included); False on timeout."""
        return self.webhooks.flush(timeout)

    def send_ping(self) -> Delivery:
        """Queue a `ping` notification (id null) to `webhook_url` now; ValueError when webhooks are off."""
        with self._lock:
            return self.webhooks.ping(self._ws.config, self._ws.stamp())

    # ---- request log -----------------------------------------------------------------------------------------------
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

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
            now = self._ws.stamp()
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
            self._ws.insert_contact(record, delayed=index)
            return render_contact(self._ws.store, record)

    def bulk_add_contacts(
        self, n: int, role: str = "lead", start: int | None = None, spacing_seconds: float = 1.0
    ) -> list[str]:
        """Add n contacts with created_at/updated_at from `start` every `spacing_seconds`, searchable at once."""
        with self._lock:
            base = int(start if start is not None else self._ws.stamp() - n * spacing_seconds)
            ids = []
            for i in range(n):
                ts = int(base + i * spacing_seconds)
                record = {
                    "id": new_id(),
                    "role": role,
                    "email": f"bulk{self._ws.seq + 1}@example.com",
                    "phone": None,
                    "name": f"Bulk {self._ws.seq + 1}",
                    "external_id": None,
                    "created_at": ts,
                    "updated_at": ts,
                    "signed_up_at": ts if role == "user" else None,
                }
                self._ws.insert_contact(record, delayed=False)
                ids.append(str(record["id"]))
            return ids

    def update_contact(self, contact_id: str, at: int | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            record = self._ws.contact_or_error(contact_id)
            record.update(fields)
            record["updated_at"] = int(at if at is not None else self._ws.stamp())
            self._ws.reindex_contact(record)
            return render_contact(self._ws.store, record)

    def merge_contact(self, lead_id: str, user_id: str) -> dict[str, Any]:
        with self._lock:
            return render_contact(self._ws.store, self._ws.merge_contact(lead_id, user_id))

    def add_company(self, name: str, company_id: str | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            company = self._ws.upsert_company({"name": name, "company_id": company_id, **fields})
            return render_company(self._ws.store, company)

    def add_tag(self, name: str) -> dict[str, Any]:
        with self._lock:
            return render_tag(self._ws.upsert_tag(name))

    def attach_company(self, contact_id: str, company_id: str) -> None:
        with self._lock:
            self._ws.attach_company(contact_id, company_id)

    def tag_contact(self, contact_id: str, tag_id: str) -> None:
        with self._lock:
            self._ws.tag_contact(contact_id, tag_id)

    def untag_contact(self, contact_id: str, tag_id: str) -> None:
        with self._lock:
            self._ws.untag_contact(contact_id, tag_id)

    def close_conversation(self, conv_id: str) -> dict[str, Any]:
        """An admin closes it (as `POST /conversations/{id}/parts` `close`): `statistics.last_close_at` moves."""
        with self._lock:
            return self._ws.conversation_json(self._ws.change_conversation(conv_id, "close", ADMIN_ID))

    def open_conversation(self, conv_id: str) -> dict[str, Any]:
        with self._lock:
            return self._ws.conversation_json(self._ws.change_conversation(conv_id, "open", ADMIN_ID))

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
            contact = self._ws.contact_or_error(contact_id)
            created = int(created_at if created_at is not None else self._ws.stamp())
            record = self._ws.new_conversation(contact, body, created, author_type=author_type)
            record |= {
                "updated_at": int(updated_at if updated_at is not None else created),
                "subject": subject,
                "admin_assignee_id": admin_assignee_id,
            }
            self._ws.insert_conversation(record, delayed=index)
            return self._ws.conversation_json(record)

    def update_conversation(self, conv_id: str, at: int | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            record = self._ws.store.conversations.get(conv_id)
            if record is None:
                raise ApiError(404, "not_found", "Resource Not Found")
            record.update(fields)
            record["updated_at"] = int(at if at is not None else self._ws.stamp())
            rendered = self._ws.conversation_json(record)
            self._ws.index_conversation(conv_id, rendered, delayed=True)
            return rendered

    def contacts(self, include_merged: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            live = [render_contact(self._ws.store, c) for c in self._ws.store.contacts.values()]
            if include_merged:
                live += [render_contact(self._ws.store, c) for c in self._ws.merged_records.values()]
            return live

    def merged(self) -> dict[str, str]:
        with self._lock:
            return dict(self._ws.store.merged_into)

    def conversations(self) -> list[dict[str, Any]]:
        with self._lock:
            return [self._ws.conversation_json(c) for c in self._ws.store.conversations.values()]

    def iter_contacts(self) -> Iterator[dict[str, Any]]:
        return iter(self.contacts())

    # ---- HTTP dispatch -----------------------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one HTTP request: `/_sim/*` goes to the control API, everything else to the Intercom API."""
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query)
        version = headers.get("intercom-version")
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
            if not path.startswith("/_sim"):
                invalid = error_response(400, "parameter_invalid", "Invalid JSON body")
                return self._record(method, path, query, None, headers, invalid)
        if path.startswith("/_sim"):
            try:
                resp = control(self, method, path, payload)
            except (ApiError, ValueError, TypeError, KeyError) as exc:
                resp = error_from(exc)
            return resp
        resp = self._api(method, path, query, payload, headers, version)
        return self._record(method, path, query, payload, headers, resp)

    def _record(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        payload: Any,
        headers: dict[str, str],
        resp: Response,
    ) -> Response:
        record = RequestRecord(
            method, path, query, payload, resp.status, headers.get("intercom-version"), time.time(), dict(headers)
        )
        with self._lock:
            self._log.append(record)
        return resp

    def _api(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        payload: Any,
        headers: dict[str, str],
        version: str | None,
    ) -> Response:
        if headers.get("authorization", "") != f"Bearer {self.token}":
            return error_response(401, "unauthorized", "Access Token Invalid")
        if version is not None and version not in VERSIONS:
            return error_response(400, "intercom_version_invalid", f"Requested version {version} is not valid")
        with self._lock:
            fault = draw_fault(self._ws.config, self._ws.fault_rng, method)
            rate_headers, limited = self._rate.take(self._ws.config.rate_limit_per_10s, fault == "429")
        if limited:
            return error_response(429, "rate_limit_exceeded", "Exceeded rate limit", rate_headers)
        failed = server_error(fault, rate_headers)
        if failed is not None:
            return failed
        redirect = self._ws.config.redirects.get(path)
        if redirect is not None:
            return Response(redirect[0], None, {**rate_headers, "Location": redirect[1]})
        try:
            with self._lock:
                status, body = route(self._ws, method, path, query, payload)
            resp = Response(status, body, rate_headers)
        except (ApiError, QueryError) as exc:
            resp = error_from(exc)
            resp.headers.update(rate_headers)
        if fault in ("timeout", "slow"):
            resp.fault = fault
        return resp
