"""SqlStore against real databases: every test runs on SQLite and on PostgreSQL (see conftest)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
import time_machine

from bot.errors import StorageUnavailable
from bot.models import ArticleInput, ClaimKind, ExtractedClaim, KnownClaim, Origin, Span, SpeakerKind
from bot.ports import DigestSchedule, NewClaim
from bot.settings import Settings
from storage import SqlStore, migrate, open_store
from storage.db import index_dir_for
from storage.vector_index import VectorIndex

DIM = 32
TENANT = "discord:1"
OTHER = "slack:T2"


def unit_vectors(n: int, seed: int = 7) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def nudged(vector: np.ndarray, seed: int = 1, noise: float = 0.05) -> np.ndarray:
    out = vector + noise * np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return (out / np.linalg.norm(out)).astype(np.float32)


def extracted(text: str, speaker: str | None = None, start: int = 0, restatements: int = 0) -> ExtractedClaim:
    return ExtractedClaim(
        text=text,
        kind=ClaimKind.DIRECT if speaker else ClaimKind.UNATTRIBUTED,
        content=Span(start, start + len(text), text),
        cue=Span(start + len(text) + 2, start + len(text) + 6, "said") if speaker else None,
        speaker_mention=Span(start + len(text) + 7, start + len(text) + 7 + len(speaker), speaker)
        if speaker
        else None,
        speaker=speaker,
        restatements=tuple(Span(500 + i * 50, 520 + i * 50, text[:20]) for i in range(restatements)),
    )


def new_claim(
    text: str,
    vector: np.ndarray,
    speaker: str | None = None,
    *,
    existing: str | None = None,
    aliases: tuple[str, ...] = (),
    kind: SpeakerKind = SpeakerKind.PERSON,
    restatements: int = 0,
    changed_from: str | None = None,
) -> NewClaim:
    return NewClaim(
        extracted=extracted(text, speaker, restatements=restatements),
        embedding=vector,
        existing_claim_id=existing,
        speaker_name=speaker,
        speaker_kind=kind if speaker else SpeakerKind.UNKNOWN,
        speaker_aliases=aliases,
        changed_from_claim_id=changed_from,
    )


def article(text: str = "An article.", url: str | None = None, **kw: object) -> ArticleInput:
    return ArticleInput(text=text, url=url, **kw)  # type: ignore[arg-type]


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(_env_file=None, database_url=url, data_dir=data_dir)  # type: ignore[call-arg]


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- migrations
EXPECTED_TABLES = {
    "tenants",
    "articles",
    "speakers",
    "speaker_aliases",
    "claims",
    "mentions",
    "channel_watch",
    "deliveries",
    "digest_schedules",
    "digest_posts",
    "follows",
    "follow_alerts",
    "alembic_version",
}


def test_migrations_create_every_table_and_run_twice(db_url: str) -> None:
    migrate(db_url)
    migrate(db_url)  # already at head: a no-op, not an error
    assert table_names(db_url) >= EXPECTED_TABLES


def test_models_match_the_migrated_schema(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.schema import include_name
    from storage.tables import metadata

    migrate(db_url)
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    from storage.schema import downgrade

    migrate(db_url)
    downgrade(db_url, "base")
    assert table_names(db_url) <= {"alembic_version"}
    migrate(db_url)
    assert table_names(db_url) >= EXPECTED_TABLES


# ----------------------------------------------------------------------------- round trip
def test_article_claims_speakers_and_mentions_round_trip(store: SqlStore) -> None:
    v = unit_vectors(3)
    origin = Origin(platform="discord", channel_id="C1", message_id="M1", permalink="https://discord.com/m/1")
    saved = store.save_article(
        tenant=TENANT,
        article=article(
            "Full text.", url="https://news.example/a", title="T", published=date(2026, 3, 1), origin=origin
        ),
        content_hash="hash-1",
        claims=[
            new_claim(
                "Ukraine is not part of NATO", v[0], "Boris Johnson", aliases=("Johnson",), restatements=1
            ),
            new_claim("Taxes will not rise", v[1], None),
        ],
    )
    assert saved.article.id.startswith("a")
    assert (saved.article.tenant, saved.article.title) == (TENANT, "T")
    assert saved.article.published == date(2026, 3, 1)
    assert saved.article.permalink == "https://discord.com/m/1"
    assert len(set(saved.claim_ids)) == len(saved.claim_ids) == 2

    first, second = store.claims_by_ids(tenant=TENANT, ids=list(reversed(saved.claim_ids)))[::-1]
    assert first.text == "Ukraine is not part of NATO"
    assert first.speaker == "Boris Johnson"
    assert first.speaker_id is not None
    assert first.kind is ClaimKind.DIRECT
    assert first.mentions == 2  # the claim and one restatement
    assert first.source == "https://news.example/a"
    assert first.article_id == saved.article.id
    assert first.first_seen.tzinfo is not None
    assert (second.speaker, second.speaker_id, second.mentions) == (None, None, 1)

    (speaker,) = store.speakers(tenant=TENANT)
    assert (speaker.name, speaker.kind, speaker.aliases) == (
        "Boris Johnson",
        SpeakerKind.PERSON,
        ("Johnson",),
    )
    assert [c.id for c in store.iter_claims(tenant=TENANT)] == list(saved.claim_ids)

    window = store.claims_between(
        tenant=TENANT,
        start=datetime.now(UTC) - timedelta(hours=1),
        end=datetime.now(UTC) + timedelta(hours=1),
    )
    assert {(c.id, n) for c, n in window} == {(saved.claim_ids[0], 2), (saved.claim_ids[1], 1)}
    assert (
        store.articles_between(
            tenant=TENANT,
            start=datetime.now(UTC) - timedelta(hours=1),
            end=datetime.now(UTC) + timedelta(hours=1),
        )
        == 1
    )


def test_repeat_adds_a_mention_instead_of_a_claim(store: SqlStore) -> None:
    v = unit_vectors(2)
    first = store.save_article(
        tenant=TENANT,
        article=article(),
        content_hash="h1",
        claims=[new_claim("Prices will fall", v[0], "Ann Lee")],
    )
    second = store.save_article(
        tenant=TENANT,
        article=article("Another."),
        content_hash="h2",
        claims=[
            new_claim(
                "Prices are going to fall", v[1], "Bob Stone", existing=first.claim_ids[0], restatements=1
            ),
        ],
    )
    assert second.claim_ids == first.claim_ids
    assert store.count_claims(tenant=TENANT) == 1
    (claim,) = store.claims_by_ids(tenant=TENANT, ids=first.claim_ids)
    assert claim.mentions == 3
    assert claim.speaker == "Ann Lee"  # the original speaker stays
    bob = next(s for s in store.speakers(tenant=TENANT) if s.name == "Bob Stone")
    # the repeat shows on the timeline of the speaker who repeated it
    assert [c.id for c in store.speaker_timeline(tenant=TENANT, speaker_id=bob.id)] == list(first.claim_ids)


def test_ids_follow_the_claims_when_new_and_repeated_claims_mix(store: SqlStore) -> None:
    v = unit_vectors(6)
    first = store.save_article(
        tenant=TENANT, article=article(), content_hash="h1", claims=[new_claim("Old one", v[0], "Ann Lee")]
    )
    texts = ["New A", "New B", "New C", "New D"]
    second = store.save_article(
        tenant=TENANT,
        article=article("B"),
        content_hash="h2",
        claims=[
            new_claim(texts[0], v[1], "Bob Stone"),
            new_claim("Old one again", v[0], "Ann Lee", existing=first.claim_ids[0]),
            new_claim(texts[1], v[2]),
            new_claim(texts[2], v[3], "Ann Lee"),
            new_claim(texts[3], v[4], "Cy Young"),
        ],
    )
    assert second.claim_ids[1] == first.claim_ids[0]
    stored = {c.id: c for c in store.claims_by_ids(tenant=TENANT, ids=second.claim_ids)}
    assert [stored[i].text for i in second.claim_ids] == ["New A", "Old one", "New B", "New C", "New D"]
    assert [stored[i].speaker for i in second.claim_ids] == [
        "Bob Stone",
        "Ann Lee",
        None,
        "Ann Lee",
        "Cy Young",
    ]
    assert store.count_claims(tenant=TENANT) == 5


def test_changed_claim_points_at_the_earlier_one(store: SqlStore) -> None:
    v = unit_vectors(2)
    first = store.save_article(
        tenant=TENANT,
        article=article(),
        content_hash="h1",
        claims=[new_claim("70,000 troops", v[0], "Ann Lee")],
    )
    second = store.save_article(
        tenant=TENANT,
        article=article("B"),
        content_hash="h2",
        claims=[new_claim("100,000 troops", v[1], "Ann Lee", changed_from=first.claim_ids[0])],
    )
    (changed,) = store.claims_by_ids(tenant=TENANT, ids=second.claim_ids)
    assert changed.changed_from == first.claim_ids[0]


# ----------------------------------------------------------------------------- duplicates & transactions
@pytest.mark.parametrize(
    ("url", "content_hash", "found"),
    [
        ("https://news.example/story", "other", True),
        ("https://NEWS.example/story/?utm_source=x#top", "other", True),
        ("http://www.news.example/story", "other", True),
        (None, "hash-1", True),
        ("https://news.example/other-story", "hash-1", True),
        ("https://news.example/other-story", "other", False),
        (None, "other", False),
    ],
)
def test_find_duplicate_article(store: SqlStore, url: str | None, content_hash: str, found: bool) -> None:
    saved = store.save_article(
        tenant=TENANT, article=article(url="https://news.example/story"), content_hash="hash-1", claims=[]
    )
    dup = store.find_duplicate_article(tenant=TENANT, url=url, content_hash=content_hash)
    assert (dup.id if dup else None) == (saved.article.id if found else None)
    assert store.find_duplicate_article(tenant=OTHER, url=url, content_hash=content_hash) is None


def test_failed_save_stores_nothing_of_the_article(store: SqlStore) -> None:
    v = unit_vectors(3)
    broken = [
        new_claim("First claim", v[0], "Ann Lee", aliases=("Lee",)),
        new_claim("Second claim", v[1], "Bob Stone"),
        new_claim("Broken claim", np.ones((2, DIM), dtype=np.float32), "Carl Roe"),  # wrong shape
    ]
    with pytest.raises(ValueError, match="embedding"):
        store.save_article(
            tenant=TENANT, article=article(url="https://x.example/a"), content_hash="h", claims=broken
        )
    assert store.count_claims(tenant=TENANT) == 0
    assert store.speakers(tenant=TENANT) == []
    assert store.find_duplicate_article(tenant=TENANT, url="https://x.example/a", content_hash="h") is None
    assert store.nearest_claims(tenant=TENANT, embedding=v[0], k=5) == []
    # the same article saves cleanly afterwards
    fixed = [*broken[:2], new_claim("Broken claim", v[2], "Carl Roe")]
    saved = store.save_article(
        tenant=TENANT, article=article(url="https://x.example/a"), content_hash="h", claims=fixed
    )
    assert len(saved.claim_ids) == store.count_claims(tenant=TENANT) == 3


def test_nan_embedding_is_refused(store: SqlStore) -> None:
    bad = np.full(DIM, np.nan, dtype=np.float32)
    with pytest.raises(ValueError, match="NaN"):
        store.save_article(tenant=TENANT, article=article(), content_hash="h", claims=[new_claim("x", bad)])


# ----------------------------------------------------------------------------- speakers
@pytest.mark.parametrize(
    "later_name", ["Boris Johnson", "  boris   JOHNSON ", "Johnson", "the Prime Minister", "BORIS JOHNSON."]
)
def test_speaker_resolves_by_name_or_alias(store: SqlStore, later_name: str) -> None:
    v = unit_vectors(2)
    store.save_article(
        tenant=TENANT,
        article=article(),
        content_hash="h1",
        claims=[new_claim("A", v[0], "Boris Johnson", aliases=("Johnson", "the prime minister"))],
    )
    later = store.save_article(
        tenant=TENANT, article=article("b"), content_hash="h2", claims=[new_claim("B", v[1], later_name)]
    )
    (speaker,) = store.speakers(tenant=TENANT)
    assert speaker.name == "Boris Johnson"
    (claim,) = store.claims_by_ids(tenant=TENANT, ids=later.claim_ids)
    assert (claim.speaker_id, claim.speaker) == (speaker.id, "Boris Johnson")


def test_a_person_stored_by_surname_is_shown_by_the_full_name_once_seen(store: SqlStore) -> None:
    v = unit_vectors(3)
    store.save_article(
        tenant=TENANT, article=article(), content_hash="h1", claims=[new_claim("A", v[0], "Trump")]
    )
    store.save_article(
        tenant=TENANT,
        article=article("b"),
        content_hash="h2",
        claims=[new_claim("B", v[1], "Donald Trump", aliases=("Trump", "the Republican nominee"))],
    )
    (speaker,) = store.speakers(tenant=TENANT)
    assert speaker.name == "Donald Trump"
    assert {"Trump", "the Republican nominee"} <= set(speaker.aliases)
    # and a later surname-only mention still lands on the same person
    store.save_article(
        tenant=TENANT, article=article("c"), content_hash="h3", claims=[new_claim("C", v[2], "Trump")]
    )
    assert [s.name for s in store.speakers(tenant=TENANT)] == ["Donald Trump"]


def test_the_full_name_a_surname_speaker_came_to_be_shown_by_finds_it_later(store: SqlStore) -> None:
    """Stored as "Clinton", shown as "Hillary Clinton" once an article said so: a later article
    that names her "Hillary Clinton" (and never "Clinton") finds the same speaker (it once made
    a second Hillary Clinton)."""
    v = unit_vectors(3)
    store.save_article(
        tenant=TENANT, article=article(), content_hash="h1", claims=[new_claim("A", v[0], "Clinton")]
    )
    store.save_article(
        tenant=TENANT,
        article=article("b"),
        content_hash="h2",
        claims=[new_claim("B", v[1], "Hillary Clinton", aliases=("Clinton",))],
    )
    store.save_article(
        tenant=TENANT,
        article=article("c"),
        content_hash="h3",
        claims=[new_claim("C", v[2], "Hillary Clinton")],
    )
    (speaker,) = store.speakers(tenant=TENANT)
    assert speaker.name == "Hillary Clinton"
    assert store.count_claims(tenant=TENANT) == 3


def test_new_name_creates_a_speaker_and_unknown_kind_is_upgraded(store: SqlStore) -> None:
    v = unit_vectors(3)
    store.save_article(
        tenant=TENANT,
        article=article(),
        content_hash="h1",
        claims=[new_claim("A", v[0], "NATO", kind=SpeakerKind.UNKNOWN), new_claim("B", v[1], "Ann Lee")],
    )
    store.save_article(
        tenant=TENANT,
        article=article("b"),
        content_hash="h2",
        claims=[new_claim("C", v[2], "nato", kind=SpeakerKind.ORGANISATION)],
    )
    kinds = {s.name: s.kind for s in store.speakers(tenant=TENANT)}
    assert kinds == {"NATO": SpeakerKind.ORGANISATION, "Ann Lee": SpeakerKind.PERSON}


def test_speaker_timeline_is_oldest_first_and_limited(store: SqlStore) -> None:
    v = unit_vectors(4)
    ids = []
    for i in range(4):
        with time_machine.travel(datetime(2026, 1, 1 + i, 12, tzinfo=UTC), tick=False):
            saved = store.save_article(
                tenant=TENANT,
                article=article(f"t{i}"),
                content_hash=f"h{i}",
                claims=[new_claim(f"C{i}", v[i], "Ann Lee")],
            )
        ids.append(saved.claim_ids[0])
    (ann,) = store.speakers(tenant=TENANT)
    assert [c.id for c in store.speaker_timeline(tenant=TENANT, speaker_id=ann.id)] == ids
    assert [c.id for c in store.speaker_timeline(tenant=TENANT, speaker_id=ann.id, limit=2)] == ids[2:]


# ----------------------------------------------------------------------------- vector search
def test_nearest_claims_finds_the_closest_with_exact_cosines(store: SqlStore) -> None:
    v = unit_vectors(60)
    claims = [
        (
            KnownClaim(external_id=f"e{i}", text=f"claim {i}", speaker="Ann Lee" if i % 2 else "Bob Stone"),
            v[i],
        )
        for i in range(60)
    ]
    assert store.import_claims(tenant=TENANT, claims=claims) == (60, 0)
    hits = store.nearest_claims(tenant=TENANT, embedding=nudged(v[17]), k=5)
    assert hits[0].claim.external_id == "e17"
    assert [h.cosine for h in hits] == sorted((h.cosine for h in hits), reverse=True)
    assert hits[0].cosine == pytest.approx(float(np.dot(v[17], nudged(v[17]))), abs=2e-3)

    bob = next(s for s in store.speakers(tenant=TENANT) if s.name == "Bob Stone")
    only_bob = store.nearest_claims(tenant=TENANT, embedding=nudged(v[17]), k=5, speaker_id=bob.id)
    assert [h.claim.speaker for h in only_bob] == ["Bob Stone"] * 5
    assert store.nearest_claims(tenant=TENANT, embedding=v[0], k=5, speaker_id="s999999") == []


def test_imported_titles_round_trip(store: SqlStore) -> None:
    v = unit_vectors(3, seed=5)
    store.import_claims(
        tenant=TENANT,
        claims=[
            (KnownClaim(external_id="t1", text="Fares rise", title="Are Tram Fares Rising?"), v[0]),
            (KnownClaim(external_id="t2", text="Harbour closes", title="   "), v[1]),
            (KnownClaim(external_id="t3", text="Bridge opens"), v[2]),
        ],
    )
    titles = {c.external_id: c.title for c in store.iter_claims(tenant=TENANT)}
    assert titles == {"t1": "Are Tram Fares Rising?", "t2": None, "t3": None}
    hit = store.nearest_claims(tenant=TENANT, embedding=v[0], k=1)[0]
    assert hit.claim.title == "Are Tram Fares Rising?"


@pytest.mark.postgres
def test_postgres_plans_each_statement_with_its_parameters(postgres_url: str, tmp_path: Path) -> None:
    # Generic plans cached by prepared statements made bulk imports slow down batch after batch.
    with open_store(settings_for(postgres_url, tmp_path)) as store, store.engine.connect() as conn:
        assert conn.execute(sa.text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"


def test_nearest_claims_many_equals_one_at_a_time(store: SqlStore) -> None:
    v = unit_vectors(1_200, seed=3)
    claims = [(KnownClaim(external_id=f"e{i}", text=f"claim {i}"), v[i]) for i in range(1_200)]
    assert store.import_claims(tenant=TENANT, claims=claims) == (1_200, 0)
    # more distinct candidate ids (60 queries x 20) than one IN (...) chunk holds
    queries = [nudged(v[i], seed=i) for i in range(0, 1_200, 20)]
    batched = store.nearest_claims_many(tenant=TENANT, embeddings=queries, k=20)
    single = [store.nearest_claims(tenant=TENANT, embedding=q, k=20) for q in queries]
    assert len(batched) == len(queries)
    assert [[(c.claim.id, c.cosine) for c in row] for row in batched] == [
        [(c.claim.id, c.cosine) for c in row] for row in single
    ]
    assert [row[0].claim.external_id for row in batched] == [f"e{i}" for i in range(0, 1_200, 20)]
    assert store.nearest_claims_many(tenant=TENANT, embeddings=queries[:1], k=20) == batched[:1]
    assert store.nearest_claims_many(tenant=TENANT, embeddings=[], k=5) == []
    assert store.nearest_claims_many(tenant="nobody", embeddings=queries[:2], k=5) == [[], []]
    with pytest.raises(ValueError, match="values"):
        store.nearest_claims_many(tenant=TENANT, embeddings=[np.ones(7, dtype=np.float32)], k=5)


def test_index_syncs_across_two_store_objects_on_one_database(
    store_settings: Settings, tmp_path: Path
) -> None:
    v = unit_vectors(3)
    first = open_store(store_settings)
    # the second "process" has its own data directory, like a bot on another host
    second = open_store(settings_for(store_settings.resolved_database_url, tmp_path / "other-host"))
    try:
        first.import_claims(tenant=TENANT, claims=[(KnownClaim(external_id="a", text="one"), v[0])])
        assert first.nearest_claims(tenant=TENANT, embedding=v[0], k=1)[0].claim.text == "one"
        assert second.nearest_claims(tenant=TENANT, embedding=v[0], k=1)[0].claim.text == "one"
        saved = second.save_article(
            tenant=TENANT, article=article(), content_hash="h", claims=[new_claim("two", v[1], "Ann Lee")]
        )
        # the first store's in-memory index has not seen claim "two" yet: the watermark sync adds it
        hit = first.nearest_claims(tenant=TENANT, embedding=v[1], k=1)[0]
        assert hit.claim.id == saved.claim_ids[0]
        assert hit.cosine == pytest.approx(1.0, abs=1e-3)
        # a third store sharing the FIRST one's data directory loads its file and catches up
        first.close()
        third = open_store(store_settings)
        third.import_claims(tenant=TENANT, claims=[(KnownClaim(external_id="c", text="three"), v[2])])
        assert third.nearest_claims(tenant=TENANT, embedding=v[2], k=3)[0].claim.text == "three"
        assert len(third.nearest_claims(tenant=TENANT, embedding=v[2], k=10)) == 3
        third.close()
    finally:
        second.close()


def index_files(settings: Settings) -> list[Path]:
    directory = index_dir_for(settings.resolved_database_url, Path(settings.data_dir))
    assert directory is not None
    return sorted(directory.glob("*.usearch"))


def test_a_sqlite_index_lives_beside_the_database_file(tmp_path: Path) -> None:
    """Not in the data directory (by default ~/.local/share/claimbot for every database opened):
    a store in a temporary directory keeps its cache there too (issue 23.11)."""
    (tmp_path / "db").mkdir()
    settings = settings_for(f"sqlite:///{tmp_path / 'db' / 'x.db'}", tmp_path / "data-dir")
    v = unit_vectors(3)
    with open_store(settings) as store:
        store.import_claims(
            tenant=TENANT, claims=[(KnownClaim(external_id=f"e{i}", text=f"c{i}"), v[i]) for i in range(3)]
        )
        assert store.nearest_claims(tenant=TENANT, embedding=v[1], k=1)[0].claim.external_id == "e1"
    assert [p.parent for p in (tmp_path / "db").rglob("*.usearch")] == [tmp_path / "db" / "index"]
    assert not (tmp_path / "data-dir").exists()


def test_tests_have_a_temporary_default_data_dir(data_dir_in_a_temporary_directory: Path) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.data_dir == data_dir_in_a_temporary_directory
    assert Path.home() / ".local" not in settings.data_dir.parents


def test_an_index_without_a_directory_stays_in_memory() -> None:
    """What an in-memory SQLite database gets (``index_dir_for`` says None): nothing on disk."""
    index = VectorIndex(None, TENANT, 8)
    index.add(np.array([1, 2], dtype=np.int64), np.eye(2, 8, dtype=np.float32))
    assert index.save() is None
    assert index.unsaved == 0
    assert index.load() is False


def test_index_directories(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert index_dir_for(f"sqlite:///{tmp_path}/a/b.db", data) == tmp_path / "a" / "index"
    assert index_dir_for(f"sqlite:///{data}/claimbot.db", data) == data / "index"  # the default layout
    assert index_dir_for("sqlite:///:memory:", data) is None
    assert index_dir_for("postgresql://u@db.example/claims", data) == data / "index"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.unlink(), id="deleted"),
        pytest.param(lambda p: p.write_bytes(b"not an index" * 100), id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), id="truncated"),
    ],
)
def test_index_is_rebuilt_from_the_database(store_settings: Settings, damage: Callable[[Path], None]) -> None:
    v = unit_vectors(40)
    with open_store(store_settings) as store:
        store.import_claims(
            tenant=TENANT, claims=[(KnownClaim(external_id=f"e{i}", text=f"c{i}"), v[i]) for i in range(40)]
        )
        assert store.nearest_claims(tenant=TENANT, embedding=v[3], k=1)[0].claim.external_id == "e3"
    (path,) = index_files(store_settings)
    damage(path)
    with open_store(store_settings) as reopened:
        hits = reopened.nearest_claims(tenant=TENANT, embedding=v[21], k=40)
        assert hits[0].claim.external_id == "e21"
        assert len(hits) == 40
    assert len(index_files(store_settings)) == 1


def test_index_that_disagrees_with_the_database_is_rebuilt(db_url: str, tmp_path: Path) -> None:
    """A database restored from an older backup has fewer claims than the index file: rebuild."""
    v = unit_vectors(11)
    settings = settings_for(db_url, tmp_path / "data")
    with open_store(settings) as store:
        store.import_claims(
            tenant=TENANT, claims=[(KnownClaim(external_id=f"e{i}", text=f"c{i}"), v[i]) for i in range(10)]
        )
        assert store.index_size(tenant=TENANT) == 10
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM claims WHERE external_id IN ('e7', 'e8', 'e9')"))
    engine.dispose()
    with open_store(settings) as store:
        store.import_claims(tenant=TENANT, claims=[(KnownClaim(external_id="late", text="late"), v[10])])
        assert store.index_size(tenant=TENANT) == 8
        hits = store.nearest_claims(tenant=TENANT, embedding=v[10], k=20)
        assert hits[0].claim.external_id == "late"
        assert {h.claim.external_id for h in hits} == {*(f"e{i}" for i in range(7)), "late"}


# ----------------------------------------------------------------------------- full text
TEXTS = [
    "Ukraine is not part of NATO",
    "Ukraine does not belong to the NATO alliance",
    "Inflation fell to 2 percent in March",
    "The bridge will open in 2027",
]


def test_text_search_ranks_and_normalises_lexical(store: SqlStore) -> None:
    v = unit_vectors(len(TEXTS))
    store.import_claims(
        tenant=TENANT, claims=[(KnownClaim(external_id=str(i), text=t), v[i]) for i, t in enumerate(TEXTS)]
    )
    hits = store.text_search(tenant=TENANT, query="Is Ukraine part of NATO?", k=10)
    assert [h.claim.text for h in hits][:2] == TEXTS[:2]
    assert {h.claim.text for h in hits} == set(TEXTS[:2])
    assert all(0.0 <= h.lexical <= 1.0 for h in hits)
    assert hits[0].lexical == 1.0
    assert hits[1].lexical < 1.0
    assert store.text_search(tenant=TENANT, query="inflation falling", k=10)[0].claim.text == TEXTS[2]


def test_text_search_gives_exact_cosines_when_given_the_query_vector(store: SqlStore) -> None:
    v = unit_vectors(len(TEXTS))
    store.import_claims(
        tenant=TENANT, claims=[(KnownClaim(external_id=str(i), text=t), v[i]) for i, t in enumerate(TEXTS)]
    )
    query = nudged(v[0])
    without = store.text_search(tenant=TENANT, query="Ukraine NATO", k=10)
    assert all(h.cosine == 0.0 for h in without)
    hits = store.text_search(tenant=TENANT, query="Ukraine NATO", k=10, embedding=query)
    by_vector = {
        c.claim.id: c.cosine for c in store.nearest_claims(tenant=TENANT, embedding=query, k=len(TEXTS))
    }
    assert hits
    for hit in hits:
        assert hit.cosine == pytest.approx(by_vector[hit.claim.id], abs=1e-5)


@pytest.mark.parametrize(
    "query", ["", "   ", "the of and", '"NATO" OR (', "NEAR(a b)", "bridge*:^", "'; DROP TABLE claims; --"]
)
def test_text_search_survives_odd_queries(store: SqlStore, query: str) -> None:
    v = unit_vectors(len(TEXTS))
    store.import_claims(
        tenant=TENANT, claims=[(KnownClaim(external_id=str(i), text=t), v[i]) for i, t in enumerate(TEXTS)]
    )
    hits = store.text_search(tenant=TENANT, query=query, k=5)
    assert all(0.0 <= h.lexical <= 1.0 for h in hits)
    assert store.count_claims(tenant=TENANT) == len(TEXTS)


def test_text_search_filters_by_speaker(store: SqlStore) -> None:
    v = unit_vectors(2)
    store.import_claims(
        tenant=TENANT,
        claims=[
            (KnownClaim(external_id="1", text="NATO will grow", speaker="Ann Lee"), v[0]),
            (KnownClaim(external_id="2", text="NATO will shrink", speaker="Bob Stone"), v[1]),
        ],
    )
    bob = next(s for s in store.speakers(tenant=TENANT) if s.name == "Bob Stone")
    hits = store.text_search(tenant=TENANT, query="NATO", k=5, speaker_id=bob.id)
    assert [h.claim.text for h in hits] == ["NATO will shrink"]


# ----------------------------------------------------------------------------- tenants
def test_tenants_see_nothing_of_each_other(store: SqlStore) -> None:
    v = unit_vectors(2)
    saved = store.save_article(
        tenant=TENANT,
        article=article(url="https://news.example/x"),
        content_hash="h",
        claims=[new_claim("Ukraine is not part of NATO", v[0], "Ann Lee")],
    )
    store.import_claims(
        tenant=TENANT, claims=[(KnownClaim(external_id="e1", text="NATO grows", speaker="Ann Lee"), v[1])]
    )
    store.set_watch(tenant=TENANT, channel_id="C1", enabled=True)
    store.first_delivery(tenant=TENANT, key="evt")

    assert store.nearest_claims(tenant=OTHER, embedding=v[0], k=5) == []
    assert store.text_search(tenant=OTHER, query="NATO Ukraine", k=5) == []
    assert store.claims_by_ids(tenant=OTHER, ids=saved.claim_ids) == []
    assert store.speakers(tenant=OTHER) == []
    assert list(store.iter_claims(tenant=OTHER)) == []
    assert store.find_duplicate_article(tenant=OTHER, url="https://news.example/x", content_hash="h") is None
    assert not store.is_watched(tenant=OTHER, channel_id="C1")
    assert store.first_delivery(tenant=OTHER, key="evt")
    # once the other tenant has claims of its own, it still sees only those
    store.import_claims(tenant=OTHER, claims=[(KnownClaim(external_id="e1", text="NATO shrinks"), v[0])])
    assert {h.claim.tenant for h in store.nearest_claims(tenant=OTHER, embedding=v[0], k=5)} == {OTHER}
    assert [h.claim.text for h in store.text_search(tenant=OTHER, query="NATO", k=5)] == ["NATO shrinks"]
    assert [h.claim.text for h in store.nearest_claims(tenant=OTHER, embedding=v[0], k=5)] == ["NATO shrinks"]
    assert len(store.speakers(tenant=TENANT)) == 1


# ----------------------------------------------------------------------------- import
def test_import_skips_known_external_ids_and_keeps_metadata(store: SqlStore) -> None:
    v = unit_vectors(4)
    batch = [
        (
            KnownClaim(
                external_id="fc-1", text="A", speaker="Ann Lee", date=date(2020, 5, 1), source="https://fc/1"
            ),
            v[0],
        ),
        (KnownClaim(external_id="fc-2", text="B", speaker="ann lee"), v[1]),
        (KnownClaim(external_id="fc-2", text="B again"), v[2]),  # repeated inside the batch
    ]
    assert store.import_claims(tenant=TENANT, claims=batch) == (2, 1)
    assert store.import_claims(
        tenant=TENANT, claims=[batch[0], (KnownClaim(external_id="fc-3", text="C"), v[3])]
    ) == (1, 1)
    claims = {c.external_id: c for c in store.iter_claims(tenant=TENANT)}
    assert set(claims) == {"fc-1", "fc-2", "fc-3"}
    assert claims["fc-1"].first_seen == datetime(2020, 5, 1, tzinfo=UTC)
    assert claims["fc-1"].source == "https://fc/1"
    assert claims["fc-1"].speaker_id == claims["fc-2"].speaker_id is not None
    assert claims["fc-3"].speaker is None


def test_import_with_a_bad_vector_imports_nothing_of_the_batch(store: SqlStore) -> None:
    v = unit_vectors(2)
    with pytest.raises(ValueError, match="embedding"):
        store.import_claims(
            tenant=TENANT,
            claims=[
                (KnownClaim(external_id="1", text="A"), v[0]),
                (KnownClaim(external_id="2", text="B"), v[1][:5]),
            ],
        )
    assert store.count_claims(tenant=TENANT) == 0


def test_claims_between_counts_mentions_in_the_period(store: SqlStore) -> None:
    v = unit_vectors(2)
    with time_machine.travel(datetime(2026, 11, 2, 10, tzinfo=UTC), tick=False):
        first = store.save_article(
            tenant=TENANT,
            article=article("a"),
            content_hash="h1",
            claims=[new_claim("Old claim", v[0], "Ann Lee")],
        )
    with time_machine.travel(datetime(2026, 11, 10, 10, tzinfo=UTC), tick=False):
        store.save_article(
            tenant=TENANT,
            article=article("b"),
            content_hash="h2",
            claims=[
                new_claim("Old claim", v[0], "Ann Lee", existing=first.claim_ids[0]),
                new_claim("New", v[1]),
            ],
        )
        store.save_article(
            tenant=TENANT,
            article=article("c"),
            content_hash="h3",
            claims=[new_claim("Old claim", v[0], "Ann Lee", existing=first.claim_ids[0])],
        )
    week = store.claims_between(
        tenant=TENANT, start=datetime(2026, 11, 9, tzinfo=UTC), end=datetime(2026, 11, 16, tzinfo=UTC)
    )
    assert [(c.text, n) for c, n in week] == [("Old claim", 2), ("New", 1)]
    assert week[0][0].mentions == 3
    # an aware bound in another time zone means the same instant
    plus_two = datetime(2026, 11, 10, 11, 0, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Athens")
    )
    assert store.claims_between(tenant=TENANT, start=plus_two, end=datetime(2026, 11, 16, tzinfo=UTC)) == []


# ----------------------------------------------------------------------------- chat configuration
def test_watch_settings(store: SqlStore) -> None:
    assert not store.is_watched(tenant=TENANT, channel_id="C1")
    store.set_watch(tenant=TENANT, channel_id="C1", enabled=True)
    assert store.is_watched(tenant=TENANT, channel_id="C1")
    store.set_watch(tenant=TENANT, channel_id="C1", enabled=False)
    assert not store.is_watched(tenant=TENANT, channel_id="C1")


def test_first_delivery_is_true_exactly_once_even_from_many_threads(store: SqlStore) -> None:
    assert store.first_delivery(tenant=TENANT, key="evt-1")
    assert not store.first_delivery(tenant=TENANT, key="evt-1")
    barrier = threading.Barrier(6)
    results: list[bool] = []

    def deliver() -> None:
        barrier.wait()
        results.append(store.first_delivery(tenant=TENANT, key="evt-2"))

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]


def test_digest_schedule_round_trip(store: SqlStore) -> None:
    schedule = DigestSchedule(
        tenant=TENANT, platform="discord", channel_id="C9", weekday=0, hour=9, timezone="Europe/Paris"
    )
    assert store.get_digest(tenant=TENANT) is None
    store.set_digest(schedule=schedule)
    assert store.get_digest(tenant=TENANT) == schedule
    moved = DigestSchedule(
        tenant=TENANT, platform="discord", channel_id="C10", weekday=4, hour=17, timezone="UTC"
    )
    store.set_digest(schedule=moved)
    other = DigestSchedule(
        tenant=OTHER, platform="slack", channel_id="X", weekday=1, hour=8, timezone="UTC", enabled=False
    )
    store.set_digest(schedule=other)
    assert store.get_digest(tenant=TENANT) == moved
    assert store.digest_schedules() == [moved]  # disabled ones are not scheduled


def test_digest_period_race_has_one_winner(db_url: str, tmp_path: Path) -> None:
    settings = settings_for(db_url, tmp_path / "data")
    migrate(db_url)
    # two store objects = two bot processes, each with its own connection pool
    stores = [open_store(settings, run_migrations=False) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: dict[str, bool] = {}

    def claim(i: int) -> None:
        barrier.wait()
        results[f"bot-{i}"] = stores[i].claim_digest_period(
            tenant=TENANT, period_key="2026-W48", owner=f"bot-{i}"
        )

    try:
        threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results.values()) == [False, True]
        winner = next(owner for owner, won in results.items() if won)
        loser = next(owner for owner, won in results.items() if not won)
        # the loser cannot release the winner's claim; a release by the winner frees the period
        stores[0].release_digest_period(tenant=TENANT, period_key="2026-W48", owner=loser)
        assert not stores[0].claim_digest_period(tenant=TENANT, period_key="2026-W48", owner=loser)
        stores[0].release_digest_period(tenant=TENANT, period_key="2026-W48", owner=winner)
        assert stores[1].claim_digest_period(tenant=TENANT, period_key="2026-W48", owner=loser)
        stores[1].mark_digest_posted(tenant=TENANT, period_key="2026-W48", message_ref="msg-1")
        stores[0].release_digest_period(tenant=TENANT, period_key="2026-W48", owner=loser)  # too late
        assert not stores[0].claim_digest_period(tenant=TENANT, period_key="2026-W48", owner=winner)
        state = stores[0].digest_post_state(tenant=TENANT, period_key="2026-W48")
        assert state is not None
        owner, posted_at, ref = state.owner, state.posted_at, state.message_ref
        assert (owner, ref) == (loser, "msg-1")
        assert posted_at is not None
    finally:
        for s in stores:
            s.close()


def test_a_crashed_owner_claim_is_taken_over_after_the_ttl(store: SqlStore) -> None:
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        assert store.claim_digest_period(tenant=TENANT, period_key="2026-W48", owner="crashed")
    with time_machine.travel(start + store.digest_claim_ttl - timedelta(seconds=1), tick=False):
        assert not store.claim_digest_period(tenant=TENANT, period_key="2026-W48", owner="restarted")
    with time_machine.travel(start + store.digest_claim_ttl + timedelta(seconds=1), tick=False):
        assert store.claim_digest_period(tenant=TENANT, period_key="2026-W48", owner="restarted")
        store.mark_digest_posted(tenant=TENANT, period_key="2026-W48", message_ref=None)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        assert not store.claim_digest_period(tenant=TENANT, period_key="2026-W48", owner="late")


def test_tenant_settings_overrides(store: SqlStore) -> None:
    assert store.tenant_settings(tenant=TENANT) == {}
    store.update_tenant_settings(
        tenant=TENANT, values={"repeat_threshold": 0.8, "digest_timezone": "Europe/Paris"}
    )
    store.update_tenant_settings(tenant=TENANT, values={"digest_timezone": None})
    assert store.tenant_settings(tenant=TENANT) == {"repeat_threshold": 0.8}
    assert store.tenant_settings(tenant=OTHER) == {}


# ----------------------------------------------------------------------------- unavailable database
@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/claimbot",
        "postgresql://nobody:secret@127.0.0.1:1/claimbot",
        "sqlite:////proc/no-such-dir/claimbot.db",
    ],
)
def test_unreachable_database_raises_storage_unavailable(url: str, tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable) as caught:
        open_store(settings_for(url, tmp_path))
    message = str(caught.value)
    assert "secret" not in message
    assert "\n" not in message
    with pytest.raises(StorageUnavailable):
        SqlStore(url=url, data_dir=tmp_path).speakers(tenant=TENANT)


def test_database_going_away_raises_storage_unavailable(
    postgres_url: str, postgres_admin: sa.Engine, tmp_path: Path
) -> None:
    store = open_store(settings_for(postgres_url, tmp_path))
    store.first_delivery(tenant=TENANT, key="before")
    name = sa.make_url(postgres_url).database
    with postgres_admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    with pytest.raises(StorageUnavailable, match="database"):
        store.first_delivery(tenant=TENANT, key="after")
    store.close()


def test_bad_url_raises_storage_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable, match="unsupported database"):
        SqlStore(url="mysql://x@localhost/db", data_dir=tmp_path)


def test_query_of_another_width_is_refused(store: SqlStore) -> None:
    v = unit_vectors(1)
    store.import_claims(tenant=TENANT, claims=[(KnownClaim(external_id="1", text="A"), v[0])])
    with pytest.raises(ValueError, match="32"):
        store.nearest_claims(tenant=TENANT, embedding=np.ones(DIM + 1, dtype=np.float32), k=3)
    assert store.nearest_claims(tenant=TENANT, embedding=v[0], k=3)[0].claim.text == "A"


def test_text_search_stays_complete_for_a_small_tenant_next_to_a_big_one(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.lexical_search.TEXT_SEARCH_POOL", 5)
    v = unit_vectors(30)
    store.import_claims(tenant=OTHER, claims=[(KnownClaim(external_id="b", text="NATO is small here"), v[0])])
    store.import_claims(
        tenant=TENANT,
        claims=[(KnownClaim(external_id=f"a{i}", text=f"NATO news number {i}"), v[i + 1]) for i in range(20)],
    )
    assert [h.claim.text for h in store.text_search(tenant=OTHER, query="NATO", k=5)] == [
        "NATO is small here"
    ]
    assert len(store.text_search(tenant=TENANT, query="NATO", k=50)) == 5  # the pool bounds the work


def test_text_search_puts_claims_with_every_word_first(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.lexical_search.TEXT_SEARCH_POOL", 5)
    v = unit_vectors(30)
    claims = [(KnownClaim(external_id="both", text="Ukraine wants to join NATO"), v[0])]
    claims += [(KnownClaim(external_id=f"n{i}", text=f"NATO statement {i}"), v[i + 1]) for i in range(20)]
    store.import_claims(tenant=TENANT, claims=claims)
    hits = store.text_search(tenant=TENANT, query="Ukraine and NATO", k=3)
    assert hits[0].claim.external_id == "both"
    assert hits[0].lexical == 1.0
    assert len(hits) == 3
