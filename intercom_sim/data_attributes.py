"""`GET /data_attributes?model=contact|company[&include_archived=true]`: the standard attributes, the custom ones the
workspace defines (a few from the start, one archived, some with options), and those its contacts and companies use
without a definition (typed from their values)."""

from __future__ import annotations

from typing import Any

from intercom_sim.errors import ApiError

MODELS = ("contact", "company")
# (name, full_name, label, data_type, api_writable)
STANDARD: dict[str, tuple[tuple[str, str, str, str, bool], ...]] = {
    "contact": (
        ("id", "id", "ID", "string", False),
        ("role", "role", "Role", "string", True),
        ("name", "name", "Name", "string", True),
        ("email", "email", "Email", "string", True),
        ("phone", "phone", "Phone", "string", True),
        ("external_id", "external_id", "User ID", "string", True),
        ("owner_id", "owner_id", "Owner", "integer", True),
        ("unsubscribed_from_emails", "unsubscribed_from_emails", "Unsubscribed from emails", "boolean", True),
        ("created_at", "created_at", "Signed up", "date", False),
        ("updated_at", "updated_at", "Updated at", "date", False),
        ("signed_up_at", "signed_up_at", "Signed up at", "date", True),
        ("last_seen_at", "last_seen_at", "Last seen", "date", True),
        ("country", "location.country", "Country", "string", False),
    ),
    "company": (
        ("id", "id", "ID", "string", False),
        ("company_id", "company_id", "Company ID", "string", False),
        ("name", "name", "Company name", "string", True),
        ("created_at", "created_at", "Created at", "date", False),
        ("updated_at", "updated_at", "Updated at", "date", False),
        ("remote_created_at", "remote_created_at", "Company created at", "date", True),
        ("size", "size", "Company size", "integer", True),
        ("website", "website", "Company website", "string", True),
        ("industry", "industry", "Company industry", "string", True),
        ("monthly_spend", "monthly_spend", "Monthly Spend", "float", True),
        ("name", "plan.name", "Plan", "string", False),
        ("user_count", "user_count", "People", "integer", False),
    ),
}


def seeded_custom(created_at: int) -> list[dict[str, Any]]:
    """The custom attributes a fresh workspace defines."""
    rows = (
        ("contact", "plan_tier", "string", ["free", "pro", "enterprise"], False),
        ("contact", "trial_ends_at", "date", None, False),
        ("contact", "seats", "integer", None, False),
        ("contact", "beta_tester", "boolean", None, False),
        ("contact", "legacy_score", "float", None, True),
        ("company", "tier", "string", ["gold", "silver", "bronze"], False),
        ("company", "renewal_at", "date", None, False),
        ("company", "old_region", "string", None, True),
    )
    return [
        new_attribute(model, name, data_type, created_at, options=options, archived=archived, attr_id=40 + i)
        for i, (model, name, data_type, options, archived) in enumerate(rows)
    ]


def new_attribute(
    model: str,
    name: str,
    data_type: str,
    created_at: int,
    *,
    options: list[str] | None = None,
    archived: bool = False,
    attr_id: int,
    label: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    if model not in MODELS:
        raise ApiError(400, "parameter_invalid", "model must be contact or company")
    if data_type not in ("string", "integer", "float", "boolean", "date"):
        raise ApiError(400, "parameter_invalid", "data_type must be string, integer, float, boolean or date")
    attribute: dict[str, Any] = {
        "type": "data_attribute",
        "id": attr_id,
        "model": model,
        "name": name,
        "full_name": f"custom_attributes.{name}",
        "label": label or name.replace("_", " ").capitalize(),
        "description": description or "",
        "data_type": data_type,
        "api_writable": True,
        "ui_writable": True,
        "messenger_writable": False,
        "custom": True,
        "archived": archived,
        "created_at": created_at,
        "updated_at": created_at,
        "admin_id": "991267001",
    }
    if options:
        attribute["options"] = list(options)
    return attribute


def infer_type(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "date" if name.endswith("_at") else "integer"
    if isinstance(value, float):
        return "float"
    return "string"


def standard_attribute(model: str, row: tuple[str, str, str, str, bool]) -> dict[str, Any]:
    name, full_name, label, data_type, writable = row
    return {
        "type": "data_attribute",
        "model": model,
        "name": name,
        "full_name": full_name,
        "label": label,
        "description": label,
        "data_type": data_type,
        "api_writable": writable,
        "ui_writable": writable,
        "messenger_writable": False,
        "custom": False,
        "archived": False,
    }


def data_attribute_list(
    custom: list[dict[str, Any]], used: dict[str, dict[str, Any]], query: dict[str, list[str]], created_at: int
) -> dict[str, Any]:
    """The answer of `GET /data_attributes`; `used` maps each model to the custom attribute values in use."""
    model = query.get("model", [None])[0]
    if model == "conversation":
        raise ApiError(
            422,
            "parameter_invalid",
            "model=conversation is no longer supported. Use GET /conversations/attributes instead",
        )
    if model is not None and model not in MODELS:
        raise ApiError(400, "parameter_invalid", "model must be contact or company")
    archived = query.get("include_archived", ["false"])[0].lower() == "true"
    data: list[dict[str, Any]] = []
    for m in [model] if model else list(MODELS):
        data += [standard_attribute(m, row) for row in STANDARD[m]]
        defined = [a for a in custom if a["model"] == m]
        names = {a["name"] for a in defined}
        next_id = 1000 + len(custom)
        for name, value in used.get(m, {}).items():
            if name not in names:  # used without a definition: typed from a value
                defined.append(new_attribute(m, name, infer_type(name, value), created_at, attr_id=next_id))
                names.add(name)
                next_id += 1
        data += [dict(a) for a in defined if archived or not a["archived"]]
    return {"type": "list", "data": data}


def custom_type(custom: list[dict[str, Any]], model: str, name: str) -> str | None:
    """The search type of a defined custom attribute (`float` searches as an integer), None if undefined."""
    for attribute in custom:
        if attribute["model"] == model and attribute["name"] == name:
            kind = str(attribute["data_type"])
            return None if kind == "float" else kind  # a float compares as a number, untyped
    return None
