"""List search fields (interface §10; internal, for the designer): the fields a search's filters can name, with the
workspace's custom attributes where the object has them. Each search scope is registered in SCOPES."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from shared.actions.contacts.find import CONTACTS
from shared.actions.conversations.find import CONVERSATIONS
from shared.actions.data_attributes import custom_attributes
from shared.actions.parsing import blank_to_none
from shared.actions.search import SearchScope
from shared.actions.tickets.search import TICKETS
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.models.designer import designer
from shared.models.search import SearchFieldInfo

SCOPES: dict[str, SearchScope] = {scope.name: scope for scope in (CONTACTS, CONVERSATIONS, TICKETS)}


def _known(name: str) -> str:
    if name not in SCOPES:
        raise ValueError(f"must be one of {', '.join(SCOPES)}")
    return name


class ListSearchFields(BaseModel):
    """Query of List search fields (GET /api/search-fields)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    object: Annotated[str, BeforeValidator(blank_to_none), AfterValidator(_known)] = Field(
        title="Object", description="What is searched: " + ", ".join(SCOPES), json_schema_extra=designer()
    )

    def scope(self) -> SearchScope:
        return SCOPES[self.object]


def list_search_fields(client: IntercomClient, scope: SearchScope, deadline: Deadline) -> list[SearchFieldInfo]:
    """The scope's fields, then its custom attributes (one call to Intercom's data attributes) by label."""
    fields = [SearchFieldInfo(name=f.name, label=f.label, kind=f.kind) for f in scope.fields]
    if scope.custom is None:
        return fields
    attributes = custom_attributes(client, scope.custom.model, deadline)
    kinds = scope.custom_fields(attributes)
    for name, kind in sorted(kinds.items(), key=lambda item: (attributes[item[0]].label or item[0]).lower()):
        label = f"{attributes[name].label or name} (custom)"
        fields.append(SearchFieldInfo(name=scope.custom.prefix + name, label=label, kind=kind))
    return fields
