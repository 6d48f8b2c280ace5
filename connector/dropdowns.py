"""Dropdowns in the flow designer (`x-ms-dynamic-values`), given by input name, so every action that takes such an
input gets its dropdown without saying so:

- `admin_id`, `assignee_id`: the admins (List admins; a team id can still be typed in);
- `company_id`: the companies (List companies), where it is an Intercom company id; `YOUR_IDS` lists the inputs
  where `company_id` is your own id of a company instead, which get none;
- `tag_id`: the tags by id, and `name` of a tag action's body (a body model whose name has `Tag` in it): the tags
  by name (List tags).

Each applies to path and query parameters and to the properties of request bodies. A dropdown whose list operation
is not in the definition is not added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Dropdown:
    operation_id: str
    value_path: str
    value_title: str
    parameters: tuple[tuple[str, Any], ...] = ()

    def extension(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "operationId": self.operation_id,
            "value-collection": "value",
            "value-path": self.value_path,
            "value-title": self.value_title,
        }
        if self.parameters:
            out["parameters"] = dict(self.parameters)
        return out


ADMINS = Dropdown("ListAdmins", "id", "name")
COMPANIES = Dropdown("ListCompanies", "id", "name", (("per_page", 150),))
TAGS = Dropdown("ListTags", "name", "name")
TAG_IDS = Dropdown("ListTags", "id", "name")
BY_NAME: dict[str, Dropdown] = {
    "admin_id": ADMINS,
    "assignee_id": ADMINS,
    "company_id": COMPANIES,
    "tag_id": TAG_IDS,
}
# "<body model or operationId>.<input>": a `company_id` that is your id of a company, not Intercom's.
YOUR_IDS = frozenset({"UpsertCompany.company_id", "ListCompanies.company_id"})


def _dropdown(owner: str, name: str) -> Dropdown | None:
    if f"{owner}.{name}" in YOUR_IDS:
        return None
    if name == "name" and "Tag" in owner:
        return TAGS
    return BY_NAME.get(name)


def add_dropdowns(paths: dict[str, dict[str, Any]], definitions: dict[str, dict[str, Any]]) -> None:
    """Add `x-ms-dynamic-values` to every input that has a dropdown (in place)."""
    operations = [op for item in paths.values() for method, op in item.items() if method in METHODS]
    listed = {op["operationId"] for op in operations}
    bodies: set[str] = set()
    for op in operations:
        for parameter in op["parameters"]:
            if parameter.get("in") == "body":
                bodies.add(parameter["schema"]["$ref"].rsplit("/", 1)[1])
            elif "name" in parameter:
                _apply(parameter, _dropdown(op["operationId"], parameter["name"]), listed, op["operationId"])
    for model in sorted(bodies):
        for name, spec in definitions[model].get("properties", {}).items():
            _apply(spec, _dropdown(model, name), listed, None)


def _apply(node: dict[str, Any], dropdown: Dropdown | None, listed: set[str], own: str | None) -> None:
    if dropdown is not None and dropdown.operation_id in listed and dropdown.operation_id != own:
        node["x-ms-dynamic-values"] = dropdown.extension()
