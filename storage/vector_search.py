"""Nearest-neighbour search over the per-tenant vector index, kept in step with the database.

The database is the source of truth. The per-tenant vector index (:mod:`storage.vector_index`)
is a cache: before each query it is brought up to date from the claims whose id is above
its watermark, and it is rebuilt from the stored float16 embeddings when its file is
missing, unreadable or disagrees with the database (deleting ``{data_dir}/index`` forces
a rebuild on the next query).

Why the watermark is exact: claims are only ever inserted while holding the tenant's
write lock (``SELECT ... FOR UPDATE`` on the tenant row in PostgreSQL; ``BEGIN IMMEDIATE``
in SQLite), so within one tenant ids become visible in increasing order and a reader that
has seen id N has seen every smaller id too, whichever process wrote them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.models import Candidate
from bot.ports import Vector
from storage import ids
from storage.claim_rows import IN_CHUNK, claim_select, stored_claim, stored_vectors
from storage.tables import T_CLAIMS
from storage.tenants import StoreBase, TenantRef
from storage.vector_index import Hit, VectorIndex

log = logging.getLogger(__name__)

SYNC_BATCH = 20_000  # rows read per query when catching the index up
SPEAKER_FILTER_OVERFETCH = 10  # nearest_claims(speaker_id=...) asks the index for k x this
SPEAKER_EXACT_LIMIT = 50_000  # beyond this a speaker's claims are not scanned exactly


class VectorSearchRepo(StoreBase):
    """``nearest_claims`` and the index cache behind it (one index and one lock per tenant)."""

    def close(self) -> None:
        """Saves index files with unsaved additions, then closes the connection pool."""
        for tenant, index in list(self._indexes.items()):
            with self._index_lock(tenant):
                if index.unsaved:
                    try:
                        index.save()
                    except OSError as exc:
                        log.warning("could not save the vector index of %s: %s", tenant, exc)
        super().close()

    def _index_lock(self, tenant: str) -> threading.Lock:
        with self._locks_guard:
            return self._index_locks.setdefault(tenant, threading.Lock())

    def _synced_index(self, tenant: str, ref: TenantRef, dim: int) -> VectorIndex:
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

    def _index_matches_database(self, index: VectorIndex, ref: TenantRef) -> bool:
        with self._read() as conn:
            stored = conn.execute(
                sa.select(sa.func.count())
                .select_from(T_CLAIMS)
                .where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id <= index.watermark)
            ).scalar_one()
        return int(stored) == len(index)

    def _catch_up(self, index: VectorIndex, ref: TenantRef, dim: int) -> int:
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
                index.add(keys, stored_vectors([blob for _, blob in usable], dim))
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
        self, tenant: str, ref: TenantRef, queries: Sequence[npt.NDArray[np.float32]], count: int
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
        self, ref: TenantRef, keys: Sequence[int], speaker_pk: int | None = None
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
                for row in conn.execute(claim_select(T_CLAIMS.c.embedding).where(*where)):
                    rows[int(row.id)] = row
        return rows

    def _speaker_exact(
        self, tenant: str, ref: TenantRef, query: npt.NDArray[np.float32], speaker_pk: int
    ) -> list[Candidate]:
        """Exact search among one speaker's claims (the index filter found too few)."""
        with self._read() as conn:
            rows = conn.execute(
                claim_select(T_CLAIMS.c.embedding)
                .where(T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.speaker_id == speaker_pk)
                .order_by(T_CLAIMS.c.id.desc())
                .limit(SPEAKER_EXACT_LIMIT)
            ).all()
        return self._rank(tenant, rows, query)

    def _rank(self, tenant: str, rows: Sequence[Row[Any]], query: npt.NDArray[np.float32]) -> list[Candidate]:
        width = query.shape[0] * 2
        rows = [row for row in rows if len(row.embedding) == width]
        if not rows:
            return []
        vectors = stored_vectors([row.embedding for row in rows], query.shape[0])
        norms = np.linalg.norm(vectors, axis=1) * (float(np.linalg.norm(query)) or 1.0)
        cosines = (vectors @ query) / np.where(norms == 0, 1.0, norms)
        order = np.argsort(-cosines, kind="stable")
        return [
            Candidate(claim=stored_claim(tenant, rows[i]), cosine=round(float(cosines[i]), 6)) for i in order
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


__all__ = ["VectorSearchRepo"]
