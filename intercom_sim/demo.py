"""Demo data for the simulator: a few users, leads, companies, tags, conversations and a ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the simulator calls the demo through its control API, never the reverse
    from intercom_sim.simulator import Simulator


def load_demo(sim: Simulator) -> dict[str, Any]:
    """Add demo data (searchable at once) and return the ids created."""
    now = int(sim.now())
    acme = sim.add_company("Acme s.r.o.", company_id="acme")
    globex = sim.add_company("Globex", company_id="globex")
    vip = sim.add_tag("VIP")
    trial = sim.add_tag("Trial")
    users = [
        sim.add_contact(
            "user",
            email="jana@example.com",
            name="Jana Novakova",
            external_id="u-1",
            created_at=now - 86400 * 3,
            index=False,
        ),
        sim.add_contact(
            "user",
            email="petr@example.com",
            name="Petr Svoboda",
            external_id="u-2",
            created_at=now - 86400 * 2,
            index=False,
        ),
        sim.add_contact(
            "user",
            email="eva@example.com",
            name="Eva Dvorakova",
            phone="+420601000000",
            external_id="u-3",
            created_at=now - 86400,
            index=False,
        ),
    ]
    leads = [
        sim.add_contact("lead", email="lead1@example.com", name="Lead One", created_at=now - 7200, index=False),
        sim.add_contact("lead", email="lead2@example.com", name="Lead Two", created_at=now - 3600, index=False),
    ]
    sim.attach_company(users[0]["id"], acme["id"])
    sim.attach_company(users[1]["id"], globex["id"])
    sim.tag_contact(users[0]["id"], vip["id"])
    sim.tag_contact(leads[0]["id"], trial["id"])
    conversations = [
        sim.add_conversation(
            users[0]["id"], created_at=now - 5000, subject="Invoice", body="<p>Where is it?</p>", index=False
        ),
        sim.add_conversation(leads[1]["id"], created_at=now - 600, body="<p>Pricing?</p>", index=False),
    ]
    bug = next(t for t in sim.ticket_types() if t["name"] == "Bug report")
    ticket = sim.add_ticket(bug["id"], users[2]["id"], "Export fails", attributes={"Platform": "opt-web"}, index=False)
    return {
        "tickets": [ticket["id"]],
        "users": [u["id"] for u in users],
        "leads": [lead["id"] for lead in leads],
        "companies": [acme["id"], globex["id"]],
        "tags": [vip["id"], trial["id"]],
        "conversations": [c["id"] for c in conversations],
    }
