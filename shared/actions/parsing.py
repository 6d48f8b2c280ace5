"""The parsing every action shares: the request models' base classes and field types, and `parse`, which turns a
pydantic ValidationError into the contract's 400 naming each bad field. The models of each action live by concern
(shared/actions/contacts/requests.py, ...).

Rules (docs/actions.md repeats them for callers):
- a body is a JSON object; a field the action does not know is a 400 naming that field (a typo never passes silently);
- strings are trimmed; an optional field that is null or "" counts as not given (flows send "" for empty inputs);
- `email` must look like an address (`local@domain.tld`, at most 254 characters);
- `image_url` is an https URL (`website` http or https); `companies` is one Intercom company id or a list of at most 10;
- ids (in paths or in bodies) are 1-64 letters, digits, `_` or `-`, so nothing can reshape Intercom's URL;
- timestamps are ISO-8601 with a UTC offset (`2026-01-02T03:04:05Z`, `...+02:00`) or Unix seconds;
- `custom_attributes` is a flat object of strings, numbers, booleans or nulls;
- `per_page` is a whole number 1..150 (default 50); query parameters a list does not know are ignored,
  because the function key travels as `code` in the query string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)

from shared.errors import BadRequest
from shared.models.designer import ADMINS, ASSIGNEES, COMPANIES, TAG_NAMES, TEAMS, designer

MAX_COMPANIES = 10
MAX_URL = 2048
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 150
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
M = TypeVar("M", bound=BaseModel)
_TLD = re.compile(r"^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")
MAX_UNIX = 253402300799  # 9999-12-31T23:59:59Z
MAX_CUSTOM_ATTRIBUTES = 100
MAX_ATTRIBUTE_TEXT = 10_000
_KEY = re.compile(r"^[^\x00-\x1f]{1,190}$")
_TIMESTAMP = "must be an ISO-8601 time with a UTC offset (2026-01-02T03:04:05Z, ...+02:00) or Unix seconds"


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _optional_id(value: Any) -> Any:
    value = blank_to_none(value)
    return check_id(value) if isinstance(value, str) else value


def _email(value: str | None) -> str | None:
    return None if value is None else check_email(value)


def parse_timestamp(value: Any) -> int:
    """ISO-8601 with a UTC offset, or Unix seconds (a number or its text) -> Unix seconds; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(_TIMESTAMP)
    if isinstance(value, int | float):
        if not math.isfinite(value) or not 0 <= value <= MAX_UNIX:
            raise ValueError(_TIMESTAMP)
        return int(value)
    if not isinstance(value, str):
        raise ValueError(_TIMESTAMP)
    text = value.strip()
    if re.fullmatch(r"[0-9]{1,12}", text):
        return parse_timestamp(int(text))
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9:.,]+([Zz]|[+-][0-9]{2}:?[0-9]{2})", text):
        raise ValueError(_TIMESTAMP)
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(_TIMESTAMP) from None
    return parse_timestamp(int(moment.timestamp()))



def _optional_timestamp(value: Any) -> Any:
    return None if blank_to_none(value) is None else parse_timestamp(value)


def check_flat_object(value: Any, *, max_keys: int, booleans_and_nulls: bool) -> dict[str, Any]:
    """An object of names (1-190 characters) to strings or numbers (and, when allowed, booleans or nulls)."""
    kinds = "strings, numbers, booleans or nulls" if booleans_and_nulls else "strings or numbers"
    if not isinstance(value, dict):
        raise ValueError(f"must be an object of names to {kinds}")
    if len(value) > max_keys:
        raise ValueError(f"at most {max_keys} keys")
    for name, item in value.items():
        if not _KEY.match(name):
            raise ValueError("each name is 1-190 characters without control characters")
        if item is None and booleans_and_nulls:
            continue
        if not isinstance(item, str | int | float) or (isinstance(item, bool) and not booleans_and_nulls):
            raise ValueError(f"{name!r}: must be one of {kinds} (no nested objects or lists)")
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{name!r}: must be a finite number")
        if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_TEXT:
            raise ValueError(f"{name!r}: at most {MAX_ATTRIBUTE_TEXT} characters")
    return value


def _custom_attributes(value: Any) -> Any:
    return None if value is None else check_flat_object(value, max_keys=MAX_CUSTOM_ATTRIBUTES, booleans_and_nulls=True)


