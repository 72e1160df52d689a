"""Ports: what the core needs from the outside world, as Protocols.

Storage implements ``ClaimStore``; the NLP package implements ``ClaimExtractor``;
``bot.inference.encoder`` implements ``Encoder``; ``adapters.fetcher`` implements ``Fetcher``.
Unit tests use small fakes of these (see ``tests/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.follows import Follow, FollowAlert
from bot.models import (
    ArticleInput,
    ArticleRecord,
    Candidate,
    ClaimKind,
    Digest,
    ExtractedClaim,
    KnownClaim,
    Speaker,
    SpeakerKind,
    StoredClaim,
)

Vector = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Sentence embeddings; rows are L2-normalised so a dot product is a cosine."""

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


class ClaimExtractor(Protocol):
    def extract(self, text: str) -> list[ExtractedClaim]: ...

    def extract_many(self, texts: Sequence[str]) -> list[list[ExtractedClaim]]: ...


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # final URL after redirects
    text: str  # main text, extracted
    title: str | None
    published: date | None


class Fetcher(Protocol):
    def fetch(self, url: str) -> FetchedPage: ...


@dataclass(frozen=True, slots=True)
class NewClaim:
    """A claim to store with its article: either a fresh claim or a new mention of a stored one."""

    extracted: ExtractedClaim
    embedding: Vector
    existing_claim_id: str | None  # set for repeats: add a mention, do not create a claim
    speaker_name: str | None  # canonical name after cross-article resolution
    speaker_kind: SpeakerKind
    speaker_aliases: tuple[str, ...] = ()
    changed_from_claim_id: str | None = None  # set for "changed": the earlier statement


@dataclass(frozen=True, slots=True)
class MentionRecord:
    """One mention of a stored claim: when it was seen and in which article."""

    claim: StoredClaim
    article_id: str
    at: datetime  # when the article carrying this mention was checked
    restatement: bool = False  # a further restatement inside the same article

    @property
    def is_repeat(self) -> bool:
        """Said again in a later article (not the article the claim was first seen in)."""
        return self.claim.article_id is not None and self.article_id != self.claim.article_id


@dataclass(frozen=True, slots=True)
class DigestPostState:
    """The bookkeeping row of one tenant's digest period (see ``TenantConfigStore``)."""

    tenant: str
    period_key: str
    owner: str
    claimed_at: datetime
    sending_at: datetime | None  # set just before the post goes out
    posted_at: datetime | None
    message_ref: str | None
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class SavedArticle:
    article: ArticleRecord
    claim_ids: tuple[str, ...]  # one per NewClaim, in order


