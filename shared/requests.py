"""What callers send to the actions (CONTRACT §2), validated by pydantic models; every failure names its field.

Rules (docs/actions.md repeats them for callers):
- a body is a JSON object; a field the action does not know is a 400 naming that field (a typo never passes silently);
- strings are trimmed; an optional field that is null or "" counts as not given (flows send "" for empty inputs);
- `email` is required and must look like an address (`local@domain.tld`, at most 254 characters);
- `image_url` is an https URL; `companies` is one Intercom company id or a list of at most 10;
- ids (in paths or in `companies`) are 1-64 letters, digits, `_` or `-`, so nothing can reshape Intercom's URL;
- `per_page` is a whole number 1..150 (default 50); query parameters other than `per_page` and `cursor` are ignored,
  because the function key travels as `code` in the query string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from shared.errors import BadRequest

MAX_COMPANIES = 10
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 150
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
M = TypeVar("M", bound=BaseModel)
_TLD = re.compile(r"^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


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


def _check_https_url(value: str) -> str:
    if len(value) > 2048:
        raise ValueError("must be at most 2048 characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (a port out of 0..65535 or not a number raises)
    except ValueError:
        raise ValueError("must be an https URL") from None
    if parts.scheme.lower() != "https":
        raise ValueError("must be an https URL (http and other schemes are refused)")
    if not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an https URL with a host, such as https://example.com/me.png")
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


Email = Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]
Companies = Annotated[list[str], BeforeValidator(_companies)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    email: Email = Field(description="The contact's email address (required)")
    name: OptionalText = Field(None, max_length=255)
    phone: OptionalText = Field(None, max_length=50)
    companies: Companies = Field(default_factory=list, description="Intercom company id, or a list of them")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)


class UpsertUser(_Body):
    """Body of Create or update user (POST /api/users)."""


class CreateLead(_Body):
    """Body of Create new lead (POST /api/leads)."""

    image_url: OptionalText = Field(None, description="https URL of the lead's avatar image")

    @field_validator("image_url")
    @classmethod
    def _image_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_https_url(value)


class ListLeads(BaseModel):
    """Query of List all leads (GET /api/leads)."""

    model_config = ConfigDict(extra="ignore")

    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)
    cursor: str | None = Field(None, min_length=1, max_length=2048)

    @field_validator("per_page", mode="before")
    @classmethod
    def _per_page(cls, value: Any) -> Any:
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

    @field_validator("cursor", mode="before")
    @classmethod
    def _cursor(cls, value: Any) -> Any:
        return _blank_to_none(value)


def _field_name(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return "body"
    parts = [str(p) for p in loc if not (isinstance(p, int) and len(loc) > 1)]
    # `companies.0` is reported as `companies` (the whole field is the caller's unit of input)
    return parts[0] if parts else "body"


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


def parse_id(value: str | None, field: str) -> str:
    """A path id (user_id, contact_id); a 400 naming `field` when it cannot be an Intercom id."""
    try:
        return check_id((value or "").strip())
    except ValueError as exc:
        raise BadRequest.field(field, str(exc)) from None
