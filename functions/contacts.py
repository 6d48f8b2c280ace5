"""The contact actions (interface §2, §7): users, leads, contacts and events. Each handler parses, calls one function
of shared/, and answers; `functions.http.action` supplies the client, deadline and parsing.

The services and request models are imported inside the handlers: `import function_app` (a cold start) then
compiles and builds only the routes, and a call pays for its own modules once (bench/cold_start.py).
"""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action, json_response, no_content

bp = func.Blueprint()


# -- users -----------------------------------------------------------------------------------------------------------


@bp.function_name("create_or_update_user")
@bp.route(route="users", methods=["POST"])
@action
def create_or_update_user(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import requests as contact_requests
    from shared.actions.contacts import service as contacts

    result = contacts.create_or_update_user(call.client, call.body(contact_requests.UpsertUser), call.deadline)
    return json_response(result.user, status=201 if result.created else 200)


@bp.function_name("list_users")
@bp.route(route="users", methods=["GET"])
@action
def list_users(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import lists as contact_lists
    from shared.actions.contacts import requests as contact_requests

    query = call.query(contact_requests.ListUsers)
    return call.page(
        contact_lists.list_users(call.client, query, call.settings.cursor_key, call.deadline), query.per_page
    )


@bp.function_name("get_user")
@bp.route(route="users/{user_id}", methods=["GET"])
@action
def get_user(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import service as contacts

    return json_response(contacts.get_user(call.client, call.id("user_id"), call.deadline))


@bp.function_name("update_user")
@bp.route(route="users/{user_id}", methods=["PUT"])
@action
def update_user(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import requests as contact_requests
    from shared.actions.contacts import service as contacts

    user_id, request = call.id("user_id"), call.body(contact_requests.UpdateUser)
    return json_response(contacts.update_user(call.client, user_id, request, call.deadline))


# -- leads -----------------------------------------------------------------------------------------------------------


@bp.function_name("create_lead")
@bp.route(route="leads", methods=["POST"])
@action
def create_lead(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import requests as contact_requests
    from shared.actions.contacts import service as contacts

    lead = contacts.create_lead(call.client, call.body(contact_requests.CreateLead), call.deadline)
    return json_response(lead, status=201)


@bp.function_name("list_leads")
@bp.route(route="leads", methods=["GET"])
@action
def list_leads(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import lists as contact_lists
    from shared.actions.contacts import requests as contact_requests

    query = call.query(contact_requests.ListLeads)
    return call.page(
        contact_lists.list_leads(call.client, query, call.settings.cursor_key, call.deadline), query.per_page
    )


@bp.function_name("get_lead")
@bp.route(route="leads/{contact_id}", methods=["GET"])
@action
def get_lead(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import service as contacts

    return json_response(contacts.get_lead(call.client, call.id("contact_id"), call.deadline))


@bp.function_name("update_lead")
@bp.route(route="leads/{contact_id}", methods=["PUT"])
@action
def update_lead(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import requests as contact_requests
    from shared.actions.contacts import service as contacts

    contact_id, request = call.id("contact_id"), call.body(contact_requests.UpdateLead)
    return json_response(contacts.update_lead(call.client, contact_id, request, call.deadline))


# -- any contact -----------------------------------------------------------------------------------------------------


@bp.function_name("archive_contact")
@bp.route(route="contacts/{id}/archive", methods=["POST"])
@action
def archive_contact(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import writes as contact_writes

    return json_response(contact_writes.set_archived(call.client, call.id("id"), True, call.deadline))


@bp.function_name("unarchive_contact")
@bp.route(route="contacts/{id}/unarchive", methods=["POST"])
@action
def unarchive_contact(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import writes as contact_writes

    return json_response(contact_writes.set_archived(call.client, call.id("id"), False, call.deadline))


@bp.function_name("delete_contact")
@bp.route(route="contacts/{id}", methods=["DELETE"])
@action
def delete_contact(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import writes as contact_writes

    contact_writes.delete_contact(call.client, call.id("id"), call.deadline)
    return no_content()


@bp.function_name("tag_contact")
@bp.route(route="contacts/{id}/tags", methods=["POST"])
@action
def tag_contact(call: Call) -> func.HttpResponse:
    from shared.actions import tagging
    from shared.actions.contacts import requests as contact_requests

    contact_id, request = call.id("id"), call.body(contact_requests.AddTag)
    return json_response(tagging.tag_contact(call.client, contact_id, request.name, call.deadline))


@bp.function_name("untag_contact")
@bp.route(route="contacts/{id}/tags/{tag_id}", methods=["DELETE"])
@action
def untag_contact(call: Call) -> func.HttpResponse:
    from shared.actions import tagging

    tagging.untag_contact(call.client, call.id("id"), call.id("tag_id"), call.deadline)
    return no_content()


@bp.function_name("add_note")
@bp.route(route="contacts/{id}/notes", methods=["POST"])
@action
def add_note(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import requests as contact_requests
    from shared.actions.contacts import writes as contact_writes

    contact_id, request = call.id("id"), call.body(contact_requests.AddNote)
    return json_response(contact_writes.add_note(call.client, contact_id, request, call.deadline), status=201)


@bp.function_name("attach_company")
@bp.route(route="contacts/{id}/companies", methods=["POST"])
@action
def attach_company(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import requests as contact_requests
    from shared.actions.contacts import writes as contact_writes

    contact_id, request = call.id("id"), call.body(contact_requests.AttachCompany)
    return json_response(contact_writes.attach_company(call.client, contact_id, request, call.deadline))


@bp.function_name("detach_company")
@bp.route(route="contacts/{id}/companies/{company_id}", methods=["DELETE"])
@action
def detach_company(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import writes as contact_writes

    contact_writes.detach_company(call.client, call.id("id"), call.id("company_id"), call.deadline)
    return no_content()


# -- events ----------------------------------------------------------------------------------------------------------


@bp.function_name("track_event")
@bp.route(route="events", methods=["POST"])
@action
def track_event(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import requests as contact_requests
    from shared.actions.contacts import tracking as events

    events.track_event(call.client, call.body(contact_requests.TrackEvent), call.deadline)
    return func.HttpResponse(status_code=202)


# -- find ------------------------------------------------------------------------------------------------------------


@bp.function_name("find_contacts")
@bp.route(route="contacts/search", methods=["POST"])
@action
def find_contacts(call: Call) -> func.HttpResponse:
    from shared.actions.contacts import find
    from shared.actions.contacts import requests as contact_requests

    body = call.body(contact_requests.FindContacts)
    return call.page(find.find_contacts(call.client, body, call.settings.cursor_key, call.deadline), body.per_page)


@bp.function_name("find_contacts_next")
@bp.route(route="contacts/search", methods=["GET"])
@action
def find_contacts_next(call: Call) -> func.HttpResponse:
    from shared.actions import search
    from shared.actions.contacts import find

    query = call.query(search.SearchNext)
    return call.page(find.more_contacts(call.client, query, call.settings.cursor_key, call.deadline), query.per_page)
