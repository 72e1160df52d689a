"""ClaimService: the use cases every adapter calls (check, search, compare, import...).

It orchestrates the ports; all NLP and scoring logic lives in pure functions elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from bot.clock import Clock, utc_now
from bot.errors import ArticleAlreadyStored, BadInput
from bot.follow_service import FollowService
from bot.known_speakers import find_speaker, normalise_name, resolve_speaker, unknown_speaker_reason
from bot.links import is_url
from bot.matching.compare import (
    JUDGE_TOP_K,
    JudgeBlend,
    MatchThresholds,
    PairScorer,
    compare_statements,
    encoder_word_similarity,
    judge_pair,
    may_match,
    with_judge,
)
from bot.matching.retrieval import normalise_query, rerank
from bot.matching.stance import with_stances
from bot.matching.substitution import WordSimilarity
from bot.models import (
    ArticleInput,
    ArticleRecord,
    Candidate,
    CheckedClaim,
    CheckReport,
    CheckSummary,
    Comparison,
    ExtractedClaim,
    ImportReport,
    KnownClaim,
    Match,
    Origin,
    SearchHit,
    Speaker,
    Status,
    StoredClaim,
    Verdict,
)
from bot.ports import ClaimExtractor, ClaimStore, Encoder, Fetcher, FollowStore, NewClaim, Vector
from bot.search_score import is_close, shown_score
from bot.text import MAX_TEXT_CHARS, content_hash, decode_input, headline_of, prepare_text

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
# keys of the per-tenant overrides, named like the settings they override
THRESHOLD_KEYS = {"repeat": "repeat_threshold", "changed": "changed_threshold"}


@dataclass(frozen=True, slots=True)
class ServiceLimits:
    max_text_chars: int = MAX_TEXT_CHARS
    max_sentence_chars: int = 5_000
    candidates_k: int = 20
    search_pool: int = 50
    import_batch: int = 256  # claims encoded at once
    # claims stored per transaction: the store resolves speakers and syncs the vector index
    # once per call, so larger calls import faster (a few seconds of write lock at most)
    import_store_batch: int = 2048


class ClaimService:
    def __init__(
        self,
        *,
        store: ClaimStore,
        extractor: ClaimExtractor,
        encoder: Encoder,
        fetcher: Fetcher,
        thresholds: MatchThresholds | None = None,
        limits: ServiceLimits | None = None,
        judge: PairScorer | None = None,
        clock: Clock = utc_now,
        follows: FollowStore | None = None,
    ) -> None:
        # alerts for the channels that follow a speaker (bot.follow_service); None: no follows
        self.follows = FollowService(claims=store, store=follows)
        # the pair judge (bot.inference.judge) reads the candidates worth it, once per article;
        # None: the combined similarity of bot.matching.compare decides alone
        self.judge = judge
        self.store = store
        self.extractor = extractor
        self.encoder = encoder
        # a pair that differs in one verb or noun: are the two words a rewording? (the encoder)
        self._word_similarity = encoder_word_similarity(encoder)
        self.fetcher = fetcher
        self.thresholds = thresholds or MatchThresholds()
        self.limits = limits or ServiceLimits()
        self.clock = clock

    # ------------------------------------------------------------------ reading input
    def read_source(
        self,
        source: str,
        *,
        title: str | None = None,
        published: date | None = None,
        origin: Origin | None = None,
    ) -> ArticleInput:
        """A pasted text or an http(s) link → an ``ArticleInput`` (fetching the link)."""
        stripped = source.strip()
        if is_url(stripped):
            page = self.fetcher.fetch(stripped)
            return ArticleInput(
                text=page.text,
                title=title or page.title,
                url=page.url,
                published=published or page.published,
                origin=origin,
            )
        return ArticleInput(text=source, title=title, published=published, origin=origin)

    def read_file(
        self,
        raw: bytes,
        *,
        title: str | None = None,
        published: date | None = None,
        origin: Origin | None = None,
    ) -> ArticleInput:
        """A file's bytes (or standard input's) → an ``ArticleInput``: only decoded here.

        ``check`` prepares the text once (HTML, size, language), so what it notes about the
        input ("the text was HTML") reaches the report.
        """
        text = decode_input(raw, max_chars=self.limits.max_text_chars)
        return ArticleInput(text=text, title=title, published=published, origin=origin)

    # ------------------------------------------------------------------ check
    def check_source(
        self, *, tenant: str, source: str, origin: Origin | None = None, dry_run: bool = False
    ) -> CheckReport:
        """A chat message's check, link fetch included (run it in a worker thread, never on
        an event loop): ``read_source`` then ``check``."""
        return self.check(tenant=tenant, article=self.read_source(source, origin=origin), dry_run=dry_run)

    def check(self, *, tenant: str, article: ArticleInput, dry_run: bool = False) -> CheckReport:
        """Extracts the article's claims, compares each with the tenant's store, stores them.

        Raises ``BadInput`` for text we refuse (nothing is stored) and
        ``StorageUnavailable`` when the database is down (nothing is stored either).
        """
        try:
            return self._check(tenant=tenant, article=article, dry_run=dry_run)
        except ArticleAlreadyStored:
            # Another request stored this article while we analysed it (the store waited for
            # it): checked again, it is found up front and reported as already checked.
            return self._check(tenant=tenant, article=article, dry_run=dry_run)

    def _check(self, *, tenant: str, article: ArticleInput, dry_run: bool) -> CheckReport:
        prepared = prepare_text(
            article.text,
            max_chars=self.limits.max_text_chars,
            max_sentence_chars=self.limits.max_sentence_chars,
        )
        # without a title given or found in the page, the article's own headline or first words:
        # a reply headed by its first statement reads as if that were the article's subject
        title = article.title or prepared.title or headline_of(prepared.text)
        article = replace(article, text=prepared.text, title=title)
        digest = content_hash(prepared.text)
        duplicate = self.store.find_duplicate_article(tenant=tenant, url=article.url, content_hash=digest)

        extracted = self.extractor.extract(prepared.text)
        notes = list(prepared.notes)
        if not extracted:
            notes.append("No attributed statements or check-worthy claims were found in this text.")
        vectors = self._encode([c.text for c in extracted])
        known_speakers = self.store.speakers(tenant=tenant)
        thresholds = self.thresholds_for(tenant=tenant) if extracted else self.thresholds

        neighbours = self.store.nearest_claims_many(
            tenant=tenant, embeddings=list(vectors), k=self.limits.candidates_k
        )
        compared = [
            _compared(c.text, found, thresholds, word_similarity=self._word_similarity)
            for c, found in zip(extracted, neighbours, strict=True)
        ]
        judged = self._judge_article(extracted, compared)
        checked: list[CheckedClaim] = []
        to_store: list[NewClaim] = []
        for claim, vector, candidates in zip(extracted, vectors, compared, strict=True):
            resolved = None
            if claim.speaker:
                resolved = resolve_speaker(
                    claim.speaker, claim.speaker_kind, claim.speaker_aliases, known_speakers
                )
                claim = replace(claim, speaker=resolved.name)
            status, match = self._classify(
                claim=claim,
                compared=candidates,
                thresholds=thresholds,
                judged=judged,
                judge_blend=self.judge.blend if self.judge is not None else None,
            )
            checked.append(CheckedClaim(claim=claim, status=status, match=match))
            to_store.append(
                NewClaim(
                    extracted=claim,
                    embedding=vector,
                    existing_claim_id=match.claim.id if status is Status.REPEAT and match else None,
                    speaker_name=resolved.name if resolved else None,
                    speaker_kind=resolved.kind if resolved else claim.speaker_kind,
                    speaker_aliases=resolved.aliases if resolved else (),
                    changed_from_claim_id=match.claim.id if status is Status.CHANGED and match else None,
                )
            )

        if duplicate is not None:
            notes.append(
                f"This article was already checked on {duplicate.created_at:%Y-%m-%d}; "
                "nothing was counted again."
            )
            record = replace(duplicate, duplicate_of=duplicate.id)
            checked = [self._as_duplicate(c, tenant=tenant) for c in checked]
        elif dry_run:
            record = ArticleRecord(
                id="dry-run",
                tenant=tenant,
                title=article.title,
                url=article.url,
                published=article.published,
                content_hash=digest,
                created_at=self.clock(),
                permalink=article.origin.permalink if article.origin else None,
            )
        else:
            saved = self.store.save_article(
                tenant=tenant, article=article, content_hash=digest, claims=to_store
            )
            record = saved.article
            checked = [replace(c, id=claim_id) for c, claim_id in zip(checked, saved.claim_ids, strict=True)]
        report = CheckReport(
            article=record, claims=tuple(checked), summary=summarise(checked), notes=tuple(notes)
        )
        if duplicate is None and not dry_run:
            self.follows.record_alerts(report=report)
        return report

    def _as_duplicate(self, checked: CheckedClaim, *, tenant: str) -> CheckedClaim:
        """For a re-posted article, point each claim at its stored twin without counting it again."""
        if checked.match is not None and checked.status is Status.REPEAT:
            return replace(checked, id=checked.match.claim.id)
        return checked

    def _judge_article(
        self,
        extracted: Sequence[ExtractedClaim],
        compared: Sequence[Sequence[tuple[Candidate, Comparison]]],
    ) -> dict[tuple[str, str], float] | None:
        """The pair judge's scores, in one call per article, for the pairs it may veto or promote
        (``_closest_found``; None without a judge)."""
        if self.judge is None:
            return None
        pairs = list(
            dict.fromkeys(
                (claim.text, candidate.claim.text)
                for claim, found in zip(extracted, compared, strict=True)
                for candidate, _ in _closest_found(found)
            )
        )
        scores = self.judge.score(pairs) if pairs else np.zeros(0, dtype=np.float32)
        return {pair: float(score) for pair, score in zip(pairs, scores, strict=True)}

    @staticmethod
    def _classify(
        *,
        claim: ExtractedClaim,
        compared: Sequence[tuple[Candidate, Comparison]],
        thresholds: MatchThresholds,
        judged: dict[tuple[str, str], float] | None = None,
        judge_blend: JudgeBlend | None = None,
    ) -> tuple[Status, Match | None]:
        """``compared``: the candidates the combined similarity calls repeat or changed, with its
        verdict, and those the judge may promote (``_compared``); ``judged``: the pair judge's
        scores (``_judge_article``), where a pair it did not read is different."""
        best_repeat: Match | None = None
        best_changed: Match | None = None
        for candidate, plain in compared:
            stored = candidate.claim
            verdict = plain
            if judged is None and plain.verdict is Verdict.DIFFERENT:
                continue  # only the pair judge promotes a pair with the same figures
            if judged is not None:
                score = judged.get((claim.text, stored.text))
                if score is None:
                    continue  # beyond the closest few: not read, so not shown as a match
                verdict = with_judge(
                    plain, judge=score, cosine=candidate.cosine, thresholds=thresholds, blend=judge_blend
                )
                if verdict.verdict is Verdict.DIFFERENT:
                    continue
            same_speaker = _same_speaker(claim.speaker, stored.speaker)
            verdict = with_stances(
                verdict,
                new_text=claim.text,
                old_text=stored.text,
                new=claim.stance,
                old=stored.stance,
                old_seen=stored.first_seen,
            )
            match = Match(
                claim=stored,
                similarity=round(float(verdict.similarity), 4),
                same_speaker=same_speaker,
                reasons=verdict.reasons,
            )
            if verdict.verdict is Verdict.REPEAT:
                if best_repeat is None or _rank(match) > _rank(best_repeat):
                    best_repeat = match
            elif (
                verdict.verdict is Verdict.CHANGED
                # a different speaker giving a different number is a disagreement, not a change
                and (same_speaker or claim.speaker is None or stored.speaker is None)
                and (best_changed is None or _rank(match) > _rank(best_changed))
            ):
                best_changed = match
        if best_repeat is not None:
            return Status.REPEAT, best_repeat
        if best_changed is not None:
            return Status.CHANGED, best_changed
        return Status.NEW, None

    # ------------------------------------------------------------------ thresholds
    def thresholds_for(self, *, tenant: str) -> MatchThresholds:
        """The defaults from settings, with the tenant's own overrides applied."""
        overrides = self.store.tenant_settings(tenant=tenant)
        return replace(
            self.thresholds,
            repeat=float(overrides.get(THRESHOLD_KEYS["repeat"], self.thresholds.repeat)),
            changed=float(overrides.get(THRESHOLD_KEYS["changed"], self.thresholds.changed)),
        )

    def set_thresholds(
        self, *, tenant: str, repeat: float | None = None, changed: float | None = None, reset: bool = False
    ) -> MatchThresholds:
        values: dict[str, float | None] = {}
        for name, value in (("repeat", repeat), ("changed", changed)):
            if value is not None and not 0.0 < value < 1.0:
                raise BadInput(f"the {name} threshold must be between 0 and 1, not {value}")
            if value is not None or reset:
                values[THRESHOLD_KEYS[name]] = value
        if values:
            self.store.update_tenant_settings(tenant=tenant, values=values)
        return self.thresholds_for(tenant=tenant)

    # ------------------------------------------------------------------ search
    def search(
        self, *, tenant: str, query: str, top_k: int = 5, speaker: str | None = None
    ) -> list[SearchHit]:
        return self.search_many(tenant=tenant, queries=[query], top_k=top_k, speaker=speaker)[0]

    def search_many(
        self, *, tenant: str, queries: Sequence[str], top_k: int = 5, speaker: str | None = None
    ) -> list[list[SearchHit]]:
        if top_k < 1:
            raise BadInput("--top must be at least 1")
        cleaned = [normalise_query(q) for q in queries]
        for original, query in zip(queries, cleaned, strict=True):
            if not query.strip():
                raise BadInput(f"empty search query: {original!r}")
        speaker_id: str | None = None
        if speaker:
            found = self.find_speaker(tenant=tenant, name=speaker)
            if found is None:
                raise BadInput(self._unknown_speaker(tenant=tenant, name=speaker))
            speaker_id = found.id
        vectors = self._encode(cleaned)
        pool = max(self.limits.search_pool, top_k * 3)
        results: list[list[SearchHit]] = []
        for query, vector in zip(cleaned, vectors, strict=True):
            candidates = self.search_candidates(
                tenant=tenant, query=query, embedding=vector, k=pool, speaker_id=speaker_id
            )
            ranked = rerank(query, vector, candidates)
            # ranked by the re-ranker (relative to this query's candidates); shown with the
            # absolute meaning similarity, so a score means the same for every query
            hits = []
            for cand, _ in ranked[:top_k]:
                similarity = shown_score(cand.cosine)
                hits.append(SearchHit(cand.claim, similarity, close=is_close(query, cand.claim, similarity)))
            results.append(hits)
        return results

    def _unknown_speaker(self, *, tenant: str, name: str) -> str:
        """ "no speaker called 'Ben Walace' has been seen here; closest: Ben Wallace" """
        return unknown_speaker_reason(name, self.store.speakers(tenant=tenant))

    def search_candidates(
        self, *, tenant: str, query: str, embedding: Vector, k: int, speaker_id: str | None = None
    ) -> list[Candidate]:
        """What search re-ranks: the ``k`` nearest claims by vector, merged with up to ``k``
        full-text hits (one candidate per claim; ``query`` already normalised)."""
        merged: dict[str, Candidate] = {}
        for cand in self.store.nearest_claims(tenant=tenant, embedding=embedding, k=k, speaker_id=speaker_id):
            merged[cand.claim.id] = cand
        # the store fills in each lexical hit's cosine from its stored vector, so
        # claims found by wording alone are re-ranked fairly without encoding them again
        for cand in self.store.text_search(
            tenant=tenant, query=query, k=k, speaker_id=speaker_id, embedding=embedding
        ):
            if cand.claim.id in merged:
                merged[cand.claim.id] = replace(merged[cand.claim.id], lexical=cand.lexical)
            else:
                merged[cand.claim.id] = cand
        return list(merged.values())

    # ------------------------------------------------------------------ compare
    def compare(self, a: str, b: str) -> Comparison:
        for label, text in (("first", a), ("second", b)):
            if not text.strip():
                raise BadInput(f"the {label} statement is empty")
        return compare_statements(a, b, encoder=self.encoder, thresholds=self.thresholds, judge=self.judge)

    # ------------------------------------------------------------------ import
    def import_claims(
        self,
        *,
        tenant: str,
        claims: Iterable[KnownClaim],
        progress: ProgressCallback | None = None,
        total: int | None = None,
    ) -> ImportReport:
        imported = skipped = updated = done = 0
        for batch in _batched(claims, self.limits.import_store_batch):
            if any(c.fact_check is not None for c in batch):
                # a review already stored (same url) is refreshed, not added again nor re-encoded
                refreshed = self.store.update_fact_checks(tenant=tenant, claims=batch)
                updated += len(refreshed)
                done += len(batch)
                batch = [c for c in batch if c.fact_check is None or c.external_id.strip() not in refreshed]
                done -= len(batch)
                if progress and refreshed:
                    progress(done, total or done)
            vectors: list[np.ndarray] = []
            for part in _batched(batch, self.limits.import_batch):
                vectors.extend(self._encode([c.text for c in part]))
                done += len(part)
                if progress:
                    progress(done, total or done)
            if batch:
                added, dupes = self.store.import_claims(
                    tenant=tenant, claims=list(zip(batch, vectors, strict=True))
                )
                imported += added
                skipped += dupes
        return ImportReport(imported=imported, skipped_duplicates=skipped, updated=updated)

    # ------------------------------------------------------------------ speakers & export
    def speakers(self, *, tenant: str) -> list[Speaker]:
        return self.store.speakers(tenant=tenant)

    def find_speaker(self, *, tenant: str, name: str) -> Speaker | None:
        return find_speaker(name, self.store.speakers(tenant=tenant))

    def speaker_timeline(
        self, *, tenant: str, name: str, limit: int = 100
    ) -> tuple[Speaker, list[StoredClaim]] | None:
        speaker = self.find_speaker(tenant=tenant, name=name)
        if speaker is None:
            return None
        return speaker, self.store.speaker_timeline(tenant=tenant, speaker_id=speaker.id, limit=limit)

    def export(self, *, tenant: str) -> Iterator[StoredClaim]:
        yield from self.store.iter_claims(tenant=tenant)

    def export_with_articles(
        self, *, tenant: str, batch: int = 500
    ) -> Iterator[tuple[StoredClaim, ArticleRecord | None]]:
        """Every claim with the article it was first seen in (None for imported claims)."""
        claims: list[StoredClaim] = []

        def flush() -> Iterator[tuple[StoredClaim, ArticleRecord | None]]:
            wanted = [c.article_id for c in claims if c.article_id]
            found = self.store.articles_by_ids(tenant=tenant, ids=wanted) if wanted else []
            articles = {a.id: a for a in found}
            for c in claims:
                yield c, articles.get(c.article_id or "")
            claims.clear()

        for claim in self.store.iter_claims(tenant=tenant):
            claims.append(claim)
            if len(claims) >= batch:
                yield from flush()
        yield from flush()

    # ------------------------------------------------------------------ helpers
    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            # no need to load the model just to learn its width
            return np.zeros((0, 0), dtype=np.float32)
        return np.asarray(self.encoder.encode(list(texts)), dtype=np.float32)


