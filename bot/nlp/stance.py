"""What a speaker does with a proposition: asserts it, denies it, declines to say, asks, or
says it only conditionally. Read from the cue and its own grammar, never from the content:
"denied that the council had delayed the repairs" is a denial of "the council had delayed the
repairs", and "did not say that P" is no statement by that speaker at all.

Pure functions over a parsed ``Doc``: the extractor calls ``read_stance`` once per statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from bot.models import ClaimKind, Stance
from bot.nlp.tokens import is_verb

CharSpan = tuple[int, int]

# the speaker says the proposition is false
DENIAL_VERBS = frozenset({"deny", "dispute", "refute", "rebut", "disavow", "contest", "repudiate"})
# ... but only when their object is a claim about the world: "rejected claims that P";
# "rejected the plan" is a position, not a denial
DISMISSAL_VERBS = frozenset({"reject", "dismiss", "deny", "dispute", "refute", "rebut", "debunk", "contest"})
CLAIM_NOUNS = (
    r"(?:the |any |all |such )?(?:claims?|reports?|allegations?|accusations?|suggestions?|suggestion"
    r"|rumou?rs?|speculation|assertions?|charges?|notion|idea|contention|characteri[sz]ations?)"
)
_CLAIM_OBJECT = re.compile(rf"^{CLAIM_NOUNS}\s+(?:that|of)\s+", re.IGNORECASE)
# the speaker refuses to say anything on it
DECLINING_VERBS = frozenset({"refuse", "decline"})
_DECLINED_ACT = re.compile(
    r"^to\s+(?:say|comment(?:\s+on)?|confirm(?:\s+or\s+deny)?|disclose|discuss|reveal|specify|answer"
    r"|elaborate(?:\s+on)?|address|speculate(?:\s+on|\s+about)?)\s+",
    re.IGNORECASE,
)
# what one can decline by not doing it: "would not say whether ..." declines, "did not say" is silence
SAYING_VERBS = frozenset(
    {"say", "comment", "confirm", "disclose", "discuss", "reveal", "specify", "answer", "elaborate", "tell"}
)
DECLINING_MODALS = frozenset({"would", "will", "could", "can", "wo", "ca"})
# the speaker asks rather than states
ASKING_VERBS = frozenset({"ask", "wonder", "inquire", "enquire", "query"})
QUESTIONING_VERBS = frozenset({"question"})
_OPENS_A_QUESTION = re.compile(r"^(?:whether|if|why|how|what|who|whom|whose|when|where|which)\b", re.I)
# the speaker states it only under a condition of the cue's own: "would argue that", "might say"
CONDITIONAL_MODALS = frozenset({"would", "could", "might", "may"})
_NEGATORS = frozenset({"not", "n't", "never", "no"})


def _forms(verb: str) -> tuple[str, ...]:
    """deny -> denies, denied, denying; rebut -> rebuts, rebutted, rebutting; dispute -> ..."""
    if verb.endswith("y"):
        return (verb, verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing")
    if verb.endswith("e"):
        return (verb, verb + "s", verb + "d", verb[:-1] + "ing")
    doubled = verb + verb[-1] if verb == "rebut" else verb
    return (verb, verb + "s", doubled + "ed", doubled + "ing", verb + "ed", verb + "ing")


# the tagger sometimes reads a cue as a noun ("Jones denies/NNS that ..."), or lemmatises it
# badly ("rebutted" -> "rebutt"): the cue's surface form decides then
_BASE_OF = {
    form: verb
    for verb in DENIAL_VERBS
    | DISMISSAL_VERBS
    | DECLINING_VERBS
    | ASKING_VERBS
    | QUESTIONING_VERBS
    | SAYING_VERBS
    for form in _forms(verb)
}


@dataclass(frozen=True, slots=True)
class StanceReading:
    """``stance`` of a statement, and how much of the content's start is the cue's, not the
    speaker's proposition ("claims that", "to say"): ``content_skip`` characters."""

    stance: Stance
    content_skip: int = 0


def read_stance(
    doc: Doc,
    raw: str,
    *,
    kind: ClaimKind,
    cue: CharSpan | None,
    content: Sequence[CharSpan],
) -> StanceReading | None:
    """The stance of one statement; None when the cue is negated ("has not accused",
    "did not say", "never claimed"): nobody asserted anything there."""
    first = raw[content[0][0] : content[0][1]].lstrip(" \"'“‘") if content else ""
    verb = _cue_verb(doc, cue)
    if verb is None:
        return StanceReading(_question_or_assertion(raw, content))
    lemma = _lemma(verb)
    governor = verb.head if verb.dep_ == "xcomp" and verb.head is not verb else None
    if _negated(verb) or (governor is not None and _negated(governor)):
        if lemma in SAYING_VERBS and _has_aux(verb, DECLINING_MODALS):
            return StanceReading(Stance.DECLINES, _skip(content, raw, first, None))
        return None
    if lemma in DECLINING_VERBS or (governor is not None and _lemma(governor) in DECLINING_VERBS):
        return StanceReading(Stance.DECLINES, _skip(content, raw, first, _DECLINED_ACT))
    if lemma in DISMISSAL_VERBS and _CLAIM_OBJECT.match(first):
        return StanceReading(Stance.DENIES, _skip(content, raw, first, _CLAIM_OBJECT))
    if lemma in DENIAL_VERBS:
        return StanceReading(Stance.DENIES)
    if lemma in ASKING_VERBS or (lemma in QUESTIONING_VERBS and _OPENS_A_QUESTION.match(first)):
        return StanceReading(Stance.ASKS)
    if _has_aux(verb, CONDITIONAL_MODALS):
        return StanceReading(Stance.CONDITIONAL)
    return StanceReading(_question_or_assertion(raw, content, kind=kind))


def _question_or_assertion(
    raw: str, content: Sequence[CharSpan], *, kind: ClaimKind = ClaimKind.DIRECT
) -> Stance:
    """A quote that ends in a question mark asks; anything else asserts."""
    if kind is ClaimKind.DIRECT and content:
        last = raw[content[-1][0] : content[-1][1]].rstrip(" \"'”’,.")
        if last.endswith("?"):
            return Stance.ASKS
    return Stance.ASSERTS


def _cue_verb(doc: Doc, cue: CharSpan | None) -> Token | None:
    """The verb of the cue span ("told reporters" -> told); None for "according to" and nouns."""
    if cue is None:
        return None
    span = doc.char_span(cue[0], cue[1], alignment_mode="expand")
    if span is None:
        return None
    verbs = [t for t in span if is_verb(t) and t.dep_ not in {"aux", "auxpass"}]
    if verbs:
        return verbs[0]
    # a cue the tagger read as a noun ("Jones denies/NNS that"), but not "according to"
    known = [t for t in span if t.lower_ in _BASE_OF]
    return known[0] if known else None


def _lemma(token: Token) -> str:
    return _BASE_OF.get(token.lower_) or token.lemma_.lower()


def _negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" or (c.lower_ in _NEGATORS and c.dep_ == "advmod") for c in verb.children)


def _has_aux(verb: Token, modals: frozenset[str]) -> bool:
    return any(c.dep_ == "aux" and c.lower_ in modals for c in verb.children)


def _skip(content: Sequence[CharSpan], raw: str, first: str, pattern: re.Pattern[str] | None) -> int:
    """Characters at the content's start that belong to the cue ("claims that", "to say")."""
    if not content or pattern is None:
        return 0
    match = pattern.match(first)
    if match is None or match.end() >= len(first.rstrip(" .")):
        return 0
    lead = len(raw[content[0][0] : content[0][1]]) - len(first)
    return lead + match.end()
