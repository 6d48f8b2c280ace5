"""The company actions and the workspace lists as connector operations: create or update, get, list and tag companies;
list admins and tags (interface §7); untag a company, list teams (§10). Display names are the contract's."""

from __future__ import annotations

from connector.parts import INTERNAL, Entry, Op, RouteId
from connector.shapes import (
    AdminListing,
    AssigneeListing,
    AttributesSchema,
    CompanyPage,
    DataAttributeListing,
    SearchFieldListing,
    TagListing,
    TeamListing,
)
from shared.actions.companies.requests import ListCompanies, TagByName, UpsertCompany
from shared.actions.data_attributes import AttributesOf, ListDataAttributes
from shared.actions.search_fields import ListSearchFields
from shared.models.companies import Company
from shared.models.designer import TAG_IDS, TICKET_TYPES
from shared.models.tags import Tag

IDS = {"id": RouteId("Company ID", "The Intercom id of the company")}
NO_COMPANY = "There is no company with this id"

COMPANY_OPERATIONS: dict[str, Entry] = {
    "create_or_update_company": Entry(
        "companies",
        ("POST",),
        Op(
            "CreateOrUpdateCompany",
            "Create or update company",
            "Creates a company, or updates the one with the same Your Company ID (your own id of the company, which "
            "Intercom never changes). Intercom shows a company in its inbox once a user belongs to it.",
            "201",
            "Created",
            Company,
            body=UpsertCompany,
            body_summary="Company",
            more=(("200", "Updated: a company with this Your Company ID existed"),),
            extensions={"x-ms-visibility": "important"},
        ),
    ),
    "get_company": Entry(
        "companies/{id}",
        ("GET",),
        Op(
            "GetCompany",
            "Get company",
            "Given the Intercom id of a company, returns all the information about the company.",
            "200",
            "The company",
            Company,
            ids=IDS,
            not_found=NO_COMPANY,
        ),
    ),
    "list_companies": Entry(
        "companies",
        ("GET",),
        Op(
            "ListCompanies",
            "List companies",
            "Returns every company in your Intercom workspace, a page at a time, or the one company with a given "
            "Your Company ID or name.",
            "200",
            "A page of companies",
            CompanyPage,
            query=ListCompanies,
            pageable=True,
        ),
    ),
    "tag_company": Entry(
        "companies/{id}/tags",
        ("POST",),
        Op(
            "TagCompany",
            "Add tag to company",
            "Tags a company; a tag with that name is created when the workspace has none.",
            "200",
            "The tag",
            Tag,
            body=TagByName,
            body_summary="Tag",
            ids=IDS,
            not_found=NO_COMPANY,
        ),
    ),
    "list_admins": Entry(
        "admins",
        ("GET",),
        Op(
            "ListAdmins",
            "List admins",
            "Returns the teammates (admins) of your workspace.",
            "200",
            "The admins",
            AdminListing,
        ),
    ),
    "list_data_attributes": Entry(
        "data-attributes",
        ("GET",),
        Op(
            "ListDataAttributes",
            "List data attributes",
            "Returns the attributes of contacts or of companies in your workspace, standard and custom, with their "
            "types and options (archived ones only when asked for).",
            "200",
            "The data attributes",
            DataAttributeListing,
            query=ListDataAttributes,
        ),
    ),
    "list_search_fields": Entry(
        "search-fields",
        ("GET",),
        Op(
            "ListSearchFields",
            "List search fields",
            "The fields a search's filters can name, custom attributes included (the designer's dropdown).",
            "200",
            "The fields",
            SearchFieldListing,
            query=ListSearchFields,
            extensions=INTERNAL,
        ),
    ),
    "custom_attributes_schema": Entry(
        "data-attributes/schema",
        ("GET",),
        Op(
            "GetCustomAttributesSchema",
            "Get custom attributes schema",
            "The custom attributes of contacts or companies as typed fields (the designer's Custom Attributes).",
            "200",
            "The schema",
            AttributesSchema,
            query=AttributesOf,
            extensions=INTERNAL,
        ),
    ),
    "ticket_attributes_schema": Entry(
        "ticket-types/{ticket_type_id}/attributes-schema",
        ("GET",),
        Op(
            "GetTicketAttributesSchema",
            "Get ticket attributes schema",
            "A ticket type's own attributes as typed fields (the designer's Ticket Attributes).",
            "200",
            "The schema",
            AttributesSchema,
            ids={"ticket_type_id": RouteId("Ticket Type ID", "The Intercom id of the ticket type", TICKET_TYPES)},
            not_found="There is no such ticket type",
            extensions=INTERNAL,
        ),
    ),
    "list_assignees": Entry(
        "assignees",
        ("GET",),
        Op(
            "ListAssignees",
            "List assignees",
            "The admins and teams of your workspace (the designer's dropdown of an assignee).",
            "200",
            "The admins, then the teams",
            AssigneeListing,
            extensions=INTERNAL,
        ),
    ),
    "list_tags": Entry(
        "tags",
        ("GET",),
        Op("ListTags", "List tags", "Returns every tag of your workspace.", "200", "The tags", TagListing),
    ),
    "untag_company": Entry(
        "companies/{id}/tags/{tag_id}",
        ("DELETE",),
        Op(
            "RemoveTagFromCompany",
            "Remove tag from company",
            "Removes a tag from a company.",
            "204",
            "Removed",
            ids={**IDS, "tag_id": RouteId("Tag ID", "The Intercom id of the tag", TAG_IDS)},
            not_found="There is no such company, or it does not carry this tag",
        ),
    ),
    "list_teams": Entry(
        "teams",
        ("GET",),
        Op("ListTeams", "List teams", "Returns the teams of your workspace.", "200", "The teams", TeamListing),
    ),
}