def summarise(checked: Sequence[CheckedClaim]) -> CheckSummary:
    speakers = tuple(dict.fromkeys(c.claim.speaker for c in checked if c.claim.speaker))
    return CheckSummary(
        claims=len(checked),
        new=sum(c.status is Status.NEW for c in checked),
        repeat=sum(c.status is Status.REPEAT for c in checked),
        changed=sum(c.status is Status.CHANGED for c in checked),
        speakers=speakers,
    )


def _same_speaker(a: str | None, b: str | None) -> bool:
    return bool(a and b and normalise_name(a) == normalise_name(b))


def _rank(match: Match) -> tuple[bool, float]:
    # a repeat by the same speaker is the more useful link; then the closer wording
    return match.same_speaker, match.similarity


def _batched(items: Iterable[KnownClaim], size: int) -> Iterator[list[KnownClaim]]:
    batch: list[KnownClaim] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _compared(
    text: str,
    candidates: Sequence[Candidate],
    thresholds: MatchThresholds,
    *,
    word_similarity: WordSimilarity | None = None,
) -> list[tuple[Candidate, Comparison]]:
    """The candidates the combined similarity calls repeat or changed, with its verdict, and the
    same-topic ones it calls different that give the same figures (the judge may promote those)."""
    found = []
    for candidate in candidates:
        if not may_match(text, candidate.claim.text, candidate.cosine, thresholds=thresholds):
            continue  # surely "different": skip the number/negation/stance/name analysis
        stored = candidate.claim.text
        plain = judge_pair(
            text, stored, candidate.cosine, thresholds=thresholds, word_similarity=word_similarity
        )
        if plain.verdict is not Verdict.DIFFERENT or plain.shared_figures:
            found.append((candidate, plain))
    return found


def _closest_found(found: Sequence[tuple[Candidate, Comparison]]) -> list[tuple[Candidate, Comparison]]:
    """The pairs the judge reads for one statement: the ``JUDGE_TOP_K`` closest by cosine of
    those the combined similarity calls a match, and as many of those it may promote."""
    by_cosine = sorted(found, key=lambda pair: pair[0].cosine, reverse=True)
    matches = [pair for pair in by_cosine if pair[1].verdict is not Verdict.DIFFERENT]
    promotable = [pair for pair in by_cosine if pair[1].verdict is Verdict.DIFFERENT]
    return matches[:JUDGE_TOP_K] + promotable[:JUDGE_TOP_K]
