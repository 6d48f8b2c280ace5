"""Intercom's refusals as the contract's errors naming the caller's field: what every action service shares.

Intercom names what it did not find or did not accept in its error code or message (`company_not_found`,
"Admin not found", "Ticket state id is not valid..."); these helpers read that and name the caller's field.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.errors import BadRequest, NotFound
from shared.intercom.errors import IntercomBadRequest, IntercomNotFound


def not_found(what: str, ident: str, field: str = "id") -> NotFound:
    """404: there is no `what` with id `ident` (the caller gave it as `field`)."""
    return NotFound(f"no {what} with id {ident}", details=[{"field": field, "message": f"no such {what}"}])


def refused(error: IntercomBadRequest, *fields: str) -> BadRequest:
    """Intercom's 400/422 as the contract's 400 with Intercom's message, naming a field: the one Intercom names, else
    the first of `fields` its message mentions, else the last of `fields` (the input the call was about)."""
    message = error.message.lower()
    mentioned = (f for f in fields if f in message or f.replace("_", " ").rstrip("s") in message)
    field = error.field_name or next(mentioned, fields[-1])
    return BadRequest(error.message, details=[{"field": field, "message": error.message}])


def is_about(error: IntercomNotFound | IntercomBadRequest, kind: str) -> bool:
    """Whether Intercom's error names `kind` (`company_not_found`, `tag_not_found`, "Admin not found", ...)."""
    return kind in (error.intercom_code or "") or kind in error.message.lower()


def about(error: IntercomNotFound | IntercomBadRequest, fields: Mapping[str, str], default: str) -> str:
    """The caller's field an Intercom error is about: the field of the first keyword (in order) that its code or
    message holds, else `default`."""
    return next((field for keyword, field in fields.items() if is_about(error, keyword)), default)


def refused_about(error: IntercomBadRequest, fields: Mapping[str, str], default: str) -> BadRequest:
    """Intercom's 400/422 as the contract's 400 with Intercom's message, naming the field it is `about`."""
    field = error.field_name or about(error, fields, default)
    return BadRequest(error.message, details=[{"field": field, "message": error.message}])
