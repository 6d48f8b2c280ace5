"""Reading the Bicep files without a Bicep compiler: pycep-parser (a Lark grammar of Bicep) turns each file into
JSON; these helpers walk it. pycep does not type-check, resolve symbols or know Azure's resource schemas: the tests
check structure and wiring, and say so in docs/deploy.md ("What CI checks of infra/")."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from pycep import BicepParser

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
MAIN = INFRA / "main.bicep"
BICEP_FILES = tuple(sorted(INFRA.rglob("*.bicep")))


@functools.cache
def _parser() -> BicepParser:
    return BicepParser(cache=False)


@functools.cache
def parse(path: Path) -> dict[str, Any]:
    """The pycep JSON of one file (keys: globals, parameters, variables, resources, modules, outputs)."""
    document = _parser().parse(file_path=path)
    return cast(dict[str, Any], document)


def text(path: Path) -> str:
    return path.read_text()


def module_path(module: dict[str, Any], base: Path = MAIN) -> Path:
    return (base.parent / str(module["detail"]["path"])).resolve()


def modules(path: Path = MAIN) -> dict[str, dict[str, Any]]:
    return dict(parse(path).get("modules", {}))


def walk(node: Any) -> Iterator[Any]:
    """Every node below `node` (itself first)."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def accessor(node: Any) -> list[str] | None:
    """`a.b.c` (pycep's nested property_accessor) as ['a', 'b', 'c']; None for anything else."""
    if isinstance(node, str):
        return [node]
    if not (isinstance(node, dict) and node.get("operator", {}).get("type") == "property_accessor"):
        return None
    operands = node["operator"]["operands"]
    head, tail = accessor(operands["operand_1"]), accessor(operands["operand_2"])
    if head is None or tail is None:
        return None
    return head + tail


def resources(path: Path) -> dict[str, dict[str, Any]]:
    return dict(parse(path).get("resources", {}))


def resources_of_type(path: Path, kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in resources(path).items() if res["type"] == kind}


def body(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource's object, under its loop (`for`) or condition (`if`) when it has one."""
    config: dict[str, Any] = resource["config"]
    while "config" in config and ("loop_type" in config or "condition" in config):
        config = config["config"]
    return config


def variable(path: Path, name: str) -> Any:
    return parse(path)["variables"][name]["value"]


def declared_symbols(path: Path) -> set[str]:
    """Parameters, variables, resources (and their nested children), modules, outputs, loop and lambda
    variables of one file."""
    document = parse(path)
    symbols: set[str] = set()
    for section in ("parameters", "variables", "modules", "outputs"):
        symbols |= set(document.get(section, {}))
    for name in document.get("resources", {}):
        symbols |= set(name.split("__"))
    for node in walk(document):
        if isinstance(node, dict):
            if node.get("type") == "lambda_expression":
                symbols |= {v for k, v in node["detail"].items() if k.startswith("var_")}
            detail = node.get("detail")
            if node.get("type") == "array" and isinstance(detail, dict) and "item_name" in detail:
                symbols.add(detail["item_name"])
    return symbols


_INTERPOLATION = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)")


def interpolated_names(path: Path) -> set[str]:
    """The first identifier of every `${...}` in the file's text."""
    return set(_INTERPOLATION.findall(text(path)))


def decorator(spec: dict[str, Any], kind: str) -> Any:
    for item in spec.get("decorators", []):
        if item["type"] == kind:
            return item["argument"]
    return None
