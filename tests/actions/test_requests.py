"""Request models: every bad input is a 400 naming its field; good inputs are normalised as documented."""

from __future__ import annotations

from typing import Any

import pytest

from shared.actions.contacts.requests import (
    AddNote,
    AddTag,
    AttachCompany,
    CreateLead,
    ListLeads,
    ListUsers,
    TrackEvent,
    UpdateLead,
    UpdateUser,
    UpsertUser,
)
from shared.actions.parsing import MAX_COMPANIES, check_email, parse, parse_id
from shared.errors import BadRequest


def field_of(model: type[Any], data: dict[str, Any]) -> list[str]:
    with pytest.raises(BadRequest) as info:
        parse(model, data)
    assert info.value.status == 400
    return [d["field"] for d in info.value.details]


BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({}, "email"),
    ({"email": None}, "email"),
    ({"email": ""}, "email"),
    ({"email": "   "}, "email"),
    ({"email": 42}, "email"),
    ({"email": ["a@b.io"]}, "email"),
    ({"email": "no-at-sign"}, "email"),
    ({"email": "a@b"}, "email"),
    ({"email": "a@@b.io"}, "email"),
    ({"email": "a b@c.io"}, "email"),
    ({"email": ".a@c.io"}, "email"),
    ({"email": "a..b@c.io"}, "email"),
    ({"email": "a@-c.io"}, "email"),
    ({"email": "a@c.i"}, "email"),
    ({"email": "x" * 250 + "@c.io"}, "email"),
    ({"email": "a@b.io", "name": 5}, "name"),
    ({"email": "a@b.io", "name": "n" * 256}, "name"),
    ({"email": "a@b.io", "phone": 123}, "phone"),
    ({"email": "a@b.io", "phone": "1" * 51}, "phone"),
    ({"email": "a@b.io", "companies": 7}, "companies"),
    ({"email": "a@b.io", "companies": [7]}, "companies"),
    ({"email": "a@b.io", "companies": {"id": "x"}}, "companies"),
    ({"email": "a@b.io", "companies": ""}, "companies"),
    ({"email": "a@b.io", "companies": "../tags"}, "companies"),
    ({"email": "a@b.io", "companies": ["ok", "a/b"]}, "companies"),
    ({"email": "a@b.io", "companies": [f"c{i}" for i in range(MAX_COMPANIES + 1)]}, "companies"),
    ({"email": "a@b.io", "role": "lead"}, "role"),
    ({"email": "a@b.io", "Email": "a@b.io"}, "Email"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
@pytest.mark.parametrize("model", [UpsertUser, CreateLead])
def test_bad_bodies_name_the_field(model: type[Any], body: dict[str, Any], field: str) -> None:
    assert field in field_of(model, body)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a.png",
        "ftp://example.com/a.png",
        "https://",
        "https:///a.png",
        "javascript:alert(1)",
        "example.com/a.png",
        "https://exa mple.com/a.png",
        "https://example.com/" + "a" * 2048,
        "https://example.com:99999/a.png",  # was accepted and sent to Intercom
        "https://example.com:port/a.png",
        "https://[::1/a.png",
        7,
    ],
)
def test_image_url_must_be_https(url: Any) -> None:
    assert field_of(CreateLead, {"email": "a@b.io", "image_url": url}) == ["image_url"]


def test_image_url_is_not_a_user_field() -> None:
    assert field_of(UpsertUser, {"email": "a@b.io", "image_url": "https://x.io/a.png"}) == ["image_url"]


def test_every_bad_field_is_named_once() -> None:
    fields = field_of(CreateLead, {"email": "x", "name": 1, "image_url": "http://x.io", "extra": 1})
    assert sorted(fields) == ["email", "extra", "image_url", "name"]


def test_the_rejected_value_is_not_echoed() -> None:
    with pytest.raises(BadRequest) as info:
        parse(UpsertUser, {"email": "secret-value-123"})
    assert "secret-value-123" not in str(info.value.body())


