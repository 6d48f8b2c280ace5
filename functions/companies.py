"""The company actions (interface §7). Each handler parses, calls one function of
shared/actions/companies/service.py, and answers.
The services and request models are imported inside the handlers, as in functions/contacts.py (cold start)."""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action, json_response, no_content

bp = func.Blueprint()


@bp.function_name("create_or_update_company")
@bp.route(route="companies", methods=["POST"])
@action
def create_or_update_company(call: Call) -> func.HttpResponse:
    from shared.actions.companies import requests as company_requests
    from shared.actions.companies import service as companies

    result = companies.create_or_update_company(call.client, call.body(company_requests.UpsertCompany), call.deadline)
    return json_response(result.company, status=201 if result.created else 200)


@bp.function_name("get_company")
@bp.route(route="companies/{id}", methods=["GET"])
@action
def get_company(call: Call) -> func.HttpResponse:
    from shared.actions.companies import service as companies

    return json_response(companies.get_company(call.client, call.id("id"), call.deadline))


@bp.function_name("list_companies")
@bp.route(route="companies", methods=["GET"])
@action
def list_companies(call: Call) -> func.HttpResponse:
    from shared.actions.companies import requests as company_requests
    from shared.actions.companies import service as companies

    query = call.query(company_requests.ListCompanies)
    page = companies.list_companies(call.client, query, call.settings.cursor_key, call.deadline)
    return call.page(page, query.per_page)


@bp.function_name("tag_company")
@bp.route(route="companies/{id}/tags", methods=["POST"])
@action
def tag_company(call: Call) -> func.HttpResponse:
    from shared.actions.companies import requests as company_requests
    from shared.actions.companies import service as companies

    company_id, request = call.id("id"), call.body(company_requests.TagByName)
    return json_response(companies.tag_company(call.client, company_id, request, call.deadline))


@bp.function_name("untag_company")
@bp.route(route="companies/{id}/tags/{tag_id}", methods=["DELETE"])
@action
def untag_company(call: Call) -> func.HttpResponse:
    from shared.actions.companies import service as companies

    companies.untag_company(call.client, call.id("id"), call.id("tag_id"), call.deadline)
    return no_content()
