"""Two requests for the same article at the same moment (issue 23, item 4), on SQLite and PostgreSQL.

Two threads, each with its own ``SqlStore`` on one database (as two bot processes would have),
check a batch each. Both batches start with the same article, and a barrier holds both after
their duplicate look-up, so both have missed the other's article and both try to store it:
the race every time, not one run in two. The NLP ports are fakes; the database is real.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.models import ArticleInput, CheckReport
from bot.service import ClaimService
from bot.settings import Settings
from bot.text import content_hash
from storage import SqlStore, open_store
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

SHARED = (
    "Ben Wallace said that Russia has about 70,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
)
OWN = {
    "a": "Tom Reed said that the harbour ferry timetable changes every winter.\n",
    "b": "Ana Ruiz said that the city library will stay open until ten at night.\n",
}


class _MeetAfterLookUp:
    """A store whose first look-up of one article waits until the other request's has been made."""

    def __init__(self, store: SqlStore, digest: str, barrier: threading.Barrier) -> None:
        self._store = store
        self._digest = digest
        self._barrier = barrier
        self._met = False

    def find_duplicate_article(self, **kwargs: Any) -> Any:
        found = self._store.find_duplicate_article(**kwargs)
        if kwargs["content_hash"] == self._digest and not self._met:
            self._met = True  # once: a second look-up (the loser's re-check) goes straight on
            self._barrier.wait(timeout=30)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def two_stores(store_settings: Settings, tmp_path: Path) -> Iterator[tuple[SqlStore, SqlStore]]:
    first = open_store(store_settings)
    second = open_store(
        Settings(
            _env_file=None, database_url=store_settings.resolved_database_url, data_dir=tmp_path / "other"
        )  # type: ignore[call-arg]
    )
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def _check_batch(
    service: ClaimService, texts: list[str], reports: list[CheckReport], errors: list[BaseException]
) -> None:
    """What ``claimbot check A B`` does: one article after the other; an exception ends the batch."""
    try:
        for text in texts:
            reports.append(service.check(tenant="t1", article=ArticleInput(text=text)))
    except BaseException as exc:  # recorded for the assertion, not swallowed
        errors.append(exc)


def test_the_loser_waits_and_reports_already_checked_and_the_batch_goes_on(
    two_stores: tuple[SqlStore, SqlStore],
) -> None:
    barrier = threading.Barrier(2)
    digest = content_hash(SHARED)
    reports: dict[str, list[CheckReport]] = {"a": [], "b": []}
    errors: list[BaseException] = []
    threads = []
    for key, store in zip(("a", "b"), two_stores, strict=True):
        service = ClaimService(
            store=_MeetAfterLookUp(store, digest, barrier),  # type: ignore[arg-type]
            extractor=SaidThatExtractor(),
            encoder=HashingEncoder(),
            fetcher=PagesFetcher({}),
        )
        thread = threading.Thread(
            target=_check_batch, args=(service, [SHARED, OWN[key]], reports[key], errors)
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=60)
    # before: one batch ended with "database unavailable: the same article was being stored by
    # another request at the same moment; try again", its second article never checked
    assert errors == []
    assert [len(reports["a"]), len(reports["b"])] == [2, 2]
    shared = [reports["a"][0], reports["b"][0]]
    winner = next(r for r in shared if r.article.duplicate_of is None)
    loser = next(r for r in shared if r is not winner)
    assert loser.article.duplicate_of == winner.article.id
    assert any("already checked" in note for note in loser.notes)
    # the loser's statements point at the winner's, and nothing was stored twice
    assert sorted(c.id for c in loser.claims) == sorted(c.id for c in winner.claims)
    engine = sa.create_engine(two_stores[0].url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM articles")).scalar_one() == 3
            assert conn.execute(sa.text("SELECT count(*) FROM claims")).scalar_one() == 4
            assert conn.execute(sa.text("SELECT count(*) FROM mentions")).scalar_one() == 4
    finally:
        engine.dispose()
