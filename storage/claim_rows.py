"""Rows ⇄ core models: the claim and article columns every read selects, and their conversions.

Pure functions over SQLAlchemy rows and numpy arrays; no connection, no tenant lookup.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.models import ArticleRecord, ClaimKind, FactCheck, Stance, StoredClaim
from bot.ports import Vector
from storage import ids
from storage.tables import T_ARTICLES, T_CLAIMS, T_SPEAKERS

log = logging.getLogger(__name__)

IN_CHUNK = 900  # ids per IN (...) list, under every SQLite build's variable limit


def embedding_bytes(vector: Vector, dim: int) -> bytes:
    """float16 little-endian bytes of a 1-D finite vector of ``dim`` values, or ValueError."""
    arr = np.asarray(vector, dtype=np.float32)
    if arr.ndim != 1 or arr.shape[0] != dim:
        raise ValueError(f"embedding must be a vector of {dim} values, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("embedding contains NaN or infinite values")
    return arr.astype("<f2").tobytes()


def stored_vectors(blobs: Sequence[bytes], dim: int) -> npt.NDArray[np.float32]:
    """The float16 embeddings of ``blobs`` as one float32 matrix of ``dim`` columns."""
    return np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), dim).astype(np.float32)


def as_datetime(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


def claim_columns() -> list[Any]:
    """The columns :func:`stored_claim` reads (the speaker's name comes from a join)."""
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


def claim_select(*extra: Any) -> sa.Select[Any]:
    """SELECT of :func:`claim_columns` (plus ``extra``) from claims joined to their speakers."""
    return sa.select(*claim_columns(), *extra).select_from(
        T_CLAIMS.outerjoin(T_SPEAKERS, T_SPEAKERS.c.id == T_CLAIMS.c.speaker_id)
    )


def stored_claim(tenant: str, row: Any) -> StoredClaim:
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
        fact_check=stored_fact_check(row),
    )


def article_columns() -> list[Any]:
    """The columns :func:`article_record` reads."""
    a = T_ARTICLES.c
    return [a.id, a.title, a.url, a.published, a.content_hash, a.created_at, a.permalink]


def article_record(tenant: str, row: Row[Any]) -> ArticleRecord:
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


def fact_check_columns(fact_check: FactCheck | None) -> dict[str, Any]:
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


def stored_fact_check(row: Any) -> FactCheck | None:
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


def parse_claim_id(value: str) -> int | None:
    return ids.parse_id(ids.CLAIM, value)


def parse_article_id(value: str) -> int | None:
    return ids.parse_id(ids.ARTICLE, value)


__all__ = [
    "IN_CHUNK",
    "article_columns",
    "article_record",
    "as_datetime",
    "claim_columns",
    "claim_select",
    "embedding_bytes",
    "fact_check_columns",
    "parse_article_id",
    "parse_claim_id",
    "stored_claim",
    "stored_fact_check",
    "stored_vectors",
]
