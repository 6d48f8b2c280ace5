"""The README's trigger tables are the registry's (connector/readme.py writes them)."""

from __future__ import annotations

import pytest

from connector import readme
from connector.generate import README_FILE
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