def test_good_body_is_normalised() -> None:
    lead = parse(
        CreateLead,
        {"email": "  Jane.Doe+x@Example.co.uk ", "name": " Jane ", "phone": "", "companies": " c1 ", "image_url": None},
    )
    assert lead.email == "Jane.Doe+x@Example.co.uk"
    assert lead.name == "Jane"
    assert lead.phone is None
    assert lead.image_url is None
    assert lead.companies == ["c1"]


def test_companies_list_is_deduplicated_in_order() -> None:
    user = parse(UpsertUser, {"email": "a@b.io", "companies": ["b", "a", "b"]})
    assert user.companies == ["b", "a"]
    assert parse(UpsertUser, {"email": "a@b.io", "companies": None}).companies == []
    assert parse(UpsertUser, {"email": "a@b.io", "companies": []}).companies == []


@pytest.mark.parametrize("email", ["a@b.io", "first.last@sub.example.com", "o'neil@x.org", "x@xn--80ak6aa92e.com"])
def test_good_emails(email: str) -> None:
    assert check_email(email) == email


@pytest.mark.parametrize(
    ("params", "per_page"),
    [({}, 50), ({"per_page": "1"}, 1), ({"per_page": "150"}, 150), ({"per_page": " 7 "}, 7), ({"per_page": ""}, 50)],
)
def test_per_page(params: dict[str, str], per_page: int) -> None:
    assert parse(ListLeads, params).per_page == per_page


@pytest.mark.parametrize("value", ["0", "151", "-1", "abc", "1.5", "1e2", "9999999999", "1_0", "\u0661\u0662"])
def test_bad_per_page(value: str) -> None:
    assert field_of(ListLeads, {"per_page": value}) == ["per_page"]


def test_list_query_ignores_other_parameters() -> None:
    query = parse(ListLeads, {"code": "function-key", "per_page": "3", "cursor": "abc"})
    assert (query.per_page, query.cursor) == (3, "abc")
    assert parse(ListLeads, {"cursor": ""}).cursor is None
    assert field_of(ListLeads, {"cursor": "x" * 3000}) == ["cursor"]


@pytest.mark.parametrize("value", ["", " ", "a/b", "..", "a.b", "x" * 65, "a%2Fb", None])
def test_bad_path_ids(value: str | None) -> None:
    with pytest.raises(BadRequest) as info:
        parse_id(value, "user_id")
    assert info.value.details[0]["field"] == "user_id"


def test_good_path_id() -> None:
    assert parse_id(" 5f1a2b ", "contact_id") == "5f1a2b"


# -- the models of interface §7 --------------------------------------------------------------------------------------

