"""Edge cases found in review: odd answers from Intercom that must neither stop a trigger nor make it miss events."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from pydantic import SecretStr

from intercom_sim import Simulator
from shared.intercom.client import IntercomClient
from shared.intercom.deadline import Deadline
from shared.intercom.errors import IntercomForbidden
from shared.settings import Settings
from shared.triggers.bodies import MAX_TEXT_CHARS
from shared.triggers.markers import Markers
from shared.triggers.poll import prune_trigger
from tests.triggers.support import Harness

DAY = 86_400


class MeSays(IntercomClient):
    """GET /me answers with this workspace timezone; everything else goes to the simulator."""

    def __init__(self, base: IntercomClient, timezone: Any) -> None:
        super().__init__(base.connection, base.limiter)
        self.timezone = timezone

    def get(self, path: str, *, params: dict[str, Any] | None = None, deadline: Deadline) -> Any:
        if path == "/me":
            return {"type": "admin", "app": {"type": "app", "timezone": self.timezone}}
        return super().get(path, params=params, deadline=deadline)


def test_a_timezone_name_the_zone_database_cannot_open_falls_back_to_the_safe_bound(
    sim: Simulator, storage_conn: str
) -> None:
    """The name "America" is a directory of the zone database and a 300-character name is too long for a file name:
    ZoneInfo raises OSError for both, not ZoneInfoNotFoundError. The poll must treat them as unknown zones."""
    for name in ("America", "x" * 300):
        h = Harness(sim, storage_conn)
        odd = MeSays(h.client, name)
        h.poll("user-updated", client=odd)
        user = sim.add_contact("user", email=f"tz-{len(name)}@example.com", index=False)
        outcome = h.poll("user-updated", client=odd)
        assert outcome.status == "ok"
        assert f"{user['id']}:{user['updated_at']}" in h.keys("user-updated")
        checkpoint = h.log("user-updated").checkpoint()
        assert checkpoint is not None
        assert checkpoint.state["tz"] is None


def test_a_conversation_dated_in_the_future_does_not_hide_the_ones_after_it(sim: Simulator, storage_conn: str) -> None:
    """Intercom's create-conversation call takes a `created_at` (meant for importing history). One dated a week
    ahead (a migration in milliseconds or a wrong zone) must be logged, and must not drag the watermark into the
    future: the conversations created after it would fall below every later cutoff."""
    h = Harness(sim, storage_conn, lookback=30)
    h.poll("conversation-started")
    user = sim.add_contact("user", email="future@example.com", index=False)
    ahead = sim.add_conversation(user["id"], created_at=int(sim.now()) + 7 * 86_400, index=False)
    h.poll("conversation-started")
    now = sim.add_conversation(user["id"], index=False)
    h.poll("conversation-started")
    assert h.keys("conversation-started") == [ahead["id"], now["id"]]
    h.poll("conversation-started")
    assert h.keys("conversation-started") == [ahead["id"], now["id"]]


class CompaniesForbidden(IntercomClient):
    """A token that may not read companies: GET /companies/{id} is 403 (the search itself works)."""

    def get(self, path: str, *, params: dict[str, Any] | None = None, deadline: Deadline) -> Any:
        if path.startswith("/companies"):
            raise IntercomForbidden("Intercom answered 403 to GET /companies/{id}")
        return super().get(path, params=params, deadline=deadline)


def test_names_intercom_refuses_for_good_do_not_stall_the_trigger(sim: Simulator, storage_conn: str) -> None:
    """A 403 on company names is not going away: holding the event back (as for a 5xx) would stop the trigger
    for good, and every newer event with it. The event is logged without the name instead."""
    h = Harness(sim, storage_conn, lookback=30)
    refused = CompaniesForbidden(h.client.connection, h.client.limiter)
    h.poll("user-created", client=refused)
    company = sim.add_company("Acme", company_id="acme-403")
    now = int(sim.now())
    with_company = sim.add_contact("user", email="c403@example.com", index=False, created_at=now)
    sim.attach_company(with_company["id"], company["id"])
    later = sim.add_contact("user", email="after403@example.com", index=False, created_at=now + 1)
    time.sleep(0.05)
    outcome = h.poll("user-created", client=refused)
    assert outcome.status == "ok"
    events = h.events("user-created")
    assert [e.object_id for e in events] == [with_company["id"], later["id"]]
    assert events[0].body["companies"] == {"companies": [{"id": company["id"], "name": None}]}


def test_a_user_created_in_the_window_takes_its_lead_marker_with_it(sim: Simulator, storage_conn: str) -> None:
    """A lead that a poll cut short saw (marker), converted before the window moved past its `created_at`: its
    user-created event fires as a user created in the window. The marker must go with it: the key row (time:
    the old `created_at`) is pruned 91 days after that, the marker only 90 days after the lead was last seen, so a
    marker left behind would make the user's next update fire user-created again."""
    h = Harness(sim, storage_conn, lookback=30, trigger_start=timedelta(days=100))
    now = int(sim.now())
    lead = sim.add_contact("lead", email="slow@example.com", created_at=now - 95 * DAY, updated_at=now - 2 * DAY)
    Markers(storage_conn, h.name, "user-created").mark({lead["id"]: lead["updated_at"]})  # as a poll cut short left it
    sim.update_contact(lead["id"], role="user", at=now - 60)
    h.poll("user-created")
    assert h.keys("user-created") == [lead["id"]]
    assert Markers(storage_conn, h.name, "user-created").marked([lead["id"]]) == set()
    settings = Settings(
        connections={h.name: h.client.connection},
        storage_connection_string=SecretStr(storage_conn),
        poll_lookback_seconds=30,
    )
    prune_trigger(settings, h.name, "user-created")
    time.sleep(1.05)
    sim.update_contact(lead["id"], name="active again")
    h.poll("user-created")
    assert h.keys("user-created") == [lead["id"]]


def test_a_long_conversation_in_a_non_latin_script_is_logged(sim: Simulator, storage_conn: str) -> None:
    """The log stores bodies as ASCII JSON: a character outside ASCII takes 6 (`\\uXXXX`), an emoji 12. A body cut
    to 200,000 characters could still be 1.2 M characters stored, too large for the log: the commit raised, every
    poll again, and the trigger stalled for good behind that conversation."""
    h = Harness(sim, storage_conn, lookback=30)
    h.poll("conversation-started")
    user = sim.add_contact("user", email="long@example.com", index=False)
    letter = sim.add_conversation(user["id"], body="<p>" + "日本語のメール" * 20_000 + "</p>", index=False)
    after = sim.add_conversation(user["id"], body="<p>short</p>", index=False)
    outcome = h.poll("conversation-started")
    assert outcome.status == "ok"
    events = h.events("conversation-started")
    assert [e.object_id for e in events] == [letter["id"], after["id"]]
    text = events[0].body["conversation_message"]["body"]
    assert text.startswith("<p>日本語のメール")
    assert len(text) == MAX_TEXT_CHARS // 6 + 2  # 6 characters each in the log; "<p>" takes 3
