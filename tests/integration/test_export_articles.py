"""Statements trace back to their article (issue 23.9), on real SQLite and PostgreSQL.

``claimbot export`` names each statement's article; a file check's statements carry the
file's name as their source, which search and the speaker timeline show.
"""

from __future__ import annotations

from datetime import date

from bot.models import ArticleInput, KnownClaim, Origin
from bot.service import ClaimService
from bot.summary import export_row, search_hits_to_dict, stored_claim_to_dict
from storage import SqlStore
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

ARTICLE = "Ann Lee said that taxes will fall next year.\nBob Stone said that the bridge opens in May.\n"


def service_on(store: SqlStore) -> ClaimService:
    return ClaimService(
        store=store, extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher()
    )


def checked_file(service: ClaimService) -> str:
    """What ``claimbot check budget.txt --title Budget --published 2026-11-02`` stores."""
    report = service.check(
        tenant="t1",
        article=ArticleInput(
            text=ARTICLE,
            title="Budget",
            published=date(2026, 11, 2),
            origin=Origin(platform="console", permalink="file:budget.txt"),
        ),
    )
    return report.article.id


def test_export_rows_carry_the_article(store: SqlStore) -> None:
    service = service_on(store)
    article_id = checked_file(service)
    service.import_claims(tenant="t1", claims=[KnownClaim(external_id="fc-1", text="the harbour will close")])
    rows = {c.text: export_row(c, a) for c, a in service.export_with_articles(tenant="t1", batch=1)}
    # before: no article columns; a file check's statements had no source at all
    taxes = next(row for text, row in rows.items() if "taxes" in text)
    assert (taxes["article_id"], taxes["article_title"], taxes["article_date"]) == (
        article_id,
        "Budget",
        "2026-11-02",
    )
    assert taxes["article_source"] == taxes["source"] == "file:budget.txt"
    imported = rows["the harbour will close"]
    assert (imported["article_id"], imported["article_title"], imported["article_source"]) == (
        None,
        None,
        None,
    )


def test_a_file_checks_source_is_shown_by_search_and_timeline(store: SqlStore) -> None:
    service = service_on(store)
    checked_file(service)
    hits = service.search(tenant="t1", query="taxes will fall", top_k=1)
    assert search_hits_to_dict(hits)["results"][0]["source"] == "file:budget.txt"
    found = service.speaker_timeline(tenant="t1", name="Ann Lee")
    assert found is not None
    assert [stored_claim_to_dict(c)["source"] for c in found[1]] == ["file:budget.txt"]


def test_articles_by_ids_keeps_order_and_tenant(store: SqlStore) -> None:
    service = service_on(store)
    first = checked_file(service)
    second = service.check(
        tenant="t1", article=ArticleInput(text="Cy Moss said that rents rose.\n", url="https://x.example/r")
    )
    other = service.check(tenant="t2", article=ArticleInput(text="Di Roe said that rents fell.\n"))
    found = store.articles_by_ids(tenant="t1", ids=[second.article.id, "nonsense", first, other.article.id])
    assert [(a.id, a.url) for a in found] == [(second.article.id, "https://x.example/r"), (first, None)]
