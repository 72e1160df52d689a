"""``ClaimExtractor`` on a spaCy pipeline: text in, typed claims out.

Steps for one article (all pure once the Doc is parsed):

1. normalise quote marks and odd spaces one character for one character, so every
   offset into the parsed text is an offset into the input text;
2. find direct and indirect statements (``bot.nlp.attribution``);
3. pick the unattributed sentences the article itself asserts, leaving out captions,
   credit lines, bylines, datelines, questions and boilerplate; first-person sentences
   outside quotes are lost quotes and go to the neighbouring speaker;
4. resolve speakers within the article (``bot.nlp.speakers``);
5. fold restatements (the same statement twice in different words) into one claim.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from spacy.language import Language
from spacy.tokens import Doc

from bot.models import ClaimKind, ExtractedClaim, Span, SpeakerKind, Stance
from bot.nlp.attribution import (
    Attribution,
    CueLexicon,
    SentenceUnit,
    find_attributions,
    load_lexicon,
    sentence_units,
)
from bot.nlp.confidence import CONFIDENCE_PATH, StatementConfidence
from bot.nlp.quotes import Quote, find_quotes, normalise_text
from bot.nlp.speakers import DATELINE, SpeakerEntity, SpeakerResolver
from bot.nlp.speakers.names import tidy_speaker_name
from bot.nlp.stance import read_stance
from bot.nlp.tagged_attribution import (
    MIN_CONFIDENCE,
    MIN_WORDS,
    refine_contents,
    tagged_attributions,
)
from bot.nlp.tokens import is_finite, is_verb

if TYPE_CHECKING:
    from bot.nlp.span_tagger import TaggedSpan
    from bot.settings import Settings

logger = logging.getLogger(__name__)

Scorer = Callable[[Sequence[str]], list[float]]


class SpanTagger(Protocol):
    """Reads a text and returns tagged character spans per role (``bot.nlp.span_tagger``)."""

    def tag(self, text: str) -> Mapping[str, Sequence[TaggedSpan]]: ...


_POOL_LOCK = threading.Lock()
CHECKWORTHY_THRESHOLD = 0.5
RESTATEMENT_OVERLAP = 0.6
MIN_UNATTRIBUTED_WORDS = 6
_QUOTE_CHARS = "\"'“”‘’«»„"
_SPACES = re.compile(r"\s+")
_BOILERPLATE = re.compile(
    r"(click here|sign up|subscribe|newsletter|all rights reserved|copyright|follow us|"
    r"read more|contributed to this report|for more information|advertisement|cookie|"
    r"terms of (use|service)|privacy policy|share this|related:|photo:|image:|pictured)",
    re.IGNORECASE,
)
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
_BYLINE = re.compile(r"^(by|from|written by|reporting by|edited by)\s+[A-Z]", re.IGNORECASE)
_CREDIT_TAIL = re.compile(r"\([^()]{1,80}\)\s*$")
_FIRST_PERSON = re.compile(r"\b(I|we|We|our|Our|us|my|My|I'm|we're|We're|I've|we've)\b")
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion"
    r"|percent|per cent|half|dozen)\b",
    re.IGNORECASE,
)
_CAUSAL = re.compile(
    r"\b(because|due to|led to|caused|causes|as a result|resulted in|since|after|so that|thanks to)\b",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "it's",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "not",
        "no",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "will",
        "would",
        "can",
        "could",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "so",
        "than",
        "then",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "only",
        "own",
        "same",
        "too",
        "very",
        "just",
        "also",
        "into",
        "about",
        "against",
        "between",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "up",
        "down",
        "out",
        "off",
        "over",
        "under",
        "again",
        "further",
        "once",
        "n't",
        "'s",
        "'re",
        "'ve",
        "'ll",
        "'d",
    ]
)


@dataclass(frozen=True, slots=True)
class _Draft:
    kind: ClaimKind
    content: tuple[tuple[int, int], ...]
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    source_head: tuple[int, int] | None
    continues: str | None = None  # "previous"/"next": a lost quote taking a neighbour's speaker
    stance: Stance = Stance.ASSERTS


def _span(text: str, frag: tuple[int, int] | None) -> Span | None:
    if frag is None:
        return None
    return Span(frag[0], frag[1], text[frag[0] : frag[1]])


def claim_text(text: str, content: Sequence[tuple[int, int]]) -> str:
    """The proposition: fragments joined, quote marks stripped, whitespace normalised."""
    parts = []
    for index, (start, end) in enumerate(content):
        part = text[start:end].strip().strip(_QUOTE_CHARS).strip()
        last = index == len(content) - 1
        # a split quote keeps its comma between the pieces ("X, and Y."), not at its end
        part = part.rstrip(",;:" if last else ";:").strip().strip(_QUOTE_CHARS).strip()
        if part:
            parts.append(part)
    joined = _SPACES.sub(" ", " ".join(parts)).strip()
    if joined.lower().startswith("that "):
        joined = joined[5:]
    return joined


def _verb_before(raw: str, cue: tuple[int, int], content_start: int) -> str:
    """The cue as it reads before its object, with a short bridge the cue span leaves out
    ("called for | steep tariffs", "warned against | the plan")."""
    bridge = raw[cue[1] : content_start]
    words = bridge.split()
    verb = raw[cue[0] : cue[1]]
    if len(words) <= 2 and not any(ch in bridge for ch in '.;:!?"“”\n'):
        verb += bridge
    return _SPACES.sub(" ", verb).strip(" ,")


def _states_a_clause(doc: Doc, content: Sequence[tuple[int, int]]) -> bool:
    """Whether a reported content has a finite verb of its own ("the bridge will open"), as
    opposed to an object of the cue ("any preparations for aggression", "the council of
    ignoring warnings")."""
    for start, end in content:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and any(is_finite(t) for t in span):
            return True
    return False


def content_words(text: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))
    return frozenset(w for w in words if w not in _STOPWORDS and len(w) > 1)


