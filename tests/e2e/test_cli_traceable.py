"""Traceable statements through the real ``claimbot`` (issue 23.9): a file check's statements
name the file, search and timeline show it, and ``export`` names each statement's article.

The real entry point in a subprocess, with the shipped NLP, on a throwaway SQLite store.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.e2e.cli_runner import claimbot, clean_env

pytestmark = pytest.mark.slow

ARTICLE = (
    "The city council said on Monday that the new tram line will cost £200 million.\n\n"
    '"We will open the line in 2028," said Mayor Joan Bell, adding that fares would stay at £2.\n'
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path)


def test_a_file_check_is_traceable_in_search_timeline_and_export(tmp_path: Path, env: dict[str, str]) -> None:
    article = tmp_path / "trams.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    done = claimbot("check", str(article), "--json", "--title", "Trams", "--published", "2026-11-02", env=env)
    assert done.returncode == 0, done.stderr.decode()
    article_id = json.loads(done.stdout)["article"]["id"]

    # before: "source": null for every statement of a file
    results = json.loads(claimbot("search", "tram line cost", "--json", env=env).stdout)["results"]
    assert results
    assert {r["source"] for r in results} == {"file:trams.txt"}
    timeline = json.loads(claimbot("timeline", "Joan Bell", "--json", env=env).stdout)
    assert [c["source"] for c in timeline["claims"]] == ["file:trams.txt"] * len(timeline["claims"])

    # before: no article id, title, source or date in the export
    rows = [json.loads(line) for line in claimbot("export", env=env).stdout.decode().splitlines()]
    assert rows
    for row in rows:
        assert (row["article_id"], row["article_title"]) == (article_id, "Trams")
        assert (row["article_source"], row["article_date"]) == ("file:trams.txt", "2026-11-02")
    table = list(csv.DictReader(io.StringIO(claimbot("export", "--format", "csv", env=env).stdout.decode())))
    assert {(r["article_id"], r["article_title"], r["article_source"], r["article_date"]) for r in table} == {
        (article_id, "Trams", "file:trams.txt", "2026-11-02")
    }


def test_search_scores_nothing_close_and_unknown_speakers(tmp_path: Path, env: dict[str, str]) -> None:
    article = tmp_path / "trams.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert claimbot("check", str(article), env=env).returncode == 0

    related = json.loads(claimbot("search", "how much will the tram line cost", "--json", env=env).stdout)
    unrelated = json.loads(claimbot("search", "recipe for banana bread", "--json", env=env).stdout)
    # before: each top result scored about the same (0.9+), whatever the query
    assert related["results"][0]["close"]
    assert related["results"][0]["score"] > unrelated["results"][0]["score"] + 0.2
    assert unrelated["nothing_close"] is True
    shown = claimbot("search", "recipe for banana bread", env=env)
    assert shown.returncode == 0
    assert "Nothing close to “recipe for banana bread” was found" in shown.stdout.decode()

    # before: exit 0 and "No stored claim matches", as if Joan Bell had said nothing on it
    done = claimbot("search", "tram", "--speaker", "Joan Bel", env=env)
    assert done.returncode == 2
    assert "no speaker called 'Joan Bel' has been seen here; closest: Joan Bell" in done.stderr.decode()
