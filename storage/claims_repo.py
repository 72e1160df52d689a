"""Claims: importing known claims (archives, fact-checks) and every read of stored claims
(by id, by speaker, by period for digests, all of a tenant for export).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from bot.models import ClaimKind, KnownClaim, SpeakerKind, StoredClaim
from bot.ports import MentionRecord, Vector
from storage import ids
from storage.claim_rows import (
    as_datetime,
    claim_columns,
    claim_select,
    embedding_bytes,
    fact_check_columns,
    parse_claim_id,
    stored_claim,
)
from storage.speakers_repo import SpeakerRepo
from storage.tables import T_CLAIMS, T_MENTIONS, T_SPEAKERS, UTCDateTime, utcnow
from storage.vector_search import VectorSearchRepo

log = logging.getLogger(__name__)

IMPORT_CHUNK = 1_000  # rows per multi-row INSERT


class ClaimRepo(SpeakerRepo, VectorSearchRepo):
    """Imports of known claims and the reads of stored claims."""

    def import_claims(
        self, *, tenant: str, claims: Sequence[tuple[KnownClaim, Vector]], sync_index: bool = True
    ) -> tuple[int, int]:
        """Stores known claims in one transaction; skips external ids already stored (or repeated).

        ``sync_index=False`` leaves the vector index behind (the next query or ``index_size``
        catches it up): a bulk load that times the two steps apart, or installs an index of
        its own, says so.
        """
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
                        "embedding": embedding_bytes(vector, dim),
                        "speaker_id": speaker_id,
                        "external_id": external_id,
                        "title": (item.title or "").strip() or None,
                        "source_url": source,
                        "mentions": 1,
                        "first_seen": as_datetime(item.date) or now,
                        **fact_check_columns(item.fact_check),
                    }
                )
                if len(rows) >= IMPORT_CHUNK:
                    conn.execute(sa.insert(T_CLAIMS), rows)
                    imported += len(rows)
                    rows = []
            if rows:
                conn.execute(sa.insert(T_CLAIMS), rows)
                imported += len(rows)
        if imported and sync_index:
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
                        **{f"new_{k}": v for k, v in fact_check_columns(item.fact_check).items()},
                        "new_title": (item.title or "").strip() or None,
                        "new_source_url": item.source.strip() if item.source else None,
                        "new_speaker_id": speaker_id,
                        "new_first_seen": as_datetime(item.date),
                    }
                )
                found.add(external_id)
            if rows:
                # one statement for all: a feed re-read is thousands of rows; a review that no
                # longer names its speaker or date keeps the stored ones
                columns = [*fact_check_columns(None), "title", "source_url"]
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

    def claims_by_ids(self, *, tenant: str, ids: Sequence[str]) -> list[StoredClaim]:
        """The claims with these ids in the order asked; unknown ids and other tenants' are left out."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        wanted = [pk for pk in (parse_claim_id(i) for i in ids) if pk is not None]
        if not wanted:
            return []
        found: dict[int, StoredClaim] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in conn.execute(
                    claim_select().where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id.in_(chunk))
                ):
                    found[row.id] = stored_claim(tenant, row)
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
            claim_select()
            .where(
                T_CLAIMS.c.tenant_id == ref.id,
                sa.or_(T_CLAIMS.c.speaker_id == pk, T_CLAIMS.c.id.in_(repeated)),
            )
            .order_by(T_CLAIMS.c.first_seen.desc(), T_CLAIMS.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [stored_claim(tenant, row) for row in reversed(rows)]

    def iter_claims(self, *, tenant: str) -> Iterable[StoredClaim]:
        """Every claim of the tenant by id, streamed in pages (no transaction held between pages)."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return
        last = 0
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    claim_select()
                    .where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id > last)
                    .order_by(T_CLAIMS.c.id)
                    .limit(1_000)
                ).all()
            if not rows:
                return
            for row in rows:
                yield stored_claim(tenant, row)
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
            sa.select(*claim_columns(), counts.c.period_mentions)
            .select_from(
                counts.join(T_CLAIMS, T_CLAIMS.c.id == counts.c.claim_id).outerjoin(
                    T_SPEAKERS, T_SPEAKERS.c.id == T_CLAIMS.c.speaker_id
                )
            )
            .order_by(counts.c.period_mentions.desc(), T_CLAIMS.c.id)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [(stored_claim(tenant, row), int(row.period_mentions)) for row in rows]

    def mentions_between(self, *, tenant: str, start: datetime, end: datetime) -> list[MentionRecord]:
        """Every mention stored in [start, end), oldest first, with its claim."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        m = T_MENTIONS.c
        query = (
            sa.select(
                *claim_columns(),
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
            claim = claims.get(row.id) or claims.setdefault(row.id, stored_claim(tenant, row))
            out.append(
                MentionRecord(
                    claim=claim,
                    article_id=ids.public_id(ids.ARTICLE, row.mention_article_id),
                    at=row.mention_at,
                    restatement=bool(row.mention_restatement),
                )
            )
        return out

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
                stored_claim(tenant, row)
                for row in conn.execute(
                    claim_select()
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


__all__ = ["ClaimRepo"]
