"""shared/actions/companies/service.py and shared/actions/workspace.py against the simulator: upsert (201 vs
200, races, lost
answers), get, list by page and by exact match, tagging, admins and tags, and each request rule."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from intercom_sim import Simulator
from intercom_sim.errors import Response, error_response
from shared.actions import workspace as workspace_lists
from shared.actions.companies import service as companies
from shared.actions.companies.requests import ListCompanies, TagByName, UpsertCompany
from shared.actions.paging import Page
from shared.actions.parsing import parse
from shared.errors import BadRequest, NotFound
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.companies import Company

KEY = b"c" * 32


def deadline() -> Deadline:
    return Deadline.after(5)


def upsert(client: IntercomClient, **body: Any) -> companies.UpsertedCompany:
    return companies.create_or_update_company(client, parse(UpsertCompany, body), deadline())


def test_create_then_update_by_your_company_id(intercom: Simulator, client: IntercomClient) -> None:
    created = upsert(
        client,
        company_id="acme-1",
        name="Acme",
        plan="Pro",
        size=12,
        website="http://acme.io",
        monthly_spend=99,
        custom_attributes={"tier": "gold", "seats": 5, "vip": True},
    )
    assert created.created
    company = created.company
    assert (company.company_id, company.name, company.plan, company.size) == ("acme-1", "Acme", "Pro", 12)
    assert company.custom_attributes == {"tier": "gold", "seats": 5, "vip": True}
    assert company.created_at is not None
    assert company.created_at.endswith("Z")
    updated = upsert(client, company_id="acme-1", industry="Rockets")
    assert not updated.created
    assert updated.company.id == company.id
    assert (updated.company.name, updated.company.industry) == ("Acme", "Rockets")
    assert len([c for c in intercom.requests() if c.method == "POST" and c.path == "/companies"]) == 2


def test_concurrent_upserts_make_one_company(intercom: Simulator, client: IntercomClient) -> None:
    barrier = threading.Barrier(3)
    results: list[companies.UpsertedCompany] = []

    def call() -> None:
        barrier.wait()
        results.append(upsert(client, company_id="race-1", name="Race"))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r.company.id for r in results}) == 1
    assert len(client.get("/companies", params={"company_id": "race-1"}, deadline=deadline())["data"]) == 1


def test_get_company_and_404(intercom: Simulator, client: IntercomClient) -> None:
    made = intercom.add_company("Getme", company_id="g-1")
    assert companies.get_company(client, made["id"], deadline()).name == "Getme"
    with pytest.raises(NotFound) as missing:
        companies.get_company(client, "ffff0000", deadline())
    assert missing.value.details == [{"field": "id", "message": "no such company"}]


def list_page(client: IntercomClient, **query: Any) -> Page[Company]:
    return companies.list_companies(client, parse(ListCompanies, query), KEY, deadline())


def test_list_every_company_by_pages_and_exact_filters(intercom: Simulator, client: IntercomClient) -> None:
    made = [intercom.add_company(f"Co {i}", company_id=f"co-{i}")["id"] for i in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = list_page(client, per_page="3", **({"cursor": cursor} if cursor else {}))
        seen += [c.id for c in page.value]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert (seen, pages) == (made, 3)
    assert [c.name for c in list_page(client, company_id="co-4").value] == ["Co 4"]
    assert [c.company_id for c in list_page(client, name="Co 5").value] == ["co-5"]
    assert list_page(client, name="Co 55").value == []
    assert len(list_page(client, company_id="", name=" ").value) == 7, "blank filters are no filters"
    with pytest.raises(BadRequest) as both:
        list_page(client, name="Co 5", company_id="co-5")
    assert [d["field"] for d in both.value.details] == ["company_id", "name"]


def test_a_cursor_of_another_list_or_connection_is_400(intercom: Simulator, client: IntercomClient) -> None:
    for i in range(3):
        intercom.add_company(f"C{i}")
    cursor = list_page(client, per_page="1").next_cursor
    assert cursor is not None
    other = make_other(intercom)
    for bad_client, bad_cursor in ((other, cursor), (client, cursor[:-3] + "AAA")):
        with pytest.raises(BadRequest) as refused:
            companies.list_companies(bad_client, parse(ListCompanies, {"cursor": bad_cursor}), KEY, deadline())
        assert refused.value.details[0]["field"] == "cursor"


def make_other(intercom: Simulator) -> IntercomClient:
    from tests.actions.support import make_client

    return make_client(intercom)


def test_tag_company_creates_the_tag_once(intercom: Simulator, client: IntercomClient) -> None:
    made = intercom.add_company("Taggable")
    first = companies.tag_company(client, made["id"], parse(TagByName, {"name": " Key account "}), deadline())
    again = companies.tag_company(client, made["id"], parse(TagByName, {"name": "Key account"}), deadline())
    assert first == again
    assert first.name == "Key account"
    assert [t.name for t in companies.get_company(client, made["id"], deadline()).tags.tags] == ["Key account"]
    with pytest.raises(NotFound):
        companies.tag_company(client, "ffff0000", parse(TagByName, {"name": "Lost"}), deadline())
    assert "Lost" not in [t.name for t in workspace_lists.list_tags(client, deadline())]


def lose_the_next_tag_create_race(intercom: Simulator, monkeypatch: pytest.MonkeyPatch, refusal: Response) -> None:
    """The next `POST /tags` meets another caller creating the same tag: the simulator makes the tag (the other
    caller's create) and answers with Intercom's refusal of the loser."""
    handle = intercom.handle
    raced: list[str] = []

    def racing(method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        answer = handle(method, raw_path, headers, body)
        if method == "POST" and raw_path == "/tags" and not raced:
            raced.append(raw_path)
            return refusal
        return answer

    monkeypatch.setattr(intercom, "handle", racing)


@pytest.mark.parametrize(
    "refusal",
    [
        error_response(409, "conflict", "A tag with this name is being created"),
        error_response(400, "parameter_invalid", "Name has already been taken"),
    ],
    ids=["409", "400-name-taken"],
)
def test_tag_company_takes_the_tag_a_racing_caller_created(
    intercom: Simulator, client: IntercomClient, monkeypatch: pytest.MonkeyPatch, refusal: Response
) -> None:
    """Two callers create one tag at once and Intercom refuses the second: tag_by_name's fallback finds the tag in
    the list, and the company is tagged with it (one tag, no error)."""
    made = intercom.add_company("Raced")
    lose_the_next_tag_create_race(intercom, monkeypatch, refusal)
    tag = companies.tag_company(client, made["id"], parse(TagByName, {"name": "Contested"}), deadline())
    assert [(t.id, t.name) for t in workspace_lists.list_tags(client, deadline())] == [(tag.id, "Contested")]
    assert [t.name for t in companies.get_company(client, made["id"], deadline()).tags.tags] == ["Contested"]
    # the create the other caller won, the list that finds its tag, the tagging of the company
    assert [r.method for r in intercom.requests() if r.path == "/tags"][:3] == ["POST", "GET", "POST"]


def test_admins_and_tags(intercom: Simulator, client: IntercomClient) -> None:
    intercom.add_tag("VIP")
    admins = workspace_lists.list_admins(client, deadline())
    me = client.get("/me", deadline=deadline())["id"]
    assert me in [a.id for a in admins]
    assert {a.away_mode_enabled for a in admins} == {True, False}
    assert [t.name for t in workspace_lists.list_tags(client, deadline())] == ["VIP"]
    assert workspace_lists.assignee_kind(client, me, deadline()) == "admin"
    assert workspace_lists.assignee_kind(client, "5002", deadline()) == "team"
    assert workspace_lists.assignee_kind(client, "0", deadline()) == "admin"
    with pytest.raises(BadRequest) as unknown:
        workspace_lists.assignee_kind(client, "424242", deadline())
    assert unknown.value.details[0]["field"] == "assignee_id"


BAD_UPSERTS: list[tuple[dict[str, Any], str]] = [
    ({}, "company_id"),
    ({"company_id": "  "}, "company_id"),
    ({"company_id": "a\nb"}, "company_id"),
    ({"company_id": "x" * 256}, "company_id"),
    ({"company_id": 7}, "company_id"),
    ({"company_id": "c", "website": "ftp://x.io"}, "website"),
    ({"company_id": "c", "website": "javascript:alert(1)"}, "website"),
    ({"company_id": "c", "size": -1}, "size"),
    ({"company_id": "c", "size": "12"}, "size"),
    ({"company_id": "c", "monthly_spend": 1.5}, "monthly_spend"),
    ({"company_id": "c", "custom_attributes": {"a": {"nested": 1}}}, "custom_attributes"),
    ({"company_id": "c", "custom_attributes": ["a"]}, "custom_attributes"),
    ({"company_id": "c", "nmae": "typo"}, "nmae"),
]


@pytest.mark.parametrize(("body", "field"), BAD_UPSERTS)
def test_bad_company_bodies_name_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse(UpsertCompany, body)
    assert field in [d["field"] for d in refused.value.details]
