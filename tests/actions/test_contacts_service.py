"""shared/actions/contacts/service.py against the simulator (real HTTP, in-process server): the decisions
behind each action."""

from __future__ import annotations

import threading

import pytest

from intercom_sim import Simulator
from shared.actions.contacts import lists as contact_lists
from shared.actions.contacts import service as contacts
from shared.actions.contacts.requests import CreateLead, ListLeads, UpsertUser
from shared.actions.parsing import parse
from shared.errors import BadRequest, Conflict, NotFound
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from tests.actions.support import make_client

KEY = b"k" * 32


def deadline() -> Deadline:
    return Deadline.after(5)


def upsert(client: IntercomClient, **body: object) -> contacts.Upserted:
    return contacts.create_or_update_user(client, parse(UpsertUser, body), deadline())


def by_email(sim: Simulator, email: str) -> list[dict[str, object]]:
    return [c for c in sim.contacts() if str(c["email"]).lower() == email.lower()]


def posts(sim: Simulator) -> int:
    return sum(1 for r in sim.requests() if r.method == "POST" and r.path == "/contacts")


def test_new_email_creates_a_user(intercom: Simulator, client: IntercomClient) -> None:
    result = upsert(client, email="new@x.io", name="New", phone="+1 555")
    assert result.created
    assert result.user.type == "user"
    [stored] = by_email(intercom, "new@x.io")
    assert (stored["role"], stored["name"], stored["phone"]) == ("user", "New", "+1 555")
    assert result.user.id == stored["id"]


def test_known_email_updates_the_user(intercom: Simulator, client: IntercomClient) -> None:
    existing = intercom.add_contact("user", email="old@x.io", name="Before")
    intercom.clear_requests()
    result = upsert(client, email="old@x.io", name="After")
    assert not result.created
    assert result.user.id == existing["id"]
    assert result.user.name == "After"
    assert posts(intercom) == 0
    assert len(by_email(intercom, "old@x.io")) == 1


def test_lagging_search_falls_back_on_the_409(intercom: Simulator, client: IntercomClient) -> None:
    intercom.configure(index_delay=(60, 60))
    existing = intercom.add_contact("user", email="lag@x.io")  # not searchable for a minute
    result = upsert(client, email="lag@x.io", name="Updated")
    assert not result.created
    assert result.user.id == existing["id"]
    assert posts(intercom) == 1  # exactly one create was tried, never repeated
    assert [c["name"] for c in by_email(intercom, "lag@x.io")] == ["Updated"]


def test_a_lead_with_the_email_becomes_the_user(intercom: Simulator, client: IntercomClient) -> None:
    lead = intercom.add_contact("lead", email="lead@x.io", name="Lead")
    result = upsert(client, email="lead@x.io", name="Now a user")
    assert not result.created
    assert result.user.id == lead["id"]
    assert result.user.type == "user"
    [stored] = by_email(intercom, "lead@x.io")
    assert stored["role"] == "user"


