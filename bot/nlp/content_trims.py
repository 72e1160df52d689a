"""Words at the end of a reported statement's content that a reader sees are not what was said.

Applied to the final statements (the rules' and the span tagger's alike; the tagger's extents
are not cut by the rules' boundary model), each trim a pure function of the parsed ``Doc``
and one statement:

* a circumstance of the saying the parser hangs on the cue, not on anything inside the
  content ("called for more school investment | in a statement", "... | at a rally in South
  Carolina Friday night", "... | during the primaries", "... | last Thursday"): when, where
  and how the speaker spoke, which the writer adds, not the speaker's words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from bot.models import ClaimKind
from bot.nlp.attribution import Attribution, CharSpan

# how a phrase of the cue hangs on it when it says when, where or how the saying happened
CIRCUMSTANCE_DEPS = frozenset(
    {"obl", "obl:unmarked", "obl:tmod", "obl:npmod", "nmod:tmod", "npadvmod", "advmod", "prep"}
)
# the prepositions of such a phrase ("in a statement", "at a rally", "via Facebook")
CIRCUMSTANCE_CASES = frozenset(
    {"in", "at", "on", "during", "via", "following", "after", "before", "amid", "while", "to", "through"}
)
# what a speaker speaks at or in: the occasion, which is the writer's word, not the speaker's
OCCASIONS = frozenset(
    {"statement", "interview", "speech", "rally", "debate", "tweet", "tweets", "post", "conference",
     "briefing", "appearance", "address", "hearing", "forum", "op-ed", "release", "broadcast",
     "podcast", "remarks", "town", "facebook", "twitter", "email", "e-mail", "letter", "stop"}
)  # fmt: skip
# a day of the news, as reports date a saying ("on Wednesday", "last Thursday", "Friday night")
NEWS_DAYS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday",
     "today", "tonight"}
)  # fmt: skip
NEWS_DAY_WORDS = NEWS_DAYS | frozenset({"on", "last", "this", "early", "late", "earlier", "later", "morning",
                                        "afternoon", "evening", "night"})  # fmt: skip
QUOTE_CHARS = frozenset("\"“”'‘’")
MIN_LEFT = 2  # words the content keeps at least


def trimmed_contents(doc: Doc, found: Sequence[Attribution]) -> list[Attribution]:
    """``found`` with each reported statement's content trimmed as above."""
    return [_trimmed(doc, a) for a in found]


def _trimmed(doc: Doc, attribution: Attribution) -> Attribution:
    if attribution.kind is not ClaimKind.INDIRECT or attribution.cue is None or len(attribution.content) != 1:
        return attribution
    (start, end) = attribution.content[0]
    content = doc.char_span(start, end, alignment_mode="expand")
    cue = doc.char_span(attribution.cue[0], attribution.cue[1], alignment_mode="expand")
    if content is None or cue is None or not len(cue) or not len(content):
        return attribution
    new_end = without_circumstances(content, cue.root)
    if new_end >= end:
        return attribution
    return dataclasses.replace(attribution, content=(CharSpan((start, new_end)),))


def without_circumstances(content: Span, cue: Token) -> int:
    """The end character of ``content`` less the circumstances of the cue it ends with."""
    doc = content.doc
    end = content.end  # token index, exclusive
    while end > content.start and (doc[end - 1].is_punct and doc[end - 1].text not in QUOTE_CHARS):
        end -= 1
    cut = end
    changed = True
    while changed:  # "via Facebook | on Friday": one phrase of the cue after another
        changed = False
        for child in cue.children:
            left, right = child.left_edge.i, child.right_edge.i
            if right + 1 == cut and left >= content.start + MIN_LEFT and _is_circumstance(child):
                cut = left
                changed = True
    if cut == end:
        return content.end_char
    while cut > content.start + 1 and doc[cut - 1].is_punct and doc[cut - 1].text not in QUOTE_CHARS:
        cut -= 1  # the comma before the phrase
    return doc[cut - 1].idx + len(doc[cut - 1].text)


def _is_circumstance(phrase: Token) -> bool:
    """A phrase of the cue that says where or when it was said, by words that leave no doubt:
    the occasion of a saying ("in a statement", "at a rally", "via Facebook") or a day of the
    news ("on Wednesday", "last Thursday", "Friday night"); not one with quoted words in it.
    Other phrases ("in 2004", "in Europe", "to the committee") the parser hangs on the cue as
    readily when they belong to the content, so they stay."""
    if phrase.dep_ not in CIRCUMSTANCE_DEPS:
        return False
    words = list(phrase.subtree)
    if any(ch in QUOTE_CHARS for t in words for ch in t.text):
        return False
    first = words[0]
    if (
        first.lower_ in CIRCUMSTANCE_CASES
        and first.dep_ in {"case", "mark", "prep"}
        and (phrase.lemma_.lower() in OCCASIONS or phrase.lower_ in OCCASIONS)
    ):
        return True
    return all(t.lower_ in NEWS_DAY_WORDS or t.is_punct or t.dep_ in {"case", "det"} for t in words) and any(
        t.lower_ in NEWS_DAYS for t in words
    )
