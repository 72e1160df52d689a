"""``claimbot import`` of schema.org ClaimReview through the real entry point, then ``check``.

Real NLP and embeddings (the shipped pipeline, MiniLM) on a throwaway SQLite store.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.e2e.cli_runner import claimbot, clean_env

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path)


def last_line(stderr: bytes) -> str:
    """The command's own last word (start-up warnings of the models may come before it)."""
    return stderr.decode().strip().splitlines()[-1]


def test_import_claimreview_reimport_and_check_shows_the_verdict(tmp_path: Path, env: dict[str, str]) -> None:
    not_json = tmp_path / "feed.html"
    not_json.write_text("<html><body>ClaimReview feed moved</body></html>\n", encoding="utf-8")
    done = claimbot("import", str(not_json), env=env)
    assert done.returncode == 2
    assert "not JSON" in done.stderr.decode()
    done = claimbot("import", str(not_json), "--format", "claimreview", env=env)
    assert done.returncode == 2
    assert claimbot("export", env=env).stdout == b""  # nothing stored

    done = claimbot("import", str(FIXTURES / "array.json"), env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert last_line(done.stderr) == (
        "imported 2, skipped 3 (1 not a ClaimReview, 1 not a JSON object, 1 without claimReviewed)"
    )
    done = claimbot("import", str(FIXTURES / "single.json"), "--format", "claimreview", env=env)
    assert last_line(done.stderr) == "imported 1"
    done = claimbot("import", str(FIXTURES / "single.json"), env=env)
    assert last_line(done.stderr) == "imported 0, updated 1"
    exported = [json.loads(line) for line in claimbot("export", env=env).stdout.decode().splitlines()]
    assert len(exported) == 3
    verdicts = {e["external_id"]: (e["fact_check"] or {}).get("verdict") for e in exported}
    assert verdicts["https://factdesk.example/checks/bridge-cost"] == "Mostly false"
    assert verdicts["https://checkers.example/unemployment"] == "rated 2 of 5"
    rows = list(csv.DictReader(io.StringIO(claimbot("export", "--format", "csv", env=env).stdout.decode())))
    assert "Fact-checked by Fact Desk: Mostly false — https://factdesk.example/checks/bridge-cost" in {
        r["fact_check"] for r in rows
    }

    article = tmp_path / "bridge.txt"
    article.write_text(
        "Council leader Anna Whitfield said on Monday that the new harbour bridge cost 40 million pounds.\n",
        encoding="utf-8",
    )
    done = claimbot("check", str(article), "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    [claim] = json.loads(done.stdout)["claims"]
    assert claim["status"] == "repeat"
    assert claim["match"]["fact_check"] == {
        "verdict": "Mostly false",
        "by": "Fact Desk",
        "url": "https://factdesk.example/checks/bridge-cost",
        "date": "2026-11-05",
        "rating": {"value": 2.0, "best": 5.0, "worst": 1.0},
    }
    table = claimbot("check", str(article), "--dry-run", env={**env, "COLUMNS": "200"})
    assert "Fact-checked by Fact Desk: Mostly false" in table.stdout.decode()
