"""The notification worker against Azurite and the simulator: a notification's event is logged under the key a poll
gives it, once, whichever comes first; out-of-order, duplicate, stale and foreign notifications add nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intercom_sim import Simulator
from shared.intercom.workspaces import WorkspaceDirectory
from shared.notifications.topics import normalized
from shared.notifications.worker import process
from shared.triggers.eventlog import EventLog
from shared.triggers.topic_rules import unix_seconds
from tests.notifications.support import message, settings_for
from tests.triggers.support import Harness, read_all


@pytest.fixture
def h(sim: Simulator, storage_conn: str) -> Harness:
    harness = Harness(sim, storage_conn, lookback=30)
    harness.poll_all()  # every trigger starts now
    return harness


def keys(h: Harness, trigger: str) -> list[str]:
    return [e.key for e in read_all(EventLog(h.storage_conn, h.name, trigger))]


def test_a_notification_before_any_poll_starts_the_trigger_just_before_it(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn)
    settings = settings_for(sim, storage_conn, h.name)
    lead = sim.add_contact("lead", email="first@example.com", created_at=int(sim.now()) - 60)
    assert process(settings, message(h.name, "contact.lead.created", lead)) == {"lead-created": 1}
    checkpoint = EventLog(storage_conn, h.name, "lead-created").checkpoint()
    assert checkpoint is not None
    assert lead["created_at"] - 300 <= checkpoint.start <= lead["created_at"]


def test_a_user_created_notification_logs_user_created_and_user_updated(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    user = h.sim.add_contact("user", email="a@example.com", name="A")
    logged = process(settings, message(h.name, "contact.user.created", user))
    assert logged == {"user-created": 1, "user-updated": 1}
    assert keys(h, "user-created") == [user["id"]]
    assert keys(h, "user-updated") == [f"{user['id']}:{user['updated_at']}"]
    body = read_all(EventLog(h.storage_conn, h.name, "user-created"))[0].body
    assert (body["type"], body["email"]) == ("user", "a@example.com")


def test_the_same_notification_twice_and_a_later_poll_log_once(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    lead = h.sim.add_contact("lead", email="l@example.com", index=False)
    text = message(h.name, "contact.lead.created", lead)
    assert process(settings, text) == {"lead-created": 1}
    assert process(settings, text) == {"lead-created": 0}
    h.poll_all()
    assert keys(h, "lead-created") == [lead["id"]]


def test_a_notification_after_the_poll_logged_the_event_adds_nothing(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    conversation = h.sim.add_conversation(h.sim.add_contact("user", email="c@example.com")["id"], body="hi")
    h.sim.configure(index_delay=(0.0, 0.0))
    h.poll_all()
    assert keys(h, "conversation-started") == [conversation["id"]]
    assert process(settings, message(h.name, "conversation.user.created", conversation)) == {"conversation-started": 0}
    assert keys(h, "conversation-started") == [conversation["id"]]


def test_iso_timestamps_give_the_same_key_as_the_poll(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    user = h.sim.add_contact("user", email="iso@example.com", index=False)
    iso = dict(user)
    for name in ("created_at", "updated_at", "signed_up_at"):
        iso[name] = datetime.fromtimestamp(user[name], UTC).astimezone().isoformat()
    process(settings, message(h.name, "contact.user.updated", iso))
    h.poll_all()
    assert keys(h, "user-updated") == [f"{user['id']}:{user['updated_at']}"]
    event = read_all(EventLog(h.storage_conn, h.name, "user-updated"))[0]
    assert event.occurred_at == user["updated_at"]


def test_an_older_version_arriving_after_a_newer_one_is_not_logged(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    user = h.sim.add_contact("user", email="v@example.com")
    old = dict(user)
    new = h.sim.update_contact(user["id"], at=user["updated_at"] + 5, name="Newer")
    process(settings, message(h.name, "contact.user.updated", new))
    assert process(settings, message(h.name, "contact.user.updated", old)) == {"user-updated": 0}
    assert keys(h, "user-updated") == [f"{user['id']}:{new['updated_at']}"]


def test_a_lead_converted_before_any_poll_saw_it_fires_user_created(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    lead = h.sim.add_contact("lead", email="conv@example.com", created_at=int(h.sim.now()) - 86_400 * 30)
    user = h.sim.update_contact(lead["id"], role="user")
    assert process(settings, message(h.name, "contact.lead.signed_up", user))["user-created"] == 1
    h.poll_all()
    assert keys(h, "user-created") == [lead["id"]]


def test_an_event_from_before_the_trigger_started_is_not_logged(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    old = h.sim.add_contact("lead", email="old@example.com", created_at=int(h.sim.now()) - 600)
    assert process(settings, message(h.name, "contact.lead.created", old)) == {"lead-created": 0}
    assert keys(h, "lead-created") == []


def test_an_unverified_notification_from_another_workspace_is_dropped(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    lead = h.sim.add_contact("lead", email="f@example.com")
    text = message(h.name, "contact.lead.created", lead, verified=False, app_id="otherapp")
    assert process(settings, text) == {}
    assert keys(h, "lead-created") == []
    # ... and the worker learned the connection's real workspace for the intake.
    assert WorkspaceDirectory(h.storage_conn).known()[h.name] == "simapp01"
    verified_later = message(h.name, "contact.lead.created", lead, verified=False)
    assert process(settings, verified_later) == {"lead-created": 1}


def test_a_poll_rebases_on_webhook_appends_made_during_it(h: Harness) -> None:
    settings = settings_for(h.sim, h.storage_conn, h.name)
    h.sim.configure(index_delay=(0.0, 0.0))
    first = h.sim.add_contact("lead", email="r1@example.com")
    second = h.sim.add_contact("lead", email="r2@example.com")
    event_log = EventLog(h.storage_conn, h.name, "lead-created")
    original = event_log.commit

    def commit_after_a_webhook(*args: object, **kwargs: object) -> object:
        event_log.commit = original  # type: ignore[method-assign]
        process(settings, message(h.name, "contact.lead.created", second))  # lands between the poll's read and commit
        return original(*args, **kwargs)  # type: ignore[arg-type]

    event_log.commit = commit_after_a_webhook  # type: ignore[method-assign,assignment]
    outcome = h.poll("lead-created", event_log=event_log)
    assert (outcome.status, outcome.events) == ("ok", 1)
    assert sorted(keys(h, "lead-created")) == sorted([first["id"], second["id"]])
    checkpoint = event_log.checkpoint()
    assert checkpoint is not None
    assert checkpoint.watermark >= second["created_at"]


def test_timestamps_normalize_iso_and_keep_numbers() -> None:
    assert unix_seconds("2026-12-03T07:00:00Z") == 1_796_281_200
    assert unix_seconds("2026-12-03T12:45:00+05:45") == 1_796_281_200
    assert unix_seconds("2026-12-03T07:00:00") is None  # no offset: ambiguous
    assert unix_seconds(True) is None
    item = {"created_at": "2026-12-03T07:00:00Z", "statistics": {"last_close_at": "2026-12-03T07:00:00Z"}, "n": "x"}
    assert normalized(item) == {"created_at": 1_796_281_200, "statistics": {"last_close_at": 1_796_281_200}, "n": "x"}
