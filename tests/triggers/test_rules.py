"""The comparing rules one case at a time (no lag, no faults): markers that two triggers need, what never fires,
and keys that name an object for good."""

from __future__ import annotations

import time

from intercom_sim import Simulator
from tests.triggers.scenario import SIX
from tests.triggers.support import Harness


def test_a_conversion_fires_user_created_and_lead_converted_whichever_polls_first(
    sim: Simulator, storage_conn: str
) -> None:
    h = Harness(sim, storage_conn, triggers=("user-created", "lead-converted"))
    h.poll_all()
    time.sleep(1.1)  # after the triggers' start
    first = sim.add_contact("lead", name="First", index=False)
    second = sim.add_contact("lead", name="Second", index=False)
    h.poll_all()  # both seen as leads by both triggers
    sim.update_contact(first["id"], role="user")
    sim.update_contact(second["id"], role="user")
    h.poll("user-created")  # deletes user-created's markers of both
    h.poll("lead-converted")
    h.poll("user-created")
    assert sorted(h.keys("user-created")) == sorted(h.keys("lead-converted")) == sorted([first["id"], second["id"]])


def test_what_never_fires_and_what_fires_once(sim: Simulator, storage_conn: str) -> None:
    h = Harness(sim, storage_conn, triggers=SIX)
    h.poll_all()
    time.sleep(1.1)  # after the triggers' start
    with_email = sim.add_contact("lead", email="had@example.com", index=False)
    without = sim.add_contact("lead", name="No email", index=False)
    old_user = sim.add_contact("user", email="old@example.com", created_at=int(sim.now()) - 86_400, index=False)
    tag = sim.add_tag("vip")["id"]
    h.poll_all()
    assert h.keys("contact-tagged") == []
    sim.update_contact(old_user["id"], name="Seen untagged")  # a contact from before the start, seen without tags
    h.poll_all()
    sim.tag_contact(old_user["id"], tag)  # its last update is still in the look-back: polls read it again
    sim.update_contact(with_email["id"], name="Renamed")
    sim.update_contact(without["id"], email="got@example.com")
    h.poll_all()
    assert h.keys("contact-tagged") == [f"{old_user['id']}:{tag}"]
    assert h.keys("lead-email-added") == [without["id"]]
    # Undone and done again: the same key, so no second event.
    sim.untag_contact(old_user["id"], tag)
    sim.update_contact(without["id"], email=None)
    sim.update_contact(old_user["id"], name="Untagged")
    h.poll_all()
    sim.tag_contact(old_user["id"], tag)
    sim.update_contact(old_user["id"], name="Tagged again")
    sim.update_contact(without["id"], email="again@example.com")
    h.poll_all()
    assert h.keys("contact-tagged") == [f"{old_user['id']}:{tag}"]
    assert h.keys("lead-email-added") == [without["id"]]
    assert h.keys("lead-converted") == []