class ClaimStore(Protocol):
    """Persistence of articles, speakers, claims and mentions, per tenant.

    Every method is keyword-only past ``self`` and raises ``StorageUnavailable`` when
    the database cannot be reached.
    """

    def find_duplicate_article(
        self, *, tenant: str, url: str | None, content_hash: str
    ) -> ArticleRecord | None: ...

    def nearest_claims(
        self, *, tenant: str, embedding: Vector, k: int, speaker_id: str | None = None
    ) -> list[Candidate]: ...

    def nearest_claims_many(
        self, *, tenant: str, embeddings: Sequence[Vector], k: int
    ) -> list[list[Candidate]]:
        """``nearest_claims`` for each embedding, in order (a check's claims in one go)."""
        ...

    def text_search(
        self,
        *,
        tenant: str,
        query: str,
        k: int,
        speaker_id: str | None = None,
        embedding: Vector | None = None,
    ) -> list[Candidate]:
        """Full-text candidates (SQLite FTS5 / PostgreSQL tsvector); ``lexical`` in [0, 1].

        With ``embedding``, each candidate's ``cosine`` is computed from its stored vector,
        so lexical-only hits can be re-ranked without encoding them again.
        """
        ...

    def claims_by_ids(self, *, tenant: str, ids: Sequence[str]) -> list[StoredClaim]: ...

    def articles_by_ids(self, *, tenant: str, ids: Sequence[str]) -> list[ArticleRecord]:
        """The articles with these ids in the order asked; unknown ids and other tenants' are left out."""
        ...

    def tenant_settings(self, *, tenant: str) -> dict[str, Any]:
        """Per-tenant overrides of settings (e.g. ``{"repeat_threshold": 0.75}``); empty when none."""
        ...

    def update_tenant_settings(self, *, tenant: str, values: dict[str, Any]) -> dict[str, Any]:
        """Merges ``values`` into the overrides (``None`` removes a key); returns the result."""
        ...

    def speakers(self, *, tenant: str) -> list[Speaker]: ...

    def save_article(
        self, *, tenant: str, article: ArticleInput, content_hash: str, claims: Sequence[NewClaim]
    ) -> SavedArticle:
        """Stores the article, its speakers, claims and mentions in ONE transaction."""
        ...

    def import_claims(self, *, tenant: str, claims: Sequence[tuple[KnownClaim, Vector]]) -> tuple[int, int]:
        """Returns (imported, skipped as already imported by external_id)."""
        ...

    def update_fact_checks(self, *, tenant: str, claims: Sequence[KnownClaim]) -> set[str]:
        """Refreshes the fact-checks already stored under these claims' external ids (verdict,
        fact-checker, dates, headline); returns the external ids found. Text and vectors stay."""
        ...

    def speaker_timeline(self, *, tenant: str, speaker_id: str, limit: int = 100) -> list[StoredClaim]: ...

    def iter_claims(self, *, tenant: str) -> Iterable[StoredClaim]: ...

    def claims_between(self, *, tenant: str, start: datetime, end: datetime) -> list[tuple[StoredClaim, int]]:
        """Claims mentioned in [start, end) with their mention count in that period."""
        ...

    # --- digests (added for issue 6; all periods are [start, end), aware datetimes) ---
    def mentions_between(self, *, tenant: str, start: datetime, end: datetime) -> list[MentionRecord]:
        """Every mention stored in [start, end) (by its article's check time), oldest first."""
        ...

    def count_articles_between(self, *, tenant: str, start: datetime, end: datetime) -> int:
        """Articles checked (stored, duplicates excluded) in [start, end)."""
        ...

    def changed_between(
        self, *, tenant: str, start: datetime, end: datetime
    ) -> list[tuple[StoredClaim, StoredClaim]]:
        """(earlier, later) pairs for claims first seen in [start, end) that changed an earlier one."""
        ...


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    tenant: str
    platform: str
    channel_id: str
    weekday: int  # 0 = Monday
    hour: int
    timezone: str  # IANA name
    enabled: bool = True


class TenantConfigStore(Protocol):
    """Per-tenant chat configuration and delivery bookkeeping (durable, multi-process safe)."""

    def set_watch(self, *, tenant: str, channel_id: str, enabled: bool) -> None: ...

    def is_watched(self, *, tenant: str, channel_id: str) -> bool: ...

    def first_delivery(self, *, tenant: str, key: str) -> bool:
        """Records ``key`` (an event id, a message id) and says whether this is its first time.

        Atomic across processes (a unique row), so retries and gateway replays are answered once.
        """
        ...

    def prune_deliveries(self, *, before: datetime) -> int:
        """Forgets the keys recorded before ``before`` (all tenants); returns how many.

        Platforms stop retrying within hours; the bot's scheduler prunes once a day.
        """
        ...

    def set_digest(self, *, schedule: DigestSchedule) -> None: ...

    def get_digest(self, *, tenant: str) -> DigestSchedule | None: ...

    def digest_schedules(self) -> list[DigestSchedule]: ...

    def claim_digest_period(self, *, tenant: str, period_key: str, owner: str) -> bool:
        """Takes the right to post the digest of ``period_key`` (e.g. "2026-W48"); False if taken."""
        ...

    def mark_digest_posted(self, *, tenant: str, period_key: str, message_ref: str | None) -> None: ...

    def release_digest_period(self, *, tenant: str, period_key: str, owner: str) -> None:
        """Gives the period back after a failed post so a later attempt can retry."""
        ...

    # --- added for issue 6: crash safety of the digest period claim ------------------
    def mark_digest_sending(self, *, tenant: str, period_key: str, owner: str) -> bool:
        """Records that ``owner`` is about to post; False (do not post!) if it no longer owns the row.

        After this mark a crashed owner's row is never taken over: the post may have gone out.
        """
        ...

    def reclaim_stale_digest_period(
        self, *, tenant: str, period_key: str, owner: str, claimed_before: datetime
    ) -> bool:
        """Takes over a row claimed before ``claimed_before`` that is neither sending nor posted.

        Atomic (one conditional UPDATE); bumps ``attempts``. For owners that crashed while
        building or rendering, before anything was sent.
        """
        ...

    def digest_post_state(self, *, tenant: str, period_key: str) -> DigestPostState | None: ...


