"""What every shape of the connector shares: the `Shape` base class, `format_timestamp`, and the readers that take a
value from Intercom's wire JSON as the type the shape wants (Intercom's JSON is not always typed as its schema says,
and one odd value must not stop a trigger: its event could never be logged).

The shapes live by object: contacts.py (User, Lead, Note), conversations.py, companies.py, tags.py, workspace.py.
Every field is present in the output, null when Intercom has none; timestamps are `yyyy-MM-ddTHH:mm:ss.fffZ`. The
display names and descriptions the flow designer shows sit on the fields (shared/models/designer.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

TIMESTAMP = "yyyy-MM-ddTHH:mm:ss.fffZ (UTC)"


class Shape(BaseModel):
    """Base of every shape the connector answers: a field it does not declare is an error, never passed on."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class NamedRef(Shape):
    """An object another refers to, with its name (a contact's companies and tags)."""

    id: str = Field(title="ID")
    name: str | None = Field(None, title="Name")


def format_timestamp(unix: object) -> str | None:
    """Unix seconds -> `yyyy-MM-ddTHH:mm:ss.fffZ` (UTC); None, anything that is not a number, and a number no date
    has (NaN, beyond year 9999) give None."""
    if isinstance(unix, bool) or not isinstance(unix, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(float(unix), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def as_text(value: Any) -> str | None:
    """A string field as a string (a number Intercom sends where its schema says string becomes its text)."""
    return None if value is None else str(value)


def as_object(value: Any) -> Mapping[str, Any]:
    """An object field as a mapping; anything else is empty."""
    return value if isinstance(value, dict) else {}


def as_flag(value: Any) -> bool | None:
    """A boolean field; anything that is not a boolean is None."""
    return value if isinstance(value, bool) else None
