"""The control API `/_sim/*` (no auth, loopback only): reset, configure, seed data, request and webhook logs, and
`POST /_sim/call/{name}`: a Python API method of `lifecycle_api.CALLABLE` with the body as keyword arguments."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from intercom_sim.demo import load_demo
from intercom_sim.errors import ApiError, Response
from intercom_sim.lifecycle_api import CALLABLE

if TYPE_CHECKING:
    from intercom_sim.simulator import RequestRecord, Simulator


def control(sim: Simulator, method: str, path: str, payload: Any) -> Response:
    """Answer a `/_sim/...` request through the simulator's Python API; errors are raised to the caller."""
    body = payload if isinstance(payload, dict) else {}
    seg = path.strip("/").split("/")[1:]
    if seg == ["reset"] and method == "POST":
        sim.reset()
        return Response(200, {"ok": True})
    if seg == ["config"] and method == "POST":
        return Response(200, _configure(sim, body))
    if seg == ["contacts"] and method == "POST":
        return Response(201, sim.add_contact(**body))
    if len(seg) == 2 and seg[0] == "contacts" and method == "PUT":
        return Response(200, sim.update_contact(seg[1], **body))
    if seg == ["merge"] and method == "POST":
        return Response(200, sim.merge_contact(body["from"], body["into"]))
    if seg == ["conversations"] and method == "POST":
        return Response(201, sim.add_conversation(**body))
    if seg == ["requests"] and method == "GET":
        return Response(200, [_shown(r) for r in sim.requests()])
    if seg == ["webhooks"] and method == "GET":
        deliveries = [asdict(d) for d in sim.webhook_deliveries()]
        return Response(200, {"disabled": sim.webhooks.disabled, "deliveries": deliveries})
    if seg == ["webhooks", "ping"] and method == "POST":
        return Response(202, asdict(sim.send_ping()))
    if seg == ["webhooks", "flush"] and method == "POST":
        return Response(200, {"empty": sim.flush_webhooks(float(body.get("timeout", 10.0)))})
    if len(seg) == 2 and seg[0] == "call" and seg[1] in CALLABLE and method == "POST":
        return Response(200, getattr(sim, seg[1])(**body))
    if seg == ["demo"] and method == "POST":
        return Response(200, load_demo(sim))
    raise ApiError(404, "not_found", "Unknown control endpoint")


def _shown(record: RequestRecord) -> dict[str, Any]:
    """A logged request as JSON, its Authorization header masked (a token never appears in an answer)."""
    shown = dict(vars(record))
    shown["headers"] = {k: ("***" if k == "authorization" else v) for k, v in record.headers.items()}
    return shown


def _configure(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    """Apply JSON settings (`index_delay` as a list, `fault_methods` as a list); return the whole config."""
    if "index_delay" in body and isinstance(body["index_delay"], list):
        body["index_delay"] = tuple(body["index_delay"])
    if body.get("fault_methods") is not None:
        body["fault_methods"] = set(body["fault_methods"])
    sim.configure(**body)
    shown = {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(sim.config).items()}
    if shown["webhook_secret"] is not None:
        shown["webhook_secret"] = "***"  # a client secret never appears in an answer
    return shown
