"""The house's layering, read from the imports (ast): shared/ never imports the Azure edge or a dev-time package; the
app (function_app.py, functions/, shared/) never imports a dev-time package; shared's packages depend downward,
ground (settings, storage, errors, cursors) <- intercom <- models <- actions | triggers <- consumers <- notifications
<- operations, with actions and triggers apart; and no runtime import circle in shared/ or intercom_sim/.

Imports under `if TYPE_CHECKING:` are not run: the layer order and the circles ignore them (the forbidden packages
do not). Imports inside functions are run when the function is: they count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("function_app", "shared", "functions", "devserver", "intercom_sim", "connector", "bench", "tests")
APP = ("function_app", "functions", "shared")
DEV_TIME = ("devserver", "intercom_sim", "connector", "bench", "tests")  # left out of the deployed package
NOT_FROM_SHARED = ("azure.functions", "functions", "function_app", *DEV_TIME)
# shared/'s top-level modules and packages by layer: a module may import its own layer and those below.
LAYERS = {
    "settings": 0,
    "storage": 0,
    "errors": 0,
    "cursors": 0,
    "intercom": 1,
    "models": 2,
    "actions": 3,
    "triggers": 3,
    "consumers": 4,
    "notifications": 5,
    "operations": 6,
}
APART = {frozenset({"actions", "triggers"})}  # same layer, and neither imports the other


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (the repo's module when it is one; else as written)
    line: int
    type_checking: bool

    def where(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def modules(root: Path = REPO) -> dict[str, Path]:
    """Dotted name -> file of every module of the repo's packages (a package is its `__init__`)."""
    found: dict[str, Path] = {}
    for top in PACKAGES:
        single = root / f"{top}.py"
        if single.is_file():
            found[top] = single
        for path in sorted((root / top).rglob("*.py")) if (root / top).is_dir() else []:
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_in(name: str, source: str, known: Iterable[str], *, package: bool = False) -> list[Import]:
    """The imports of module `name` (`package`: it is a package's `__init__`), each resolved to a known module
    where it names one (`from shared.actions import tagging` -> `shared.actions.tagging`)."""
    known = set(known)
    base_package = name if package else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                visit(statement, True)
            for statement in node.orelse:
                visit(statement, type_checking)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(name, alias.name, node.lineno, type_checking) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            origin = node.module or ""
            if node.level:  # relative: `.` is the module's package, `..` its parent
                anchor = base_package.rsplit(".", node.level - 1)[0] if node.level > 1 else base_package
                origin = f"{anchor}.{origin}" if origin else anchor
            for alias in node.names:
                candidate = f"{origin}.{alias.name}"
                found.append(Import(name, candidate if candidate in known else origin, node.lineno, type_checking))
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking)

    visit(ast.parse(source), False)
    return found


def all_imports(found: Mapping[str, Path]) -> list[Import]:
    return [
        imported
        for name, path in found.items()
        for imported in imports_in(name, path.read_text(), found, package=path.name == "__init__.py")
    ]


