"""What reaches the database from odd inputs (issue 23, item 10), on real SQLite and PostgreSQL.

The service runs with fakes of the NLP ports (no models) and the real ``SqlStore``.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from bot.errors import BadInput
from bot.models import ArticleInput
from bot.service import ClaimService
from storage import SqlStore
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

ARTICLE = (
    "Ben Wallace said that Russia has about 70,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
)


def _service(store: SqlStore) -> ClaimService:
    return ClaimService(
        store=store, extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher({})
    )


def _stored(store: SqlStore) -> tuple[int, int, list[str]]:
    with store.engine.connect() as conn:
        articles = conn.execute(sa.text("SELECT count(*) FROM articles")).scalar_one()
        claims = conn.execute(sa.text("SELECT count(*) FROM claims")).scalar_one()
        texts = [row[0] for row in conn.execute(sa.text("SELECT text FROM articles ORDER BY id"))]
    return articles, claims, texts


def test_zero_width_characters_do_not_make_an_article_new(store: SqlStore) -> None:
    service = _service(store)
    first = service.check(tenant="t1", article=ArticleInput(text=ARTICLE))
    # before: stored as a second article with its claims (U+200B defeated the duplicate check)
    sprinkled = "\u200b".join(ARTICLE[i : i + 4] for i in range(0, len(ARTICLE), 4))
    again = service.check(tenant="t1", article=ArticleInput(text=sprinkled))
    assert again.article.duplicate_of == first.article.id
    assert _stored(store)[:2] == (1, 2)


def test_the_stored_text_has_no_invisible_characters(store: SqlStore) -> None:
    service = _service(store)
    report = service.check(tenant="t1", article=ArticleInput(text="\u2060" + ARTICLE.replace(" ", " \u200b")))
    assert len(report.claims) == 2
    assert _stored(store)[2] == [ARTICLE]
    # offsets point into the stored text
    for checked in report.claims:
        content = checked.claim.content
        assert ARTICLE[content.start : content.end] == content.text


@pytest.mark.parametrize(
    "text",
    [
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\nBT (Ben Wallace said that so.) Tj\n",
        "speaker,statement\n"
        + "".join(f'Speaker {i},"Ben Wallace said that {i} is so"\n' for i in range(20)),
        json.dumps(
            [{"speaker": f"S{i}", "text": "Ben Wallace said that Russia has troops."} for i in range(10)]
        ),
        '"" “” "" ""\n' * 5,
    ],
    ids=["pdf", "csv", "json", "only-quote-marks"],
)
def test_what_is_not_an_article_stores_nothing(store: SqlStore, text: str) -> None:
    with pytest.raises(BadInput):
        _service(store).check(tenant="t1", article=ArticleInput(text=text))
    assert _stored(store)[:2] == (0, 0)
