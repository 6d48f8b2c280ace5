"""What callers send to the company actions (interface §7); the shared rules are in shared/actions/parsing.py.

- `company_id` is your id of the company (Intercom's upsert key, which Intercom never changes): 1-255 characters;
- `website` is an http or https URL; `size` and `monthly_spend` are whole numbers >= 0;
- List companies takes `per_page` and `cursor` as every list does, and at most one of `company_id`, `name` (exact).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from shared.actions.parsing import (
    Body,
    CustomAttributes,
    OptionalText,
    OptionalWebUrl,
    PageQuery,
    TagName,
    blank_to_none,
)
from shared.errors import BadRequest
from shared.models.designer import COMPANY_ATTRIBUTES, designer

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _your_id(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


YourCompanyId = Annotated[
    str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=255), AfterValidator(_your_id)
]
OptionalFilter = Annotated[Annotated[str, Field(max_length=255)] | None, BeforeValidator(blank_to_none)]
Count = Annotated[Annotated[int, Field(ge=0, le=2_000_000_000)] | None, BeforeValidator(blank_to_none)]


class UpsertCompany(Body):
    """Body of Create or update company (POST /api/companies)."""

    company_id: YourCompanyId = Field(
        title="Your Company ID",
        description="Your id of the company (required; Intercom never changes it)",
        json_schema_extra=designer("important"),
    )
    name: OptionalText = Field(
        None, max_length=255, title="Name", description="The company's name", json_schema_extra=designer("important")
    )
    plan: OptionalText = Field(None, max_length=255, title="Plan", description="Name of the company's plan")
    size: Count = Field(None, title="Size", description="Number of employees")
    website: OptionalWebUrl = Field(None, title="Website", description="http or https URL")
    industry: OptionalText = Field(None, max_length=255, title="Industry")
    monthly_spend: Count = Field(
        None, title="Monthly Spend", description="Revenue the company brings in per month (whole number)"
    )
    custom_attributes: CustomAttributes = Field(
        None,
        title="Custom Attributes",
        description="Object of names to strings, numbers, booleans",
        json_schema_extra=designer("advanced", typed=COMPANY_ATTRIBUTES),
    )


class ListCompanies(PageQuery):
    """Query of List companies (GET /api/companies)."""

    company_id: OptionalFilter = Field(
        None,
        title="Your Company ID",
        description="Only the company with this id of yours (exact match); not with Name",
        json_schema_extra=designer("advanced"),
    )
    name: OptionalFilter = Field(
        None,
        title="Name",
        description="Only the company with this name (exact match); not with Your Company ID",
        json_schema_extra=designer("advanced"),
    )

    def exact(self) -> tuple[str, str] | None:
        """The one filter given, as (Intercom's query parameter, value); a 400 naming both when both are."""
        if self.company_id is not None and self.name is not None:
            message = "give company_id or name, not both"
            raise BadRequest(
                f"invalid input: {message}",
                details=[{"field": "company_id", "message": message}, {"field": "name", "message": message}],
            )
        if self.company_id is not None:
            return "company_id", self.company_id
        return None if self.name is None else ("name", self.name)


class TagByName(Body):
    """Body of Add tag to company (POST /api/companies/{id}/tags)."""

    name: TagName = Field(
        title="Tag Name", description="The tag's name; the tag is created when the workspace has none by that name"
    )
