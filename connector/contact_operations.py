"""The contact actions as connector operations (interface §2, §7): users, leads, any contact, events.

Display names (`summary`) are the interface's; the five of §2 keep the seed connector's descriptions (Microsoft's
Intercom connector, whose operations interface §2 and §4 list).
"""

from __future__ import annotations

from pydantic import BaseModel

from connector.parts import Entry, Op, RouteId
from connector.shapes import ContactPage, LeadPage, UserPage
from shared.actions.contacts.requests import (
    AddNote,
    AddTag,
    AttachCompany,
    CreateLead,
    FindContacts,
    ListLeads,
    ListUsers,
    TrackEvent,
    UpdateLead,
    UpdateUser,
    UpsertUser,
)
from shared.models.companies import Company
from shared.models.contacts import ContactArchived, Lead, Note, User
from shared.models.designer import COMPANIES, TAG_IDS
from shared.models.tags import Tag

IDS = {
    "user_id": RouteId("User ID", "The Intercom id of the user"),
    "contact_id": RouteId("Lead ID", "The Intercom id of the lead"),
    "id": RouteId("Contact ID", "The Intercom id of the contact (a user or a lead)"),
    "tag_id": RouteId("Tag ID", "The Intercom id of the tag", TAG_IDS),
    "company_id": RouteId("Company ID", "The Intercom id of the company", COMPANIES),
}
_IMPORTANT = {"x-ms-visibility": "important"}
_NO_CONTACT = "There is no such contact"


def _list(page: type[BaseModel], query: type[BaseModel], operation_id: str, what: str) -> Op:
    """List all users / leads: a page at a time, `x-ms-pageable` following nextLink."""
    return Op(
        operation_id,
        f"List all {what}",
        f"Returns a list of all {what} in your Intercom account, a page at a time (optionally only the {what} with "
        "one email address).",
        "200",
        f"A page of {what}",
        page,
        query=query,
        pageable=True,
    )


def _get(model: type[BaseModel], operation_id: str, summary: str, what: str, other: str) -> Op:
    return Op(
        operation_id,
        summary,
        f"Given the ID of an existing {what}, returns all the information about the {what}.",
        "200",
        f"The {what}",
        model,
        ids=IDS,
        not_found=f"There is no such {what} (or it is a {other})",
    )


def _update(model: type[BaseModel], body: type[BaseModel], operation_id: str, what: str, other: str) -> Op:
    return Op(
        operation_id,
        f"Update {what}",
        f"Changes the fields you give of an existing {what} (empty fields are left as they are); the companies "
        "you give are added to the ones it has.",
        "200",
        f"The updated {what}",
        model,
        body,
        what.capitalize(),
        ids=IDS,
        statuses=("409",),
        not_found=f"There is no such {what} (or it is a {other})",
    )


def _archive(operation_id: str, verb: str) -> Op:
    return Op(
        operation_id,
        f"{verb} contact",
        f"{verb}s a user or lead (archived contacts are hidden in Intercom and can be unarchived).",
        "200",
        "The contact's id and whether it is archived",
        ContactArchived,
        ids=IDS,
        not_found=_NO_CONTACT,
    )