def within(name: str, packages: Iterable[str]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def forbidden(imports: Iterable[Import], importers: Iterable[str], targets: Iterable[str]) -> list[str]:
    importers, targets = tuple(importers), tuple(targets)
    return [i.where() for i in imports if within(i.module, importers) and within(i.target, targets)]


def layer_of(module: str) -> str | None:
    """`shared.actions.tagging` -> `actions`; None outside shared/ (and for `shared` itself)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "shared" and len(parts) > 1 else None


def upward(imports: Iterable[Import]) -> list[str]:
    """Runtime imports between shared's packages against the layer order."""
    wrong = []
    for i in imports:
        source, target = layer_of(i.module), layer_of(i.target)
        if i.type_checking or source is None or target is None or source == target:
            continue
        if LAYERS[target] > LAYERS[source] or frozenset({source, target}) in APART:
            wrong.append(f"{i.where()} ({source} may not import {target})")
    return wrong


def circles(imports: Iterable[Import], packages: Iterable[str]) -> list[list[str]]:
    """The import circles (strongly connected components of more than one module, or a module importing itself)
    among the runtime imports between modules of `packages`."""
    packages = tuple(packages)
    graph: dict[str, set[str]] = {}
    for i in imports:
        if not i.type_checking and within(i.module, packages) and within(i.target, packages):
            graph.setdefault(i.module, set()).add(i.target)
            graph.setdefault(i.target, set())
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        order[node] = low[node] = len(order)
        stack.append(node)
        for following in sorted(graph[node]):
            if following not in order:
                connect(following)
                low[node] = min(low[node], low[following])
            elif following in stack:
                low[node] = min(low[node], order[following])
        if low[node] == order[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in order:
            connect(node)
    return found


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports(modules())


def test_every_top_level_part_of_shared_has_a_layer() -> None:
    parts = {path.stem if path.suffix else path.name for path in (REPO / "shared").iterdir()}
    parts -= {"__init__", "__pycache__"}
    assert parts - set(LAYERS) == set(), "give each new part of shared/ its layer in LAYERS (and in the README)"


def test_shared_imports_neither_the_azure_edge_nor_a_dev_time_package(imports: list[Import]) -> None:
    assert forbidden(imports, ["shared"], NOT_FROM_SHARED) == []


def test_the_app_imports_no_dev_time_package(imports: list[Import]) -> None:
    assert forbidden(imports, APP, DEV_TIME) == []


def test_shared_packages_depend_downward(imports: list[Import]) -> None:
    assert upward(imports) == []


@pytest.mark.parametrize("package", ["shared", "intercom_sim"])
def test_no_import_circle(imports: list[Import], package: str) -> None:
    assert circles(imports, [package]) == []


# -- the checks themselves notice what they look for ------------------------------------------------------------------

SAMPLE = {
    "shared.models.common": "from shared.actions import tagging\nfrom shared import errors\n",
    "shared.actions.tagging": (
        "from typing import TYPE_CHECKING\n"
        "import azure.functions as func\n"
        "from shared.triggers.rules import rule\n"
        "if TYPE_CHECKING:\n    from shared.consumers import feed\n"
        "def later():\n    from intercom_sim import Simulator\n"
    ),
    "shared.triggers.rules": "from . import bodies\nfrom ..models import common\n",
    "shared.triggers.bodies": "from shared.triggers.rules import rule\n",
}
SAMPLE_MODULES = [*SAMPLE, "shared", "shared.errors", "shared.actions", "shared.triggers", "shared.consumers.feed"]


def _sample() -> list[Import]:
    return [imported for name, text in SAMPLE.items() for imported in imports_in(name, text, SAMPLE_MODULES)]


def test_imports_are_resolved_and_type_checking_ones_marked() -> None:
    found = {(i.module, i.target): i.type_checking for i in _sample()}
    assert found[("shared.models.common", "shared.actions.tagging")] is False
    assert found[("shared.models.common", "shared.errors")] is False
    assert found[("shared.actions.tagging", "shared.consumers.feed")] is True
    assert found[("shared.actions.tagging", "intercom_sim")] is False  # inside a function: it runs
    assert found[("shared.triggers.rules", "shared.triggers.bodies")] is False  # relative imports
    assert found[("shared.triggers.rules", "shared.models.common")] is False


def test_the_checks_notice_violations() -> None:
    sample = _sample()
    assert forbidden(sample, ["shared"], NOT_FROM_SHARED) == [
        "shared.actions.tagging:2 imports azure.functions",
        "shared.actions.tagging:7 imports intercom_sim",
    ]
    assert upward(sample) == [
        "shared.models.common:1 imports shared.actions.tagging (models may not import actions)",
        "shared.actions.tagging:3 imports shared.triggers.rules (actions may not import triggers)",
    ]
    assert circles(sample, ["shared"]) == [
        ["shared.actions.tagging", "shared.models.common", "shared.triggers.bodies", "shared.triggers.rules"]
    ]