def test_concurrent_upserts_of_one_new_email_leave_one_contact(intercom: Simulator) -> None:
    intercom.configure(index_delay=(60, 60))  # search never sees the winner: every caller tries the create
    clients = [make_client(intercom) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    results: list[contacts.Upserted] = []

    def run(c: IntercomClient) -> None:
        barrier.wait()
        results.append(upsert(c, email="race@x.io", name="R"))

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == len(clients)
    assert sorted(r.created for r in results) == [False] * (len(clients) - 1) + [True]
    assert len({r.user.id for r in results}) == 1
    assert len(by_email(intercom, "race@x.io")) == 1
    assert posts(intercom) == len(clients)
    assert sum(1 for r in intercom.requests() if r.status == 409) == len(clients) - 1


def test_companies_are_checked_before_anything_is_written(intercom: Simulator, client: IntercomClient) -> None:
    good = intercom.add_company("Good")
    with pytest.raises(BadRequest) as info:
        upsert(client, email="co@x.io", companies=[good["id"], "0000missing"])
    assert info.value.details[0]["field"] == "companies"
    assert by_email(intercom, "co@x.io") == []


def test_companies_are_attached_with_names(intercom: Simulator, client: IntercomClient) -> None:
    a, b = intercom.add_company("Alpha"), intercom.add_company("Beta")
    result = upsert(client, email="co2@x.io", companies=[a["id"], b["id"]])
    assert [(c.id, c.name) for c in result.user.companies.companies] == [(a["id"], "Alpha"), (b["id"], "Beta")]
    again = upsert(client, email="co2@x.io", companies=a["id"])
    assert [c.id for c in again.user.companies.companies] == [a["id"], b["id"]]
    attach = [r for r in intercom.requests() if r.path.endswith("/companies") and r.method == "POST"]
    assert len(attach) == 2  # the second call found Alpha already attached


def test_create_lead(intercom: Simulator, client: IntercomClient) -> None:
    company = intercom.add_company("Acme")
    body = parse(
        CreateLead,
        {"email": "l@x.io", "name": "L", "image_url": "https://x.io/l.png", "companies": company["id"]},
    )
    lead = contacts.create_lead(client, body, deadline())
    assert lead.type == "lead"
    assert lead.avatar.image_url == "https://x.io/l.png"
    assert [(c.id, c.name) for c in lead.companies.companies] == [(company["id"], "Acme")]
    [stored] = by_email(intercom, "l@x.io")
    assert stored["role"] == "lead"


def test_create_lead_with_a_taken_email_is_409_naming_email(intercom: Simulator, client: IntercomClient) -> None:
    intercom.add_contact("user", email="taken@x.io")
    with pytest.raises(Conflict) as info:
        contacts.create_lead(client, parse(CreateLead, {"email": "taken@x.io"}), deadline())
    assert info.value.status == 409
    assert info.value.details[0]["field"] == "email"


def test_get_user_and_lead_by_role(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="u@x.io")
    lead = intercom.add_contact("lead", email="l@x.io")
    assert contacts.get_user(client, user["id"], deadline()).id == user["id"]
    assert contacts.get_lead(client, lead["id"], deadline()).id == lead["id"]
    for call, wrong in ((contacts.get_user, lead["id"]), (contacts.get_lead, user["id"]), (contacts.get_lead, "0ff")):
        with pytest.raises(NotFound):
            call(client, wrong, deadline())


def test_merged_lead_is_not_found(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="m@x.io")
    lead = intercom.add_contact("lead", email="ml@x.io")
    intercom.merge_contact(lead["id"], user["id"])
    with pytest.raises(NotFound):
        contacts.get_lead(client, lead["id"], deadline())


def test_list_leads_pages_through_everything_once(intercom: Simulator, client: IntercomClient) -> None:
    ids = intercom.bulk_add_contacts(7, role="lead")
    intercom.bulk_add_contacts(5, role="user")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = ListLeads(per_page=3, cursor=cursor)
        page = contact_lists.list_leads(client, query, KEY, deadline())
        pages += 1
        seen += [lead.id for lead in page.value]
        assert all(lead.type == "lead" for lead in page.value)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 3
    assert seen == ids


def test_a_cursor_from_another_connection_or_key_is_refused(intercom: Simulator, client: IntercomClient) -> None:
    intercom.bulk_add_contacts(3, role="lead")
    page = contact_lists.list_leads(client, ListLeads(per_page=1), KEY, deadline())
    assert page.next_cursor is not None
    other = make_client(intercom)
    for c, key in ((other, KEY), (client, b"x" * 32)):
        with pytest.raises(BadRequest) as info:
            contact_lists.list_leads(c, ListLeads(per_page=1, cursor=page.next_cursor), key, deadline())
        assert info.value.details[0]["field"] == "cursor"


def test_get_reads_every_company_and_tag_past_the_inline_ten(intercom: Simulator, client: IntercomClient) -> None:
    user = intercom.add_contact("user", email="many@x.io")
    companies = [intercom.add_company(f"Co{i}") for i in range(12)]
    tags = [intercom.add_tag(f"Tag{i}") for i in range(11)]
    for company in companies:
        intercom.attach_company(user["id"], company["id"])
    for tag in tags:
        intercom.tag_contact(user["id"], tag["id"])
    got = contacts.get_user(client, user["id"], deadline())
    assert [(c.id, c.name) for c in got.companies.companies] == [(c["id"], c["name"]) for c in companies]
    assert [(t.id, t.name) for t in got.tags.tags] == [(t["id"], t["name"]) for t in tags]
    assert not [r for r in intercom.requests() if r.path.startswith("/companies/")]  # names came with the list
