"""bench.import_rate in its ClaimReview form: the archive it writes is what ``claimbot import``
reads as schema.org ClaimReview, and the timed import counts every object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import import_rate
from bot.claimreview import detect_format, parse_claimreviews

SPEAKERS = ["Maria Lopez", "John Carter", "Aisha Khan", "Peter Novak"]
SUBJECTS = ["the harbour bridge", "the new budget", "unemployment", "the hospital", "the trade deal"]


@pytest.fixture(scope="module")
def texts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("claimreview-texts")
    for i in range(8):
        sentences = [
            f"{SPEAKERS[(i + j) % len(SPEAKERS)]} said that {SUBJECTS[(i + j) % len(SUBJECTS)]} "
            f"will cost {(i + 1) * (j + 3) * 7} million dollars next year."
            for j in range(6)
        ]
        (directory / f"article-{i}.txt").write_text(
            f"Report {i}\n\n" + "\n\n".join(sentences), encoding="utf-8"
        )
    return directory


def test_the_claimreview_archive_is_read_as_claimreview(texts_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "reviews.json"
    import_rate.write_archive(texts_dir, archive, lines=30, fmt="claimreview")
    text = archive.read_text(encoding="utf-8")
    assert detect_format(text) == "claimreview"
    parsed = parse_claimreviews(text)
    assert parsed.skipped_total == 0
    assert len(parsed.claims) == 30
    assert all(c.fact_check is not None and c.fact_check.verdict for c in parsed.claims)
    assert len(json.loads(text)["@graph"]) == 30


@pytest.mark.slow
def test_import_rate_smoke_in_claimreview_form(texts_dir: Path, tmp_path: Path) -> None:
    result = import_rate.main(
        ["--texts", str(texts_dir), "--smoke", "--format", "claimreview", "--out", str(tmp_path / "out")]
    )
    (row,) = result["runs"]
    assert row["format"] == "claimreview"
    assert row["imported"] == row["lines"] == 40
    assert row["rate_including_startup"] > 0