EVENT = {"event_name": "ordered", "email": "a@b.io"}
BAD_MORE: list[tuple[type[Any], dict[str, Any], list[str]]] = [
    (UpdateUser, {"email": "nope"}, ["email"]),
    (UpdateUser, {"image_url": "https://x.io/a.png"}, ["image_url"]),
    (UpdateUser, {"unsubscribed_from_emails": "yes"}, ["unsubscribed_from_emails"]),
    (UpdateUser, {"custom_attributes": []}, ["custom_attributes"]),
    (UpdateUser, {"custom_attributes": {"a": {"b": 1}}}, ["custom_attributes"]),
    (UpdateUser, {"custom_attributes": {"a": [1]}}, ["custom_attributes"]),
    (UpdateUser, {"custom_attributes": {"": 1}}, ["custom_attributes"]),
    (UpdateUser, {"custom_attributes": {f"k{i}": i for i in range(101)}}, ["custom_attributes"]),
    (UpdateUser, {"role": "lead"}, ["role"]),
    (UpdateLead, {"image_url": "http://x.io/a.png"}, ["image_url"]),
    (ListUsers, {"email": "nope"}, ["email"]),
    (AddTag, {}, ["name"]),
    (AddTag, {"name": "  "}, ["name"]),
    (AddTag, {"name": 5}, ["name"]),
    (AddTag, {"name": "x" * 256}, ["name"]),
    (AddNote, {}, ["body"]),
    (AddNote, {"body": ""}, ["body"]),
    (AddNote, {"body": "x", "admin_id": "a/b"}, ["admin_id"]),
    (AddNote, {"body": "x", "admin_id": 5}, ["admin_id"]),
    (AttachCompany, {}, ["company_id"]),
    (AttachCompany, {"company_id": "../x"}, ["company_id"]),
    (AttachCompany, {"company_id": "c1", "id": "c1"}, ["id"]),
    (TrackEvent, {"email": "a@b.io"}, ["event_name"]),
    (TrackEvent, {"event_name": "x"}, ["email", "user_id", "id"]),
    (TrackEvent, {**EVENT, "id": "abc"}, ["email", "id"]),
    (TrackEvent, {**EVENT, "user_id": "u1", "id": "abc"}, ["email", "user_id", "id"]),
    (TrackEvent, {**EVENT, "id": "a/b"}, ["id"]),
    (TrackEvent, {**EVENT, "created_at": "2026-01-02T03:04:05"}, ["created_at"]),
    (TrackEvent, {**EVENT, "created_at": "2026-01-02"}, ["created_at"]),
    (TrackEvent, {**EVENT, "created_at": "yesterday"}, ["created_at"]),
    (TrackEvent, {**EVENT, "created_at": -1}, ["created_at"]),
    (TrackEvent, {**EVENT, "created_at": True}, ["created_at"]),
    (TrackEvent, {**EVENT, "created_at": 1e20}, ["created_at"]),
    (TrackEvent, {**EVENT, "created_at": "2026-13-02T03:04:05Z"}, ["created_at"]),
    (TrackEvent, {**EVENT, "metadata": {f"k{i}": i for i in range(11)}}, ["metadata"]),
    (TrackEvent, {**EVENT, "metadata": {"a": {"b": 1}}}, ["metadata"]),
    (TrackEvent, {**EVENT, "metadata": {"a": True}}, ["metadata"]),
    (TrackEvent, {**EVENT, "metadata": {"a": None}}, ["metadata"]),
    (TrackEvent, {**EVENT, "metadata": {"a": float("nan")}}, ["metadata"]),
    (TrackEvent, {**EVENT, "metadata": "a=1"}, ["metadata"]),
    (TrackEvent, {**EVENT, "event_name": ""}, ["event_name"]),
]


@pytest.mark.parametrize(("model", "body", "fields"), BAD_MORE)
def test_bad_inputs_of_section_7_name_their_fields(model: type[Any], body: dict[str, Any], fields: list[str]) -> None:
    assert field_of(model, body) == fields


@pytest.mark.parametrize(
    ("value", "unix"),
    [
        ("2026-01-02T03:04:05Z", 1767323045),
        ("2026-01-02T03:04:05.123z", 1767323045),
        ("2026-01-02T05:04:05+02:00", 1767323045),
        ("2026-01-01T22:04:05-0500", 1767323045),
        (" 1767323045 ", 1767323045),
        (1767323045, 1767323045),
        (1767323045.9, 1767323045),
        ("", None),
        (None, None),
    ],
)
def test_event_times(value: Any, unix: int | None) -> None:
    assert parse(TrackEvent, {**EVENT, "created_at": value}).created_at == unix


def test_update_bodies_keep_only_what_is_given() -> None:
    update = parse(UpdateLead, {"name": " ", "email": "", "unsubscribed_from_emails": False, "custom_attributes": None})
    assert update.model_dump(exclude={"companies"}, exclude_none=True) == {"unsubscribed_from_emails": False}
    attributes = {"plan": "pro", "seats": 3, "ratio": 0.5, "vip": True, "gone": None}
    assert parse(UpdateUser, {"custom_attributes": attributes}).custom_attributes == attributes
