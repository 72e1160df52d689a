"""``ClaimExtractor`` on a spaCy pipeline: text in, typed claims out.

Steps for one article (all pure once the Doc is parsed):

1. normalise quote marks and odd spaces one character for one character, so every
   offset into the parsed text is an offset into the input text;
2. find direct and indirect statements (``bot.nlp.attribution``);
3. pick the unattributed sentences the article itself asserts, leaving out captions,
   credit lines, bylines, datelines, questions and boilerplate; first-person sentences
   outside quotes are lost quotes and go to the neighbouring speaker (``bot.nlp.unattributed``);
4. resolve speakers within the article (``bot.nlp.speakers``, ``bot.nlp.drafts``);
5. fold restatements (the same statement twice in different words) into one claim
   (``bot.nlp.restatements``).

A text longer than nearly any article is read in pieces (``bot.nlp.pieces``).
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from spacy.language import Language
from spacy.tokens import Doc

from bot.models import ClaimKind, ExtractedClaim
from bot.nlp.attribution import (
    Attribution,
    AttributionModels,
    SentenceUnit,
    find_attributions,
    load_lexicon,
    sentence_units,
)
from bot.nlp.confidence import StatementConfidence
from bot.nlp.content_joins import (
    joined_contents,
    with_quotes_continued,
    with_whole_turns,
)
from bot.nlp.content_trims import trimmed_contents
from bot.nlp.drafts import Draft, is_bare_object, is_impression, resolve_drafts
from bot.nlp.pieces import PIECE_CHARS, batches, pieces_of, shifted
from bot.nlp.quotes import Quote, close_open_quote, find_quotes, normalise_text
from bot.nlp.restatements import merge_restatements
from bot.nlp.stance import read_stance
from bot.nlp.tagged_attribution import (
    MIN_CONFIDENCE,
    MIN_WORDS,
    refine_contents,
    tagged_attributions,
)
from bot.nlp.unattributed import Scorer, structural_checkworthiness, unattributed_drafts

if TYPE_CHECKING:
    from bot.nlp.tagged_spans import TaggedSpan

logger = logging.getLogger(__name__)


class SpanTagger(Protocol):
    """Reads a text and returns tagged character spans per role (``bot.inference.span_tagger``)."""

    def tag(self, text: str) -> Mapping[str, Sequence[TaggedSpan]]: ...


_POOL_LOCK = threading.Lock()
# promotion lines that some sites print inside the quote marks of a transcript ("Follow Pam
# Key on Twitter @pamkeyNEN."): never a statement, whoever seems to say them
_PROMOTION = re.compile(
    r"^\W*(?:follow|like|join)\b.{0,60}\bon (?:twitter|facebook|instagram|threads|tiktok|x)\b"
    r"|^\W*(?:click here|sign up|subscribe)\b",
    re.IGNORECASE,
)
# the newsroom's own notes on an article, which read like a transcript's "NAME: ..."
_PUBLICATION_LABEL = re.compile(
    r"\W*(?:clarification|correction|corrections|editor'?s'? note|update|updated|note)\W*", re.IGNORECASE
)
# and a live blog's entry label ("The Latest: ..."), which heads the outlet's own statement
_LIVE_BLOG_LABEL = re.compile(r"\W*(?:the latest|breaking|live|developing)\W*", re.IGNORECASE)


def _load_checkworthiness() -> Scorer | None:
    try:
        from bot.nlp.checkworthy import CheckworthinessModel
    except ImportError:
        logger.info("no check-worthiness model module; using the structural heuristic")
        return None
    try:
        model = CheckworthinessModel.load()
    except Exception as error:  # a missing artefact must not stop extraction
        logger.warning("check-worthiness model unavailable (%s); using the structural heuristic", error)
        return None
    return model.score


class SpacyClaimExtractor:
    """Extracts claims with a spaCy pipeline (the shipped one or any English pipeline)."""

    def __init__(
        self,
        nlp: Language,
        *,
        lexicon: AttributionModels | None = None,
        checkworthiness: Scorer | bool | None = True,
        include_unattributed: bool = True,
        merge_restatements: bool = True,
        keep_bare_objects: bool = False,
        batch_size: int = 16,
        span_tagger: SpanTagger | None = None,
        tagger_min_confidence: float = MIN_CONFIDENCE,
        tagger_min_words: int = MIN_WORDS,
        statement_confidence: StatementConfidence | None = None,
    ) -> None:
        self.nlp = nlp
        # keeps back attributed statements it is unsure of (span or speaker); None shows all
        self.statement_confidence = statement_confidence
        self.span_tagger = span_tagger
        self._pool: ThreadPoolExecutor | None = None
        self.tagger_min_confidence = tagger_min_confidence
        self.tagger_min_words = tagger_min_words
        self.lexicon = lexicon or load_lexicon()
        self.include_unattributed = include_unattributed
        self.merge_restatements = merge_restatements
        self.keep_bare_objects = keep_bare_objects
        self.batch_size = batch_size
        self._scorer_choice = checkworthiness
        self._scorer: Scorer | None = None
        self._scorer_loaded = False
        self.person_labels, self.org_labels = _entity_labels(nlp)

    def warm(self) -> None:
        """Loads what loads lazily (the span tagger), so the first article is not slow."""
        warm = getattr(self.span_tagger, "warm", None)
        if callable(warm):
            warm()

    # ------------------------------------------------------------------ public API

    def extract(self, text: str) -> list[ExtractedClaim]:
        return self.extract_many([text])[0]

    def extract_many(self, texts: Sequence[str]) -> list[list[ExtractedClaim]]:
        """Claims of each text. A text longer than ``PIECE_CHARS`` (longer than nearly any article)
        is read in pieces cut at paragraph breaks, and no more than ``PIECE_CHARS`` characters
        (or ``batch_size`` texts) are parsed at a time, so memory stays flat whatever the
        input; speakers then resolve within a piece."""
        pieces = [
            (index, offset, piece)
            for index, text in enumerate(texts)
            for offset, piece in pieces_of(text, PIECE_CHARS)
        ]
        found: list[list[ExtractedClaim]] = [[] for _ in texts]
        for batch in batches(pieces, max_items=self.batch_size, max_chars=PIECE_CHARS):
            claims = self._extract_pieces([piece for _, _, piece in batch])
            for (index, offset, _), piece_claims in zip(batch, claims, strict=True):
                found[index].extend(shifted(c, offset) if offset else c for c in piece_claims)
        return found

    def _extract_pieces(self, texts: Sequence[str]) -> list[list[ExtractedClaim]]:
        normalised = [normalise_text(t) for t in texts]
        if self.span_tagger is None:
            docs = self.nlp.pipe(normalised, batch_size=self.batch_size)
            return [self.claims_from_doc(doc, raw) for doc, raw in zip(docs, texts, strict=True)]
        # The tagger (ONNX Runtime / PyTorch, no GIL held) reads on one thread while spaCy
        # parses on this one: on two cores an article costs about the longer of the two.
        pending = [self._tagging_pool().submit(self._tag, text) for text in normalised]
        parsed = list(self.nlp.pipe(normalised, batch_size=self.batch_size))
        return [
            self.claims_from_doc(doc, raw, tags=future.result())
            for doc, raw, future in zip(parsed, texts, pending, strict=True)
        ]

    def _tag(self, text: str) -> Mapping[str, Sequence[TaggedSpan]]:
        """The tagger's spans; none when it fails, so the rules' statements are still given."""
        assert self.span_tagger is not None
        try:
            return self.span_tagger.tag(text)
        except Exception:  # a broken model file or runtime must not cost the article
            logger.exception("the attribution span tagger failed; using the rules alone for this text")
            return {}

    def _tagging_pool(self) -> ThreadPoolExecutor:
        with _POOL_LOCK:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="span-tagger")
            return self._pool

    def parse(self, text: str) -> Doc:
        return self.nlp(normalise_text(text))

    # ------------------------------------------------------------------ steps

    @property
    def scorer(self) -> Scorer:
        if not self._scorer_loaded:
            self._scorer_loaded = True
            if callable(self._scorer_choice):
                self._scorer = self._scorer_choice
            elif self._scorer_choice:
                self._scorer = _load_checkworthiness()
        if self._scorer is None:
            return lambda texts: [structural_checkworthiness(t) for t in texts]
        return self._scorer

    def attributions(
        self,
        doc: Doc,
        raw_text: str,
        tags: Mapping[str, Sequence[TaggedSpan]] | None = None,
        *,
        quotes: list[Quote],
        units: Sequence[SentenceUnit],
    ) -> list[Attribution]:
        """The rules' statements as the span tagger reads them (``refine_contents``: reported
        ones it sees no content in dropped, extents refined), then those only it found;
        the rules' alone when there is no tagger;
        ``tags`` are the tagger's spans for ``doc.text`` when they were read already,
        ``quotes`` and ``units`` the article's quotes and sentences (read once per article)."""
        found = find_attributions(doc, lexicon=self.lexicon, raw_text=raw_text, quotes=quotes, units=units)
        if self.span_tagger is None:
            found = joined_contents(doc, found)
        else:
            if tags is None:
                tags = self._tag(doc.text)
            found = refine_contents(doc, found, tags, min_confidence=self.tagger_min_confidence)
            added = tagged_attributions(
                doc,
                tags,
                found,
                quotes,
                units=units,
                min_confidence=self.tagger_min_confidence,
                min_words=self.tagger_min_words,
            )
            joined = joined_contents(doc, sorted([*found, *added], key=lambda a: a.start))
            found = with_quotes_continued(doc, joined, quotes)
        return trimmed_contents(doc, with_whole_turns(doc, found))

    def claims_from_doc(
        self, doc: Doc, raw_text: str, tags: Mapping[str, Sequence[TaggedSpan]] | None = None
    ) -> list[ExtractedClaim]:
        """All claims of one parsed article; ``raw_text`` is the text as given."""
        quotes = find_quotes(raw_text)
        units = sentence_units(doc, quotes)
        drafts: list[Draft] = []
        for a in self.attributions(doc, raw_text, tags, quotes=quotes, units=units):
            content: tuple[tuple[int, int], ...] = tuple(
                f for f in a.content if not _PROMOTION.search(raw_text[f[0] : f[1]])
            )
            if content:
                *head, (start, end) = content
                content = (*head, (start, close_open_quote(raw_text, start, end)))
            label = raw_text[a.source[0] : a.source[1]] if a.source is not None else ""
            if label and _PUBLICATION_LABEL.fullmatch(label):
                continue  # "CLARIFICATION: The first sentence has been clarified ...": nobody's statement
            if label and _LIVE_BLOG_LABEL.fullmatch(label):
                # "The Latest: Trump's leaked taxes not from Connecticut": the outlet's own headline
                drafts.append(Draft(ClaimKind.UNATTRIBUTED, content, None, None, None))
                continue
            if not content or not (self.keep_bare_objects or not is_bare_object(doc, a)):
                continue
            if is_impression(doc, a, self.lexicon.is_cue):
                continue  # "Christie appears to be embracing ...": the writer's impression
            reading = read_stance(doc, raw_text, kind=a.kind, cue=a.cue, content=content)
            if reading is None:
                continue  # "has not accused", "never claimed": the sentence may still be the article's
            if reading.content_skip:
                (start, end), *rest = content
                content = ((start + reading.content_skip, end), *rest)
            drafts.append(Draft(a.kind, content, a.cue, a.source, a.source_head, stance=reading.stance))
        if self.include_unattributed:
            # a lambda, not the scorer: the check-worthiness model loads only when needed
            drafts.extend(unattributed_drafts(doc, raw_text, drafts, units, lambda: self.scorer))
        drafts.sort(key=lambda d: d.content[0][0])
        claims = resolve_drafts(
            doc, raw_text, drafts, person_labels=self.person_labels, org_labels=self.org_labels
        )
        if self.statement_confidence is not None:
            claims = self.statement_confidence.keep(claims, raw_text)
        claims = without_nested_statements(claims)
        if self.merge_restatements:
            claims = merge_restatements(claims, raw_text)
        return claims


