"""The trigger registry is whole: every rule and body it names has its code, names and tables are unique, flags agree,
and no topic feeds one trigger twice (what a module-level assert used to check at import)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from connector.shapes import BATCHES
from shared.notifications.topics import ROUTES
from shared.storage import table_name
from shared.triggers.bodies import BUILDERS
from shared.triggers.registry import TRIGGERS, Body, Rule, of_interface, trigger
from shared.triggers.rules import RULES


def test_every_rule_and_body_has_its_code_and_its_connector_shape() -> None:
    assert set(RULES) == set(Rule)
    assert set(BUILDERS) == set(Body)
    assert set(BATCHES) == set(Body)


def test_names_tables_timers_and_operations_are_unique_and_valid() -> None:
    entries = list(TRIGGERS.values())
    for attribute in ("name", "table", "timer", "operation_id", "summary"):
        values = [getattr(t, attribute) for t in entries]
        assert len(set(values)) == len(values), attribute
    for t in entries:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", t.name), t.name
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]{2,62}", table_name(t.table, "someconnection")), t.table
        assert t.summary.startswith("When "), t.name
        assert t.description.endswith("."), t.name


def test_flags_agree() -> None:
    for t in TRIGGERS.values():
        assert not t.keys_forever or t.identity_keys, t.name
        assert not t.markers or t.identity_keys, t.name  # a marker's event may lie behind the window


def test_each_topic_feeds_a_trigger_once_and_every_trigger_is_fed() -> None:
    for topic, routes in ROUTES.items():
        fed = [route.trigger for route in routes]
        assert len(set(fed)) == len(fed), topic
    assert {route.trigger for routes in ROUTES.values() for route in routes} == set(TRIGGERS)


def test_lookups() -> None:
    assert trigger("user-updated") is TRIGGERS["user-updated"]
    assert TRIGGERS["lead-email-added"].table == "IcLeadEmailAdded"
    assert TRIGGERS["user-updated"].timer == "poll_user_updated"
    assert of_interface(4) == ("user-updated", "lead-created", "user-created", "conversation-started")
    with pytest.raises(ValueError, match="nope"):
        trigger("nope")


def test_the_registry_imports_only_the_standard_library() -> None:
    """The timers import it at a cold start (bench/cold_start.py)."""
    code = (
        "import sys; before = set(sys.modules); import shared.triggers.registry; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert [m for m in loaded if m.startswith(("shared.", "pydantic", "azure", "httpx"))] == [
        "shared.triggers",
        "shared.triggers.registry",
    ]
