""".funcignore: the package `azd deploy` uploads leaves out the development tree, and keeps all the app imports."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.bicep import REPO

FUNCIGNORE = REPO / ".funcignore"


def _patterns() -> list[str]:
    lines = (line.strip() for line in FUNCIGNORE.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def ignored(relative: str) -> bool:
    """Whether a path (relative, `/`-separated) matches .funcignore (the gitignore rules the file uses: `dir/`,
    names and globs matched against every path component, globs with a `/` against the whole path)."""
    parts = relative.split("/")
    for pattern in _patterns():
        if pattern.endswith("/"):
            if any(fnmatch.fnmatch(part, pattern.rstrip("/")) for part in parts[:-1]):
                return True
        elif "/" in pattern.strip("/"):
            if fnmatch.fnmatch(relative, pattern.strip("/")):
                return True
        elif any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
    return False


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_settings.py",
        "devserver/host.py",
        "bench/throttle.py",
        "node_modules/azurite/package.json",
        ".venv/bin/python",
        "infra/main.bicep",
        "connector/generate.py",
        "docs/deploy.md",
        "intercom_sim/server.py",
        "vendor/intercom-openapi/api.intercom.io.yaml",
        "vendor/powerplatform-schemas/LICENSE",
        "local.settings.json",
        "requirements-dev.txt",
        "shared/__pycache__/models.cpython-311.pyc",
    ],
)
def test_development_files_are_left_out(path: str) -> None:
    assert ignored(path)


@pytest.mark.parametrize("path", ["function_app.py", "host.json", "requirements.txt", "shared/models/common.py"])
def test_app_files_are_kept(path: str) -> None:
    assert not ignored(path)


def test_nothing_the_app_imports_is_left_out() -> None:
    """Import function_app in a fresh interpreter (as the Functions host does) and list the repo files it loaded."""
    script = (
        "import json, sys, function_app\n"
        "print(json.dumps([getattr(m, '__file__', None) for m in list(sys.modules.values())]))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    imported = []
    for path in json.loads(done.stdout.splitlines()[-1]):
        if not path:
            continue
        try:
            relative = Path(path).resolve().relative_to(REPO).as_posix()
        except ValueError:
            continue
        if not relative.startswith(".venv/"):
            imported.append(relative)
    assert "function_app.py" in imported
    assert any(p.startswith("shared/") for p in imported)
    left_out = [p for p in imported if ignored(p)]
    assert not left_out, f".funcignore leaves out modules the app imports: {left_out}"
