"""Statements that are pieces of one content, joined back into it.

The rules and the span tagger sometimes cut one reported content in two and give each piece
the same cue: "Flegenheimer conflated | Republican Presidential candidate Ted Cruz | with |
the segregationist former Alabama Democratic Governor, George Wallace", "has been criticized |
for failing to spend enough time in the state and largely foregoing | the kind of one-on-one
campaigning …". PolNeAR annotates one statement there, so a piece is a wrong statement and
the other too short. Two statements of the same cue whose contents are a few words apart in
one sentence, with no verb or coordinated clause between them (these open a statement of its
own: "says she respects Sanders | but argues that | he can't deliver"), are one statement (PolNeAR
train[:300]: 10 of 13 such pairs are one annotated content).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from bot.models import ClaimKind
from bot.nlp.attribution import Attribution
from bot.nlp.attribution.records import CharSpan

# at most this many words between the two pieces
MAX_GAP_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?][\"'”’]*\s")


def _one_content(doc: Doc, first: Attribution, second: Attribution) -> bool:
    if first.cue is None or first.cue != second.cue or second.start < first.end:
        return False
    gap = doc.text[first.end : second.start]
    if "\n" in gap or _SENTENCE_END.search(gap) or len(gap.split()) > MAX_GAP_WORDS:
        return False
    words = doc.char_span(first.end, second.start, alignment_mode="expand")
    if words is None or any(
        t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB") or t.tag_ == "MD" for t in words
    ):
        return False
    # "but argues that", "and warns": a coordinated clause, whatever the tagger makes of its verb
    named = [t for t in words if t.is_alpha]
    return not (len(named) > 1 and named[0].pos_ == "CCONJ")


def _joined(first: Attribution, second: Attribution) -> Attribution:
    *head, (start, _) = first.content
    (_, end), *tail = second.content
    kind = first.kind if first.kind is second.kind else ClaimKind.INDIRECT
    return Attribution(
        kind,
        (*head, CharSpan((start, end)), *tail),
        first.cue,
        first.source or second.source,
        first.source_head or second.source_head,
        first.inherited and second.inherited,
    )


def joined_contents(doc: Doc, attributions: Sequence[Attribution]) -> list[Attribution]:
    """``attributions`` (in text order) with the pieces of one content joined into it."""
    joined: list[Attribution] = []
    for attribution in attributions:
        if joined and _one_content(doc, joined[-1], attribution):
            joined[-1] = _joined(joined[-1], attribution)
        else:
            joined.append(attribution)
    return joined