CONTACT_OPERATIONS: dict[str, Entry] = {
    "create_or_update_user": Entry(
        "users",
        ("POST",),
        Op(
            "CreateOrUpdateUser",
            "Create or update user",
            "Creates a new user for your Intercom account. A user found by email is updated (a lead with that "
            "email becomes the user).",
            "201",
            "Created",
            User,
            UpsertUser,
            "User",
            more=(("200", "Updated: a contact with this email existed"),),
            extensions=_IMPORTANT,
        ),
    ),
    "list_users": Entry("users", ("GET",), _list(UserPage, ListUsers, "ListUsers", "users")),
    "get_user": Entry("users/{user_id}", ("GET",), _get(User, "GetUser", "Get user", "user", "lead")),
    "update_user": Entry("users/{user_id}", ("PUT",), _update(User, UpdateUser, "UpdateUser", "user", "lead")),
    "create_lead": Entry(
        "leads",
        ("POST",),
        Op(
            "CreateLead",
            "Create new lead",
            "Creates a new lead for your Intercom account.",
            "201",
            "Created",
            Lead,
            CreateLead,
            "Lead",
            statuses=("409",),
            extensions=_IMPORTANT,
        ),
    ),
    "list_leads": Entry("leads", ("GET",), _list(LeadPage, ListLeads, "ListLeads", "leads")),
    "get_lead": Entry("leads/{contact_id}", ("GET",), _get(Lead, "GetLead", "Get lead", "lead", "user")),
    "update_lead": Entry("leads/{contact_id}", ("PUT",), _update(Lead, UpdateLead, "UpdateLead", "lead", "user")),
    "archive_contact": Entry("contacts/{id}/archive", ("POST",), _archive("ArchiveContact", "Archive")),
    "unarchive_contact": Entry("contacts/{id}/unarchive", ("POST",), _archive("UnarchiveContact", "Unarchive")),
    "delete_contact": Entry(
        "contacts/{id}",
        ("DELETE",),
        Op(
            "DeleteContact",
            "Delete contact",
            "Deletes a user or lead for good.",
            "204",
            "Deleted",
            ids=IDS,
            not_found=_NO_CONTACT,
        ),
    ),
    "tag_contact": Entry(
        "contacts/{id}/tags",
        ("POST",),
        Op(
            "AddTagToContact",
            "Add tag to contact",
            "Tags a user or lead; a tag with that name is created when there is none.",
            "200",
            "The tag",
            Tag,
            AddTag,
            "Tag",
            ids=IDS,
            not_found=_NO_CONTACT,
        ),
    ),
    "untag_contact": Entry(
        "contacts/{id}/tags/{tag_id}",
        ("DELETE",),
        Op(
            "RemoveTagFromContact",
            "Remove tag from contact",
            "Removes a tag from a user or lead.",
            "204",
            "Removed",
            ids=IDS,
            not_found="There is no such contact, or it does not carry this tag",
        ),
    ),
    "add_note": Entry(
        "contacts/{id}/notes",
        ("POST",),
        Op(
            "AddNoteToContact",
            "Add note to contact",
            "Adds a note to a user or lead, written by an admin (by default the admin who owns the connection's "
            "access token).",
            "201",
            "The note",
            Note,
            AddNote,
            "Note",
            ids=IDS,
            not_found=_NO_CONTACT,
        ),
    ),
    "attach_company": Entry(
        "contacts/{id}/companies",
        ("POST",),
        Op(
            "AttachContactToCompany",
            "Attach contact to company",
            "Adds a user or lead to a company.",
            "200",
            "The company",
            Company,
            AttachCompany,
            "Company",
            ids=IDS,
            not_found=_NO_CONTACT,
        ),
    ),
    "detach_company": Entry(
        "contacts/{id}/companies/{company_id}",
        ("DELETE",),
        Op(
            "DetachContactFromCompany",
            "Detach contact from company",
            "Removes a user or lead from a company.",
            "204",
            "Detached",
            ids=IDS,
            not_found="There is no such contact, or it is not in this company",
        ),
    ),
    "find_contacts": Entry(
        "contacts/search",
        ("POST",),
        Op(
            "FindContacts",
            "Find contacts",
            "Finds users and leads by their fields (email, name, role, times, tags, custom attributes), a page at a "
            "time: every filter holds, or any with Match any. Intercom matches a contact's times by the workspace's "
            "calendar day, and finds a new or changed contact after a short delay.",
            "200",
            "A page of contacts",
            ContactPage,
            FindContacts,
            "Search",
            pageable=True,
            extensions=_IMPORTANT,
        ),
    ),
    "find_contacts_next": Entry("contacts/search", ("GET",), None, "the nextLink of Find contacts (paging follows it)"),
    "track_event": Entry(
        "events",
        ("POST",),
        Op(
            "TrackEvent",
            "Track event",
            "Records that a user or lead did something (an event with a name, a time and up to 10 details). "
            "Name the contact by exactly one of email, user ID (your id) or Intercom ID; leads need the Intercom ID.",
            "202",
            "Accepted by Intercom",
            body=TrackEvent,
            body_summary="Event",
            not_found="Intercom has no such contact",
        ),
    ),
}
