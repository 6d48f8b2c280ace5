"""The `topics` filter of the intercom-notification trigger (interface §9): comma-separated patterns where `*` matches
any run of characters (`conversation.*` matches `conversation.admin.replied`, not `conversation_part.tag.created`);
absent or empty: every topic. A query parameter of its polling trigger and a field of its webhook subscriptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.errors import BadRequest

TOPICS_FIELD = "topics"
MAX_PATTERNS = 50
_PATTERN = re.compile(r"^[A-Za-z0-9_.*-]{1,100}$")


@dataclass(frozen=True)
class TopicFilter:
    """The patterns, as given (normalized: stripped, comma-joined in `text`)."""

    patterns: tuple[str, ...]

    @property
    def text(self) -> str:
        return ",".join(self.patterns)

    def matches(self, topic: Any) -> bool:
        return isinstance(topic, str) and any(_regex(pattern).fullmatch(topic) for pattern in self.patterns)


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def parse_topics(raw: Any, field: str = TOPICS_FIELD) -> TopicFilter | None:
    """The filter `raw` names (None: every topic); a 400 naming `field` for anything else than such a list."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise BadRequest.field(field, "must be a string of comma-separated topics, e.g. conversation.*,ticket.created")
    patterns = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not patterns:
        return None
    if len(patterns) > MAX_PATTERNS:
        raise BadRequest.field(field, f"at most {MAX_PATTERNS} topics")
    for pattern in patterns:
        if not _PATTERN.match(pattern):
            raise BadRequest.field(field, f"{pattern[:100]!r} is no topic: letters, digits, '.', '_', '-' and '*'")
    return TopicFilter(patterns)
