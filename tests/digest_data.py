"""Seeding a store with articles checked at chosen moments, for the digest tests.

Works with any ``ClaimStore`` (the in-memory fake and the real SQL stores alike): time is
frozen with time-machine while ``save_article`` runs, so ``created_at``/``first_seen``
are the moments the test names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import time_machine

from bot.models import ArticleInput, ClaimKind, ExtractedClaim, Span, SpeakerKind
from bot.ports import ClaimStore, NewClaim, SavedArticle
from tests.fakes import HashingEncoder


@dataclass(frozen=True)
class Said:
    speaker: str | None
    text: str
    repeats: str | None = None  # id of the stored claim this one repeats
    changes: str | None = None  # id of the stored claim this one changes
    restatements: int = 0  # further restatements inside the same article


def save_at(
    store: ClaimStore,
    *,
    tenant: str,
    at: datetime,
    said: Sequence[Said],
    url: str | None = None,
    dim: int = HashingEncoder.dim,
) -> SavedArticle:
    body = " ".join(f"{s.speaker or 'Someone'} said {s.text}." for s in said) + f" ({at.isoformat()})"
    encoder = HashingEncoder()
    claims = []
    for s in said:
        vector = encoder.encode([s.text])[0]
        if dim != encoder.dim:  # the SQL store may be configured for MiniLM's 384 dims
            vector = np.resize(vector, dim).astype(np.float32)
            vector /= np.linalg.norm(vector) or 1.0
        extracted = ExtractedClaim(
            text=s.text,
            kind=ClaimKind.INDIRECT,
            content=Span(0, len(s.text), s.text),
            speaker=s.speaker,
            speaker_kind=SpeakerKind.PERSON if s.speaker else SpeakerKind.UNKNOWN,
            restatements=tuple(Span(0, len(s.text), s.text) for _ in range(s.restatements)),
        )
        claims.append(
            NewClaim(
                extracted=extracted,
                embedding=vector,
                existing_claim_id=s.repeats,
                speaker_name=s.speaker,
                speaker_kind=extracted.speaker_kind,
                changed_from_claim_id=s.changes,
            )
        )
    with time_machine.travel(at, tick=False):
        return store.save_article(
            tenant=tenant,
            article=ArticleInput(text=body, title=f"Article of {at:%Y-%m-%d %H:%M}", url=url),
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
            claims=claims,
        )
