"""The digest's shared wording and its CLI renderings (markdown, plain, JSON)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.digest import build_digest
from bot.digest_text import (
    changed_line,
    counts_line,
    digest_to_dict,
    empty_line,
    period_label,
    render_markdown,
    render_plain,
    repeat_line,
)
from bot.models import ChangedStatement, ClaimKind, Digest, StoredClaim
from tests.digest_data import Said, save_at
from tests.fakes import InMemoryStore

TENANT = "discord:1"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def claim(text: str, seen: datetime, speaker: str | None = "Ben Wallace") -> StoredClaim:
    return StoredClaim(
        id=f"c-{text[:5]}",
        tenant=TENANT,
        text=text,
        speaker=speaker,
        speaker_id=None,
        kind=ClaimKind.INDIRECT,
        first_seen=seen,
        source=None,
    )


@pytest.mark.parametrize(
    ("speaker", "reasons", "expected"),
    [
        (
            "Ben Wallace",
            ("numbers differ: 20 vs 30",),
            "Ben Wallace said “we will send 20 tanks” on 2 Nov 2026, now says “we will send 30 tanks” "
            "(numbers differ: 20 vs 30)",
        ),
        (
            None,
            (),
            "An unattributed source said “we will send 20 tanks” on 2 Nov 2026, "
            "now says “we will send 30 tanks”",
        ),
    ],
)
def test_changed_line(speaker: str | None, reasons: tuple[str, ...], expected: str) -> None:
    item = ChangedStatement(
        speaker=speaker,
        before=claim("we will send 20 tanks", utc(2026, 11, 2, 10), speaker),
        after=claim("we will send 30 tanks", utc(2026, 11, 17, 10), speaker),
        reasons=reasons,
    )
    assert changed_line(item) == expected


def test_changed_line_dates_are_in_the_tenants_zone() -> None:
    item = ChangedStatement(
        speaker="A",
        before=claim("x is 1", utc(2026, 11, 2, 23, 30)),
        after=claim("x is 2", utc(2026, 11, 17)),
        reasons=(),
    )
    assert "on 3 Nov 2026" in changed_line(item, ZoneInfo("Europe/Berlin"))
    assert "on 2 Nov 2026" in changed_line(item, ZoneInfo("UTC"))


def empty_digest(start: datetime, end: datetime) -> Digest:
    return Digest(
        tenant=TENANT,
        start=start,
        end=end,
        articles=0,
        claims=0,
        new_claims=0,
        by_speaker=(),
        repeated=(),
        changed=(),
    )


def test_empty_week_is_one_line() -> None:
    digest = empty_digest(utc(2026, 11, 16, 9), utc(2026, 11, 23, 9))
    assert empty_line(digest) == "An empty week: no claims were checked between 16 Nov 2026 and 23 Nov 2026."
    assert render_markdown(digest) == empty_line(digest) + "\n"
    assert render_plain(digest) == empty_line(digest)
    assert digest_to_dict(digest)["empty"] is True


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (utc(2026, 11, 16, 9), utc(2026, 11, 23, 9), "16 Nov 2026 – 23 Nov 2026"),
        (utc(2026, 11, 16), utc(2026, 11, 23), "16 Nov 2026 – 22 Nov 2026"),  # the end is exclusive
    ],
)
def test_period_label(start: datetime, end: datetime, label: str) -> None:
    assert period_label(empty_digest(start, end)) == label


@pytest.fixture
def digest() -> Digest:
    store = InMemoryStore()
    old = save_at(
        store,
        tenant=TENANT,
        at=utc(2026, 11, 2),
        said=[Said("Ben Wallace", "we will send 20 tanks")],
        url="https://news.example/a",
    )
    save_at(
        store,
        tenant=TENANT,
        at=utc(2026, 11, 17),
        said=[
            Said("Ben Wallace", "we will send 30 tanks", changes=old.claim_ids[0]),
            Said("Ben Wallace", "we will send 20 tanks", repeats=old.claim_ids[0]),
            Said("Rishi Sunak", "growth is back"),
        ],
    )
    return build_digest(store, tenant=TENANT, start=utc(2026, 11, 16, 9), end=utc(2026, 11, 23, 9))


def test_counts_line(digest: Digest) -> None:
    # before: "3 claims (2 new, 1 repeated, 1 changed)": 2 + 1 + 1 is not 3 (the change is new too)
    assert (
        counts_line(digest)
        == "1 article checked, 3 statements: 1 new, 1 changed, 1 seen before; 1 of them repeated"
    )


def test_counts_line_numbers_add_up_to_the_total(digest: Digest) -> None:
    import re

    total, *parts = (
        int(n) for n in re.findall(r"(\d+) (?:statements?|new|changed|seen)", counts_line(digest))
    )
    assert sum(parts) == total == digest.claims


def test_repeat_line(digest: Digest) -> None:
    assert repeat_line(digest.repeated[0]) == (
        "Ben Wallace: “we will send 20 tanks” — 1 time this week, first seen 2 Nov 2026"
    )


def test_markdown_has_every_section(digest: Digest) -> None:
    text = render_markdown(digest)
    assert text.startswith("# Claims digest, 16 Nov 2026 – 23 Nov 2026\n")
    for heading in ("## New claims by speaker", "## Most repeated", "## Changed"):
        assert heading in text
    assert "- Ben Wallace: 1 new claim, 2 mentions" in text
    assert "([first seen](https://news.example/a))" in text
    assert "Ben Wallace said “we will send 20 tanks” on 2 Nov 2026, now says “we will send 30 tanks”" in text


def test_plain_text_fallback(digest: Digest) -> None:
    assert render_plain(digest) == (
        "Claims digest, 16 Nov 2026 – 23 Nov 2026: "
        "1 article checked, 3 statements: 1 new, 1 changed, 1 seen before; 1 of them repeated. "
        "Top speakers: Ben Wallace: 1 new claim, 2 mentions; Rishi Sunak: 1 new claim, 1 mention."
    )


def test_json_round_trips(digest: Digest) -> None:
    data = json.loads(json.dumps(digest_to_dict(digest)))
    assert (data["articles"], data["claims"], data["new_claims"], data["empty"]) == (1, 3, 2, False)
    assert data["repeated"][0]["claim"]["text"] == "we will send 20 tanks"
    assert data["repeated"][0]["link"] == "https://news.example/a"
    assert data["changed"][0]["text"].startswith("Ben Wallace said “we will send 20 tanks”")
    assert {(d["day"], d["speaker"], d["claims"], d["repeats"]) for d in data["daily"]} == {
        # 17 Nov 00:00 lies in the week's first day, 16 Nov 09:00 to 17 Nov 09:00
        ("2026-11-16", "Ben Wallace", 2, 1),
        ("2026-11-16", "Rishi Sunak", 1, 0),
    }
    assert (data["changed_claims"], data["repeated_claims"]) == (1, 1)
    assert sum(d["changes"] for d in data["daily"]) == 1


def test_long_statements_are_cut() -> None:
    long = "word " * 200
    item = ChangedStatement(
        speaker="A", before=claim(long, utc(2026, 11, 1)), after=claim("short", utc(2026, 11, 17)), reasons=()
    )
    assert len(changed_line(item)) < 400
    assert "…" in changed_line(item)


def test_a_file_source_is_named_not_linked() -> None:
    store = InMemoryStore()
    old = save_at(
        store, tenant=TENANT, at=utc(2026, 11, 2), said=[Said("Ben Wallace", "we will send 20 tanks")]
    )
    cid = old.claim_ids[0]
    store.claims[cid] = dataclasses.replace(store.claims[cid], source="file:budget.txt")  # a file check's
    save_at(
        store,
        tenant=TENANT,
        at=utc(2026, 11, 17),
        said=[Said("Ben Wallace", "we will send 20 tanks", repeats=old.claim_ids[0])],
    )
    text = render_markdown(
        build_digest(store, tenant=TENANT, start=utc(2026, 11, 16, 9), end=utc(2026, 11, 23, 9))
    )
    # before: "([first seen](file:budget.txt))", a Markdown link to nowhere
    assert "(first seen in file:budget.txt)" in text
    assert "](file:" not in text