class DigestPoster(Protocol):
    """Implemented by each chat adapter: posts a rendered digest with its chart attached."""

    platform: str

    async def post_digest(self, *, schedule: DigestSchedule, digest: Digest, chart_png: bytes | None) -> str:
        """Posts to ``schedule.channel_id``; returns a reference (message id/permalink).

        Raise only when NOTHING was posted: the scheduler releases the week and posts again
        later. A failure after the message went out (e.g. the chart upload) must be logged
        and the reference returned, or the digest is posted twice.
        """
        ...


# ---------------------------------------------------------------------------- follows (issue 22)
class FollowStore(Protocol):
    """Follows of speakers per channel, and the delivery bookkeeping of their alerts.

    An alert is stored once per (tenant, channel, article, statement): a unique row, so
    several processes and restarts never queue or post it twice.
    """

    def add_follow(self, *, tenant: str, speaker_id: str, platform: str, channel_id: str) -> bool:
        """False when the channel already follows that speaker."""
        ...

    def remove_follow(self, *, tenant: str, speaker_id: str, channel_id: str) -> bool:
        """False when the channel did not follow that speaker."""
        ...

    def follows(self, *, tenant: str) -> list[Follow]:
        """The tenant's follows, each with its speaker's current name and aliases."""
        ...

    def queue_follow_alerts(self, *, tenant: str, alerts: Sequence[FollowAlert]) -> int:
        """Stores the alerts not stored before; returns how many were new."""
        ...

    def take_follow_alerts(
        self,
        *,
        platform: str,
        owner: str,
        now: datetime,
        limit: int,
        max_attempts: int,
        tenant: str | None = None,
    ) -> list[FollowAlert]:
        """Takes up to ``limit`` pending alerts of ``platform`` (and ``tenant``) for ``owner``.

        Each is taken by one conditional UPDATE that also marks it as being sent: of several
        processes exactly one gets it, and once taken it is never taken again (a crash while
        posting may lose it; it is never posted twice). Alerts waiting for a retry after
        ``now`` and those tried ``max_attempts`` times are left alone.
        """
        ...

    def mark_follow_alert_posted(self, *, alert_id: str, owner: str, message_ref: str | None) -> None: ...

    def prune_follow_alerts(self, *, before: datetime) -> int:
        """Forgets the alerts queued before ``before``, posted or not; returns how many."""
        ...

    def release_follow_alert(self, *, alert_id: str, owner: str, retry_at: datetime) -> None:
        """Gives a taken alert back after a post that failed (nothing was posted)."""
        ...


class AlertPoster(Protocol):
    """Implemented by each chat adapter: posts one follow alert to its channel."""

    platform: str

    async def post_alert(self, *, alert: FollowAlert) -> str:
        """Posts to ``alert.channel_id``; returns a reference. Raise only when NOTHING was posted."""
        ...


__all__ = [
    "AlertPoster",
    "ClaimExtractor",
    "ClaimKind",
    "ClaimStore",
    "DigestPostState",
    "DigestPoster",
    "DigestSchedule",
    "Encoder",
    "FetchedPage",
    "Fetcher",
    "FollowStore",
    "MentionRecord",
    "NewClaim",
    "SavedArticle",
    "TenantConfigStore",
    "Vector",
]
