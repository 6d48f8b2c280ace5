"""The ticket endpoints: `/tickets` (create, get, update, reply, search), `/ticket_types` (list, get) and
`/ticket_states` (list). Writes go through `TicketWrites` methods of the workspace."""

from __future__ import annotations

from typing import Any

from intercom_sim.errors import ApiError
from intercom_sim.search import search
from intercom_sim.tickets import render_state_detailed, render_ticket, render_type
from intercom_sim.workspace import Workspace


def tickets_route(ws: Workspace, method: str, seg: list[str], body: dict[str, Any]) -> tuple[int, Any]:
    if seg == ["tickets"] and method == "POST":
        return 200, ws.create_ticket(body)
    if seg == ["tickets", "search"] and method == "POST":
        return 200, search(ws, body, kind="tickets")
    if len(seg) == 2 and method == "GET":
        return 200, render_ticket(ws.ticket_or_error(seg[1]), ws.tickets)
    if len(seg) == 2 and method == "PUT":
        return 200, ws.update_ticket(seg[1], body)
    if len(seg) == 3 and seg[2] == "reply" and method == "POST":
        return 200, ws.reply_to_ticket(seg[1], body)
    raise ApiError(404, "not_found", "Resource Not Found")


def ticket_types_route(ws: Workspace, method: str, seg: list[str]) -> tuple[int, Any]:
    book = ws.tickets
    if method == "GET" and seg == ["ticket_types"]:
        return 200, {"type": "list", "data": [render_type(t, book.states_of(t["id"])) for t in book.types.values()]}
    if method == "GET" and len(seg) == 2:
        ticket_type = book.types.get(seg[1])
        if ticket_type is None:
            raise ApiError(404, "not_found", "Resource Not Found")
        return 200, render_type(ticket_type, book.states_of(ticket_type["id"]))
    if method == "GET" and seg == ["ticket_states"]:
        return 200, {"type": "list", "data": [render_state_detailed(s, book) for s in book.states.values()]}
    raise ApiError(404, "not_found", "Resource Not Found")
