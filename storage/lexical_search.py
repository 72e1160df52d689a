"""Full-text search over claims: SQLite FTS5 or a PostgreSQL tsvector index, ranked in Python.

Query words and ranking are pure functions in :mod:`storage.lexical`; this module runs them
against the database.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.models import Candidate
from bot.ports import Vector
from storage import ids, lexical
from storage.claim_rows import claim_select, stored_claim, stored_vectors
from storage.tables import T_CLAIMS
from storage.tenants import StoreBase

log = logging.getLogger(__name__)

TEXT_SEARCH_POOL = 1_000  # full-text matches ranked per query (the newest ones)


class LexicalSearchRepo(StoreBase):
    """``text_search``: candidates found by wording, next to the vector index's by meaning."""

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
                    claim_select(T_CLAIMS.c.embedding).where(
                        T_CLAIMS.c.tenant_id == ref.id, T_CLAIMS.c.id.in_(ranked)
                    )
                )
            }
        cosines = _cosines(rows, embedding)
        return [
            Candidate(
                claim=stored_claim(tenant, rows[pk]),
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


def _cosines(rows: dict[int, Any], embedding: Vector | None) -> dict[int, float]:
    """Exact cosines of ``rows`` (with their float16 embeddings) to ``embedding``; {} without one."""
    if embedding is None:
        return {}
    query = np.asarray(embedding, dtype=np.float32).reshape(-1)
    usable = [pk for pk, row in rows.items() if len(row.embedding) == query.shape[0] * 2]
    if not usable:
        return {}
    vectors = stored_vectors([rows[pk].embedding for pk in usable], query.shape[0])
    norms = np.linalg.norm(vectors, axis=1) * (float(np.linalg.norm(query)) or 1.0)
    cosines = (vectors @ query) / np.where(norms == 0, 1.0, norms)
    return {pk: round(float(c), 6) for pk, c in zip(usable, cosines, strict=True)}


__all__ = ["TEXT_SEARCH_POOL", "LexicalSearchRepo"]
