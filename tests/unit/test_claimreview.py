"""schema.org ClaimReview reading (bot.claimreview), the verdict's wording (bot.summary) and
idempotent re-import through the service, from hand-written fixtures (tests/fixtures/claimreview)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.claimreview import detect_format, import_line, parse_claimreviews, skipped_words
from bot.digest import build_digest
from bot.digest_text import digest_to_dict, fact_checked_line, render_markdown, render_plain
from bot.errors import BadInput
from bot.models import ArticleInput, Digest, FactCheck, KnownClaim, Status
from bot.service import ClaimService
from bot.summary import (
    build_report_view,
    fact_check_line,
    fact_check_to_dict,
    fact_check_words,
    report_to_dict,
    verdict_words,
)
from tests.fakes import HashingEncoder, InMemoryStore, PagesFetcher, SaidThatExtractor

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def by_url(text: str) -> dict[str, KnownClaim]:
    return {c.external_id: c for c in parse_claimreviews(text).claims}


# ---------------------------------------------------------------------------- parsing
def test_single_object_takes_every_field() -> None:
    parsed = parse_claimreviews(fixture("single.json"))
    assert parsed.skipped_total == 0
    [claim] = parsed.claims
    assert claim.external_id == claim.source == "https://factdesk.example/checks/bridge-cost"
    assert claim.text == "The new harbour bridge cost 40 million pounds"
    assert claim.speaker == "Anna Whitfield"
    assert claim.date == date(2026, 11, 2)  # when the claim was made (itemReviewed.datePublished)
    assert claim.title == "Did the Harbour Bridge really cost £40 million?"
    assert claim.fact_check == FactCheck(
        verdict="Mostly false",
        by="Fact Desk",
        url="https://factdesk.example/checks/bridge-cost",
        date=date(2026, 11, 5),  # when the fact-check was published
        rating=2.0,
        best_rating=5.0,
        worst_rating=1.0,
    )


def test_graph_reviews_are_read_and_other_nodes_ignored() -> None:
    parsed = parse_claimreviews(fixture("graph.json"))
    assert parsed.skipped_total == 0  # the WebPage and Organization nodes are no skips
    claims = {c.external_id: c for c in parsed.claims}
    assert set(claims) == {
        "https://truthmeter.example/2026/11/tram-fares",
        "https://truthmeter.example/2026/11/tram-riders",
    }
    fares = claims["https://truthmeter.example/2026/11/tram-fares"]
    assert fares.speaker == "Joan Bell"
    # no claim date: the review's own (a full timestamp) stands in
    assert fares.date == date(2026, 11, 10)
    assert fares.fact_check is not None
    assert fares.fact_check.verdict == "False"
    assert fares.fact_check.rating is None
    riders = claims["https://truthmeter.example/2026/11/tram-riders"]  # "@type": ["ClaimReview"]
    assert riders.speaker == "City Transport Authority"
    assert riders.fact_check is not None
    assert (riders.fact_check.rating, riders.fact_check.best_rating) == (4.0, 5.0)  # numbers, not text


def test_array_skips_what_it_cannot_use_and_counts_why() -> None:
    parsed = parse_claimreviews(fixture("array.json"))
    assert [c.external_id for c in parsed.claims] == [
        "https://checkers.example/wards",
        "https://checkers.example/unemployment",  # "schema:ClaimReview"
    ]
    assert parsed.skipped == Counter(
        {"without claimReviewed": 1, "not a ClaimReview": 1, "not a JSON object": 1}
    )
    assert parsed.claims[1].speaker is None  # no itemReviewed: unattributed, still imported


def test_rating_without_words_is_worded_from_its_numbers() -> None:
    unemployment = by_url(fixture("array.json"))["https://checkers.example/unemployment"]
    assert unemployment.fact_check is not None
    assert unemployment.fact_check.verdict is None
    assert verdict_words(unemployment.fact_check) == "rated 2 of 5"
    assert fact_check_words(unemployment.fact_check) == "Fact-checked by Checkers: rated 2 of 5"
    # a scale that does not start at 0 or 1 says so
    assert verdict_words(FactCheck(rating=3, best_rating=5, worst_rating=-5)) == "rated 3 of 5 (worst -5)"
    assert verdict_words(FactCheck(by="X")) is None
    assert fact_check_words(FactCheck(by="X")) == "Fact-checked by X"


def test_json_lines_with_a_bad_line_html_entities_and_author_lists() -> None:
    text = fixture("reviews.jsonl")
    assert detect_format(text) == "claimreview"
    parsed = parse_claimreviews(text)
    assert parsed.skipped == Counter({"not JSON": 1, "without claimReviewed": 1})
    claims = {c.external_id: c for c in parsed.claims}
    crime = claims["https://quotecheck.example/a1"]
    assert crime.text == "Crime fell by 20 percent & arrests doubled"  # &amp;
    assert crime.title == "Q&A: did crime really fall?"
    assert crime.speaker == "Ben Wallace"  # the first of a list of authors
    assert crime.fact_check is not None
    assert crime.fact_check.by == "QuoteCheck"
    troops = claims["https://quotecheck.example/a2"]
    assert troops.text == "The army has “70,000” troops"  # numeric entities, <p> dropped
    assert troops.speaker == "Ben Wallace"  # author given as plain text
    assert troops.fact_check is not None
    assert troops.fact_check.verdict == "Misleading"
    assert troops.fact_check.rating is None


def test_several_reviews_of_one_claim_and_several_claims_on_one_page() -> None:
    claims = parse_claimreviews(fixture("several.json")).claims  # a DataFeed
    meals = [c for c in claims if c.text == "Every child gets free school meals"]
    assert {(c.fact_check.by, c.fact_check.verdict) for c in meals if c.fact_check} == {
        ("Fact Desk", "False"),
        ("TruthMeter", "Mostly false"),
    }
    debate = [c for c in claims if c.source == "https://factdesk.example/checks/debate"]
    # one page, two claims: both kept, the second keyed apart so neither overwrites the other
    assert [c.external_id for c in debate] == [
        "https://factdesk.example/checks/debate",
        "https://factdesk.example/checks/debate#2",
    ]
    assert parse_claimreviews(fixture("several.json")).claims == claims  # the same ids every time


def test_missing_fields_leave_blanks_and_a_repeated_review_keeps_the_later_copy() -> None:
    first = {"@type": "ClaimReview", "url": "https://x.example/1", "claimReviewed": "Taxes fell"}
    later = {**first, "reviewRating": {"alternateName": "False"}, "datePublished": "not a date"}
    without_url = {"@type": "ClaimReview", "claimReviewed": "Bread costs 5 pounds", "author": "Desk"}
    parsed = parse_claimreviews(json.dumps([first, later, without_url, dict(without_url)]))
    assert parsed.skipped == Counter({"repeated in the file": 2})
    taxes, bread = parsed.claims
    assert taxes.fact_check == FactCheck(verdict="False", url="https://x.example/1")
    assert (taxes.speaker, taxes.date, taxes.title) == (None, None, None)
    assert bread.source is None
    assert bread.external_id.startswith("claimreview:")  # stable without a url
    assert parse_claimreviews(json.dumps(without_url)).claims[0].external_id == bread.external_id


def test_odd_field_types_never_abort_the_import() -> None:
    odd = [
        {"@type": "ClaimReview", "url": "https://x.example/a", "claimReviewed": 42},
        {
            "@type": "ClaimReview",
            "url": 7,
            "claimReviewed": ["Rents doubled"],
            "author": 3,
            "reviewRating": "False",
        },
        {"@type": "ClaimReview", "claimReviewed": "Wages rose", "reviewRating": {"ratingValue": True}},
        {
            "@type": "ClaimReview",
            "claimReviewed": "Fares fell",
            "itemReviewed": "a claim",
            "datePublished": 20261105,
        },
    ]
    parsed = parse_claimreviews(json.dumps(odd))
    assert parsed.skipped == Counter({"without claimReviewed": 1})
    rents, wages, fares = parsed.claims
    assert rents.text == "Rents doubled"
    assert rents.source is None
    assert rents.fact_check == FactCheck(verdict="False")  # a verdict given as plain text
    assert wages.fact_check == FactCheck()  # a boolean is no rating
    assert (fares.speaker, fares.date) == (None, None)


def test_a_review_the_reader_trips_on_is_skipped_as_malformed(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import claimreview

    real = claimreview.review_to_claim

    def tripping(review: dict[str, object]) -> KnownClaim:
        if review.get("url") == "https://checkers.example/wards":
            raise TypeError("a shape nobody foresaw")
        return real(review)

    monkeypatch.setattr(claimreview, "review_to_claim", tripping)
    parsed = parse_claimreviews(fixture("array.json"))
    assert [c.external_id for c in parsed.claims] == ["https://checkers.example/unemployment"]
    assert parsed.skipped["malformed"] == 1


def test_not_json_at_all_is_refused() -> None:
    with pytest.raises(BadInput, match="not JSON"):
        parse_claimreviews("<html><body>Fact checks</body></html>\nmore text\n")
    with pytest.raises(BadInput, match="not JSON"):
        detect_format("id,text\n1,hello\n")
    with pytest.raises(BadInput, match=r"no schema\.org ClaimReview"):
        parse_claimreviews(json.dumps({"@type": "NewsArticle", "headline": "x"}))


def test_format_detection_tells_claimbot_lines_from_claimreview() -> None:
    assert detect_format('{"id": "1", "text": "Taxes fell"}\n{"id": "2", "text": "Rents rose"}\n') == "jsonl"
    assert detect_format(fixture("single.json")) == "claimreview"
    assert detect_format(fixture("array.json")) == "claimreview"
    # a first line that is not JSON does not decide the format
    assert detect_format("garbage\n" + json.dumps(json.loads(fixture("single.json")))) == "claimreview"


def test_import_line_and_skip_words() -> None:
    skipped = Counter({"not JSON": 1, "without claimReviewed": 2})
    assert skipped_words(skipped) == "2 without claimReviewed, 1 not JSON"
    assert import_line(imported=12, updated=3, skipped=skipped) == (
        "imported 12, updated 3, skipped 3 (2 without claimReviewed, 1 not JSON)"
    )
    assert import_line(imported=4, updated=0, skipped=Counter()) == "imported 4"


# ---------------------------------------------------------------------------- wording
def test_fact_check_line_and_json() -> None:
    check = FactCheck(verdict="False", by="PolitiFact", url="https://pf.example/1", date=date(2026, 11, 5))
    assert fact_check_line(check) == "Fact-checked by PolitiFact: False — https://pf.example/1"
    assert fact_check_to_dict(check) == {
        "verdict": "False",
        "by": "PolitiFact",
        "url": "https://pf.example/1",
        "date": "2026-11-05",
        "rating": None,
    }
    assert fact_check_to_dict(None) is None


# ---------------------------------------------------------------------------- through the service
@pytest.fixture
def service() -> ClaimService:
    return ClaimService(
        store=InMemoryStore(),
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher(),
    )


def test_reimporting_a_review_updates_its_verdict_instead_of_duplicating(service: ClaimService) -> None:
    claims = parse_claimreviews(fixture("single.json")).claims
    first = service.import_claims(tenant="t1", claims=claims)
    assert (first.imported, first.updated, first.skipped_duplicates) == (1, 0, 0)

    revised = fixture("single.json").replace('"Mostly false"', '"False"')
    again = service.import_claims(tenant="t1", claims=parse_claimreviews(revised).claims)
    assert (again.imported, again.updated, again.skipped_duplicates) == (0, 1, 0)
    [stored] = list(service.export(tenant="t1"))
    assert stored.fact_check is not None
    assert stored.fact_check.verdict == "False"
    # another tenant's import of the same review is its own
    other = service.import_claims(tenant="t2", claims=claims)
    assert other.imported == 1


def test_a_statement_matching_a_fact_checked_claim_carries_the_verdict(service: ClaimService) -> None:
    service.import_claims(tenant="t1", claims=parse_claimreviews(fixture("single.json")).claims)
    statement = "Anna Whitfield said that the new harbour bridge cost 40 million pounds.\n"
    report = service.check(tenant="t1", article=ArticleInput(text=statement))
    [checked] = report.claims
    assert checked.status is Status.REPEAT
    data = report_to_dict(report)["claims"][0]["match"]["fact_check"]
    assert data["verdict"] == "Mostly false"
    assert data["by"] == "Fact Desk"
    assert data["url"] == "https://factdesk.example/checks/bridge-cost"
    assert data["date"] == "2026-11-05"
    [item] = build_report_view(report).items
    assert item.fact_check is not None
    assert fact_check_words(item.fact_check) == "Fact-checked by Fact Desk: Mostly false"


def test_digest_counts_statements_that_matched_fact_checks(service: ClaimService) -> None:
    service.import_claims(tenant="t1", claims=parse_claimreviews(fixture("single.json")).claims)
    service.check(
        tenant="t1",
        article=ArticleInput(
            text=(
                "Anna Whitfield said that the new harbour bridge cost 40 million pounds.\n"
                "Tom Reed said that the harbour ferry timetable changes every winter.\n"
            )
        ),
    )
    start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    digest = build_digest(service.store, tenant="t1", start=start, end=end)
    assert digest.fact_checked == 1
    assert fact_checked_line(digest) == "1 statement this week matched a published fact-check"
    assert "1 statement this week matched a published fact-check" in render_markdown(digest)
    assert "matched a published fact-check." in render_plain(digest)
    assert digest_to_dict(digest)["fact_checked"] == 1


def test_digest_line_plural_and_silent_when_none() -> None:
    start = datetime(2026, 11, 16, tzinfo=UTC)
    quiet = Digest(
        tenant="t1",
        start=start,
        end=start + timedelta(days=7),
        articles=1,
        claims=1,
        new_claims=1,
        by_speaker=(),
        repeated=(),
        changed=(),
    )
    assert fact_checked_line(quiet) is None
    assert "fact-check" not in render_markdown(quiet)
    assert fact_checked_line(replace(quiet, fact_checked=3)) == (
        "3 statements this week matched published fact-checks"
    )
