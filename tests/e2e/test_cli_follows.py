"""``claimbot follow`` through the real entry point: ``claimbot check`` prints the alert once.

Real NLP and embeddings (the shipped pipeline, MiniLM) on a throwaway SQLite store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli_runner import claimbot, clean_env

pytestmark = pytest.mark.slow
REVIEWS = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview" / "single.json"


def last_line(stderr: bytes) -> str:
    return stderr.decode().strip().splitlines()[-1]


def test_follow_then_check_prints_the_alert_once(tmp_path: Path) -> None:
    env = {**clean_env(tmp_path), "COLUMNS": "200"}
    assert claimbot("import", str(REVIEWS), env=env).returncode == 0

    done = claimbot("follow", "", env=env)
    assert (done.returncode, last_line(done.stderr)) == (2, "claimbot: give the name of a speaker to follow")
    done = claimbot("follow", "Whitfeld", env=env)
    assert (done.returncode, last_line(done.stderr)) == (
        2,
        "claimbot: no speaker called 'Whitfeld' has been seen here; closest: Anna Whitfield",
    )
    done = claimbot("follow", "Whitfield", env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith("Following Anna Whitfield here:")
    done = claimbot("follow", "anna whitfield", env=env)
    assert (done.returncode, last_line(done.stderr)) == (
        2,
        "claimbot: this channel already follows Anna Whitfield",
    )
    [listed] = json.loads(claimbot("following", "--json", env=env).stdout)["follows"]
    assert (listed["speaker"], listed["platform"], listed["channel_id"]) == (
        "Anna Whitfield",
        "console",
        "console",
    )

    article = tmp_path / "bridge.txt"
    article.write_text(
        "Council leader Anna Whitfield said on Monday that the new harbour bridge cost 40 million pounds.\n",
        encoding="utf-8",
    )
    done = claimbot("check", str(article), env=env)
    assert done.returncode == 0, done.stderr.decode()
    shown = done.stdout.decode()
    assert shown.count("🔔 Anna Whitfield repeated a fact-checked claim") == 1
    assert "Fact-checked claim (2 Nov 2026): “The new harbour bridge cost 40 million pounds”" in shown
    assert "Fact-checked by Fact Desk: Mostly false" in shown.split("Why: ", 1)[1]
    assert shown.count("https://factdesk.example/checks/bridge-cost") == 2  # the table's, the alert's

    other = tmp_path / "ferry.txt"
    other.write_text("Tom Reed said that the ferry timetable changes in winter.\n", encoding="utf-8")
    done = claimbot("check", str(article), str(other), env=env)  # the first is a duplicate now
    assert done.returncode == 0, done.stderr.decode()
    assert "🔔" not in done.stdout.decode()

    # said again in a new article: a new statement there, so a new alert; with --json on stderr
    again = tmp_path / "bridge-again.txt"
    again.write_text(
        "Anna Whitfield told reporters that the new harbour bridge cost 40 million pounds.\n",
        encoding="utf-8",
    )
    done = claimbot("check", str(again), "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert [json.loads(line)["claims"][0]["status"] for line in done.stdout.decode().splitlines()] == [
        "repeat"
    ]
    [alert] = [
        json.loads(line)["follow_alert"]
        for line in done.stderr.decode().splitlines()
        if "follow_alert" in line
    ]
    assert (alert["speaker"], alert["reasons"], alert["channel_id"]) == (
        "Anna Whitfield",
        ["fact_checked"],
        "console",
    )
    assert alert["fact_check"]["verdict"] == "Mostly false"

    done = claimbot("unfollow", "Whitfield", env=env)
    assert done.stdout.decode().strip() == "No longer following Anna Whitfield here."
    done = claimbot("unfollow", "Whitfield", env=env)
    assert (done.returncode, last_line(done.stderr)) == (
        2,
        "claimbot: this channel does not follow Anna Whitfield",
    )
