"""What an operator types and expects from ``claimbot`` (issue 23, items 2 and 8).

The real entry point in a subprocess, on a throwaway SQLite store; settings come from the
environment the way a shell gives them.
"""

from __future__ import annotations

import json
import os
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.e2e.cli_runner import claimbot, clean_env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path)


def stderr_lines(done: subprocess.CompletedProcess[bytes]) -> list[str]:
    return done.stderr.decode().strip().splitlines()


# ---------------------------------------------------------------------------- item 8: CLI habits
def test_version_and_verbose_after_the_command(env: dict[str, str]) -> None:
    done = claimbot("--version", env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == f"claimbot {version('claimbot')}"

    quiet = claimbot("speakers", env=env)
    verbose = claimbot("speakers", "-v", env=env)  # -v after the command, as people type it
    assert verbose.returncode == 0, verbose.stderr.decode()
    assert " INFO " in verbose.stderr.decode()
    assert " INFO " not in quiet.stderr.decode()
    assert claimbot("speakers", "--verbose", env=env).returncode == 0


def test_a_closed_pipe_ends_quietly(env: dict[str, str]) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # like `| head` that has read what it wanted
    try:
        done = claimbot("speakers", "--json", env=env, stdout=writer)
    finally:
        os.close(writer)
    assert done.stderr.decode() == ""
    assert done.returncode == 1


def test_a_missing_file_is_named_once(env: dict[str, str]) -> None:
    done = claimbot("check", "nonexistent.txt", env=env)
    assert done.returncode == 2
    [line] = stderr_lines(done)
    assert line.count("nonexistent.txt") == 1, line


@pytest.mark.slow
def test_compare_applies_a_tenants_thresholds_and_numbers_each_pair(
    tmp_path: Path, env: dict[str, str]
) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        '{"a": "The tax rose 5%.", "b": "The tax rose 7%."}\n\n'
        '{"a": "It rains today.", "b": "It is raining today."}\n',
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'data' / 'claimbot.db'}"
    (tmp_path / "data").mkdir()
    assert (
        claimbot("thresholds", "--db", db, "--tenant", "strict", "--repeat", "0.99", env=env).returncode == 0
    )

    lines = {}
    for name, options in (("default", []), ("strict", ["--db", db, "--tenant", "strict"])):
        done = claimbot("compare", "--pairs", str(pairs), "--json", *options, env=env)
        assert done.returncode == 0, done.stderr.decode()
        lines[name] = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [line["index"] for line in lines["default"]] == [0, 1]
    assert lines["default"][0]["verdict"] == "changed"
    assert lines["default"][1]["verdict"] == "repeat"
    assert lines["strict"][1]["verdict"] != "repeat"  # 0.99 asks for more than a paraphrase
    assert lines["strict"][1]["similarity"] == lines["default"][1]["similarity"]


# ---------------------------------------------------------------------------- item 2: settings
def test_guild_ids_in_every_spelling_let_every_command_run(env: dict[str, str]) -> None:
    for value in ("123", "123,456", "[123, 456]", "not-a-number"):
        done = claimbot("speakers", env={**env, "DISCORD_GUILD_IDS": value})
        assert done.returncode == 0, (value, done.stderr.decode())  # speakers does not read it


@pytest.mark.parametrize(
    ("name", "value", "command", "said"),
    [
        ("CLAIMBOT_REPEAT_THRESHOLD", "high", ["compare", "a b", "c d"],
         "CLAIMBOT_REPEAT_THRESHOLD is 'high'; it should be a number from 0 to 1"),
        ("CLAIMBOT_EMBEDDING_PRECISION", "int4", ["compare", "a b", "c d"],
         "CLAIMBOT_EMBEDDING_PRECISION is 'int4'; it should be float32, bfloat16 or int8"),
        ("DISCORD_GUILD_IDS", "twelve", ["discord", "sync"],
         "DISCORD_GUILD_IDS is 'twelve'; it should be server ids"),
        ("DISCORD_TOKEN", "...", ["run", "discord"], "DISCORD_TOKEN still holds a placeholder"),
        ("SLACK_BOT_TOKEN", "xoxb-...", ["run", "slack"], "SLACK_BOT_TOKEN still holds a placeholder"),
    ],
)  # fmt: skip
def test_a_wrong_setting_is_one_line_exit_2(
    env: dict[str, str], name: str, value: str, command: list[str], said: str
) -> None:
    done = claimbot(*command, env={**env, name: value})
    assert done.returncode == 2, done.stderr.decode()
    [line] = stderr_lines(done)
    assert line.startswith(f"claimbot: {said}"), line


def test_unknown_names_get_the_closest_setting(tmp_path: Path, env: dict[str, str]) -> None:
    done = claimbot(
        "speakers", env={**env, "CLAIMBOT_DATA_DIRR": str(tmp_path), "CLAIMBOT_REPEAT_TRESHOLD": "1"}
    )
    assert done.returncode == 0
    said = done.stderr.decode()
    assert (
        "CLAIMBOT_DATA_DIRR is not a claimbot setting and is ignored; did you mean CLAIMBOT_DATA_DIR?" in said
    )
    assert "did you mean CLAIMBOT_REPEAT_THRESHOLD?" in said


def test_a_database_url_in_a_missing_directory_creates_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    url = f"sqlite:///{tmp_path / 'nonexistent' / 'dir' / 'x.db'}"
    done = claimbot("speakers", env={**env, "CLAIMBOT_DATABASE_URL": url})
    assert done.returncode == 1
    [line] = stderr_lines(done)
    assert "no such directory" in line
    assert not (tmp_path / "nonexistent").exists()
    # the default data directory is created, parents and all
    assert claimbot("speakers", env=env).returncode == 0
    assert (tmp_path / "data" / "claimbot.db").is_file()