def _https_url(value: str | None) -> str | None:
    return None if value is None else check_https_url(value)


def _web_url(value: str | None) -> str | None:
    return None if value is None else check_url(value, ("http", "https"))


def check_email(value: str) -> str:
    """`local@domain.tld` with sane characters; ValueError otherwise."""
    if len(value) > 254:
        raise ValueError("must be at most 254 characters")
    local, at, domain = value.rpartition("@")
    if not at or not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise ValueError("must be an email address such as jane@example.com")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        raise ValueError("must be an email address such as jane@example.com")
    return value


def check_id(value: str, what: str = "an Intercom id") -> str:
    if not _ID.match(value):
        raise ValueError(f"must be {what}: 1-64 letters, digits, '_' or '-'")
    return value


def check_https_url(value: str) -> str:
    """An https URL with a host (an avatar's image); ValueError otherwise."""
    return check_url(value, ("https",))


def check_url(value: str, schemes: tuple[str, ...]) -> str:
    """A URL of one of `schemes` with a host, at most 2048 characters; ValueError naming the schemes otherwise."""
    what = f"an {' or '.join(schemes)} URL"
    if len(value) > MAX_URL:
        raise ValueError(f"must be at most {MAX_URL} characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (a port out of 0..65535 or not a number raises)
    except ValueError:
        raise ValueError(f"must be {what}") from None
    if parts.scheme.lower() not in schemes:
        raise ValueError(f"must be {what} (other schemes are refused)")
    if not parts.hostname or any(c.isspace() for c in value):
        raise ValueError(f"must be {what} with a host, such as https://example.com/")
    return value


def _companies(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_COMPANIES:
        raise ValueError(f"at most {MAX_COMPANIES} company ids")
    ids: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("must be an Intercom company id (a string) or a list of them")
        ident = check_id(item.strip(), "an Intercom company id")
        if ident not in ids:
            ids.append(ident)
    return ids


Email = Annotated[str, BeforeValidator(_strip), Field(min_length=1), AfterValidator(check_email)]
OptionalEmail = Annotated[str | None, BeforeValidator(blank_to_none), AfterValidator(_email)]
OptionalText = Annotated[str | None, BeforeValidator(blank_to_none)]
OptionalHttpsUrl = Annotated[str | None, BeforeValidator(blank_to_none), AfterValidator(_https_url)]
OptionalWebUrl = Annotated[str | None, BeforeValidator(blank_to_none), AfterValidator(_web_url)]
Companies = Annotated[list[str], BeforeValidator(_companies)]
IntercomId = Annotated[str, BeforeValidator(_strip), AfterValidator(check_id)]
OptionalId = Annotated[str | None, BeforeValidator(_optional_id)]
# Callers send text (a flow's date-time expression) or a number; the connector shows a text input.
_TIMESTAMP_SCHEMA = WithJsonSchema({"type": "string", "description": "ISO-8601 with a UTC offset, or Unix seconds"})
Timestamp = Annotated[int, BeforeValidator(parse_timestamp), _TIMESTAMP_SCHEMA]
OptionalTimestamp = Annotated[int | None, BeforeValidator(_optional_timestamp), _TIMESTAMP_SCHEMA]
CustomAttributes = Annotated[dict[str, str | int | float | bool | None] | None, BeforeValidator(_custom_attributes)]
# Inputs the designer fills from a list of the workspace (shared/models/designer.py): the type carries the dropdown.
OptionalAdminId = Annotated[OptionalId, Field(json_schema_extra=designer(dropdown=ADMINS))]
AssigneeId = Annotated[IntercomId, Field(json_schema_extra=designer(dropdown=ASSIGNEES))]
CompanyId = Annotated[IntercomId, Field(json_schema_extra=designer(dropdown=COMPANIES))]
OptionalCompanyId = Annotated[OptionalId, Field(json_schema_extra=designer(dropdown=COMPANIES))]
OptionalAssigneeId = Annotated[OptionalId, Field(json_schema_extra=designer(dropdown=ASSIGNEES))]
OptionalTeamId = Annotated[OptionalId, Field(json_schema_extra=designer(dropdown=TEAMS))]
TagName = Annotated[str, Field(min_length=1, max_length=255, json_schema_extra=designer(dropdown=TAG_NAMES))]


class Body(BaseModel):
    """Base of every request body: unknown fields are refused, types are strict, strings trimmed."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True)


class Query(BaseModel):
    """Base of every query string: parameters the action does not know are ignored (the function key `code`)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


def _per_page(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return DEFAULT_PER_PAGE
        if not re.fullmatch(r"[+-]?[0-9]{1,6}", text):
            raise ValueError(f"must be a whole number from 1 to {MAX_PER_PAGE}")
        value = int(text)
    if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= MAX_PER_PAGE:
        raise ValueError(f"must be a whole number from 1 to {MAX_PER_PAGE}")
    return value


PerPage = Annotated[int, BeforeValidator(_per_page)]


def page_size(items: str) -> Any:
    """The `per_page` field of a list whose items are `items` ("Users": "Users per page (1 to 150)")."""
    return Field(
        DEFAULT_PER_PAGE,
        ge=1,
        le=MAX_PER_PAGE,
        title="Page Size",
        description=f"{items} per page (1 to {MAX_PER_PAGE})",
        json_schema_extra=designer("advanced"),
    )


class PageQuery(Query):
    """Base of every list query: `per_page` (1..150, default 50) and the sealed `cursor` of a nextLink."""

    per_page: PerPage = page_size("Items")
    cursor: Annotated[str | None, BeforeValidator(blank_to_none)] = Field(
        None,
        min_length=1,
        max_length=2048,
        title="Cursor",
        description="Where the page starts; nextLink carries it (paging follows nextLink)",
        json_schema_extra=designer("internal"),
    )


def _field_name(loc: tuple[int | str, ...]) -> str:
    """The caller's name of a bad input: a body field (`email`), or a field of an item of a list of objects
    (`filters[2].operator`); what lies deeper is the field's own business (`companies.0` is `companies`)."""
    if not loc:
        return "body"
    name = str(loc[0])
    if len(loc) >= 2 and isinstance(loc[1], int) and (len(loc) == 2 or isinstance(loc[2], str)):
        name += f"[{loc[1]}]" + (f".{loc[2]}" if len(loc) > 2 else "")
    return name


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field; this action does not accept it"
    if kind == "missing":
        return "is required"
    if kind == "string_type":
        return "must be a string"
    if kind == "string_too_long":
        return f"must be at most {error.get('ctx', {}).get('max_length')} characters"
    if kind == "too_long":
        return f"at most {error.get('ctx', {}).get('max_length')} items"
    if kind == "too_short":
        return f"at least {error.get('ctx', {}).get('min_length')} item(s)"
    message = str(error.get("msg", "is invalid"))
    return message.removeprefix("Value error, ")


def bad_request(exc: ValidationError) -> BadRequest:
    """A pydantic ValidationError as the contract's 400: one detail per bad field, never the rejected value."""
    details: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False, include_input=False):
        detail = {"field": _field_name(tuple(error.get("loc", ()))), "message": _message(error)}
        if detail not in details:
            details.append(detail)
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return BadRequest(f"invalid input: {summary}", details=details)


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate `data` as `model`; a 400 naming every bad field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise bad_request(exc) from None


def one_of(*, required: bool = True, **given: object) -> None:
    """A 400 naming each of the `given` fields when more than one is set, or (when `required`) when none is."""
    chosen = [name for name, value in given.items() if value is not None]
    if len(chosen) == 1 or (not chosen and not required):
        return
    names = " or ".join(given)
    message = f"give {names}, not both" if chosen else f"give {names}"
    raise BadRequest(f"invalid input: {message}", details=[{"field": name, "message": message} for name in given])


def parse_id(value: str | None, field: str) -> str:
    """A path id (user_id, contact_id); a 400 naming `field` when it cannot be an Intercom id."""
    try:
        return check_id((value or "").strip())
    except ValueError as exc:
        raise BadRequest.field(field, str(exc)) from None


ACTING_ADMIN = "Intercom id of the admin who acts (default: the admin who owns the connection's token)"


def acting_admin_field(description: str = ACTING_ADMIN) -> Any:
    """The `admin_id` of an action that acts as an admin: optional (the token's admin acts by default), under
    "advanced" in the designer, a dropdown of the admins (its type, OptionalAdminId)."""
    return Field(None, title="Admin ID", description=description, json_schema_extra=designer("advanced"))

