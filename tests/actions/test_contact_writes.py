"""The contact actions of interface §7 against the simulator (real HTTP, in-process server): lists with an email
filter, updates, archive, delete, tags, notes, events, companies; Intercom's errors and what is never repeated."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from intercom_sim import Simulator
from shared.actions import tagging
from shared.actions.contacts import lists as contact_lists
from shared.actions.contacts import service as contacts
from shared.actions.contacts import tracking as events
from shared.actions.contacts import writes as contact_writes
from shared.actions.contacts.requests import (
    AddNote,
    AttachCompany,
    ListLeads,
    ListUsers,
    TrackEvent,
    UpdateLead,
    UpdateUser,
)
from shared.actions.parsing import parse
from shared.actions.refusals import refused
from shared.errors import BadRequest, Conflict, ConnectorError, NotFound
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomBadRequest
from shared.intercom.me import reset_me_cache
from tests.actions.support import make_client

KEY = b"k" * 32


def deadline() -> Deadline:
    return Deadline.after(5)


def calls(sim: Simulator, method: str, path: str) -> list[Any]:
    """The bodies of the requests Intercom received for `method path`."""
    return [r.json for r in sim.requests() if r.method == method and r.path == path]


def field_of(error: pytest.ExceptionInfo[ConnectorError]) -> list[str]:
    return [d["field"] for d in error.value.details]


# -- lists -----------------------------------------------------------------------------------------------------------


def test_list_users_pages_through_users_only(intercom: Simulator, client: IntercomClient) -> None:
    users = intercom.bulk_add_contacts(5, role="user")
    intercom.bulk_add_contacts(3, role="lead")
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        page = contact_lists.list_users(client, parse(ListUsers, {"per_page": "2", "cursor": cursor}), KEY, deadline())
        seen += [user.id for user in page.value]
        cursor = page.next_cursor
    assert cursor is None
    assert seen == users


def test_email_filter_is_exact_and_binds_the_cursor(intercom: Simulator, client: IntercomClient) -> None:
    intercom.add_contact("user", email="Pat@Example.com")
    intercom.add_contact("user", email="pat@example.community")
    intercom.add_contact("lead", email="pat@example.com")
    page = contact_lists.list_users(client, parse(ListUsers, {"email": "pat@example.com"}), KEY, deadline())
    assert [user.email for user in page.value] == ["Pat@Example.com"]
    leads = contact_lists.list_leads(client, parse(ListLeads, {"email": "pat@example.com"}), KEY, deadline())
    assert [lead.email for lead in leads.value] == ["pat@example.com"]
    intercom.bulk_add_contacts(3, role="user")
    unfiltered = contact_lists.list_users(client, parse(ListUsers, {"per_page": "1"}), KEY, deadline())
    assert unfiltered.next_cursor is not None
    query = parse(ListUsers, {"email": "pat@example.com", "cursor": unfiltered.next_cursor})
    with pytest.raises(BadRequest) as info:
        contact_lists.list_users(client, query, KEY, deadline())
    assert field_of(info) == ["cursor"]
    with pytest.raises(BadRequest):  # a users cursor is not a leads cursor
        contact_lists.list_leads(client, parse(ListLeads, {"cursor": unfiltered.next_cursor}), KEY, deadline())


# -- update ----------------------------------------------------------------------------------------------------------


def test_update_user_changes_only_what_is_given(intercom: Simulator, client: IntercomClient) -> None:
    company = intercom.add_company("Acme")
    user = intercom.add_contact("user", email="u@x.io", name="Before", phone="+1", custom_attributes={"a": 1})
    body = {"name": "After", "phone": "", "unsubscribed_from_emails": True, "custom_attributes": {"b": "x"}}
    updated = contacts.update_user(
        client, user["id"], parse(UpdateUser, {**body, "companies": company["id"]}), deadline()
    )
    assert (updated.name, updated.phone, updated.email) == ("After", "+1", "u@x.io")
    assert updated.unsubscribed_from_emails is True
    assert updated.companies.companies[0].name == "Acme"
    [stored] = [c for c in intercom.contacts() if c["id"] == user["id"]]
    assert stored["custom_attributes"] == {"a": 1, "b": "x"}
    assert calls(intercom, "PUT", f"/contacts/{user['id']}")[-1] == {
        "name": "After",
        "unsubscribed_from_emails": True,
        "custom_attributes": {"b": "x"},
    }


def test_update_checks_role_email_and_companies_before_writing(intercom: Simulator, client: IntercomClient) -> None:
    lead = intercom.add_contact("lead", email="l@x.io")
    intercom.add_contact("user", email="taken@x.io")
    user = intercom.add_contact("user", email="mine@x.io")
    with pytest.raises(NotFound) as missing:
        contacts.update_user(client, lead["id"], parse(UpdateUser, {"name": "x"}), deadline())
    assert field_of(missing) == ["user_id"]
    with pytest.raises(Conflict) as taken:
        contacts.update_user(client, user["id"], parse(UpdateUser, {"email": "taken@x.io"}), deadline())
    assert field_of(taken) == ["email"]
    with pytest.raises(BadRequest) as company:
        contacts.update_user(client, user["id"], parse(UpdateUser, {"name": "y", "companies": "ffff"}), deadline())
    assert field_of(company) == ["companies"]
    assert not calls(intercom, "PUT", f"/contacts/{lead['id']}")
    assert [c["name"] for c in intercom.contacts() if c["id"] == user["id"]] == [None]


def test_update_lead_sets_the_avatar_and_keeps_the_role(intercom: Simulator, client: IntercomClient) -> None:
    lead = intercom.add_contact("lead", email="l@x.io")
    user = intercom.add_contact("user", email="u@x.io")
    avatar = parse(UpdateLead, {"image_url": "https://x.io/a.png"})
    updated = contacts.update_lead(client, lead["id"], avatar, deadline())
    assert (updated.type, updated.avatar.image_url) == ("lead", "https://x.io/a.png")
    with pytest.raises(NotFound):
        contacts.update_lead(client, user["id"], parse(UpdateLead, {}), deadline())
    unchanged = contacts.update_lead(client, lead["id"], parse(UpdateLead, {}), deadline())
    assert unchanged.id == lead["id"]
    assert len(calls(intercom, "PUT", f"/contacts/{lead['id']}")) == 1


# -- archive, delete -------------------------------------------------------------------------------------------------


def test_archive_unarchive_and_missing(intercom: Simulator, client: IntercomClient) -> None:
    contact = intercom.add_contact("lead", email="a@x.io")
    assert contact_writes.set_archived(client, contact["id"], True, deadline()).archived is True
    assert contact_writes.set_archived(client, contact["id"], False, deadline()).model_dump() == {
        "id": contact["id"],
        "archived": False,
    }
    with pytest.raises(NotFound) as info:
        contact_writes.set_archived(client, "0123456789abcdef", True, deadline())
    assert field_of(info) == ["id"]


def test_delete_is_never_repeated(intercom: Simulator, client: IntercomClient) -> None:
    contact = intercom.add_contact("user", email="d@x.io")
    contact_writes.delete_contact(client, contact["id"], deadline())
    assert contact["id"] not in {c["id"] for c in intercom.contacts()}
    with pytest.raises(NotFound):
        contact_writes.delete_contact(client, contact["id"], deadline())
    other = intercom.add_contact("user", email="e@x.io")
    intercom.configure(fault_rate=1.0, fault_kinds=("503",))
    with pytest.raises(ConnectorError) as failed:
        contact_writes.delete_contact(client, other["id"], deadline())
    assert failed.value.status == 502
    assert len(calls(intercom, "DELETE", f"/contacts/{other['id']}")) == 1


# -- tags ------------------------------------------------------------------------------------------------------------


def test_tag_by_name_creates_once_and_tags(intercom: Simulator, client: IntercomClient) -> None:
    contact = intercom.add_contact("user", email="t@x.io")
    tag = tagging.tag_contact(client, contact["id"], "Hot lead", deadline())
    again = tagging.tag_contact(client, contact["id"], "Hot lead", deadline())
    assert tag == again
    assert tag.name == "Hot lead"
    got = contacts.get_user(client, contact["id"], deadline())
    assert [(t.id, t.name) for t in got.tags.tags] == [(tag.id, "Hot lead")]
    with pytest.raises(NotFound) as info:
        tagging.tag_contact(client, "0123456789abcdef", "Hot lead", deadline())
    assert field_of(info) == ["id"]


def test_racing_taggers_make_one_tag(intercom: Simulator) -> None:
    contact = intercom.add_contact("user", email="r@x.io")
    barrier = threading.Barrier(4)
    tags: list[str] = []

    def tag() -> None:
        client = make_client(intercom)
        barrier.wait()
        tags.append(tagging.tag_contact(client, contact["id"], "Race", deadline()).id)
        client.close()

    threads = [threading.Thread(target=tag) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tags) == 4
    assert len(set(tags)) == 1


def test_untag(intercom: Simulator, client: IntercomClient) -> None:
    contact = intercom.add_contact("user", email="t@x.io")
    tag = tagging.tag_contact(client, contact["id"], "Cold", deadline())
    tagging.untag_contact(client, contact["id"], tag.id, deadline())
    assert contacts.get_user(client, contact["id"], deadline()).tags.tags == []
    with pytest.raises(NotFound) as info:
        tagging.untag_contact(client, contact["id"], tag.id, deadline())
    assert field_of(info) == ["tag_id"]


# -- notes -----------------------------------------------------------------------------------------------------------


def test_note_is_written_by_the_tokens_admin_by_default(intercom: Simulator, client: IntercomClient) -> None:
    reset_me_cache()
    contact = intercom.add_contact("lead", email="n@x.io")
    note = contact_writes.add_note(client, contact["id"], parse(AddNote, {"body": "Called them"}), deadline())
    assert (note.author.id, note.contact.id) == ("991267001", contact["id"])
    assert note.body == "<p>Called them</p>"
    assert note.created_at is not None
    assert note.created_at.endswith("Z")
    assert calls(intercom, "POST", f"/contacts/{contact['id']}/notes") == [
        {"body": "Called them", "admin_id": "991267001"}
    ]
    contact_writes.add_note(client, contact["id"], parse(AddNote, {"body": "Again"}), deadline())
    assert len(calls(intercom, "GET", "/me")) == 1, "the admin is cached per connection"


def test_note_errors(intercom: Simulator, client: IntercomClient) -> None:
    contact = intercom.add_contact("lead", email="n@x.io")
    with pytest.raises(BadRequest) as admin:
        contact_writes.add_note(client, contact["id"], parse(AddNote, {"body": "x", "admin_id": "42"}), deadline())
    assert field_of(admin) == ["admin_id"]
    with pytest.raises(NotFound) as missing:
        contact_writes.add_note(client, "0123456789abcdef", parse(AddNote, {"body": "x"}), deadline())
    assert field_of(missing) == ["id"]
    intercom.configure(fault_rate=1.0, fault_kinds=("500",), fault_methods={"POST"})
    with pytest.raises(ConnectorError):
        contact_writes.add_note(client, contact["id"], parse(AddNote, {"body": "x"}), deadline())
    assert len(calls(intercom, "POST", f"/contacts/{contact['id']}/notes")) == 2, "one refused admin, one 500"


# -- events ----------------------------------------------------------------------------------------------------------


def test_track_event_by_email_with_an_offset_time(intercom: Simulator, client: IntercomClient) -> None:
    intercom.add_contact("user", email="ev@x.io")
    body = {
        "event_name": "ordered",
        "email": "ev@x.io",
        "created_at": "2026-01-02T03:04:05+02:00",
        "metadata": {"order": "A-1", "total": 12.5},
    }
    events.track_event(client, parse(TrackEvent, body), deadline())
    events.track_event(client, parse(TrackEvent, body), deadline())
    sent = calls(intercom, "POST", "/events")
    assert sent[0] == {**body, "created_at": 1767315845}
    assert len(intercom._ws.events) == 1, "Intercom dedupes on (contact, name, created_at)"


def test_track_event_defaults_to_now_and_names_the_unknown_field(intercom: Simulator, client: IntercomClient) -> None:
    lead = intercom.add_contact("lead", email="lead@x.io")
    visited = parse(TrackEvent, {"event_name": "visited", "id": lead["id"]})
    events.track_event(client, visited, deadline(), clock=lambda: 1.7e9)
    assert calls(intercom, "POST", "/events")[0]["created_at"] == 1_700_000_000
    for who, value in (("email", "nobody@x.io"), ("user_id", "ext-9"), ("id", "0123456789abcdef")):
        with pytest.raises(NotFound) as info:
            events.track_event(client, parse(TrackEvent, {"event_name": "x", who: value}), deadline())
        assert field_of(info) == [who]


# -- companies -------------------------------------------------------------------------------------------------------


def test_attach_and_detach_company(intercom: Simulator, client: IntercomClient) -> None:
    company = intercom.add_company("Globex", company_id="g-1", plan="Pro", website="")
    contact = intercom.add_contact("user", email="c@x.io")
    attached = contact_writes.attach_company(
        client, contact["id"], parse(AttachCompany, {"company_id": company["id"]}), deadline()
    )
    assert (attached.id, attached.name, attached.company_id, attached.user_count) == (company["id"], "Globex", "g-1", 1)
    assert attached.website is None
    assert contacts.get_user(client, contact["id"], deadline()).companies.companies[0].name == "Globex"
    contact_writes.detach_company(client, contact["id"], company["id"], deadline())
    with pytest.raises(NotFound) as detached:
        contact_writes.detach_company(client, contact["id"], company["id"], deadline())
    assert field_of(detached) == ["company_id"]
    with pytest.raises(BadRequest) as unknown:
        contact_writes.attach_company(client, contact["id"], parse(AttachCompany, {"company_id": "ffff"}), deadline())
    assert field_of(unknown) == ["company_id"]
    with pytest.raises(NotFound) as missing:
        contact_writes.attach_company(
            client, "0123456789abcdef", parse(AttachCompany, {"company_id": company["id"]}), deadline()
        )
    assert field_of(missing) == ["id"]


@pytest.mark.parametrize(
    ("message", "named", "fields", "expected"),
    [
        ("Custom attribute 'tier' does not exist", None, contacts.UPDATE_FIELDS, "custom_attributes"),
        ("Something is wrong", None, contacts.UPDATE_FIELDS, "body"),
        ("email is invalid", "email", ("metadata", "body"), "email"),
        ("metadata has too many keys", None, ("metadata", "created_at", "body"), "metadata"),
        ("Too many companies", None, ("company_id",), "company_id"),
    ],
)
def test_intercoms_400_names_a_field(message: str, named: str | None, fields: tuple[str, ...], expected: str) -> None:
    error = refused(IntercomBadRequest(message, intercom_code="parameter_invalid", field=named), *fields)
    assert (error.status, error.message) == (400, message)
    assert error.details == [{"field": expected, "message": message}]
