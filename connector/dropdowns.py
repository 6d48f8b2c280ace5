"""Dropdowns in the flow designer (`x-ms-dynamic-values`) are declared on the inputs themselves: a body or query
field carries its dropdown in its type or its `json_schema_extra` (shared/models/designer.py, shared/actions/parsing.py
`OptionalAdminId`, `AssigneeId`, `CompanyId`, `TagName`), a route id in its operation's `ids`.

Here the generator keeps only the dropdowns it can honour: one whose list operation is not in the definition (or is
the operation itself) is taken out.
"""

from __future__ import annotations

from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
DYNAMIC_VALUES = "x-ms-dynamic-values"
DYNAMIC_PROPERTIES = "x-ms-dynamic-properties"  # an object's typed fields (custom attributes)
_ORDER = ("operationId", "value-collection", "value-path", "value-title", "parameters")


def keep_listed(paths: dict[str, dict[str, Any]], definitions: dict[str, dict[str, Any]]) -> None:
    """Take out (in place) every dropdown (or typed-fields hint) whose operation is not in `paths`, or is the
    input's own."""
    operations = [op for item in paths.values() for method, op in item.items() if method in METHODS]
    listed = {op["operationId"] for op in operations}
    for op in operations:
        for parameter in op["parameters"]:
            _check(parameter, listed - {op["operationId"]})
    for schema in definitions.values():
        for spec in schema.get("properties", {}).values():
            _check(spec, listed)


def _check(node: dict[str, Any], listed: set[str]) -> None:
    typed = node.get(DYNAMIC_PROPERTIES)
    if typed is not None and typed["operationId"] not in listed:
        del node[DYNAMIC_PROPERTIES]
    dropdown = node.get(DYNAMIC_VALUES)
    if dropdown is None:
        return
    if dropdown["operationId"] in listed:  # pydantic sorts a schema's keys; the definition reads best in this order
        node[DYNAMIC_VALUES] = {key: dropdown[key] for key in _ORDER if key in dropdown}
    else:
        del node[DYNAMIC_VALUES]
