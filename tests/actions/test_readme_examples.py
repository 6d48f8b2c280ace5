"""The README's one-call examples of the §2 and §7 actions (the block that starts `API=`), run as they are written
through the app (one devserver for the module) against the simulator: each answers the status its comment says. The
placeholders (`U` a user, `L` a lead, `C` a company, `V` a conversation, `T` a tag) become the simulator's ids.
tests/connector/test_readme.py checks that every action has an example."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import httpx

from intercom_sim import Simulator

README = Path(__file__).resolve().parents[2] / "README.md"
PLACEHOLDER = re.compile(r"/([ULCVT])(?=/|$|\?)")


def examples() -> list[str]:
    """The block's commands, a command's continuation lines joined to it."""
    text = README.read_text()
    block = text[text.index("```sh\nAPI=") :].split("\n", 2)[2]
    commands: list[str] = []
    for line in block[: block.index("```")].splitlines():
        if line.startswith("curl "):
            commands.append(line)
        elif commands:
            commands[-1] += "\n" + line
    return commands


def run(http: httpx.Client, command: str, ids: dict[str, str]) -> None:
    call, _, comment = command.partition("#")
    expected = int(re.search(r"\b([1-5][0-9]{2})\b", comment).group(1))  # type: ignore[union-attr]
    words = shlex.split(call)
    method, url, body = "GET", "", None
    for index, word in enumerate(words):
        if word.startswith("-X"):
            method = word[2:]
        elif word == "-d":
            body = json.loads(words[index + 1])
        elif word.startswith("$API"):
            url = PLACEHOLDER.sub(lambda m: "/" + ids[m.group(1)], word.removeprefix("$API"))
    if isinstance(body, dict):
        body = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = http.request(method, "/api" + url, json=body)
    assert response.status_code == expected, f"{command}\n{response.text}"


def test_each_example_answers_as_its_comment_says(http: httpx.Client, sim: Simulator) -> None:
    user = sim.add_contact("user", email="jane@example.com", name="Jane Doe")
    ids: dict[str, Any] = {
        "U": user["id"],
        "L": sim.add_contact("lead", email="lee@example.com")["id"],
        "C": sim.add_company("Globex", company_id="globex-1")["id"],
        "V": sim.add_conversation(user["id"], index=False)["id"],
        "T": sim.add_tag("VIP")["id"],
    }
    commands = examples()
    assert len(commands) >= 28
    for command in commands:
        run(http, command, ids)
