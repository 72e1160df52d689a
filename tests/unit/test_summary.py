from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import (
    ArticleRecord,
    CheckedClaim,
    CheckReport,
    CheckSummary,
    ClaimKind,
    ExtractedClaim,
    Match,
    Span,
    Status,
    StoredClaim,
)
from bot.summary import build_report_view, report_to_dict, truncate

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _report() -> CheckReport:
    stored = StoredClaim(
        id="c1",
        tenant="t",
        text="Ukraine is not part of NATO",
        speaker="Ben Wallace",
        speaker_id="s1",
        kind=ClaimKind.DIRECT,
        first_seen=NOW,
        source="https://news.example/a",
    )
    claims = (
        CheckedClaim(
            claim=ExtractedClaim(
                text="A new bridge opens", kind=ClaimKind.UNATTRIBUTED, content=Span(0, 18, "")
            ),
            status=Status.NEW,
            id="c2",
        ),
        CheckedClaim(
            claim=ExtractedClaim(
                text="Ukraine doesn't belong to NATO",
                kind=ClaimKind.DIRECT,
                content=Span(20, 50, ""),
                cue=Span(52, 56, "said"),
                speaker_mention=Span(57, 64, "Wallace"),
                speaker="Ben Wallace",
                restatements=(Span(70, 90, ""),),
            ),
            status=Status.REPEAT,
            id="c1",
            match=Match(claim=stored, similarity=0.91, same_speaker=True),
        ),
    )
    return CheckReport(
        article=ArticleRecord(
            id="a1", tenant="t", title="NATO", url=None, published=None, content_hash="h", created_at=NOW
        ),
        claims=claims,
        summary=CheckSummary(claims=2, new=1, repeat=1, changed=0, speakers=("Ben Wallace",)),
    )


def test_view_orders_repeats_before_new_and_links_the_first_sighting() -> None:
    view = build_report_view(_report())
    assert [i.status for i in view.items] == [Status.REPEAT, Status.NEW]
    assert view.items[0].link == "https://news.example/a"
    assert view.items[0].context_line() == (
        "repeats the same speaker (first seen 2026-11-20): Ukraine is not part of NATO"
    )
    assert view.counts_line == "2 statements: 1 new, 1 repeated, 0 changed · 1 speaker"


def test_json_has_the_documented_keys() -> None:
    data = report_to_dict(_report())
    assert set(data) >= {"article", "claims", "summary"}
    assert set(data["article"]) >= {"id", "title", "url", "published", "tenant", "duplicate_of"}
    repeat = data["claims"][1]
    assert repeat["mentions"] == 2
    assert repeat["speaker_mention"] == {"text": "Wallace", "start": 57, "end": 64}
    assert repeat["match"]["claim_id"] == "c1"
    assert repeat["match"]["first_seen"] == NOW.isoformat()
    assert data["claims"][0]["match"] is None


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("short", 10, "short"), ("one two three four", 10, "one two…"), ("abcdefghijkl", 5, "abcd…")],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected
    assert len(truncate(text, limit)) <= limit
