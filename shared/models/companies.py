"""The connector's `Company` (interface §7) and its mapping from Intercom's `company`.

`plan` is the plan's name (Intercom answers `{"type": "plan", "id", "name"}`, or `{}` without a plan); `tags` carry
their names inline (Intercom's company answer has them). Every field is present, null when Intercom has none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from shared.models.common import TIMESTAMP, Shape, as_object, as_text, format_timestamp
from shared.models.tags import TagList, named_tags

AttributeValue = str | int | float | bool | None


class Company(Shape):
    id: str = Field(title="Company ID", description="Intercom id of the company")
    company_id: str | None = Field(
        None, title="Your Company ID", description="Your id of the company (Intercom company_id)"
    )
    name: str | None = Field(None, title="Name")
    plan: str | None = Field(None, title="Plan", description="Name of the company's plan")
    size: int | None = Field(None, title="Size", description="Number of employees")
    website: str | None = Field(None, title="Website")
    industry: str | None = Field(None, title="Industry")
    monthly_spend: int | None = Field(
        None, title="Monthly Spend", description="Revenue the company brings in per month (whole number)"
    )
    user_count: int | None = Field(None, title="User Count", description="Number of users and leads in the company")
    created_at: str | None = Field(None, title="Created Date-Time", description=TIMESTAMP)
    updated_at: str | None = Field(None, title="Updated Date-Time", description=TIMESTAMP)
    custom_attributes: dict[str, AttributeValue] = Field(default_factory=dict, title="Custom Attributes")
    tags: TagList = Field(default_factory=TagList)


def _whole(value: Any) -> int | None:
    """A whole number (Intercom truncates `monthly_spend` to one); anything else is None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value)


def _attributes(value: Any) -> dict[str, AttributeValue]:
    """Flat custom attributes; a nested value (Intercom may hold one) is shown as its text."""
    return {
        str(key): item if item is None or isinstance(item, str | int | float | bool) else str(item)
        for key, item in as_object(value).items()
    }


def company_to_model(company: Mapping[str, Any]) -> Company:
    """An Intercom `company` -> Company."""
    return Company(
        id=str(company["id"]),
        company_id=as_text(company.get("company_id")),
        name=as_text(company.get("name")),
        plan=as_text(as_object(company.get("plan")).get("name")),
        size=_whole(company.get("size")),
        website=as_text(company.get("website")) or None,
        industry=as_text(company.get("industry")) or None,
        monthly_spend=_whole(company.get("monthly_spend")),
        user_count=_whole(company.get("user_count")),
        created_at=format_timestamp(company.get("created_at")),
        updated_at=format_timestamp(company.get("updated_at")),
        custom_attributes=_attributes(company.get("custom_attributes")),
        tags=TagList(tags=named_tags(company.get("tags"))),
    )
