"""`python -m connector.generate`: write the custom connector's definition from the code.

    python -m connector.generate           write connector/apiDefinition.swagger.json and apiProperties.json, and the
                                           README's trigger tables (connector/readme.py)
    python -m connector.generate --check   exit 1 (naming the stale file) when they differ from the code
    python -m connector.generate --host func-abc.azurewebsites.net --out DIR
                                           write both files into DIR with your app's host (to import them)

The paths and methods come from the routes `function_app.app` registers (connector/routes.py), each HTTP
function's operations from its entry in connector/operations.py, the schemas from the pydantic models.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector import operations, parts, readme
from connector.dropdowns import keep_listed
from connector.routes import AppFunctions, HttpRoute, normalize
from connector.shapes import Error
from connector.swagger import Definitions
from shared.errors import ConnectorError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFINITION_FILE = HERE / "apiDefinition.swagger.json"
PROPERTIES_FILE = HERE / "apiProperties.json"
README_FILE = REPO / "README.md"
HOST_PLACEHOLDER = "your-app.azurewebsites.net"
API_KEY_HEADER = "x-functions-key"
BRAND_COLOR = "#1F8DED"
_METHOD_ORDER = ("get", "post", "put", "patch", "delete")
_SCHEMA_ORDER = ("type", "format", "enum", "default", "description", "x-ms-summary", "x-ms-visibility", "x-nullable")


class GeneratorError(Exception):
    """The app and connector/operations.py disagree; the message says what to change."""


@dataclass(frozen=True)
class Resolved:
    routes: tuple[tuple[HttpRoute, parts.Entry], ...]  # every entry with its route
    warnings: tuple[str, ...]


def resolve(app: AppFunctions, table: dict[str, parts.Entry] | None = None) -> Resolved:
    """Pair each HTTP function of the app with its entry; an entry the app does not register yet keeps its
    declared route (with a warning), so the definition describes the routes the contract promises."""
    table = operations.OPERATIONS if table is None else table
    pairs: list[tuple[HttpRoute, parts.Entry]] = []
    for route in app.http:
        entry = table.get(route.function)
        if entry is None:
            raise GeneratorError(
                f"HTTP function {route.function} ({'/'.join(route.methods)} /{route.route}) has no entry in "
                "connector/operations.py OPERATIONS: add its operations, or the reason it is left out"
            )
        declared = (normalize(entry.route), tuple(sorted(entry.methods)))
        if declared != (route.route, route.methods):
            raise GeneratorError(
                f"HTTP function {route.function}: the app registers {'/'.join(route.methods)} /{route.route}, "
                f"connector/operations.py declares {'/'.join(declared[1])} /{declared[0]}"
            )
        if entry.build is not None and route.auth_level != "function":
            raise GeneratorError(
                f"HTTP function {route.function}: auth level {route.auth_level!r}; the connector's operations "
                "authenticate with a function key (auth level 'function')"
            )
        pairs.append((route, entry))
    warnings = []
    for name, entry in table.items():
        if app.find(name) is None and name not in app.other:
            route = HttpRoute(name, normalize(entry.route), tuple(sorted(entry.methods)), "function")
            pairs.append((route, entry))
            warnings.append(f"{name} is not registered by function_app yet: described from its declared route")
    return Resolved(tuple(pairs), tuple(warnings))


def _route_prefix() -> str:
    host = json.loads((REPO / "host.json").read_text())
    prefix = host.get("extensions", {}).get("http", {}).get("routePrefix", "api")
    return "/" + str(prefix).strip("/")


def _version() -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    return str(project["project"]["version"])


def _error_codes() -> list[str]:
    """The `code` of every error the app's own modules define (shared/, functions/)."""
    import function_app  # noqa: F401 (loads every module whose errors the app can answer)

    codes: set[str] = set()
    pending: list[type[ConnectorError]] = [ConnectorError]
    while pending:
        cls = pending.pop()
        if cls.__module__.split(".")[0] in ("shared", "functions"):
            codes.add(cls.code)
        pending += cls.__subclasses__()
    return sorted(codes)


def _tidy(schema: Any) -> Any:
    """A schema object's keys in a fixed, readable order (recursively): what it is first, its parts last."""
    if not isinstance(schema, dict):
        return schema
    rank = {key: i for i, key in enumerate(_SCHEMA_ORDER)}
    last = ("properties", "items", "required")
    keys = sorted(schema, key=lambda k: (k in last, last.index(k) if k in last else rank.get(k, len(rank)), k))
    out = {key: schema[key] for key in keys}
    if "properties" in out:
        out["properties"] = {name: _tidy(prop) for name, prop in out["properties"].items()}
    if "items" in out:
        out["items"] = _tidy(out["items"])
    return out


