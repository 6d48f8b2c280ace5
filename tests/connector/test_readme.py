"""The README's trigger tables are the registry's (connector/readme.py writes them), and every action of the
definition has an example call in the README (tests/actions/test_readme_examples.py runs those of §2 and §7)."""

from __future__ import annotations

import json
import re

import pytest

from connector import readme
from connector.generate import DEFINITION_FILE, README_FILE
from shared.triggers.registry import TRIGGERS


def test_the_readme_tables_are_current() -> None:
    text = README_FILE.read_text()
    assert readme.render(text) == text, "README.md's trigger tables are stale: run python -m connector.generate"


def test_every_trigger_and_topic_has_its_row() -> None:
    text = README_FILE.read_text()
    for trigger in TRIGGERS.values():
        assert f"| `{trigger.name}` | {trigger.key} |" in text
        for webhook in trigger.webhooks:
            assert f"| `{webhook.topic}` |" in text


def test_a_stale_table_is_rewritten_and_missing_markers_are_an_error() -> None:
    stale = (
        "intro\n<!-- triggers:begin (x) -->\n| old |\n<!-- triggers:end -->\n"
        "<!-- topics:begin -->\n<!-- topics:end -->\n"
    )
    rendered = readme.render(stale)
    assert "| old |" not in rendered
    assert rendered.startswith("intro\n<!-- triggers:begin (x) -->\n| trigger |")
    assert rendered.count("| `user-updated` |") == 1
    with pytest.raises(ValueError, match="topics:begin"):
        readme.render("<!-- triggers:begin -->\n<!-- triggers:end -->\n")


def _calls(text: str) -> list[tuple[str, str]]:
    """(method, path after /api) of each curl line of the README."""
    calls = []
    for line in text.splitlines():
        url = re.search(r"(?:\$API|https?://[^/ ]+/api)(/[^ '\"?]*)", line)
        if line.lstrip().startswith("curl ") and url:
            method = re.search(r" -X ?([A-Z]+)", line)
            calls.append((method.group(1).lower() if method else "get", url.group(1)))
    return calls


def test_every_action_has_an_example() -> None:
    """Interface §10's "done when": the README lists every action with an example (internal operations, the
    designer's, and the triggers aside)."""
    calls = _calls(README_FILE.read_text())
    document = json.loads(DEFINITION_FILE.read_text())
    missing = []
    for route, item in document["paths"].items():
        pattern = re.compile(
            "^" + "/".join("[^/]+" if p.startswith("{") else re.escape(p) for p in route.split("/")) + "$"
        )
        for method, op in item.items():
            if not isinstance(op, dict) or op.get("x-ms-visibility") == "internal" or "x-ms-trigger" in op:
                continue
            if not any(m == method and pattern.match(p) for m, p in calls):
                missing.append(f"{op['summary']}: {method.upper()} /api{route}")
    assert missing == [], "no curl example in README.md"
