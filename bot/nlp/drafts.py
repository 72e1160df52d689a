"""Drafts of claims, and how an article's drafts become its claims.

A draft is a statement as the extractor first finds it: character offsets of its content,
cue and source, before its speaker is resolved. ``resolve_drafts`` resolves the speakers
within the article (``bot.nlp.speakers``), reads each draft's proposition (``claim_text``)
and gives lost quotes (first-person sentences outside quote marks) a neighbour's speaker.
``is_bare_object`` tells which reported objects are too bare to be claims at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from bot.models import ClaimKind, ExtractedClaim, Span, SpeakerKind, Stance
from bot.nlp.attribution import Attribution
from bot.nlp.speakers import SpeakerEntity, SpeakerResolver
from bot.nlp.speakers.names import readable_alias, tidy_speaker_name, with_whole_hyphenated_name
from bot.nlp.tokens import is_finite, is_verb

QUOTE_CHARS = "\"'“”‘’«»„"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Draft:
    """A statement found in an article, as character offsets, before its speaker is resolved."""

    kind: ClaimKind
    content: tuple[tuple[int, int], ...]
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    source_head: tuple[int, int] | None
    continues: str | None = None  # "previous"/"next": a lost quote taking a neighbour's speaker
    stance: Stance = Stance.ASSERTS


def span_of(text: str, frag: tuple[int, int] | None) -> Span | None:
    """The ``Span`` of ``text`` at ``frag``; None for no fragment (a draft with no cue or source)."""
    if frag is None:
        return None
    return Span(frag[0], frag[1], text[frag[0] : frag[1]])


def claim_text(text: str, content: Sequence[tuple[int, int]]) -> str:
    """The proposition: fragments joined, quote marks stripped, whitespace normalised."""
    parts = []
    for index, (start, end) in enumerate(content):
        part = text[start:end].strip().strip(QUOTE_CHARS).strip()
        last = index == len(content) - 1
        # a split quote keeps its comma between the pieces ("X, and Y."), not at its end
        part = part.rstrip(",;:" if last else ";:").strip().strip(QUOTE_CHARS).strip()
        if part:
            parts.append(part)
    joined = _SPACES.sub(" ", " ".join(parts)).strip()
    if joined.lower().startswith("that "):
        joined = joined[5:]
    return joined


def verb_before(raw: str, cue: tuple[int, int], content_start: int) -> str:
    """The cue as it reads before its object, with a short bridge the cue span leaves out
    ("called for | steep tariffs", "warned against | the plan")."""
    bridge = raw[cue[1] : content_start]
    words = bridge.split()
    verb = raw[cue[0] : cue[1]]
    if len(words) <= 2 and not any(ch in bridge for ch in '.;:!?"“”\n'):
        verb += bridge
    return _SPACES.sub(" ", verb).strip(" ,")


def states_a_clause(doc: Doc, content: Sequence[tuple[int, int]]) -> bool:
    """Whether a reported content has a finite verb of its own ("the bridge will open"), as
    opposed to an object of the cue ("any preparations for aggression", "the council of
    ignoring warnings")."""
    for start, end in content:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and any(is_finite(t) for t in span):
            return True
    return False


def resolve_drafts(
    doc: Doc, raw: str, drafts: list[Draft], *, person_labels: frozenset[str], org_labels: frozenset[str]
) -> list[ExtractedClaim]:
    """The claims of an article's drafts (in the drafts' order): speakers resolved within the
    article, lost quotes given to a neighbour's speaker, and a lost quote nobody could take
    dropped; ``person_labels`` and ``org_labels`` are the pipeline's entity labels."""
    resolver = SpeakerResolver(doc, person_labels=person_labels, org_labels=org_labels)
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
            source = with_whole_hyphenated_name(raw, start, end) if start < end else None
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
            and not states_a_clause(doc, content)
        ):
            # "denied | any preparations for aggression": without its verb an object reads as
            # the speaker's own assertion, the opposite of a denial
            text = f"{verb_before(raw, draft.cue, content[0][0])} {text}"
        claims.append(
            ExtractedClaim(
                text=text,
                kind=draft.kind,
                content=Span(content[0][0], content[-1][1], raw[content[0][0] : content[-1][1]]),
                cue=span_of(raw, draft.cue),
                speaker_mention=span_of(raw, source),
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
            claim = adopt_neighbour(claims, index)
        final.append(claim)
    # aliases are only complete once the whole article is read
    resolver.settle_names()
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
        # the article's mentions of the speaker as names a reader sees in "also called"
        readable = (readable_alias(a, speaker) for a in entity.aliases) if entity else iter(())
        aliases = tuple(dict.fromkeys(a for a in readable if a is not None and a != speaker))
        out.append(
            replace_claim(
                claim,
                speaker=speaker,
                speaker_aliases=aliases,
                speaker_kind=entity.kind if entity else claim.speaker_kind,
            )
        )
    # a quote with neither a speaker nor a cue is dropped (a lost quote no neighbour could
    # take); one that goes on from a statement whose "he" named nobody stays, as that does;
    # a content of quote marks and spaces alone ('denied “ “') says nothing
    return [
        c
        for c in out
        if c is not None
        and (c.speaker is not None or c.kind is not ClaimKind.DIRECT or c.cue or c.speaker_mention)
        and any(ch.isalnum() for ch in c.text)
    ]


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


# verbs that report how something looks to the writer ("Christie appears to be embracing ...")
_IMPRESSION_LEMMAS = frozenset({"appear", "seem"})


def is_impression(doc: Doc, attribution: Attribution, is_cue: Callable[[str], bool]) -> bool:
    """A subject that "appears" or "seems" to do something ("Christie appears to be fully
    embracing his surrogate duties", "No major polls appear to have been conducted"): how it
    looks to the writer, not anything the subject said. One that appears to say something
    ("Stumpf appeared to blame low-level workers") still says it: ``is_cue`` tells the verbs
    (not "be" or "have": "appears to be", "appear to have been" tell a state)."""
    if attribution.cue is None or attribution.kind is ClaimKind.DIRECT:
        return False
    cue = doc.char_span(*attribution.cue, alignment_mode="expand")
    content = doc.char_span(*attribution.content[0], alignment_mode="expand")
    return (
        cue is not None
        and content is not None
        and len(content) > 1
        and cue[-1].lemma_.lower() in _IMPRESSION_LEMMAS
        and content[0].lower_ == "to"
        and (content[1].lemma_.lower() in {"be", "have"} or not is_cue(content[1].text))
    )


def adopt_neighbour(claims: Sequence[ExtractedClaim | None], index: int) -> ExtractedClaim:
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
        return replace_claim(claim, kind=ClaimKind.UNATTRIBUTED)
    return replace_claim(
        claim,
        speaker=chosen.speaker,
        speaker_kind=chosen.speaker_kind,
        speaker_mention=None,
    )


def replace_claim(claim: ExtractedClaim, **changes: object) -> ExtractedClaim:
    """``claim`` with ``changes`` (``dataclasses.replace``, typed for any field)."""
    return replace(claim, **changes)  # type: ignore[arg-type]