def definition(app: AppFunctions) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The OpenAPI 2.0 document and the generator's warnings."""
    resolved = resolve(app)
    defs = Definitions()
    paths: dict[str, dict[str, Any]] = {}
    for route, entry in resolved.routes:
        if entry.build is None:
            continue
        for path, methods in entry.build(route, defs).items():
            for method, operation in methods.items():
                if method in paths.setdefault(path, {}):
                    raise GeneratorError(f"{method.upper()} {path} is described twice")
                paths[path][method] = operation
    defs.add_model(Error, mode="serialization")
    defs.require_display_names()
    schemas = defs.as_dict()
    keep_listed(paths, schemas)
    schemas["ErrorInfo"]["properties"]["code"]["description"] = "One of: " + ", ".join(_error_codes())
    document: dict[str, Any] = {
        "swagger": "2.0",
        "info": {
            "title": "Intercom (Azure Functions)",
            "description": "Intercom connector hosted in your own Azure Function App: users, leads, companies, "
            "conversations (send, reply, close, snooze, assign, tag), notes, events, admins and tags, and triggers "
            "for new and updated users, new leads and new conversations.",
            "version": _version(),
        },
        "host": HOST_PLACEHOLDER,
        "basePath": _route_prefix(),
        "schemes": ["https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": {path: {m: paths[path][m] for m in _METHOD_ORDER if m in paths[path]} for path in sorted(paths)},
        "definitions": {name: _tidy(schema) for name, schema in schemas.items()},
        "parameters": {parts.CONNECTION_PARAMETER: parts.connection_parameter()},
        "responses": {},
        "securityDefinitions": {"api_key": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}},
        "security": [{"api_key": []}],
        "tags": [],
        "x-ms-connector-metadata": [
            {"propertyName": "Website", "propertyValue": "https://www.intercom.com/"},
            {
                "propertyName": "Privacy policy",
                "propertyValue": "https://www.intercom.com/legal/terms-and-policies#privacy",
            },
            {"propertyName": "Categories", "propertyValue": "Communication;Sales and CRM"},
        ],
        "x-ms-capabilities": {"testConnection": {"operationId": "ListLeads", "parameters": {"per_page": 1}}},
    }
    return document, resolved.warnings


def properties() -> dict[str, Any]:
    """apiProperties.json: the connection asks for the Function App's function key."""
    return {
        "properties": {
            "connectionParameters": {
                "api_key": {
                    "type": "securestring",
                    "uiDefinition": {
                        "displayName": "Function key",
                        "description": "A function key of the Function App (sent as x-functions-key)",
                        "tooltip": "az functionapp keys list -g <resource group> -n <app> --query functionKeys.default",
                        "constraints": {"tabIndex": 2, "clearText": False, "required": "true"},
                    },
                }
            },
            "iconBrandColor": BRAND_COLOR,
            "capabilities": [],
            "policyTemplateInstances": [],
        }
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generate(app: AppFunctions | None = None, host: str | None = None) -> tuple[dict[Path, str], tuple[str, ...]]:
    """The files' contents (path -> text) and the warnings; `app` defaults to function_app's routes, `host` to the
    placeholder."""
    if app is None:
        from connector.routes import load

        app = load()
    document, warnings = definition(app)
    if host:
        document["host"] = host
    return {DEFINITION_FILE: render(document), PROPERTIES_FILE: render(properties())}, warnings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connector.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed files are stale")
    parser.add_argument("--host", help="the Function App's host name, instead of the placeholder (needs --out)")
    parser.add_argument("--out", type=Path, help="write the files into this folder instead of connector/")
    args = parser.parse_args(argv)
    if args.host and not args.out:
        parser.error("--host writes a copy for one app: give --out DIR (the committed files keep the placeholder)")
    if args.host and not re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", args.host):
        parser.error("--host is a host name such as func-abc.azurewebsites.net (no scheme, no path)")
    try:
        files, warnings = generate(host=args.host)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        files = {args.out / path.name: text for path, text in files.items()}
    else:
        files[README_FILE] = readme.render(README_FILE.read_text())
    stale = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"stale: {_shown(path)} (run python -m connector.generate)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(files[path])
        print(f"wrote {_shown(path)}")
    return 0


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


if __name__ == "__main__":
    sys.exit(main())
