"""The README's trigger tables, written from shared/triggers/registry.py by `python -m connector.generate`.

Each table sits between two marker comments (`<!-- triggers:begin -->` ... `<!-- triggers:end -->`, the same with
`topics`); the text around them is the README's own. tests/connector/test_readme.py fails when they are stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from shared.triggers.registry import TRIGGERS, Trigger


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def trigger_table() -> str:
    """One row per trigger: its key, its body, what its poll alone sees and cannot see."""
    lines = [
        _row("trigger", "fires once for each (key)", "body", "the poll alone sees", "the poll alone cannot see"),
        "|---|---|---|---|---|",
    ]
    lines += [_row(f"`{t.name}`", t.key, t.body.value, t.poll_sees, t.poll_misses) for t in TRIGGERS.values()]
    return "\n".join(lines)


def topic_table() -> str:
    """One row per webhook topic: the triggers it feeds, each with its key."""
    feeds: dict[str, list[Trigger]] = {}
    for trigger in TRIGGERS.values():
        for webhook in trigger.webhooks:
            feeds.setdefault(webhook.topic, []).append(trigger)
    lines = [_row("Intercom topic", "feeds (key)"), "|---|---|"]
    lines += [_row(f"`{topic}`", "; ".join(f"`{t.name}`: {t.key}" for t in fed)) for topic, fed in feeds.items()]
    return "\n".join(lines)


TABLES: dict[str, Callable[[], str]] = {"triggers": trigger_table, "topics": topic_table}


def render(readme: str) -> str:
    """The README with each generated table replaced by its current text; ValueError when a marker is missing."""
    for name, table in TABLES.items():
        found = re.search(rf"(<!-- {name}:begin[^>]*-->\n).*?(<!-- {name}:end -->)", readme, re.DOTALL)
        if found is None:
            raise ValueError(f"README.md has no <!-- {name}:begin --> ... <!-- {name}:end --> markers")
        readme = readme[: found.end(1)] + table() + "\n" + readme[found.start(2) :]
    return readme
