"""Fakes of OUR ports (never of SQLite/PostgreSQL/Slack/Discord), for fast unit tests.

``HashingEncoder`` and ``SaidThatExtractor`` are deterministic and model-free, so adapter
and service tests run in milliseconds; the real pipeline has its own tests.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.errors import LinkRefused
from bot.follows import Follow, FollowAlert
from bot.known_speakers import normalise_name
from bot.links import is_url
from bot.models import (
    ArticleInput,
    ArticleRecord,
    Candidate,
    ClaimKind,
    ExtractedClaim,
    KnownClaim,
    Span,
    Speaker,
    SpeakerKind,
    StoredClaim,
)
from bot.ports import (
    DigestPostState,
    DigestSchedule,
    FetchedPage,
    MentionRecord,
    NewClaim,
    SavedArticle,
    Vector,
)

_WORD = re.compile(r"[a-z0-9]+")


class HashingEncoder:
    """Bag-of-words hashed into 64 dims: reworded sentences sharing words land close."""

    dim = 64

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


_SAID = re.compile(r"^(?P<speaker>[A-Z][\w.]*(?: [A-Z][\w.]*)*) said(?: that)? (?P<content>[^.]+)\.", re.M)


class SaidThatExtractor:
    """Finds only "Name said (that) X." sentences; enough to drive the service and adapters."""

    def extract(self, text: str) -> list[ExtractedClaim]:
        claims = []
        for m in _SAID.finditer(text):
            claims.append(
                ExtractedClaim(
                    text=m.group("content").strip(),
                    kind=ClaimKind.INDIRECT,
                    content=Span(m.start("content"), m.end("content"), m.group("content")),
                    cue=Span(m.end("speaker") + 1, m.end("speaker") + 5, "said"),
                    speaker_mention=Span(m.start("speaker"), m.end("speaker"), m.group("speaker")),
                    speaker=m.group("speaker"),
                    speaker_kind=SpeakerKind.PERSON,
                )
            )
        return claims

    def extract_many(self, texts: Sequence[str]) -> list[list[ExtractedClaim]]:
        return [self.extract(t) for t in texts]


class PagesFetcher:
    """Serves canned pages by URL; any other URL is refused like the real fetcher would."""

    def __init__(self, pages: dict[str, str] | None = None) -> None:
        self.pages = dict(pages or {})

    def fetch(self, url: str) -> FetchedPage:
        if not is_url(url) or url not in self.pages:
            raise LinkRefused(f"could not fetch {url}")
        return FetchedPage(url=url, text=self.pages[url], title=None, published=None)


@dataclass
class _DigestPostMeta:
    claimed_at: datetime
    sending_at: datetime | None = None
    posted_at: datetime | None = None
    attempts: int = 1


class InMemoryStore:
    """ClaimStore + TenantConfigStore in dicts, with a brute-force 'index' (fine for tests)."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.articles: dict[str, ArticleRecord] = {}
        self.speakers_by_id: dict[str, Speaker] = {}
        self.claims: dict[str, StoredClaim] = {}
        self.vectors: dict[str, Vector] = {}
        self.watch: set[tuple[str, str]] = set()
        self.deliveries: set[tuple[str, str]] = set()
        self.delivered_at: dict[tuple[str, str], datetime] = {}
        self.digests: dict[str, DigestSchedule] = {}
        self.digest_periods: dict[tuple[str, str], tuple[str, str | None, bool]] = {}
        # digests (issue 6): per-mention history, what a changed claim changed from, and the
        # crash-safety columns of the period claim (claimed_at, sending_at, posted_at, attempts)
        self.mentions: list[tuple[str, str, datetime, bool]] = []  # claim id, article id, at, restatement
        self.changed_from: dict[str, str] = {}
        self.digest_post_meta: dict[tuple[str, str], _DigestPostMeta] = {}
        self._lock = threading.Lock()
        self.fail_next_save = False
        self.overrides: dict[str, dict[str, Any]] = {}

    def _next(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    # ClaimStore ---------------------------------------------------------------------
    def find_duplicate_article(
        self, *, tenant: str, url: str | None, content_hash: str
    ) -> ArticleRecord | None:
        for article in self.articles.values():
            if article.tenant == tenant and (
                article.content_hash == content_hash or (url and article.url == url)
            ):
                return article
        return None

    def nearest_claims(
        self, *, tenant: str, embedding: Vector, k: int, speaker_id: str | None = None
    ) -> list[Candidate]:
        scored = [
            Candidate(claim=c, cosine=float(np.dot(self.vectors[c.id], embedding)))
            for c in self.claims.values()
            if c.tenant == tenant and (speaker_id is None or c.speaker_id == speaker_id)
        ]
        return sorted(scored, key=lambda cand: -cand.cosine)[:k]

    def nearest_claims_many(
        self, *, tenant: str, embeddings: Sequence[Vector], k: int
    ) -> list[list[Candidate]]:
        return [self.nearest_claims(tenant=tenant, embedding=e, k=k) for e in embeddings]

    def text_search(
        self,
        *,
        tenant: str,
        query: str,
        k: int,
        speaker_id: str | None = None,
        embedding: Vector | None = None,
    ) -> list[Candidate]:
        words = set(_WORD.findall(query.lower()))
        hits = []
        for c in self.claims.values():
            if c.tenant != tenant or (speaker_id and c.speaker_id != speaker_id):
                continue
            overlap = len(words & set(_WORD.findall(c.text.lower())))
            if overlap:
                cosine = 0.0 if embedding is None else float(np.dot(self.vectors[c.id], embedding))
                hits.append(Candidate(claim=c, cosine=cosine, lexical=overlap / max(len(words), 1)))
        return sorted(hits, key=lambda cand: -cand.lexical)[:k]

    def tenant_settings(self, *, tenant: str) -> dict[str, Any]:
        return dict(self.overrides.get(tenant, {}))

    def update_tenant_settings(self, *, tenant: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.overrides.setdefault(tenant, {})
        for key, value in values.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
        return dict(current)

    def claims_by_ids(self, *, tenant: str, ids: Sequence[str]) -> list[StoredClaim]:
        return [self.claims[i] for i in ids if i in self.claims and self.claims[i].tenant == tenant]

    def speakers(self, *, tenant: str) -> list[Speaker]:
        return [s for s in self.speakers_by_id.values() if s.tenant == tenant]

    def _speaker(self, tenant: str, claim: NewClaim) -> Speaker | None:
        if not claim.speaker_name:
            return None
        keys = {normalise_name(claim.speaker_name), *(normalise_name(a) for a in claim.speaker_aliases)}
        for s in self.speakers(tenant=tenant):
            if keys & {normalise_name(s.name), *(normalise_name(a) for a in s.aliases)}:
                merged = tuple(dict.fromkeys([*s.aliases, *claim.speaker_aliases]))
                self.speakers_by_id[s.id] = replace(s, aliases=merged)
                return self.speakers_by_id[s.id]
        speaker = Speaker(
            id=self._next("s"),
            tenant=tenant,
            name=claim.speaker_name,
            kind=claim.speaker_kind,
            aliases=claim.speaker_aliases,
        )
        self.speakers_by_id[speaker.id] = speaker
        return speaker

    def save_article(
        self, *, tenant: str, article: ArticleInput, content_hash: str, claims: Sequence[NewClaim]
    ) -> SavedArticle:
        if self.fail_next_save:
            self.fail_next_save = False
            raise RuntimeError("injected failure")
        now = datetime.now(UTC)
        record = ArticleRecord(
            id=self._next("a"),
            tenant=tenant,
            title=article.title,
            url=article.url,
            published=article.published,
            content_hash=content_hash,
            created_at=now,
            permalink=article.origin.permalink if article.origin else None,
        )
        ids = []
        for new in claims:
            if new.existing_claim_id and new.existing_claim_id in self.claims:
                stored = self.claims[new.existing_claim_id]
                self.claims[stored.id] = replace(stored, mentions=stored.mentions + new.extracted.mentions)
                ids.append(stored.id)
                self._add_mentions(stored.id, record.id, now, new.extracted.mentions)
                continue
            speaker = self._speaker(tenant, new)
            claim = StoredClaim(
                id=self._next("c"),
                tenant=tenant,
                text=new.extracted.text,
                speaker=speaker.name if speaker else None,
                speaker_id=speaker.id if speaker else None,
                kind=new.extracted.kind,
                first_seen=now,
                source=article.url or record.permalink,
                article_id=record.id,
                mentions=new.extracted.mentions,
            )
            self.claims[claim.id] = claim
            self.vectors[claim.id] = np.asarray(new.embedding, dtype=np.float32)
            ids.append(claim.id)
            self._add_mentions(claim.id, record.id, now, new.extracted.mentions)
            if new.changed_from_claim_id:
                self.changed_from[claim.id] = new.changed_from_claim_id
        self.articles[record.id] = record
        return SavedArticle(article=record, claim_ids=tuple(ids))

    def _add_mentions(self, claim_id: str, article_id: str, at: datetime, count: int) -> None:
        for n in range(count):
            self.mentions.append((claim_id, article_id, at, n > 0))

    def import_claims(self, *, tenant: str, claims: Sequence[tuple[KnownClaim, Vector]]) -> tuple[int, int]:
        known = {c.external_id for c in self.claims.values() if c.tenant == tenant}
        added = skipped = 0
        for item, vector in claims:
            if item.external_id in known:
                skipped += 1
                continue
            claim = StoredClaim(
                id=self._next("c"),
                tenant=tenant,
                text=item.text,
                speaker=item.speaker,
                speaker_id=None,
                kind=ClaimKind.UNATTRIBUTED,
                first_seen=datetime.now(UTC),
                source=item.source,
                external_id=item.external_id,
                title=item.title,
                fact_check=item.fact_check,
            )
            self.claims[claim.id] = claim
            self.vectors[claim.id] = np.asarray(vector, dtype=np.float32)
            known.add(item.external_id)
            added += 1
        return added, skipped

    def update_fact_checks(self, *, tenant: str, claims: Sequence[KnownClaim]) -> set[str]:
        by_id = {k.external_id: k for k in claims if k.fact_check is not None}
        found: set[str] = set()
        for claim in list(self.claims.values()):
            item = by_id.get(claim.external_id or "")
            if claim.tenant == tenant and item is not None:
                self.claims[claim.id] = replace(claim, fact_check=item.fact_check, title=item.title)
                found.add(item.external_id)
        return found

    def speaker_timeline(self, *, tenant: str, speaker_id: str, limit: int = 100) -> list[StoredClaim]:
        own = [c for c in self.claims.values() if c.tenant == tenant and c.speaker_id == speaker_id]
        return sorted(own, key=lambda c: c.first_seen)[:limit]

    def iter_claims(self, *, tenant: str) -> Iterable[StoredClaim]:
        return [c for c in self.claims.values() if c.tenant == tenant]

    def articles_by_ids(self, *, tenant: str, ids: Sequence[str]) -> list[ArticleRecord]:
        found = (self.articles.get(i) for i in dict.fromkeys(ids))
        return [a for a in found if a is not None and a.tenant == tenant]

    def claims_between(self, *, tenant: str, start: datetime, end: datetime) -> list[tuple[StoredClaim, int]]:
        return [
            (c, c.mentions)
            for c in self.claims.values()
            if c.tenant == tenant and start <= c.first_seen < end
        ]

    def mentions_between(self, *, tenant: str, start: datetime, end: datetime) -> list[MentionRecord]:
        return [
            MentionRecord(claim=self.claims[cid], article_id=aid, at=at, restatement=rest)
            for cid, aid, at, rest in sorted(self.mentions, key=lambda m: m[2])
            if self.claims[cid].tenant == tenant and start <= at < end
        ]

    def count_articles_between(self, *, tenant: str, start: datetime, end: datetime) -> int:
        return sum(a.tenant == tenant and start <= a.created_at < end for a in self.articles.values())

    def changed_between(
        self, *, tenant: str, start: datetime, end: datetime
    ) -> list[tuple[StoredClaim, StoredClaim]]:
        pairs = [
            (self.claims[before], self.claims[after])
            for after, before in self.changed_from.items()
            if self.claims[after].tenant == tenant
            and start <= self.claims[after].first_seen < end
            and before in self.claims
        ]
        return sorted(pairs, key=lambda pair: pair[1].first_seen)

    # TenantConfigStore ----------------------------------------------------------------
    def set_watch(self, *, tenant: str, channel_id: str, enabled: bool) -> None:
        (self.watch.add if enabled else self.watch.discard)((tenant, channel_id))

    def is_watched(self, *, tenant: str, channel_id: str) -> bool:
        return (tenant, channel_id) in self.watch

    def first_delivery(self, *, tenant: str, key: str) -> bool:
        with self._lock:
            if (tenant, key) in self.deliveries:
                return False
            self.deliveries.add((tenant, key))
            self.delivered_at[(tenant, key)] = datetime.now(UTC)
            return True

    def prune_deliveries(self, *, before: datetime) -> int:
        with self._lock:
            old = [key for key, at in self.delivered_at.items() if at < before]
            for key in old:
                self.deliveries.discard(key)
                del self.delivered_at[key]
            return len(old)

    def set_digest(self, *, schedule: DigestSchedule) -> None:
        self.digests[schedule.tenant] = schedule

    def get_digest(self, *, tenant: str) -> DigestSchedule | None:
        return self.digests.get(tenant)

    def digest_schedules(self) -> list[DigestSchedule]:
        return [s for s in self.digests.values() if s.enabled]

    def claim_digest_period(self, *, tenant: str, period_key: str, owner: str) -> bool:
        with self._lock:
            if (tenant, period_key) in self.digest_periods:
                return False
            self.digest_periods[(tenant, period_key)] = (owner, None, False)
            self.digest_post_meta[(tenant, period_key)] = _DigestPostMeta(claimed_at=datetime.now(UTC))
            return True

    def mark_digest_posted(self, *, tenant: str, period_key: str, message_ref: str | None) -> None:
        owner, _, _ = self.digest_periods[(tenant, period_key)]
        self.digest_periods[(tenant, period_key)] = (owner, message_ref, True)
        if (tenant, period_key) in self.digest_post_meta:
            self.digest_post_meta[(tenant, period_key)].posted_at = datetime.now(UTC)

    def release_digest_period(self, *, tenant: str, period_key: str, owner: str) -> None:
        with self._lock:
            current = self.digest_periods.get((tenant, period_key))
            if current and current[0] == owner and not current[2]:
                del self.digest_periods[(tenant, period_key)]
                self.digest_post_meta.pop((tenant, period_key), None)

    def mark_digest_sending(self, *, tenant: str, period_key: str, owner: str) -> bool:
        with self._lock:
            current = self.digest_periods.get((tenant, period_key))
            meta = self.digest_post_meta.get((tenant, period_key))
            if not current or current[0] != owner or current[2] or meta is None or meta.sending_at:
                return False
            meta.sending_at = datetime.now(UTC)
            return True

    def reclaim_stale_digest_period(
        self, *, tenant: str, period_key: str, owner: str, claimed_before: datetime
    ) -> bool:
        with self._lock:
            current = self.digest_periods.get((tenant, period_key))
            meta = self.digest_post_meta.get((tenant, period_key))
            if not current or current[2] or meta is None or meta.sending_at is not None:
                return False
            if meta.claimed_at >= claimed_before:
                return False
            self.digest_periods[(tenant, period_key)] = (owner, None, False)
            meta.claimed_at = datetime.now(UTC)
            meta.attempts += 1
            return True

    def digest_post_state(self, *, tenant: str, period_key: str) -> DigestPostState | None:
        current = self.digest_periods.get((tenant, period_key))
        meta = self.digest_post_meta.get((tenant, period_key))
        if current is None or meta is None:
            return None
        return DigestPostState(
            tenant=tenant,
            period_key=period_key,
            owner=current[0],
            claimed_at=meta.claimed_at,
            sending_at=meta.sending_at,
            posted_at=meta.posted_at,
            message_ref=current[1],
            attempts=meta.attempts,
        )


class InMemoryFollowStore:
    """``FollowStore`` in dicts: the follows of an ``InMemoryStore``'s speakers, and their alerts."""

    def __init__(self, claims: InMemoryStore) -> None:
        self.claims = claims
        self.follow_rows: dict[tuple[str, str, str], tuple[str, datetime]] = {}  # key -> platform, since
        self.alerts: dict[tuple[str, str, str, str], FollowAlert] = {}
        self.owners: dict[str, str] = {}
        self.posted: dict[str, str | None] = {}
        self.queued_at: dict[tuple[str, str, str, str], datetime] = {}
        self.fail_queue: Exception | None = None

    def add_follow(self, *, tenant: str, speaker_id: str, platform: str, channel_id: str) -> bool:
        key = (tenant, speaker_id, channel_id)
        if key in self.follow_rows:
            return False
        self.follow_rows[key] = (platform, datetime.now(UTC))
        return True

    def remove_follow(self, *, tenant: str, speaker_id: str, channel_id: str) -> bool:
        return self.follow_rows.pop((tenant, speaker_id, channel_id), None) is not None

    def follows(self, *, tenant: str) -> list[Follow]:
        return [
            Follow(tenant, self.claims.speakers_by_id[speaker_id], platform, channel_id, since)
            for (owner, speaker_id, channel_id), (platform, since) in self.follow_rows.items()
            if owner == tenant
        ]

    def queue_follow_alerts(self, *, tenant: str, alerts: Sequence[FollowAlert]) -> int:
        if self.fail_queue is not None:
            raise self.fail_queue
        queued = 0
        for alert in alerts:
            key = (tenant, alert.channel_id, alert.article_id, alert.claim_id)
            if key not in self.alerts:
                self.alerts[key] = replace(alert, id=f"f{len(self.alerts) + 1}")
                self.queued_at[key] = datetime.now(UTC)
                queued += 1
        return queued

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
        taken = []
        for alert in self.alerts.values():
            assert alert.id is not None
            if alert.platform == platform and alert.id not in self.owners and tenant in (None, alert.tenant):
                self.owners[alert.id] = owner
                taken.append(alert)
        return taken[:limit]

    def mark_follow_alert_posted(self, *, alert_id: str, owner: str, message_ref: str | None) -> None:
        if self.owners.get(alert_id) == owner:
            self.posted[alert_id] = message_ref

    def prune_follow_alerts(self, *, before: datetime) -> int:
        old = [key for key, at in self.queued_at.items() if at < before]
        for key in old:
            del self.alerts[key], self.queued_at[key]
        return len(old)

    def release_follow_alert(self, *, alert_id: str, owner: str, retry_at: datetime) -> None:
        if self.owners.get(alert_id) == owner:
            del self.owners[alert_id]
