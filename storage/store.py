"""``SqlStore``: the ClaimStore and TenantConfigStore ports on SQLite or PostgreSQL.

The database is the source of truth. The per-tenant vector index (:mod:`storage.vector_index`)
is a cache: before each query it is brought up to date from the claims whose id is above
its watermark, and it is rebuilt from the stored float16 embeddings when its file is
missing, unreadable or disagrees with the database.

Why the watermark is exact: claims are only ever inserted while holding the tenant's
write lock (``SELECT ... FOR UPDATE`` on the tenant row in PostgreSQL; ``BEGIN IMMEDIATE``
in SQLite), so within one tenant ids become visible in increasing order and a reader that
has seen id N has seen every smaller id too, whichever process wrote them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from bot.errors import ArticleAlreadyStored
from bot.models import (
    ArticleInput,
    ArticleRecord,
    Candidate,
    ClaimKind,
    FactCheck,
    KnownClaim,
    Speaker,
    SpeakerKind,
    Stance,
    StoredClaim,
)
from bot.ports import DigestPostState, DigestSchedule, MentionRecord, NewClaim, SavedArticle, Vector
from bot.speakers import fuller_name, normalise_name
from storage import ids, lexical
from storage.db import SQLITE_BEGIN, create_db_engine, index_dir_for, normalise_url, unavailable_as_error
from storage.follows import SqlFollowStore
from storage.tables import (
    Article,
    ChannelWatch,
    Claim,
    Delivery,
    DigestPost,
    DigestScheduleRow,
    Mention,
    SpeakerAlias,
    SpeakerRow,
    Tenant,
    UTCDateTime,
    utcnow,
)
from storage.vector_index import Hit, VectorIndex

log = logging.getLogger(__name__)

T_TENANTS = Tenant.__table__  # type: ignore[attr-defined]
T_ARTICLES = Article.__table__  # type: ignore[attr-defined]
T_SPEAKERS = SpeakerRow.__table__  # type: ignore[attr-defined]
T_ALIASES = SpeakerAlias.__table__  # type: ignore[attr-defined]
T_CLAIMS = Claim.__table__  # type: ignore[attr-defined]
T_MENTIONS = Mention.__table__  # type: ignore[attr-defined]
T_WATCH = ChannelWatch.__table__  # type: ignore[attr-defined]
T_DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]
T_SCHEDULES = DigestScheduleRow.__table__  # type: ignore[attr-defined]
T_POSTS = DigestPost.__table__  # type: ignore[attr-defined]

SYNC_BATCH = 20_000  # rows read per query when catching the index up
IN_CHUNK = 900  # ids per IN (...) list, under every SQLite build's variable limit
IMPORT_CHUNK = 1_000  # rows per multi-row INSERT
SPEAKER_FILTER_OVERFETCH = 10  # nearest_claims(speaker_id=...) asks the index for k x this
SPEAKER_EXACT_LIMIT = 50_000  # beyond this a speaker's claims are not scanned exactly
TEXT_SEARCH_POOL = 1_000  # full-text matches ranked per query (the newest ones)
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref_src")


def normalise_article_url(url: str | None) -> str | None:
    """Lookup key for "the same URL": scheme/host case, fragment, tracking params, trailing slash."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING_PARAMS)
        )
    )
    path = parts.path.rstrip("/") or "/"
    # http and https of the same page are the same article
    return urlunsplit(("", host, path, query, ""))[:2000]


def _embedding_bytes(vector: Vector, dim: int) -> bytes:
    """float16 little-endian bytes of a 1-D finite vector of ``dim`` values, or ValueError."""
    arr = np.asarray(vector, dtype=np.float32)
    if arr.ndim != 1 or arr.shape[0] != dim:
        raise ValueError(f"embedding must be a vector of {dim} values, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("embedding contains NaN or infinite values")
    return arr.astype("<f2").tobytes()


def _vectors(blobs: Sequence[bytes], dim: int) -> npt.NDArray[np.float32]:
    return np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), dim).astype(np.float32)


