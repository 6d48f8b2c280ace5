"""The company actions (CONTRACT §7). Each handler parses, calls one function of shared/companies.py, and answers."""

from __future__ import annotations

import azure.functions as func

from functions.http import Call, action, json_response
from shared import companies
from shared.company_requests import ListCompanies, TagByName, UpsertCompany

bp = func.Blueprint()


@bp.function_name("create_or_update_company")
@bp.route(route="companies", methods=["POST"])
@action
def create_or_update_company(call: Call) -> func.HttpResponse:
    result = companies.create_or_update_company(call.client, call.body(UpsertCompany), call.deadline)
    return json_response(result.company, status=201 if result.created else 200)


@bp.function_name("get_company")
@bp.route(route="companies/{id}", methods=["GET"])
@action
def get_company(call: Call) -> func.HttpResponse:
    return json_response(companies.get_company(call.client, call.id("id"), call.deadline))


@bp.function_name("list_companies")
@bp.route(route="companies", methods=["GET"])
@action
def list_companies(call: Call) -> func.HttpResponse:
    query = call.query(ListCompanies)
    page = companies.list_companies(call.client, query, call.settings.cursor_key, call.deadline)
    body: dict[str, object] = {"value": [company.model_dump(mode="json") for company in page.value]}
    if page.next_cursor is not None:
        body["nextLink"] = call.link(per_page=str(query.per_page), cursor=page.next_cursor)
    return json_response(body)


@bp.function_name("tag_company")
@bp.route(route="companies/{id}/tags", methods=["POST"])
@action
def tag_company(call: Call) -> func.HttpResponse:
    company_id = call.id("id")
    return json_response(companies.tag_company(call.client, company_id, call.body(TagByName), call.deadline))