def restatement_similarity(a: str, b: str) -> float:
    """Content-word overlap of two statements, relative to the shorter one."""
    return _word_overlap(content_words(a), content_words(b))


def _word_overlap(wa: frozenset[str], wb: frozenset[str]) -> float:
    if len(wa) < 4 or len(wb) < 4:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _has_finite_verb(doc: Doc, start: int, end: int) -> bool:
    """A verb, or a sentence long enough that a tagger's miss is likelier than a verbless line."""
    tokens = doc[start:end]
    if any(t.tag_.startswith(("VB", "MD")) or t.pos_ in {"VERB", "AUX"} for t in tokens):
        return True
    return sum(1 for t in tokens if t.is_alpha) >= 8


def structural_checkworthiness(sentence: str) -> float:
    """Fallback score while no learned check-worthiness model is available."""
    score = 0.3
    if _NUMBER.search(sentence):
        score += 0.3
    if _CAUSAL.search(sentence):
        score += 0.2
    if re.search(r"\b[A-Z][a-z]+", sentence[1:]):
        score += 0.1
    return min(score, 1.0)


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
        lexicon: CueLexicon | None = None,
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

    @classmethod
    def from_settings(cls, settings: Settings) -> SpacyClaimExtractor:
        from bot.nlp.pipeline import load_pipeline

        tagger = None
        if settings.attribution_tagger:
            from bot.nlp.span_tagger import AttributionSpanTagger

            # one thread: it runs beside the parser (see extract_many), not instead of it
            tagger = AttributionSpanTagger(
                precision=settings.embedding_precision,
                model_cache_dir=settings.model_cache_dir,
                num_threads=1,
            )
        confidence = StatementConfidence.load() if CONFIDENCE_PATH.is_file() else None
        if confidence is None:
            logger.warning("no statement-confidence model at %s: every statement is shown", CONFIDENCE_PATH)
        return cls(load_pipeline(settings.spacy_model), span_tagger=tagger, statement_confidence=confidence)

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
        for batch in _batches(pieces, max_items=self.batch_size, max_chars=PIECE_CHARS):
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
            return found
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
        return sorted([*found, *added], key=lambda a: a.start)

    def claims_from_doc(
        self, doc: Doc, raw_text: str, tags: Mapping[str, Sequence[TaggedSpan]] | None = None
    ) -> list[ExtractedClaim]:
        """All claims of one parsed article; ``raw_text`` is the text as given."""
        quotes = find_quotes(raw_text)
        units = sentence_units(doc, quotes)
        drafts: list[_Draft] = []
        for a in self.attributions(doc, raw_text, tags, quotes=quotes, units=units):
            content: tuple[tuple[int, int], ...] = tuple(
                f for f in a.content if not _PROMOTION.search(raw_text[f[0] : f[1]])
            )
            label = raw_text[a.source[0] : a.source[1]] if a.source is not None else ""
            if label and _PUBLICATION_LABEL.fullmatch(label):
                continue  # "CLARIFICATION: The first sentence has been clarified ...": nobody's statement
            if label and _LIVE_BLOG_LABEL.fullmatch(label):
                # "The Latest: Trump's leaked taxes not from Connecticut": the outlet's own headline
                drafts.append(_Draft(ClaimKind.UNATTRIBUTED, content, None, None, None))
                continue
            if not content or not (self.keep_bare_objects or not is_bare_object(doc, a)):
                continue
            reading = read_stance(doc, raw_text, kind=a.kind, cue=a.cue, content=content)
            if reading is None:
                continue  # "has not accused", "never claimed": the sentence may still be the article's
            if reading.content_skip:
                (start, end), *rest = content
                content = ((start + reading.content_skip, end), *rest)
            drafts.append(_Draft(a.kind, content, a.cue, a.source, a.source_head, stance=reading.stance))
        if self.include_unattributed:
            drafts.extend(self._unattributed(doc, raw_text, drafts, units))
        drafts.sort(key=lambda d: d.content[0][0])
        claims = self._resolve(doc, raw_text, drafts)
        if self.statement_confidence is not None:
            claims = self.statement_confidence.keep(claims, raw_text)
        if self.merge_restatements:
            claims = merge_restatements(claims, raw_text)
        return claims

    def _unattributed(
        self, doc: Doc, raw: str, drafts: list[_Draft], units: Sequence[SentenceUnit]
    ) -> list[_Draft]:
        taken = bytearray(len(raw) + 1)
        for draft in drafts:
            for start, end in (*draft.content, *(x for x in (draft.cue, draft.source) if x)):
                taken[start:end] = b"\x01" * (end - start)
        candidates: list[tuple[int, int]] = []
        for unit in units:
            tokens = [t for t in doc[unit.start : unit.end] if not t.is_space]
            if not tokens:
                continue
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            if any(taken[start:end]):
                continue
            if not self._asserts_something(doc, raw, unit.start, unit.end, start, end):
                continue
            match = DATELINE.match(raw[start:end])
            if match:
                start += match.end()
            candidates.append((start, end))
        if not candidates:
            return []
        # first-person sentences outside quotes are lost quotes of a neighbouring speaker
        result: list[_Draft] = []
        plain: list[tuple[int, int]] = []
        for start, end in candidates:
            if _FIRST_PERSON.search(raw[start:end]):
                result.append(_Draft(ClaimKind.DIRECT, ((start, end),), None, None, None, continues="near"))
            else:
                plain.append((start, end))
        scores = self.scorer([raw[s:e] for s, e in plain]) if plain else []
        for (start, end), score in zip(plain, scores, strict=True):
            if score >= CHECKWORTHY_THRESHOLD:
                result.append(_Draft(ClaimKind.UNATTRIBUTED, ((start, end),), None, None, None))
        return result

    @staticmethod
    def _asserts_something(doc: Doc, raw: str, tok_start: int, tok_end: int, start: int, end: int) -> bool:
        sentence = raw[start:end]
        paragraph_start = raw.rfind("\n", 0, start) + 1
        paragraph_end = raw.find("\n", end)
        paragraph = raw[paragraph_start : paragraph_end if paragraph_end >= 0 else len(raw)].strip()
        if not paragraph or paragraph[-1] not in ".!\"”'’" or paragraph.endswith("?"):
            return False  # headline, caption, byline, credit line, dateline-only line
        if paragraph.startswith("(") and paragraph.rstrip(".").endswith(")"):
            return False  # "(PA wire)"
        if _CREDIT_TAIL.search(paragraph.rstrip(".")) and "/" in paragraph[paragraph.rfind("(") :]:
            return False  # "... on Monday (Frank Augstein/PA)."
        if sentence.rstrip(_QUOTE_CHARS).endswith("?"):
            return False
        if len(sentence.split()) < MIN_UNATTRIBUTED_WORDS:
            return False
        if _BOILERPLATE.search(sentence) or _BYLINE.match(sentence):
            return False
        return _has_finite_verb(doc, tok_start, tok_end)

    def _resolve(self, doc: Doc, raw: str, drafts: list[_Draft]) -> list[ExtractedClaim]:
        resolver = SpeakerResolver(doc, person_labels=self.person_labels, org_labels=self.org_labels)
        claims: list[ExtractedClaim | None] = []
        pending: list[int] = []
        for draft in drafts:
            content = draft.content
            speaker = None
            kind_of_speaker = SpeakerKind.UNKNOWN
            aliases: tuple[str, ...] = ()
            source = draft.source
            if source is not None:
                start, end = source
                while start < end and not raw[start].isalnum():
                    start += 1  # markup left in a paste: '">Sanders said'
                source = (start, end) if start < end else None
            if source is not None:
                resolved = resolver.resolve(source[0], source[1], draft.source_head, statement=content)
                if resolved is not None:
                    speaker, kind_of_speaker = resolved.name, resolved.kind
            elif draft.continues:
                pending.append(len(claims))
            text = claim_text(raw, content)
            pieces = tuple(Span(s, e, raw[s:e]) for s, e in content)
            if (
                draft.kind is ClaimKind.INDIRECT
                and draft.stance in (Stance.ASSERTS, Stance.CONDITIONAL)  # the stance says "denies"
                and draft.cue is not None
                and draft.cue[1] <= content[0][0]  # the verb reads before its object
                and raw[draft.cue[0] : draft.cue[1]].lower() != "according to"
                and not _states_a_clause(doc, content)
            ):
                # "denied | any preparations for aggression": without its verb an object reads as
                # the speaker's own assertion, the opposite of a denial
                text = f"{_verb_before(raw, draft.cue, content[0][0])} {text}"
            claims.append(
                ExtractedClaim(
                    text=text,
                    kind=draft.kind,
                    content=Span(content[0][0], content[-1][1], raw[content[0][0] : content[-1][1]]),
                    cue=_span(raw, draft.cue),
                    speaker_mention=_span(raw, source),
                    speaker=speaker,
                    speaker_kind=kind_of_speaker,
                    speaker_aliases=aliases,
                    content_fragments=pieces if len(pieces) > 1 else (),
                    stance=draft.stance,
                )
            )
        # lost quotes: the speaker of the next statement when it "adds", else the previous one
        final: list[ExtractedClaim] = []
        for index, claim in enumerate(claims):
            assert claim is not None
            if index in pending:
                claim = _adopt_neighbour(claims, index)
            final.append(claim)
        # aliases are only complete once the whole article is read
        by_name = {e.canonical: e for e in resolver.entities}
        # a speaker renamed later ("council" in a headline, then "Portmere City Council") is
        # found by its old name, now one of its aliases
        by_alias: dict[str, list[SpeakerEntity]] = {}
        for e in resolver.entities:
            for alias in e.aliases:
                by_alias.setdefault(alias, []).append(e)
        out = []
        for claim in final:
            if claim.speaker is None:
                out.append(claim)
                continue
            entity = by_name.get(claim.speaker)
            if entity is None and len(by_alias.get(claim.speaker, [])) == 1:
                entity = by_alias[claim.speaker][0]
            speaker = tidy_speaker_name(entity.canonical if entity else claim.speaker)
            aliases = tuple(dict.fromkeys(a for a in entity.aliases if a != speaker)) if entity else ()
            out.append(
                _replace(
                    claim,
                    speaker=speaker,
                    speaker_aliases=aliases,
                    speaker_kind=entity.kind if entity else claim.speaker_kind,
                )
            )
        # a quote with neither a speaker nor a cue is dropped (a lost quote no neighbour could
        # take); one that goes on from a statement whose "he" named nobody stays, as that does
        return [
            c
            for c in out
            if c is not None
            and (c.speaker is not None or c.kind is not ClaimKind.DIRECT or c.cue or c.speaker_mention)
        ]


