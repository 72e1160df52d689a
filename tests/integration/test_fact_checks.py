"""Fact-check verdicts on real SQLite and PostgreSQL: import ClaimReview → check → verdict shown.

Storage is real (migrated to head, 0007 included); extraction and embeddings are the
model-free fakes, so what is tested is the verdict's round trip through the database.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bot.claimreview import parse_claimreviews
from bot.digest import build_digest
from bot.models import ArticleInput, KnownClaim, Status
from bot.service import ClaimService
from bot.summary import fact_check_words, report_to_dict, search_hits_to_dict, stored_claim_to_dict
from storage import SqlStore
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview"
BRIDGE_URL = "https://factdesk.example/checks/bridge-cost"
ARTICLE = (
    "Anna Whitfield said that the new harbour bridge cost 40 million pounds.\n"
    "Tom Reed said that the harbour ferry timetable changes every winter.\n"
)


def service_on(store: SqlStore) -> ClaimService:
    return ClaimService(
        store=store, extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher()
    )


def reviews(name: str, *, replace: tuple[str, str] | None = None) -> list[KnownClaim]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if replace:
        text = text.replace(*replace)
    return list(parse_claimreviews(text).claims)


def test_import_check_shows_the_verdict_everywhere(store: SqlStore) -> None:
    service = service_on(store)
    report = service.import_claims(tenant="t1", claims=reviews("single.json") + reviews("graph.json"))
    assert (report.imported, report.updated) == (3, 0)

    checked = service.check(tenant="t1", article=ArticleInput(text=ARTICLE, title="Bridge"))
    by_speaker = {c.claim.speaker: c for c in checked.claims}
    bridge = by_speaker["Anna Whitfield"]
    assert bridge.status is Status.REPEAT
    assert bridge.match is not None
    assert bridge.match.claim.fact_check is not None
    match = report_to_dict(checked)["claims"][0]["match"]
    assert match["fact_check"] == {
        "verdict": "Mostly false",
        "by": "Fact Desk",
        "url": BRIDGE_URL,
        "date": "2026-11-05",
        "rating": {"value": 2.0, "best": 5.0, "worst": 1.0},
    }
    assert by_speaker["Tom Reed"].match is None  # nothing fact-checked matched: no verdict

    hits = service.search(tenant="t1", query="harbour bridge cost", top_k=1)
    assert search_hits_to_dict(hits)["results"][0]["fact_check"]["verdict"] == "Mostly false"
    found = service.speaker_timeline(tenant="t1", name="Anna Whitfield")
    assert found is not None
    assert [fact_check_words(c.fact_check) for c in found[1] if c.fact_check] == [
        "Fact-checked by Fact Desk: Mostly false"
    ]
    # a claim nobody fact-checked has none
    plain = next(c for c in service.export(tenant="t1") if c.speaker == "Tom Reed")
    assert plain.fact_check is None
    assert stored_claim_to_dict(plain)["fact_check"] is None

    start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    assert build_digest(store, tenant="t1", start=start, end=end).fact_checked == 1


def test_reimporting_the_same_review_updates_it(store: SqlStore) -> None:
    service = service_on(store)
    service.import_claims(tenant="t1", claims=reviews("single.json"))
    revised = reviews(
        "single.json", replace=('"alternateName": "Mostly false"', '"alternateName": "Pants on fire"')
    )
    again = service.import_claims(tenant="t1", claims=revised)
    assert (again.imported, again.updated, again.skipped_duplicates) == (0, 1, 0)
    stored = [c for c in service.export(tenant="t1") if c.external_id == BRIDGE_URL]
    assert len(stored) == 1
    assert stored[0].fact_check is not None
    assert stored[0].fact_check.verdict == "Pants on fire"
    assert store.index_size(tenant="t1") == 1  # nothing added to the vector index either

    # a later copy of the feed without the speaker and dates keeps the stored ones
    bare = reviews("single.json", replace=('"itemReviewed"', '"unusedItem"'))
    bare = [replace(k, date=None) for k in bare]
    assert service.import_claims(tenant="t1", claims=bare).updated == 1
    [kept] = [c for c in service.export(tenant="t1") if c.external_id == BRIDGE_URL]
    assert kept.speaker == "Anna Whitfield"
    assert kept.first_seen == stored[0].first_seen

    # a tenant that never imported it gets its own copy, untouched by the other's update
    assert service.import_claims(tenant="t2", claims=reviews("single.json")).imported == 1
    [other] = list(service.export(tenant="t2"))
    assert other.fact_check is not None
    assert other.fact_check.verdict == "Mostly false"


def test_plain_json_lines_imports_have_no_verdict_columns_set(store: SqlStore) -> None:
    service = service_on(store)
    service.import_claims(tenant="t1", claims=[KnownClaim(external_id="fc-1", text="Rents rose 10 percent")])
    [claim] = list(service.export(tenant="t1"))
    assert claim.fact_check is None
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT fact_check_verdict, fact_check_by FROM claims")).one()
    assert tuple(row) == (None, None)
