"""What the span tagger adds to the rules, as pure functions of tagged spans: which reported
statements stand and where they start and end (``refine_contents``), and statements the rules
did not find (``tagged_attributions``).

The rules (``bot.nlp.attribution``) stay the first reader: their speakers are measured to be right
more often, and their extents too, except where the two readers disagree on a reported
statement and the tagger is sure. A tagged content span becomes a statement of its own only
when it overlaps no statement the rules found, has at least ``MIN_WORDS`` words, the tagger's
mean inside-probability over it is at least ``MIN_CONFIDENCE``, and a tagged source stands in
the same sentence(s) outside it: the nearest one is its speaker, the nearest tagged cue its
cue. Without a source it is dropped: the nearest source further away named the wrong speaker
more often than the right one. Reported questions ("asked if …", "… why?") are left out, as
the rules leave them out. Thresholds were swept on PolNeAR dev
(``scripts.eval_attribution --tune-tagger``); see README "Measured".
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Mapping, Sequence

from spacy.tokens import Doc

from bot.models import ClaimKind
from bot.nlp.attribution import (
    Attribution,
    CharSpan,
    SentenceUnit,
    attribution_from_spans,
    sentence_units,
    tagged_content_fragment,
)
from bot.nlp.attribution.sources import possessor_of
from bot.nlp.drafts import states_a_clause
from bot.nlp.quotes import Quote
from bot.nlp.tagged_spans import TaggedSpan

MIN_CONFIDENCE = 0.8
MIN_WORDS = 3
# "When asked if that meant …, Wallace said": a reported question is nobody's statement
# (not "how", "what", "when": "explained how the plan works", "said when it opens, tolls rise")
_QUESTION_OPENERS = frozenset({"if", "whether", "why"})
# "Asked about …, Wallace said": the question put to the speaker, as a sentence's opening participle
_QUESTION_PARTICIPLES = frozenset({"asked", "pressed", "questioned"})


def _put_to_the_speaker(text: str, cue: tuple[int, int], sentence_start: int) -> bool:
    """Whether the cue opens its sentence as a participle ("Asked about the device, O'Neill
    said ..."): what follows it is the question put to the speaker, not something said by
    the speaker the sentence names."""
    opener = text[sentence_start : cue[0]].strip(" \t\n\"“'‘").lower()
    return opener in {"", "when"} and text[cue[0] : cue[1]].lower() in _QUESTION_PARTICIPLES


def _speaker_after_its_verb(doc: Doc, attribution: Attribution) -> bool:
    """Whether a statement that is the object of its verb ("refuses to disavow | the
    endorsement of Graham", "unanimously opposed | an increase", "a call for | a ban") is given
    to a source after it: its speaker is the subject before the verb, and a name after the
    object is some other part of the sentence. A sentence-opening participle is not such a
    verb ("Listing his ventures, she said ..."). On PolNeAR train (first 300 articles) such a
    statement had its annotated speaker 3 times in 24."""
    cue, source = attribution.cue, attribution.source
    if cue is None or source is None or source[0] < attribution.end or cue[1] > attribution.start:
        return False
    verb = doc.text[cue[0] : cue[1]].split()
    if not verb or verb[0].lower().endswith("ing") or verb[0].lower() == "to":
        return False
    return not states_a_clause(doc, attribution.content)


def _nearer_statement_of_its_cue(found: Sequence[Attribution], cue: CharSpan, content: CharSpan) -> bool:
    """Whether the rules found a statement of the same cue nearer to it than ``content``: the
    tagged span is then a piece the tagger split off ("he plans to use the $18 million | he
    raised") or words around the statement, not a second statement of that cue. On PolNeAR
    train (first 300 articles) such a span was an annotated statement with its speaker 14
    times in 46; on dev 2 in 12."""

    def distance(span: tuple[int, int]) -> int:
        return min(abs(span[0] - cue[0]), abs(span[1] - cue[0]))

    return any(
        a.cue is not None and _overlaps(a.cue, cue) and distance((a.start, a.end)) < distance(content)
        for a in found
    )


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _phrase_cut_short(doc: Doc, end: int, statement_end: int) -> int | None:
    """Where the phrase runs to when a tagged span that ends at ``end``, inside a statement
    running to ``statement_end``, stops in the middle of it: its last word depends on a word
    after it in the statement ("… to meet with Sanders when | the candidate speaks on
    Friday", "… supporters in | the state legislature"), so the statement reads cut short;
    None when the span ends a phrase (or on punctuation, which the parse often hangs on the
    next clause)."""
    if end >= statement_end:
        return None
    span = doc.char_span(end - 1, end, alignment_mode="expand")
    if span is None or not len(span) or span[-1].is_punct:
        return None
    last = span[-1]
    head = last.head
    if not (head.i > last.i and head.idx < statement_end):
        return None
    right = head.right_edge
    return min(statement_end, right.idx + len(right.text))


# what a noun phrase cut short can still hold before its verb ("delivery times in the | old town")
_NOUN_PHRASE_POS = frozenset({"NOUN", "PROPN", "ADJ", "NUM", "DET", "PART"})


def _ends_before_its_verb(doc: Doc, fragment: tuple[int, int], statement: tuple[int, int]) -> bool:
    """Whether a tagged span that opens the rules' statement, a "that" clause, stops before the
    statement's first verb with only more of its noun phrase in between ("warning that |
    delivery times in the old town | could double"): the reader would see the subject without
    what was said of it.
    A span that ends before a clause of its own ("Clinton as a disgrace | after she attacked")
    is a trim, not this."""
    if fragment[0] > statement[0] + 1:
        return False
    if not doc.text[max(0, statement[0] - 6) : statement[0]].rstrip().lower().endswith("that"):
        return False  # not a clause the cue reports ("respondents who support | Sanders are …")
    span = doc.char_span(fragment[0], statement[1], alignment_mode="contract")
    if span is None:
        return False
    kept = [t for t in span if t.idx < fragment[1]]
    rest = [t for t in span if t.idx >= fragment[1]]
    if any(t.pos_ in {"VERB", "AUX"} for t in kept):
        return False
    for token in rest:
        if token.pos_ in {"VERB", "AUX"}:
            return True
        if token.pos_ not in _NOUN_PHRASE_POS:
            return False
    return False


def refine_contents(
    doc: Doc,
    found: Sequence[Attribution],
    tags: Mapping[str, Sequence[TaggedSpan]],
    *,
    min_confidence: float = MIN_CONFIDENCE,
) -> list[Attribution]:
    """The rules' statements as the span tagger reads them: a reported (indirect) statement that
    no tagged content span touches is dropped (the rules took a non-speech verb for a cue:
    "watched", "enjoyed", "maintains"); otherwise it takes the extent of the tagged span that
    overlaps it most, when the tagger is sure of that span (mean confidence at least
    ``min_confidence``), the span runs into neither the statement's cue nor its source, and
    it is cut to the statement's paragraph.

    On PolNeAR dev, where the two readers disagreed on a reported statement's extent and only
    one was right, the tagger was right 103 times and the rules 40; the cue and the speaker
    stay the rules'. Other sure spans in the same content are statements of their own (the
    rules ran two together; ``tagged_attributions`` adds them), but a less sure one, or one
    that runs on into it, means the tagger cannot tell where a nested statement splits ("the
    council said engineers found | corrosion"), and the rules' extent stays. Quotes keep their
    quotation marks as bounds, and a statement in several fragments (a split quote) is left as
    it is. Without tags (no tagger, or it failed) ``found`` is returned as it is."""
    if "content" not in tags:
        return list(found)
    spans = tags["content"]
    text = doc.text
    refined: list[Attribution] = []
    for attribution in found:
        if attribution.kind is not ClaimKind.INDIRECT:
            refined.append(attribution)
            continue
        whole = (attribution.start, attribution.end)
        touching = [s for s in spans if _overlaps((s.start, s.end), whole)]
        if not touching:
            continue
        best = max(touching, key=lambda s: min(s.end, whole[1]) - max(s.start, whole[0]))
        unsure_split = any(
            other.confidence < min_confidence or _gap((other.start, other.end), (best.start, best.end)) <= 1
            for other in touching
            if other is not best
        )
        fragment = None
        if (
            not unsure_split
            and best.confidence >= min_confidence
            and len(attribution.content) == 1
            and not any(
                role is not None and _overlaps((best.start, best.end), role)
                for role in (attribution.cue, attribution.source)
            )
        ):
            # a headline above the statement, or the next paragraph, is no part of it
            paragraph_end = text.find("\n", whole[1])
            fragment = tagged_content_fragment(
                doc,
                CharSpan(
                    (
                        max(best.start, text.rfind("\n", 0, whole[0]) + 1),
                        min(best.end, paragraph_end if paragraph_end >= 0 else len(text)),
                    )
                ),
            )
        phrase_end = _phrase_cut_short(doc, best.end, whole[1]) if fragment is not None else None
        if fragment is not None and phrase_end is not None:
            fragment = CharSpan((fragment[0], phrase_end))
        if fragment is not None and _ends_before_its_verb(doc, fragment, whole):
            fragment = None
        if fragment is None or fragment == attribution.content[0]:
            refined.append(attribution)
        else:
            refined.append(dataclasses.replace(attribution, content=(fragment,)))
    return refined


def _subject_right_before(
    text: str, tags: Mapping[str, Sequence[TaggedSpan]], cue: CharSpan | None, content: CharSpan
) -> CharSpan | None:
    """ "Republicans said they are convinced … and Democrats accused …": for a clause right
    after its cue, the tagged source right before that cue is who speaks, not a nearer one
    after the content (the subject of the next clause). Only for a clause: an object with its
    source after it is dropped (``_speaker_after_its_verb``), not given the one before."""
    if cue is None or cue[1] > content[0] or text[cue[1] : content[0]].strip(" ,:“\"'"):
        return None
    before = [
        CharSpan((s.start, s.end))
        for s in tags.get("source", ())
        if s.end <= cue[0] and not text[s.end : cue[0]].strip()
    ]
    return before[-1] if before else None


def _owner_of_noun_cue(doc: Doc, cue: CharSpan | None) -> CharSpan | None:
    """ "Politifact seized on Trump’s claim that …": a tagged cue that is a noun with a
    possessor is the possessor's, whatever source the tagger found nearer (PolNeAR dev: two
    statements of Trump's shown as Politifact's)."""
    span = doc.char_span(*cue, alignment_mode="expand") if cue is not None else None
    if span is None or len(span) == 0:
        return None
    owner = possessor_of(span[-1], span.sent.start if doc.has_annotation("SENT_START") else 0)
    if owner is None:
        return None
    first, last = doc[owner[0]], doc[owner[1] - 1]
    return CharSpan((first.idx, last.idx + len(last.text)))


def tagged_attributions(
    doc: Doc,
    tags: Mapping[str, Sequence[TaggedSpan]],
    found: Sequence[Attribution],
    quotes: list[Quote],
    *,
    units: Sequence[SentenceUnit] | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    min_words: int = MIN_WORDS,
) -> list[Attribution]:
    """Attributions for the tagged content spans that no ``found`` statement covers;
    ``units`` are ``sentence_units(doc, quotes)`` when the caller has them already."""
    text = doc.text  # built anew from the tokens on each access
    taken = [frag for a in found for frag in a.content]
    if units is None:
        units = sentence_units(doc, quotes)
    bounds = [
        (doc[u.start].idx, doc[u.end - 1].idx + len(doc[u.end - 1].text)) for u in units if u.end > u.start
    ]
    starts = [b[0] for b in bounds]

    def sentence_extent(start: int, end: int) -> tuple[int, int]:
        if not bounds:
            return start, end
        first = max(0, bisect.bisect_right(starts, start) - 1)
        last = max(0, bisect.bisect_right(starts, max(start, end - 1)) - 1)
        return min(start, bounds[first][0]), max(end, bounds[last][1])

    added: list[Attribution] = []
    for span in tags.get("content", ()):
        content = CharSpan((span.start, span.end))
        words = text[span.start : span.end].split()
        if span.confidence < min_confidence or len(words) < max(1, min_words):
            continue
        if any(_overlaps(content, frag) for frag in taken):
            continue
        # a quoted question stays, as with the rules: it is what someone said
        if words[0].lower() in _QUESTION_OPENERS or words[-1].endswith("?"):
            continue
        lo, hi = sentence_extent(*content)

        def nearest(role: str, lo: int = lo, hi: int = hi, content: CharSpan = content) -> CharSpan | None:
            near = [
                CharSpan((s.start, s.end))
                for s in tags.get(role, ())
                if lo <= s.start and s.end <= hi and not _overlaps((s.start, s.end), content)
            ]
            return min(near, key=lambda s: (_gap(s, content), -s[0])) if near else None

        source = nearest("source")
        if source is None:
            continue
        cue = nearest("cue")
        if cue is not None and _put_to_the_speaker(text, cue, lo):
            continue
        before_cue = _subject_right_before(text, tags, cue, content)
        if before_cue is not None and not states_a_clause(doc, [content]):
            before_cue = None  # an object: ``_speaker_after_its_verb`` decides below
        source = _owner_of_noun_cue(doc, cue) or before_cue or source
        if cue is not None and _nearer_statement_of_its_cue(found, cue, content):
            continue
        attribution = attribution_from_spans(doc, content, cue=cue, source=source, quotes=quotes)
        if attribution is not None and _speaker_after_its_verb(doc, attribution):
            continue
        if attribution is not None and attribution.source is not None:
            added.append(attribution)
            taken.append(attribution.content[0])
    return added