# Longer than nearly any article (the longest of PolNeAR's 924 is 33,672 characters, a long
# feature about 60,000): a text beyond it is read in pieces. The parse and the statement passes
# grow with the length of one Doc: a 990,000-character text peaked at 4.3 GB read whole; in
# 50,000-character pieces 1.0 GB (100,000: 1.5 GB for short lines).
PIECE_CHARS = 50_000


def pieces_of(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) pairs of at most ``limit`` characters, cut after a paragraph
    break, else a line break, else a sentence end, else a space; one piece when it is short."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = -1
        for mark in ("\n\n", "\n", ". ", " "):
            cut = window.rfind(mark, limit // 2)
            if cut >= 0:
                cut += len(mark)
                break
        if cut <= 0:
            cut = limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def _batches(
    pieces: list[tuple[int, int, str]], *, max_items: int, max_chars: int
) -> list[list[tuple[int, int, str]]]:
    """Consecutive pieces, at most ``max_items`` and (beyond the first) ``max_chars`` a batch."""
    batches: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    chars = 0
    for piece in pieces:
        if current and (len(current) >= max_items or chars + len(piece[2]) > max_chars):
            batches.append(current)
            current, chars = [], 0
        current.append(piece)
        chars += len(piece[2])
    if current:
        batches.append(current)
    return batches


def _moved(span: Span | None, offset: int) -> Span | None:
    return None if span is None else Span(span.start + offset, span.end + offset, span.text)


def shifted(claim: ExtractedClaim, offset: int) -> ExtractedClaim:
    """A claim found in a piece of a text, with its spans pointing into the whole text."""
    content = _moved(claim.content, offset)
    assert content is not None
    return _replace(
        claim,
        content=content,
        cue=_moved(claim.cue, offset),
        speaker_mention=_moved(claim.speaker_mention, offset),
        restatements=tuple(Span(r.start + offset, r.end + offset, r.text) for r in claim.restatements),
        content_fragments=tuple(
            Span(f.start + offset, f.end + offset, f.text) for f in claim.content_fragments
        ),
    )


BARE_OBJECT_WORDS = 3
# cues whose object stands for a proposition: "denied any wrongdoing" = "we did nothing wrong"
PROPOSITIONAL_OBJECT_CUES = frozenset(
    {"deny", "admit", "confirm", "acknowledge", "concede", "dispute", "reject", "dismiss", "predict"}
)


def is_bare_object(doc: Doc, attribution: Attribution) -> bool:
    """A reported object with no clause ("announced | the works", "backed | Clinton"): an
    attribution in PolNeAR's sense, but nothing a reader could check or repeat, so not a
    claim. Quotes are kept whatever their length, and so are the objects of denials and
    admissions ("denied | any wrongdoing")."""
    if attribution.kind is ClaimKind.DIRECT:
        return False
    if len(attribution.content) > 1:
        return False
    cue = doc.char_span(*attribution.cue, alignment_mode="expand") if attribution.cue else None
    if cue is not None and any(t.lemma_.lower() in PROPOSITIONAL_OBJECT_CUES for t in cue):
        return False
    span = doc.char_span(*attribution.content[0], alignment_mode="expand")
    words = [t for t in span or () if t.is_alpha or t.like_num]
    if len(words) > BARE_OBJECT_WORDS:
        return False
    return not any(is_verb(t) for t in span or ())


def _adopt_neighbour(claims: Sequence[ExtractedClaim | None], index: int) -> ExtractedClaim:
    claim = claims[index]
    assert claim is not None
    nxt = claims[index + 1] if index + 1 < len(claims) else None
    prev = claims[index - 1] if index > 0 else None
    chosen = None
    if nxt is not None and nxt.speaker and nxt.cue and nxt.cue.text.lower().startswith(("add", "continu")):
        chosen = nxt
    elif prev is not None and prev.speaker and claim.content.start - prev.content.end < 600:
        chosen = prev
    elif nxt is not None and nxt.speaker and nxt.content.start - claim.content.end < 300:
        chosen = nxt
    if chosen is None:
        # nobody to give it to: the article asserts it (first person of the writer)
        return _replace(claim, kind=ClaimKind.UNATTRIBUTED)
    return _replace(
        claim,
        speaker=chosen.speaker,
        speaker_kind=chosen.speaker_kind,
        speaker_mention=None,
    )


def _replace(claim: ExtractedClaim, **changes: object) -> ExtractedClaim:
    from dataclasses import replace

    return replace(claim, **changes)  # type: ignore[arg-type]


def in_headline(text: str, span: Span) -> bool:
    """Whether ``span`` lies on a line with no sentence-final punctuation (a headline)."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.start)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    return bool(line) and line[-1] not in ".!?\"”'’"


def merge_restatements(claims: list[ExtractedClaim], text: str | None = None) -> list[ExtractedClaim]:
    """Folds statements made twice in one article into one claim (``mentions == 2``).

    The kept occurrence is the best attributed one: with a cue over without, with a speaker
    over without, direct over indirect, in the body over in a headline (headlines clip
    statements: "repairs to cost £48 million"; needs ``text``), then the earlier.
    """

    def rank(claim: ExtractedClaim) -> tuple[int, int, int, int, int]:
        return (
            0 if claim.cue else 1,
            0 if claim.speaker else 1,
            0 if claim.kind is ClaimKind.DIRECT else 1,
            1 if text is not None and in_headline(text, claim.content) else 0,
            claim.content.start,
        )

    groups: list[list[int]] = []
    assigned: dict[int, int] = {}
    words = [content_words(claim.text) for claim in claims]  # once per claim, not per pair
    for i, claim in enumerate(claims):
        for j in range(i):
            other = claims[j]
            if claim.speaker and other.speaker and claim.speaker != other.speaker and claim.cue and other.cue:
                continue
            if claim.stance is not other.stance:
                continue  # a denial and an assertion of the same words are two statements
            if _word_overlap(words[i], words[j]) >= RESTATEMENT_OVERLAP:
                group = assigned[j]
                groups[group].append(i)
                assigned[i] = group
                break
        else:
            assigned[i] = len(groups)
            groups.append([i])
    merged: list[ExtractedClaim] = []
    for indices in groups:
        members = sorted((claims[i] for i in indices), key=rank)
        primary, others = members[0], members[1:]
        if others:
            primary = _replace(
                primary, restatements=tuple(sorted((o.content for o in others), key=lambda s: s.start))
            )
        merged.append(primary)
    merged.sort(key=lambda c: c.content.start)
    return merged


def _entity_labels(nlp: Language) -> tuple[frozenset[str], frozenset[str]]:
    try:
        from bot.nlp.pipeline import entity_label_map
    except ImportError:
        return frozenset({"PER", "PERSON"}), frozenset({"ORG", "NORP"})
    mapping = entity_label_map(nlp)
    persons = frozenset(label for label, kind in mapping.items() if kind == "PER") or frozenset({"PER"})
    orgs = frozenset(label for label, kind in mapping.items() if kind == "ORG") or frozenset({"ORG"})
    return persons, orgs
