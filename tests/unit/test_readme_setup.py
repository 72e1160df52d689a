"""The README's set-up sections stay true to the project (issue 23, item 12).

A newcomer copies these lines: the Python version, the extras and the commands they name
must be the ones pyproject.toml and the CLI actually have.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def section(title: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level
    (a ``#`` line inside a fenced code block is a shell comment, not a heading)."""
    lines = README.splitlines()
    in_code, level, found = False, 0, []
    for line in lines:
        if line.startswith("```"):
            in_code = not in_code
        heading = None if in_code else re.match(r"(#+) (.*)", line)
        if heading and level and len(heading.group(1)) <= level:
            break
        if heading and heading.group(2) == title:
            level = len(heading.group(1))
        if level:
            found.append(line)
    assert found, f"README has no section {title!r}"
    return "\n".join(found)


AFTER_DEMO = "After `make demo`: running `claimbot` yourself"
INSTALL = "Install and upgrade for real use"


def test_after_make_demo_says_how_to_run_claimbot() -> None:
    text = section(AFTER_DEMO)
    assert ". .venv/bin/activate" in text
    assert ".venv/bin/claimbot" in text
    minimum = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert f"Python **{minimum} or newer**" in text


def test_the_install_section_names_real_extras() -> None:
    text = section(INSTALL)
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    named = {e for group in re.findall(r"-e '\.\[([^\]]+)\]'", text) for e in group.split(",")}
    named |= set(re.findall(r"`(slack|discord|postgres|digest|dev)`", text))
    assert named, "no extras named"
    assert named <= extras, named - extras
    assert {"slack", "discord", "postgres", "digest"} <= named


@pytest.mark.parametrize(
    "needed", ["migrat", "claimbot discord sync", "pg_dump", ".backup", "a cache", "-c constraints.txt"]
)
def test_the_install_section_covers_what_an_operator_needs(needed: str) -> None:
    assert needed in section(INSTALL)


def test_every_claimbot_command_in_the_set_up_sections_exists() -> None:
    from typer.main import get_command

    from adapters.console.cli import cli

    group = get_command(cli)
    commands = set(group.commands)  # type: ignore[attr-defined]
    text = section(AFTER_DEMO) + section(INSTALL)
    used = set(re.findall(r"claimbot (?!for\b)([a-z]+)\b(?!\.)", text)) - {"is", "setting"}  # not .dump
    assert used, "no commands found"
    assert used <= commands, used - commands
