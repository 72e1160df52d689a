"""Articles: storing a checked article with its claims and mentions (one transaction), and
finding an article again by its text or its link.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.errors import ArticleAlreadyStored
from bot.models import ArticleInput, ArticleRecord
from bot.ports import NewClaim, SavedArticle
from storage import ids
from storage.claim_rows import article_columns, article_record, embedding_bytes, parse_article_id
from storage.speakers_repo import SpeakerRepo
from storage.tables import T_ARTICLES, T_CLAIMS, T_MENTIONS, utcnow

log = logging.getLogger(__name__)

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


class ArticleRepo(SpeakerRepo):
    """Articles and what a check stores with them: claims, mentions, speakers."""

    def find_duplicate_article(
        self, *, tenant: str, url: str | None, content_hash: str
    ) -> ArticleRecord | None:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return None
        with self._read() as conn:
            row = conn.execute(self._same_article(ref.id, url, content_hash)).first()
        return article_record(tenant, row) if row else None

    @staticmethod
    def _same_article(tenant_id: int, url: str | None, content_hash: str) -> sa.Select[Any]:
        """The tenant's first article with this text (normalised hash) or this link."""
        a = T_ARTICLES.c
        same = a.content_hash == content_hash
        url_norm = normalise_article_url(url)
        if url_norm:
            same = sa.or_(same, a.url_norm == url_norm)
        return sa.select(*article_columns()).where(a.tenant_id == tenant_id, same).order_by(a.id).limit(1)

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
                        "embedding": embedding_bytes(new.embedding, dim),
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

    def articles_by_ids(self, *, tenant: str, ids: Sequence[str]) -> list[ArticleRecord]:
        """The articles with these ids in the order asked; unknown ids and other tenants' are left out."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        wanted = list(dict.fromkeys(pk for pk in (parse_article_id(i) for i in ids) if pk is not None))
        a = T_ARTICLES.c
        found: dict[int, ArticleRecord] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in conn.execute(
                    sa.select(*article_columns()).where(a.tenant_id == ref.id, a.id.in_(chunk))
                ):
                    found[row.id] = article_record(tenant, row)
        return [found[pk] for pk in wanted if pk in found]

    def count_articles_between(self, *, tenant: str, start: datetime, end: datetime) -> int:
        return self.articles_between(tenant=tenant, start=start, end=end)


__all__ = ["ArticleRepo", "normalise_article_url"]