def _as_datetime(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


@dataclass(frozen=True, slots=True)
class _TenantRef:
    id: int
    identity: str  # survives nothing but this database: names the index file


class SqlStore(SqlFollowStore):
    """``ClaimStore``, ``TenantConfigStore`` and ``FollowStore`` in one object (see :func:`open_store`)."""

    def __init__(
        self,
        *,
        url: str,
        data_dir: Path,
        embedding_dim: int | None = None,
        persist_every: int = 5_000,
        digest_claim_ttl: timedelta = timedelta(minutes=15),
    ) -> None:
        self.url = normalise_url(url)
        self.engine = create_db_engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # None for an in-memory SQLite database: its index lives and dies with it
        self.index_dir: Path | None = index_dir_for(self.url, Path(data_dir))
        self.embedding_dim = embedding_dim
        self.persist_every = persist_every
        self.digest_claim_ttl = digest_claim_ttl
        self._tenants: dict[str, _TenantRef] = {}
        self._dims: dict[int, int] = {}
        self._indexes: dict[str, VectorIndex] = {}
        self._index_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # =============================================================== plumbing
    def close(self) -> None:
        """Saves index files with unsaved additions and closes the connection pool."""
        for tenant, index in list(self._indexes.items()):
            with self._index_lock(tenant):
                if index.unsaved:
                    try:
                        index.save()
                    except OSError as exc:
                        log.warning("could not save the vector index of %s: %s", tenant, exc)
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with unavailable_as_error(self.url), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with unavailable_as_error(self.url), self.engine.connect() as conn:
            if self.is_sqlite:
                conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                yield conn

    def _insert(self, table: sa.Table) -> Any:
        """INSERT that supports ``on_conflict_do_nothing`` on both backends."""
        return (sqlite_dialect.insert if self.is_sqlite else pg_dialect.insert)(table)

    def _tenant(self, tenant: str, *, create: bool) -> _TenantRef | None:
        """The tenant's row (created in its own committed transaction when asked)."""
        ref = self._tenants.get(tenant)
        if ref is not None:
            return ref
        query = sa.select(T_TENANTS.c.id, T_TENANTS.c.created_at).where(T_TENANTS.c.key == tenant)
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            if not create:
                return None
            with self._write() as conn:
                conn.execute(
                    self._insert(T_TENANTS)
                    .values(key=tenant, settings_json="{}", created_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["key"])
                )
                row = conn.execute(query).one()
        ref = _TenantRef(id=row.id, identity=f"{tenant}|{row.id}|{row.created_at.isoformat()}")
        self._tenants[tenant] = ref
        return ref

    def _lock_tenant(self, conn: Connection, tenant_id: int) -> None:
        """Serialises claim writers of one tenant so claim ids commit in increasing order."""
        if not self.is_sqlite:  # SQLite: BEGIN IMMEDIATE already holds the database write lock
            conn.execute(sa.select(T_TENANTS.c.id).where(T_TENANTS.c.id == tenant_id).with_for_update())

    def _tenant_dim(self, conn: Connection, tenant_id: int, fallback: int) -> int:
        """Embedding width for this tenant: configured, else what is stored, else ``fallback``."""
        if self.embedding_dim:
            return self.embedding_dim
        if tenant_id not in self._dims:
            blob = conn.execute(
                sa.select(T_CLAIMS.c.embedding).where(T_CLAIMS.c.tenant_id == tenant_id).limit(1)
            ).scalar()
            if blob is None:
                return fallback
            self._dims[tenant_id] = len(blob) // 2
        return self._dims[tenant_id]

    # =============================================================== speakers
    def _resolve_speaker(
        self,
        conn: Connection,
        tenant_id: int,
        name: str | None,
        kind: SpeakerKind,
        aliases: Sequence[str],
        cache: dict[str, int],
    ) -> int | None:
        """The speaker known by ``name`` (canonical name or alias), created when new; records aliases."""
        if not name or not name.strip():
            return None
        key = normalise_name(name)
        if not key:
            return None
        speaker_id = cache.get(key)
        if speaker_id is None:
            speaker_id = conn.execute(
                sa.select(T_ALIASES.c.speaker_id).where(
                    T_ALIASES.c.tenant_id == tenant_id, T_ALIASES.c.alias_norm == key
                )
            ).scalar()
            if speaker_id is None:
                speaker_id = self._speaker_named_shorter(conn, tenant_id, name, aliases)
            if speaker_id is None:
                speaker_id = conn.execute(
                    sa.insert(T_SPEAKERS)
                    .values(
                        tenant_id=tenant_id, name=" ".join(name.split()), kind=str(kind), created_at=utcnow()
                    )
                    .returning(T_SPEAKERS.c.id)
                ).scalar_one()
                conn.execute(
                    sa.insert(T_ALIASES).values(
                        tenant_id=tenant_id,
                        speaker_id=speaker_id,
                        alias=" ".join(name.split()),
                        alias_norm=key,
                    )
                )
            else:
                if kind is not SpeakerKind.UNKNOWN:
                    conn.execute(
                        sa.update(T_SPEAKERS)
                        .where(T_SPEAKERS.c.id == speaker_id, T_SPEAKERS.c.kind == str(SpeakerKind.UNKNOWN))
                        .values(kind=str(kind))
                    )
                self._show_fuller_name(conn, speaker_id, name)
            cache[key] = speaker_id
        new_aliases = {}
        for alias in aliases:
            alias_key = normalise_name(alias)
            if alias_key and alias_key != key and alias_key not in cache:
                new_aliases[alias_key] = " ".join(alias.split())
        if new_aliases:
            # an alias already taken by another speaker stays with its first owner
            conn.execute(
                self._insert(T_ALIASES).on_conflict_do_nothing(index_elements=["tenant_id", "alias_norm"]),
                [
                    {"tenant_id": tenant_id, "speaker_id": speaker_id, "alias": alias, "alias_norm": akey}
                    for akey, alias in new_aliases.items()
                ],
            )
        return speaker_id

    @staticmethod
    def _speaker_named_shorter(
        conn: Connection, tenant_id: int, name: str, aliases: Sequence[str]
    ) -> int | None:
        """The stored person whose name is a shorter form of ``name`` that the article also used
        ("Trump" stored, "Donald Trump" with the alias "Trump" arriving): one person, not two."""
        keys = [k for k in (normalise_name(a) for a in aliases) if k]
        if not keys:
            return None
        rows = conn.execute(
            sa.select(T_SPEAKERS.c.id, T_SPEAKERS.c.name)
            .join(T_ALIASES, T_ALIASES.c.speaker_id == T_SPEAKERS.c.id)
            .where(T_ALIASES.c.tenant_id == tenant_id, T_ALIASES.c.alias_norm.in_(keys))
        ).all()
        found = {row.id for row in rows if fuller_name(row.name, name) != row.name}
        return found.pop() if len(found) == 1 else None

    @staticmethod
    def _show_fuller_name(conn: Connection, speaker_id: int, name: str) -> None:
        """A person first stored as "Trump" is shown as "Donald Trump" once that is seen."""
        row = conn.execute(
            sa.select(T_SPEAKERS.c.name, T_SPEAKERS.c.kind).where(T_SPEAKERS.c.id == speaker_id)
        ).one()
        if row.kind not in (str(SpeakerKind.PERSON), str(SpeakerKind.UNKNOWN)):
            return
        fuller = fuller_name(row.name, name)
        if fuller != row.name:
            conn.execute(sa.update(T_SPEAKERS).where(T_SPEAKERS.c.id == speaker_id).values(name=fuller))

    def speakers(self, *, tenant: str) -> list[Speaker]:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        with self._read() as conn:
            rows = conn.execute(
                sa.select(T_SPEAKERS.c.id, T_SPEAKERS.c.name, T_SPEAKERS.c.kind)
                .where(T_SPEAKERS.c.tenant_id == ref.id)
                .order_by(T_SPEAKERS.c.name, T_SPEAKERS.c.id)
            ).all()
            alias_rows = conn.execute(
                sa.select(T_ALIASES.c.speaker_id, T_ALIASES.c.alias)
                .where(T_ALIASES.c.tenant_id == ref.id)
                .order_by(T_ALIASES.c.id)
            ).all()
        aliases: dict[int, list[str]] = {}
        for speaker_id, alias in alias_rows:
            aliases.setdefault(speaker_id, []).append(alias)
        return [
            Speaker(
                id=ids.public_id(ids.SPEAKER, row.id),
                tenant=tenant,
                name=row.name,
                kind=SpeakerKind(row.kind),
                aliases=tuple(
                    a for a in aliases.get(row.id, ()) if normalise_name(a) != normalise_name(row.name)
                ),
            )
            for row in rows
        ]

    # =============================================================== articles
    def _article_record(self, tenant: str, row: Row[Any]) -> ArticleRecord:
        return ArticleRecord(
            id=ids.public_id(ids.ARTICLE, row.id),
            tenant=tenant,
            title=row.title,
            url=row.url,
            published=row.published,
            content_hash=row.content_hash,
            created_at=row.created_at,
            permalink=row.permalink,
        )

    def find_duplicate_article(
        self, *, tenant: str, url: str | None, content_hash: str
    ) -> ArticleRecord | None:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return None
        with self._read() as conn:
            row = conn.execute(self._same_article(ref.id, url, content_hash)).first()
        return self._article_record(tenant, row) if row else None

    @staticmethod
    def _same_article(tenant_id: int, url: str | None, content_hash: str) -> sa.Select[Any]:
        """The tenant's first article with this text (normalised hash) or this link."""
        a = T_ARTICLES.c
        cols = [a.id, a.title, a.url, a.published, a.content_hash, a.created_at, a.permalink]
        same = a.content_hash == content_hash
        url_norm = normalise_article_url(url)
        if url_norm:
            same = sa.or_(same, a.url_norm == url_norm)
        return sa.select(*cols).where(a.tenant_id == tenant_id, same).order_by(a.id).limit(1)

    def save_article(
        self, *, tenant: str, article: ArticleInput, content_hash: str, claims: Sequence[NewClaim]
    ) -> SavedArticle:
        """Stores the article, its speakers, claims and mentions in ONE transaction.

        A claim with ``existing_claim_id`` adds a mention to that claim (and bumps its count)
        instead of creating one. Raises ``ValueError`` for a malformed claim (nothing stored).

        Two requests storing the same article at once: the tenant's write lock (``BEGIN
        IMMEDIATE`` on SQLite, a row lock on PostgreSQL) makes the second wait for the first's
        transaction; it then finds the article and raises ``ArticleAlreadyStored``, nothing stored.
        """
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        origin = article.origin
        now = utcnow()
        try:
            with self._write() as conn:
                self._lock_tenant(conn, ref.id)
                # under the lock: committed by a request that looked for duplicates when we did
                existing = conn.execute(self._same_article(ref.id, article.url, content_hash)).first()
                if existing is not None:
                    raise ArticleAlreadyStored(ids.public_id(ids.ARTICLE, existing.id))
                article_id = conn.execute(
                    sa.insert(T_ARTICLES)
                    .values(
                        tenant_id=ref.id,
                        title=article.title,
                        url=article.url,
                        url_norm=normalise_article_url(article.url),
                        published=article.published,
                        content_hash=content_hash,
                        text=article.text,
                        origin_platform=origin.platform if origin else None,
                        origin_channel_id=origin.channel_id if origin else None,
                        origin_message_id=origin.message_id if origin else None,
                        permalink=origin.permalink if origin else None,
                        created_at=now,
                    )
                    .returning(T_ARTICLES.c.id)
                ).scalar_one()
                claim_ids = self._save_claims(conn, ref.id, article_id, article, claims, now)
        except IntegrityError as exc:
            # not expected under the lock; should a writer without it get there first all the same
            if "content_hash" in str(exc.orig) or "uq_articles_tenant_hash" in str(exc.orig):
                raise ArticleAlreadyStored("(stored at the same moment)") from exc
            raise
        record = ArticleRecord(
            id=ids.public_id(ids.ARTICLE, article_id),
            tenant=tenant,
            title=article.title,
            url=article.url,
            published=article.published,
            content_hash=content_hash,
            created_at=now,
            permalink=origin.permalink if origin else None,
        )
        return SavedArticle(article=record, claim_ids=tuple(claim_ids))

    def _save_claims(
        self,
        conn: Connection,
        tenant_id: int,
        article_id: int,
        article: ArticleInput,
        claims: Sequence[NewClaim],
        now: datetime,
    ) -> list[str]:
        speaker_cache: dict[str, int] = {}
        permalink = article.origin.permalink if article.origin else None
        dim: int | None = None
        speaker_ids: list[int | None] = []
        claim_pks: list[int | None] = []
        new_rows: list[tuple[int, dict[str, Any]]] = []  # (position in claims, row)
        for position, new in enumerate(claims):
            extracted = new.extracted
            speaker_id = self._resolve_speaker(
                conn, tenant_id, new.speaker_name, new.speaker_kind, new.speaker_aliases, speaker_cache
            )
            speaker_ids.append(speaker_id)
            claim_pk = self._existing_claim(conn, tenant_id, new.existing_claim_id)
            claim_pks.append(claim_pk)
            if claim_pk is not None:
                conn.execute(
                    sa.update(T_CLAIMS)
                    .where(T_CLAIMS.c.id == claim_pk)
                    .values(mentions=T_CLAIMS.c.mentions + extracted.mentions)
                )
                continue
            if dim is None:
                first = np.asarray(new.embedding).reshape(-1).shape[0]
                dim = self._tenant_dim(conn, tenant_id, fallback=first)
            new_rows.append(
                (
                    position,
                    {
                        "tenant_id": tenant_id,
                        "text": extracted.text,
                        "kind": str(extracted.kind),
                        "stance": str(extracted.stance),
                        "embedding": _embedding_bytes(new.embedding, dim),
                        "speaker_id": speaker_id,
                        "article_id": article_id,
                        "changed_from_id": self._existing_claim(conn, tenant_id, new.changed_from_claim_id),
                        "source_url": article.url,
                        "source_permalink": permalink,
                        "mentions": extracted.mentions,
                        "first_seen": now,
                    },
                )
            )
        if new_rows:
            # one round trip for the article's new claims (a check stores ~30): ids come back
            # in the order of the rows
            inserted = conn.execute(
                sa.insert(T_CLAIMS).returning(T_CLAIMS.c.id, sort_by_parameter_order=True),
                [row for _, row in new_rows],
            ).scalars()
            for (position, _), pk in zip(new_rows, inserted, strict=True):
                claim_pks[position] = int(pk)
        claim_ids: list[str] = []
        mentions: list[dict[str, Any]] = []
        for new, speaker_id, claim_pk in zip(claims, speaker_ids, claim_pks, strict=True):
            assert claim_pk is not None
            extracted = new.extracted
            claim_ids.append(ids.public_id(ids.CLAIM, claim_pk))
            base = {
                "tenant_id": tenant_id,
                "claim_id": claim_pk,
                "article_id": article_id,
                "speaker_id": speaker_id,
                "created_at": now,
            }
            cue, who = extracted.cue, extracted.speaker_mention
            mentions.append(
                base
                | {
                    "content_start": extracted.content.start,
                    "content_end": extracted.content.end,
                    "cue_start": cue.start if cue else None,
                    "cue_end": cue.end if cue else None,
                    "speaker_start": who.start if who else None,
                    "speaker_end": who.end if who else None,
                    "restatement": False,
                }
            )
            for span in extracted.restatements:
                mentions.append(
                    base
                    | {
                        "content_start": span.start,
                        "content_end": span.end,
                        "cue_start": None,
                        "cue_end": None,
                        "speaker_start": None,
                        "speaker_end": None,
                        "restatement": True,
                    }
                )
        if mentions:
            conn.execute(sa.insert(T_MENTIONS), mentions)
        return claim_ids

    def _existing_claim(self, conn: Connection, tenant_id: int, claim_id: str | None) -> int | None:
        pk = ids.parse_id(ids.CLAIM, claim_id)
        if pk is None:
            if claim_id:
                log.warning("ignoring malformed claim id %r", claim_id)
            return None
        found = conn.execute(
            sa.select(T_CLAIMS.c.id).where(T_CLAIMS.c.id == pk, T_CLAIMS.c.tenant_id == tenant_id)
        ).scalar()
        if found is None:
            log.warning("claim %s is not in this tenant; storing the statement as a new claim", claim_id)
        return found

    def articles_between(self, *, tenant: str, start: datetime, end: datetime) -> int:
        """How many articles were stored in [start, end) (for digests)."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return 0
        a = T_ARTICLES.c
        with self._read() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(T_ARTICLES)
                    .where(a.tenant_id == ref.id, a.created_at >= start, a.created_at < end)
                ).scalar_one()
            )

    # =============================================================== claims: import
    def import_claims(self, *, tenant: str, claims: Sequence[tuple[KnownClaim, Vector]]) -> tuple[int, int]:
        """Stores known claims in one transaction; skips external ids already stored (or repeated)."""
        if not claims:
            return 0, 0
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        now = utcnow()
        imported = skipped = 0
        with self._write() as conn:
            self._lock_tenant(conn, ref.id)
            first = np.asarray(claims[0][1]).reshape(-1).shape[0]
            dim = self._tenant_dim(conn, ref.id, fallback=first)
            wanted = sorted({k.external_id.strip() for k, _ in claims if k.external_id.strip()})
            known: set[str] = set()
            for start in range(0, len(wanted), 500):
                known.update(
                    conn.execute(
                        sa.select(T_CLAIMS.c.external_id).where(
                            T_CLAIMS.c.tenant_id == ref.id,
                            T_CLAIMS.c.external_id.in_(wanted[start : start + 500]),
                        )
                    ).scalars()
                )
            speaker_cache: dict[str, int] = {}
            rows: list[dict[str, Any]] = []
            for item, vector in claims:
                external_id = item.external_id.strip() or None
                if external_id is not None:
                    if external_id in known:
                        skipped += 1
                        continue
                    known.add(external_id)
                speaker_id = self._resolve_speaker(
                    conn, ref.id, item.speaker, SpeakerKind.UNKNOWN, (), speaker_cache
                )
                source = item.source.strip() if item.source else None
                rows.append(
                    {
                        "tenant_id": ref.id,
                        "text": item.text,
                        "kind": str(ClaimKind.UNATTRIBUTED),
                        "embedding": _embedding_bytes(vector, dim),
                        "speaker_id": speaker_id,
                        "external_id": external_id,
                        "title": (item.title or "").strip() or None,
                        "source_url": source,
                        "mentions": 1,
                        "first_seen": _as_datetime(item.date) or now,
                        **_fact_check_columns(item.fact_check),
                    }
                )
                if len(rows) >= IMPORT_CHUNK:
                    conn.execute(sa.insert(T_CLAIMS), rows)
                    imported += len(rows)
                    rows = []
            if rows:
                conn.execute(sa.insert(T_CLAIMS), rows)
                imported += len(rows)
        if imported:
            # index now, so the first search after an import does not pay for it
            with self._index_lock(tenant):
                self._synced_index(tenant, ref, dim)
        return imported, skipped

    def update_fact_checks(self, *, tenant: str, claims: Sequence[KnownClaim]) -> set[str]:
        """Refreshes the reviews already stored under these external ids (verdict, fact-checker,
        dates, headline, speaker) in one transaction; returns the external ids it found.

        The claim's text and embedding stay: a review is identified by its url, and re-reading
        a feed must not move a claim in the vector index under readers' feet.
        """
        by_id = {k.external_id.strip(): k for k in claims if k.fact_check and k.external_id.strip()}
        ref = self._tenant(tenant, create=False)
        if ref is None or not by_id:
            return set()
        c = T_CLAIMS.c
        found: set[str] = set()
        with self._write() as conn:
            self._lock_tenant(conn, ref.id)
            wanted = sorted(by_id)
            stored: dict[str, int] = {}
            for start in range(0, len(wanted), 500):
                stored.update(
                    conn.execute(
                        sa.select(c.external_id, c.id).where(
                            c.tenant_id == ref.id, c.external_id.in_(wanted[start : start + 500])
                        )
                    ).all()
                )
            speaker_cache: dict[str, int] = {}
            rows: list[dict[str, Any]] = []
            for external_id, pk in stored.items():
                item = by_id[external_id]
                speaker_id = self._resolve_speaker(
                    conn, ref.id, item.speaker, SpeakerKind.UNKNOWN, (), speaker_cache
                )
                rows.append(
                    {
                        "pk": pk,
                        **{f"new_{k}": v for k, v in _fact_check_columns(item.fact_check).items()},
                        "new_title": (item.title or "").strip() or None,
                        "new_source_url": item.source.strip() if item.source else None,
                        "new_speaker_id": speaker_id,
                        "new_first_seen": _as_datetime(item.date),
                    }
                )
                found.add(external_id)
            if rows:
                # one statement for all: a feed re-read is thousands of rows; a review that no
                # longer names its speaker or date keeps the stored ones
                columns = [*_fact_check_columns(None), "title", "source_url"]
                update = (
                    sa.update(T_CLAIMS)
                    .where(c.id == sa.bindparam("pk"))
                    .values(
                        **{name: sa.bindparam(f"new_{name}") for name in columns},
                        speaker_id=sa.func.coalesce(
                            sa.bindparam("new_speaker_id", type_=sa.Integer), c.speaker_id
                        ),
                        first_seen=sa.func.coalesce(
                            sa.bindparam("new_first_seen", type_=UTCDateTime()), c.first_seen
                        ),
                    )
                )
                conn.execute(update, rows)
        return found

    # =============================================================== claims: reading
    def _claim_columns(self) -> list[Any]:
        c = T_CLAIMS.c
        return [
            c.id,
            c.text,
            c.kind,
            c.first_seen,
            c.source_url,
            c.source_permalink,
            c.external_id,
            c.title,
            c.stance,
            c.article_id,
            c.mentions,
            c.speaker_id,
            c.changed_from_id,
            c.fact_check_verdict,
            c.fact_check_by,
            c.fact_check_date,
            c.fact_check_rating,
            c.fact_check_best,
            c.fact_check_worst,
            T_SPEAKERS.c.name.label("speaker_name"),
        ]

    def _claim_select(self, *extra: Any) -> sa.Select[Any]:
        return sa.select(*self._claim_columns(), *extra).select_from(
            T_CLAIMS.outerjoin(T_SPEAKERS, T_SPEAKERS.c.id == T_CLAIMS.c.speaker_id)
        )

    @staticmethod
    def _stored(tenant: str, row: Any) -> StoredClaim:
        return StoredClaim(
            id=ids.public_id(ids.CLAIM, row.id),
            tenant=tenant,
            text=row.text,
            speaker=row.speaker_name,
            speaker_id=ids.public_id(ids.SPEAKER, row.speaker_id) if row.speaker_id else None,
            kind=ClaimKind(row.kind),
            first_seen=row.first_seen,
            source=row.source_url or row.source_permalink,
            external_id=row.external_id,
            article_id=ids.public_id(ids.ARTICLE, row.article_id) if row.article_id else None,
            mentions=row.mentions,
            changed_from=ids.public_id(ids.CLAIM, row.changed_from_id) if row.changed_from_id else None,
            title=row.title,
            stance=Stance(row.stance),
            fact_check=_fact_check(row),
        )

    def claims_by_ids(self, *, tenant: str, ids: Sequence[str]) -> list[StoredClaim]:
        """The claims with these ids in the order asked; unknown ids and other tenants' are left out."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        wanted = [pk for pk in (_parse_claim(i) for i in ids) if pk is not None]
        if not wanted:
            return []
        found: dict[int, StoredClaim] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in conn.execute(
                    self._claim_select().where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id.in_(chunk))
                ):
                    found[row.id] = self._stored(tenant, row)
        return [found[pk] for pk in wanted if pk in found]

    def articles_by_ids(self, *, tenant: str, ids: Sequence[str]) -> list[ArticleRecord]:
        """The articles with these ids in the order asked; unknown ids and other tenants' are left out."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        wanted = list(dict.fromkeys(pk for pk in (_parse_article(i) for i in ids) if pk is not None))
        a = T_ARTICLES.c
        cols = [a.id, a.title, a.url, a.published, a.content_hash, a.created_at, a.permalink]
        found: dict[int, ArticleRecord] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in conn.execute(sa.select(*cols).where(a.tenant_id == ref.id, a.id.in_(chunk))):
                    found[row.id] = self._article_record(tenant, row)
        return [found[pk] for pk in wanted if pk in found]

    def count_claims(self, *, tenant: str) -> int:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return 0
        with self._read() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(T_CLAIMS).where(T_CLAIMS.c.tenant_id == ref.id)
                ).scalar_one()
            )

    def speaker_timeline(self, *, tenant: str, speaker_id: str, limit: int = 100) -> list[StoredClaim]:
        """The speaker's most recent ``limit`` claims (own, or repeated by them), oldest first."""
        ref = self._tenant(tenant, create=False)
        pk = ids.parse_id(ids.SPEAKER, speaker_id)
        if ref is None or pk is None or limit <= 0:
            return []
        repeated = sa.select(T_MENTIONS.c.claim_id).where(
            T_MENTIONS.c.tenant_id == ref.id, T_MENTIONS.c.speaker_id == pk
        )
        query = (
            self._claim_select()
            .where(
                T_CLAIMS.c.tenant_id == ref.id,
                sa.or_(T_CLAIMS.c.speaker_id == pk, T_CLAIMS.c.id.in_(repeated)),
            )
            .order_by(T_CLAIMS.c.first_seen.desc(), T_CLAIMS.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [self._stored(tenant, row) for row in reversed(rows)]

    def iter_claims(self, *, tenant: str) -> Iterable[StoredClaim]:
        """Every claim of the tenant by id, streamed in pages (no transaction held between pages)."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return
        last = 0
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    self._claim_select()
                    .where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id > last)
                    .order_by(T_CLAIMS.c.id)
                    .limit(1_000)
                ).all()
            if not rows:
                return
            for row in rows:
                yield self._stored(tenant, row)
            last = rows[-1].id

    def claims_between(self, *, tenant: str, start: datetime, end: datetime) -> list[tuple[StoredClaim, int]]:
        """Claims mentioned in articles stored in [start, end), with their mention count in that period.

        Most mentioned first. Claims only imported from an archive have no mentions and are not listed.
        """
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        m = T_MENTIONS.c
        counts = (
            sa.select(m.claim_id, sa.func.count().label("period_mentions"))
            .where(m.tenant_id == ref.id, m.created_at >= start, m.created_at < end)
            .group_by(m.claim_id)
            .subquery()
        )
        query = (
            sa.select(*self._claim_columns(), counts.c.period_mentions)
            .select_from(
                counts.join(T_CLAIMS, T_CLAIMS.c.id == counts.c.claim_id).outerjoin(
                    T_SPEAKERS, T_SPEAKERS.c.id == T_CLAIMS.c.speaker_id
                )
            )
            .order_by(counts.c.period_mentions.desc(), T_CLAIMS.c.id)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [(self._stored(tenant, row), int(row.period_mentions)) for row in rows]

    # =============================================================== vector search
    def _index_lock(self, tenant: str) -> threading.Lock:
        with self._locks_guard:
            return self._index_locks.setdefault(tenant, threading.Lock())

    def _synced_index(self, tenant: str, ref: _TenantRef, dim: int) -> VectorIndex:
        """The tenant's index, loaded or rebuilt as needed and caught up with the database.

        Call with the tenant's index lock held.
        """
        index = self._indexes.get(tenant)
        if index is None or index.dim != dim:
            index = VectorIndex(self.index_dir, tenant, dim, ref.identity)
            if index.load() and not self._index_matches_database(index, ref):
                log.warning("vector index of %s disagrees with the database; rebuilding it", tenant)
                index.reset()
            self._indexes[tenant] = index
        rebuilding = index.watermark == 0
        added = self._catch_up(index, ref, dim)
        # a big index is rewritten less often: a save costs a full write, a crash only a catch-up
        if added and (rebuilding or index.unsaved >= max(self.persist_every, len(index) // 50)):
            try:
                index.save()
            except OSError as exc:  # a read-only data dir costs a rebuild next start, nothing else
                log.warning("could not save the vector index of %s: %s", tenant, exc)
        return index

    def _index_matches_database(self, index: VectorIndex, ref: _TenantRef) -> bool:
        with self._read() as conn:
            stored = conn.execute(
                sa.select(sa.func.count())
                .select_from(T_CLAIMS)
                .where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id <= index.watermark)
            ).scalar_one()
        return int(stored) == len(index)

    def _catch_up(self, index: VectorIndex, ref: _TenantRef, dim: int) -> int:
        """Adds the claims above the watermark; returns how many."""
        added = 0
        width = dim * 2
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    sa.select(T_CLAIMS.c.id, T_CLAIMS.c.embedding)
                    .where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id > index.watermark)
                    .order_by(T_CLAIMS.c.id)
                    .limit(SYNC_BATCH)
                ).all()
            if not rows:
                return added
            usable = [(pk, blob) for pk, blob in rows if len(blob) == width]
            if len(usable) < len(rows):
                log.warning(
                    "%d claims of another embedding width left out of the index", len(rows) - len(usable)
                )
            if usable:
                keys = np.fromiter((pk for pk, _ in usable), dtype=np.int64, count=len(usable))
                index.add(keys, _vectors([blob for _, blob in usable], dim))
                added += len(usable)
            index.watermark = max(index.watermark, int(rows[-1].id))
            if len(rows) < SYNC_BATCH:
                return added

    def nearest_claims(
        self, *, tenant: str, embedding: Vector, k: int, speaker_id: str | None = None
    ) -> list[Candidate]:
        """The ``k`` stored claims closest to ``embedding`` (exact cosine on float16), best first."""
        ref = self._tenant(tenant, create=False)
        query = np.asarray(embedding, dtype=np.float32).reshape(-1)
        if ref is None or k <= 0:
            return []
        speaker_pk = ids.parse_id(ids.SPEAKER, speaker_id) if speaker_id else None
        if speaker_id and speaker_pk is None:
            return []
        fetch = k * SPEAKER_FILTER_OVERFETCH if speaker_pk else k
        (hits,) = self._index_hits(tenant, ref, [query], max(fetch, k))
        rows = self._claim_rows(ref, [hit.key for hit in hits], speaker_pk)
        candidates = self._rank(tenant, list(rows.values()), query)
        if speaker_pk is not None and len(candidates) < k:
            candidates = self._speaker_exact(tenant, ref, query, speaker_pk)
        return candidates[:k]

    def nearest_claims_many(
        self, *, tenant: str, embeddings: Sequence[Vector], k: int
    ) -> list[list[Candidate]]:
        """``nearest_claims`` for each embedding: one index sync, one batch search, one read.

        A check asks for the neighbours of all of an article's claims at once; per claim, the
        index catch-up query and the row fetch cost more than the search itself.
        """
        queries = [np.asarray(e, dtype=np.float32).reshape(-1) for e in embeddings]
        if not queries:
            return []
        ref = self._tenant(tenant, create=False)
        if ref is None or k <= 0:
            return [[] for _ in queries]
        hits = self._index_hits(tenant, ref, queries, k)
        rows = self._claim_rows(ref, sorted({hit.key for row in hits for hit in row}))
        return [
            self._rank(tenant, [rows[hit.key] for hit in row if hit.key in rows], query)[:k]
            for row, query in zip(hits, queries, strict=True)
        ]

    def _index_hits(
        self, tenant: str, ref: _TenantRef, queries: Sequence[npt.NDArray[np.float32]], count: int
    ) -> list[list[Hit]]:
        """Approximate neighbours of each query from the tenant's index, synced first."""
        with self._read() as conn:
            dim = self._tenant_dim(conn, ref.id, fallback=queries[0].shape[0])
        for query in queries:
            if query.shape[0] != dim:
                raise ValueError(f"query embedding has {query.shape[0]} values, stored embeddings have {dim}")
        with self._index_lock(tenant):
            index = self._synced_index(tenant, ref, dim)
            return index.search_many(np.stack(queries), count)

    def _claim_rows(
        self, ref: _TenantRef, keys: Sequence[int], speaker_pk: int | None = None
    ) -> dict[int, Row[Any]]:
        """The tenant's claim rows (with embeddings) for these ids, optionally of one speaker."""
        rows: dict[int, Row[Any]] = {}
        with self._read() as conn:
            for start in range(0, len(keys), IN_CHUNK):
                where = [
                    T_CLAIMS.c.tenant_id == ref.id,
                    T_CLAIMS.c.id.in_(list(keys[start : start + IN_CHUNK])),
                ]
                if speaker_pk is not None:
                    where.append(T_CLAIMS.c.speaker_id == speaker_pk)
                for row in conn.execute(self._claim_select(T_CLAIMS.c.embedding).where(*where)):
                    rows[int(row.id)] = row
        return rows

    def _speaker_exact(
        self, tenant: str, ref: _TenantRef, query: npt.NDArray[np.float32], speaker_pk: int
    ) -> list[Candidate]:
        """Exact search among one speaker's claims (the index filter found too few)."""
        with self._read() as conn:
            rows = conn.execute(
                self._claim_select(T_CLAIMS.c.embedding)
                .where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.speaker_id == speaker_pk)
                .order_by(T_CLAIMS.c.id.desc())
                .limit(SPEAKER_EXACT_LIMIT)
            ).all()
        return self._rank(tenant, rows, query)

    @staticmethod
    def _cosines(rows: dict[int, Any], embedding: Vector | None) -> dict[int, float]:
        """Exact cosines of ``rows`` (with their float16 embeddings) to ``embedding``; {} without one."""
        if embedding is None:
            return {}
        query = np.asarray(embedding, dtype=np.float32).reshape(-1)
        usable = [pk for pk, row in rows.items() if len(row.embedding) == query.shape[0] * 2]
        if not usable:
            return {}
        vectors = _vectors([rows[pk].embedding for pk in usable], query.shape[0])
        norms = np.linalg.norm(vectors, axis=1) * (float(np.linalg.norm(query)) or 1.0)
        cosines = (vectors @ query) / np.where(norms == 0, 1.0, norms)
        return {pk: round(float(c), 6) for pk, c in zip(usable, cosines, strict=True)}

    def _rank(self, tenant: str, rows: Sequence[Row[Any]], query: npt.NDArray[np.float32]) -> list[Candidate]:
        width = query.shape[0] * 2
        rows = [row for row in rows if len(row.embedding) == width]
        if not rows:
            return []
        vectors = _vectors([row.embedding for row in rows], query.shape[0])
        norms = np.linalg.norm(vectors, axis=1) * (float(np.linalg.norm(query)) or 1.0)
        cosines = (vectors @ query) / np.where(norms == 0, 1.0, norms)
        order = np.argsort(-cosines, kind="stable")
        return [
            Candidate(claim=self._stored(tenant, rows[i]), cosine=round(float(cosines[i]), 6)) for i in order
        ]

    def index_size(self, *, tenant: str) -> int:
        """Vectors in the tenant's index after syncing it with the database (diagnostics, bench)."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return 0
        with self._read() as conn:
            dim = self._tenant_dim(conn, ref.id, fallback=0)
        if dim == 0:
            return 0
        with self._index_lock(tenant):
            return len(self._synced_index(tenant, ref, dim))

    def rebuild_index(self, *, tenant: str) -> int:
        """Drops the tenant's index files and rebuilds from the database; returns the vector count."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return 0
        with self._index_lock(tenant):
            old = self._indexes.pop(tenant, None)
            with self._read() as conn:
                dim = self._tenant_dim(conn, ref.id, fallback=old.dim if old else 0)
            if dim == 0:
                return 0
            index = VectorIndex(self.index_dir, tenant, dim, ref.identity)
            index.delete_files()
            self._indexes[tenant] = index
            self._synced_index(tenant, ref, dim)
            return len(index)

    # =============================================================== full-text search
    def text_search(
        self,
        *,
        tenant: str,
        query: str,
        k: int,
        speaker_id: str | None = None,
        embedding: Vector | None = None,
    ) -> list[Candidate]:
        """Full-text candidates (SQLite FTS5 / PostgreSQL tsvector index).

        Claims with every content word of the query come first; when there are fewer than
        ``k`` of those, claims with any of the words follow. The any-word pass ranks only
        the newest ``TEXT_SEARCH_POOL`` matches, so its cost does not grow with the store.
        ``lexical`` is the share of the query's content words found in the claim, in [0, 1];
        ``cosine`` is computed from the stored vectors when ``embedding`` is given, else 0.
        """
        ref = self._tenant(tenant, create=False)
        if ref is None or k <= 0:
            return []
        speaker_pk = ids.parse_id(ids.SPEAKER, speaker_id) if speaker_id else None
        if speaker_id and speaker_pk is None:
            return []
        words = lexical.query_words(query)
        if not words:
            return []
        ranked: list[int] = []
        with self._read() as conn:
            passes = [True, False] if len(words) > 1 else [False]
            for every_word in passes:
                for pk in self._full_text_ids(conn, ref.id, words, every_word, query, speaker_pk):
                    if pk not in ranked:
                        ranked.append(pk)
                if len(ranked) >= k:
                    break
            ranked = ranked[:k]
            if not ranked:
                return []
            rows = {
                row.id: row
                for row in conn.execute(
                    self._claim_select(T_CLAIMS.c.embedding).where(
                        T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id.in_(ranked)
                    )
                )
            }
        cosines = self._cosines(rows, embedding)
        return [
            Candidate(
                claim=self._stored(tenant, rows[pk]),
                cosine=cosines.get(pk, 0.0),
                lexical=round(lexical.coverage(query, rows[pk].text), 6),
            )
            for pk in ranked
            if pk in rows
        ]

    def _full_text_ids(
        self,
        conn: Connection,
        tenant_id: int,
        words: Sequence[str],
        every_word: bool,
        query: str,
        speaker_pk: int | None,
    ) -> list[int]:
        """Claim ids matching the words, best first: the newest ``TEXT_SEARCH_POOL`` matches, ranked.

        Ranking happens in Python (:func:`storage.lexical.rank_pool`), the same on both
        backends: FTS5's bm25 scans every posting list of the query (the tenant token's is
        the whole tenant), so its cost would grow with the store.
        """
        params: dict[str, Any] = {"tenant_id": tenant_id, "pool": TEXT_SEARCH_POOL}
        speaker_sql = ""
        if speaker_pk is not None:
            params["speaker_id"] = speaker_pk
            speaker_sql = " AND c.speaker_id = :speaker_id"
        if self.is_sqlite:
            # the tenant is a token of the FTS row: the match intersects posting lists lazily
            params["q"] = lexical.fts5_query(words, tenant=f"t{tenant_id}", every_word=every_word)
            sql = (
                "SELECT c.id, c.text FROM ("
                "  SELECT rowid AS id FROM claims_fts WHERE claims_fts MATCH :q"
                "  ORDER BY rowid DESC LIMIT :pool"
                ") AS m JOIN claims c ON c.id = m.id WHERE c.tenant_id = :tenant_id" + speaker_sql
            )
        else:
            params["q"] = lexical.tsquery(words, every_word=every_word)
            sql = (
                "SELECT c.id, c.text FROM claims c WHERE c.tenant_id = :tenant_id"
                " AND c.text_tsv @@ to_tsquery('english', :q)"
                + speaker_sql
                + " ORDER BY c.id DESC LIMIT :pool"
            )
        pool = [(int(row[0]), str(row[1])) for row in conn.execute(sa.text(sql), params)]
        return [pk for pk, _ in lexical.rank_pool(query, pool)]

    # =============================================================== tenant settings
    def tenant_settings(self, *, tenant: str) -> dict[str, Any]:
        """Per-tenant overrides (e.g. ``{"repeat_threshold": 0.75}``); empty when none."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return {}
        with self._read() as conn:
            raw = conn.execute(
                sa.select(T_TENANTS.c.settings_json).where(T_TENANTS.c.id == ref.id)
            ).scalar_one()
        value = json.loads(raw or "{}")
        return value if isinstance(value, dict) else {}

    def update_tenant_settings(self, *, tenant: str, values: dict[str, Any]) -> dict[str, Any]:
        """Merges ``values`` into the overrides (a ``None`` value removes a key); returns the result."""
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        with self._write() as conn:
            raw = conn.execute(
                sa.select(T_TENANTS.c.settings_json).where(T_TENANTS.c.id == ref.id)
            ).scalar_one()
            current = json.loads(raw or "{}")
            current = current if isinstance(current, dict) else {}
            for key, value in values.items():
                if value is None:
                    current.pop(key, None)
                else:
                    current[key] = value
            conn.execute(
                sa.update(T_TENANTS).where(T_TENANTS.c.id == ref.id).values(settings_json=json.dumps(current))
            )
        return current

    # =============================================================== TenantConfigStore
    def set_watch(self, *, tenant: str, channel_id: str, enabled: bool) -> None:
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        with self._write() as conn:
            stmt = self._insert(T_WATCH).values(tenant_id=ref.id, channel_id=channel_id, enabled=enabled)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["tenant_id", "channel_id"], set_={"enabled": stmt.excluded.enabled}
                )
            )

    def is_watched(self, *, tenant: str, channel_id: str) -> bool:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return False
        with self._read() as conn:
            enabled = conn.execute(
                sa.select(T_WATCH.c.enabled).where(
                    T_WATCH.c.tenant_id == ref.id, T_WATCH.c.channel_id == channel_id
                )
            ).scalar()
        return bool(enabled)

    def first_delivery(self, *, tenant: str, key: str) -> bool:
        """True the first time ``key`` is seen for the tenant (a unique row: atomic across processes)."""
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        with self._write() as conn:
            # RETURNING rather than rowcount: psycopg reports -1 for an INSERT with RETURNING
            inserted = conn.execute(
                self._insert(T_DELIVERIES)
                .values(tenant_id=ref.id, key=key, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["tenant_id", "key"])
                .returning(T_DELIVERIES.c.id)
            ).first()
        return inserted is not None

    def prune_deliveries(self, *, before: datetime) -> int:
        """Forgets delivery keys recorded before ``before`` (platforms stop retrying within hours)."""
        with self._write() as conn:
            result = conn.execute(sa.delete(T_DELIVERIES).where(T_DELIVERIES.c.created_at < before))
        return int(result.rowcount or 0)

    def set_digest(self, *, schedule: DigestSchedule) -> None:
        ref = self._tenant(schedule.tenant, create=True)
        assert ref is not None
        values = {
            "platform": schedule.platform,
            "channel_id": schedule.channel_id,
            "weekday": schedule.weekday,
            "hour": schedule.hour,
            "timezone": schedule.timezone,
            "enabled": schedule.enabled,
            "updated_at": utcnow(),
        }
        with self._write() as conn:
            stmt = self._insert(T_SCHEDULES).values(tenant_id=ref.id, **values)
            conn.execute(stmt.on_conflict_do_update(index_elements=["tenant_id"], set_=values))

    def _schedule_query(self) -> sa.Select[Any]:
        s = T_SCHEDULES.c
        return sa.select(
            T_TENANTS.c.key, s.platform, s.channel_id, s.weekday, s.hour, s.timezone, s.enabled
        ).select_from(T_SCHEDULES.join(T_TENANTS, T_TENANTS.c.id == s.tenant_id))

    @staticmethod
    def _schedule(row: Row[Any]) -> DigestSchedule:
        return DigestSchedule(
            tenant=row.key,
            platform=row.platform,
            channel_id=row.channel_id,
            weekday=row.weekday,
            hour=row.hour,
            timezone=row.timezone,
            enabled=bool(row.enabled),
        )

    def get_digest(self, *, tenant: str) -> DigestSchedule | None:
        with self._read() as conn:
            row = conn.execute(self._schedule_query().where(T_TENANTS.c.key == tenant)).first()
        return self._schedule(row) if row else None

    def digest_schedules(self) -> list[DigestSchedule]:
        """Every enabled schedule (all tenants)."""
        with self._read() as conn:
            rows = conn.execute(
                self._schedule_query().where(T_SCHEDULES.c.enabled.is_(True)).order_by(T_TENANTS.c.key)
            ).all()
        return [self._schedule(row) for row in rows]

    def claim_digest_period(self, *, tenant: str, period_key: str, owner: str) -> bool:
        """Takes the right to post ``period_key``; False when posted or claimed by a live owner.

        A claim that was never posted nor released (its owner crashed) is taken over once it
        is older than ``digest_claim_ttl``.
        """
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        now = utcnow()
        p = T_POSTS.c
        with self._write() as conn:
            inserted = conn.execute(
                self._insert(T_POSTS)
                .values(tenant_id=ref.id, period_key=period_key, owner=owner, claimed_at=now)
                .on_conflict_do_nothing(index_elements=["tenant_id", "period_key"])
                .returning(p.id)
            ).first()
            if inserted is not None:
                return True
            taken_over = conn.execute(
                sa.update(T_POSTS)
                .where(
                    p.tenant_id == ref.id,
                    p.period_key == period_key,
                    p.posted_at.is_(None),
                    p.sending_at.is_(None),  # the post may have gone out: never taken over
                    p.claimed_at < now - self.digest_claim_ttl,
                )
                .values(owner=owner, claimed_at=now, attempts=p.attempts + 1)
                .returning(p.id)
            ).first()
            if taken_over is not None:
                log.warning("took over the stale digest claim of %s %s", tenant, period_key)
                return True
        return False

    def mark_digest_posted(self, *, tenant: str, period_key: str, message_ref: str | None) -> None:
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        p = T_POSTS.c
        with self._write() as conn:
            stmt = self._insert(T_POSTS).values(
                tenant_id=ref.id,
                period_key=period_key,
                owner="",
                claimed_at=utcnow(),
                posted_at=utcnow(),
                message_ref=message_ref,
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["tenant_id", "period_key"],
                    set_={"posted_at": stmt.excluded.posted_at, "message_ref": stmt.excluded.message_ref},
                    where=p.posted_at.is_(None),
                )
            )

    def release_digest_period(self, *, tenant: str, period_key: str, owner: str) -> None:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return
        p = T_POSTS.c
        with self._write() as conn:
            conn.execute(
                sa.delete(T_POSTS).where(
                    p.tenant_id == ref.id,
                    p.period_key == period_key,
                    p.owner == owner,
                    p.posted_at.is_(None),
                )
            )

    def digest_post(self, *, tenant: str, period_key: str) -> tuple[str, datetime | None, str | None] | None:
        """(owner, posted_at, message_ref) of a claimed period, or None (for status and tests)."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return None
        p = T_POSTS.c
        with self._read() as conn:
            row = conn.execute(
                sa.select(p.owner, p.posted_at, p.message_ref).where(
                    p.tenant_id == ref.id, p.period_key == period_key
                )
            ).first()
        return (row.owner, row.posted_at, row.message_ref) if row else None

    # =============================================================== digests (issue 6)
    def mentions_between(self, *, tenant: str, start: datetime, end: datetime) -> list[MentionRecord]:
        """Every mention stored in [start, end), oldest first, with its claim."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        m = T_MENTIONS.c
        query = (
            sa.select(
                *self._claim_columns(),
                m.article_id.label("mention_article_id"),
                m.created_at.label("mention_at"),
                m.restatement.label("mention_restatement"),
            )
            .select_from(
                T_MENTIONS.join(T_CLAIMS, T_CLAIMS.c.id == m.claim_id).outerjoin(
                    T_SPEAKERS, T_SPEAKERS.c.id == T_CLAIMS.c.speaker_id
                )
            )
            .where(m.tenant_id == ref.id, m.created_at >= start, m.created_at < end)
            .order_by(m.created_at, m.id)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        claims: dict[int, StoredClaim] = {}
        out = []
        for row in rows:
            claim = claims.get(row.id) or claims.setdefault(row.id, self._stored(tenant, row))
            out.append(
                MentionRecord(
                    claim=claim,
                    article_id=ids.public_id(ids.ARTICLE, row.mention_article_id),
                    at=row.mention_at,
                    restatement=bool(row.mention_restatement),
                )
            )
        return out

    def count_articles_between(self, *, tenant: str, start: datetime, end: datetime) -> int:
        return self.articles_between(tenant=tenant, start=start, end=end)

    def changed_between(
        self, *, tenant: str, start: datetime, end: datetime
    ) -> list[tuple[StoredClaim, StoredClaim]]:
        """(earlier, later) for claims first seen in [start, end) that changed an earlier claim."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        c = T_CLAIMS.c
        with self._read() as conn:
            later = [
                self._stored(tenant, row)
                for row in conn.execute(
                    self._claim_select()
                    .where(
                        c.tenant_id == ref.id,
                        c.changed_from_id.is_not(None),
                        c.first_seen >= start,
                        c.first_seen < end,
                    )
                    .order_by(c.first_seen, c.id)
                )
            ]
        earlier = {
            e.id: e for e in self.claims_by_ids(tenant=tenant, ids=[x.changed_from or "" for x in later])
        }
        return [(earlier[x.changed_from], x) for x in later if x.changed_from in earlier]

    def mark_digest_sending(self, *, tenant: str, period_key: str, owner: str) -> bool:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return False
        p = T_POSTS.c
        with self._write() as conn:
            marked = conn.execute(
                sa.update(T_POSTS)
                .where(
                    p.tenant_id == ref.id,
                    p.period_key == period_key,
                    p.owner == owner,
                    p.posted_at.is_(None),
                    p.sending_at.is_(None),
                )
                .values(sending_at=utcnow())
                .returning(p.id)
            ).first()
        return marked is not None

    def reclaim_stale_digest_period(
        self, *, tenant: str, period_key: str, owner: str, claimed_before: datetime
    ) -> bool:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return False
        p = T_POSTS.c
        with self._write() as conn:
            taken = conn.execute(
                sa.update(T_POSTS)
                .where(
                    p.tenant_id == ref.id,
                    p.period_key == period_key,
                    p.posted_at.is_(None),
                    p.sending_at.is_(None),
                    p.claimed_at < claimed_before,
                )
                .values(owner=owner, claimed_at=utcnow(), attempts=p.attempts + 1)
                .returning(p.id)
            ).first()
        if taken is not None:
            log.warning("took over the stale digest claim of %s %s", tenant, period_key)
        return taken is not None

    def digest_post_state(self, *, tenant: str, period_key: str) -> DigestPostState | None:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return None
        p = T_POSTS.c
        with self._read() as conn:
            row = conn.execute(
                sa.select(p.owner, p.claimed_at, p.sending_at, p.posted_at, p.message_ref, p.attempts).where(
                    p.tenant_id == ref.id, p.period_key == period_key
                )
            ).first()
        if row is None:
            return None
        return DigestPostState(
            tenant=tenant,
            period_key=period_key,
            owner=row.owner,
            claimed_at=row.claimed_at,
            sending_at=row.sending_at,
            posted_at=row.posted_at,
            message_ref=row.message_ref,
            attempts=int(row.attempts),
        )


def _fact_check_columns(fact_check: FactCheck | None) -> dict[str, Any]:
    """The claims row's fact_check_* columns (all None: no review)."""
    fc = fact_check or FactCheck()
    return {
        "fact_check_verdict": fc.verdict,
        "fact_check_by": (fc.by or "")[:300] or None,
        "fact_check_date": fc.date,
        "fact_check_rating": fc.rating,
        "fact_check_best": fc.best_rating,
        "fact_check_worst": fc.worst_rating,
    }


def _fact_check(row: Any) -> FactCheck | None:
    """The stored review of a claim, or None when no fact-checker reviewed it."""
    if row.fact_check_verdict is None and row.fact_check_by is None and row.fact_check_rating is None:
        return None
    return FactCheck(
        verdict=row.fact_check_verdict,
        by=row.fact_check_by,
        url=row.source_url,
        date=row.fact_check_date,
        rating=row.fact_check_rating,
        best_rating=row.fact_check_best,
        worst_rating=row.fact_check_worst,
    )


def _parse_claim(value: str) -> int | None:
    return ids.parse_id(ids.CLAIM, value)


def _parse_article(value: str) -> int | None:
    return ids.parse_id(ids.ARTICLE, value)


__all__ = ["SqlStore", "normalise_article_url"]