def without_nested_statements(claims: list[ExtractedClaim]) -> list[ExtractedClaim]:
    """The claims less those whose words lie inside another reported statement's content
    ("the poll found | Clinton has maintained support among black voters": not also Clinton's
    "maintained support …"; "Laura spoke of the dignitaries, including Bush, who signed …").
    The outer statement is the one the article makes; PolNeAR annotates the inner one as a
    statement of its own 8 times in 36 on train (first 300 articles), 2 in 10 on dev."""
    # sorted spans and the furthest end so far: a check in O(log n) per claim, since a pasted
    # book may hold thousands of statements
    outer = sorted((c.content.start, c.content.end) for c in claims if c.kind is ClaimKind.INDIRECT)
    starts = [start for start, _ in outer]
    furthest = list(itertools.accumulate((end for _, end in outer), max))
    end_at: dict[int, int] = {}
    for start, end in outer:
        end_at[start] = max(end, end_at.get(start, end))

    def nested(c: ExtractedClaim) -> bool:
        start, end = c.content.start, c.content.end
        before = bisect.bisect_left(starts, start)  # spans that start earlier
        return (before > 0 and furthest[before - 1] >= end) or end_at.get(start, -1) > end

    return [c for c in claims if c.kind is ClaimKind.UNATTRIBUTED or not nested(c)]


def _entity_labels(nlp: Language) -> tuple[frozenset[str], frozenset[str]]:
    try:
        from bot.nlp.pipeline import entity_label_map
    except ImportError:
        return frozenset({"PER", "PERSON"}), frozenset({"ORG", "NORP"})
    mapping = entity_label_map(nlp)
    persons = frozenset(label for label, kind in mapping.items() if kind == "PER") or frozenset({"PER"})
    orgs = frozenset(label for label, kind in mapping.items() if kind == "ORG") or frozenset({"ORG"})
    return persons, orgs
