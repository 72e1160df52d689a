"""Where a reported statement ends: a learned choice among the places a complement can stop.

The rule-based generator in :mod:`bot.nlp.attribution` takes the complement of a cue up to
the end of the sentence (or the next cue, a semicolon, ", but"). Newspaper sentences go on
after what was said: "accused her of being asleep when late-night calls came in",
"attacked Machado in early-morning tweets", "said X, although engineers doubt it". The parse
says where the complement ends, but a misattached adjunct would cut real content, so the
parse is evidence here, not the rule: every place a complement could stop (before a comma,
a conjunction, a preposition, a subordinate clause, or the end) is scored by a logistic
regression over lexical, positional and dependency features, fitted on PolNeAR train by
``scripts/train_attribution.py``, and the best-scoring place wins.

Pure functions of a parsed ``Doc``; cost O(cut points x features) per statement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from bot.nlp.tokens import FINITE_TAGS
from bot.nlp.tokens import token_tag as _tag

BREAK_PUNCT = frozenset({",", ";", "(", "--", "—", "–", ":"})
COORDINATORS = frozenset({"and", "but", "or"})
RELATIVES = frozenset({"which", "who", "whom", "whose", "where"})
SUBORDINATORS = frozenset(
    {"because", "although", "though", "while", "when", "after", "before", "since", "as", "if", "until",
     "unless", "whereas", "once"}
)  # fmt: skip
PREPOSITIONS = frozenset(
    {"in", "on", "at", "for", "with", "by", "from", "during", "to", "amid", "despite", "including",
     "into", "over", "about", "against", "through", "without", "following", "ahead", "under", "across"}
)  # fmt: skip

FEATURE_NAMES = (
    "bias_end", "log_len", "log_rest", "fraction", "punct_comma", "punct_other", "coordinator",
    "relative", "subordinator", "preposition", "next_verb", "next_gerund", "head_is_cue",
    "head_inside", "head_right", "phrase_to_cue", "prefix_has_finite", "rest_has_finite",
    "adverbial_dep", "clausal", "coordinated_cue_verb", "rest_is_short", "first_cut",
    "object_comma", "object_coordinator", "object_preposition", "object_subordinator", "object_relative",
    "object_punct_other", "new_clause_after", "comma_coordinator",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class BoundaryModel:
    """Logistic regression over :func:`cut_features`; the highest-scoring cut wins."""

    weights: tuple[float, ...]
    bias: float

    def score(self, features: Sequence[float]) -> float:
        return self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))


def _inside(quotes: Sequence[tuple[int, int]], char: int) -> bool:
    return any(start < char < end for start, end in quotes)


def cut_points(doc: Doc, quotes: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Token indices ``k`` where the content ``doc[start:k]`` may stop; ``end`` always included.

    A cut never falls inside a quoted passage (quotes are kept whole) and leaves at least
    two tokens of content."""
    points: list[int] = []
    for k in range(start + 2, end):
        token = doc[k]
        lower = token.lower_
        if not (
            token.text in BREAK_PUNCT
            or lower in COORDINATORS
            or lower in RELATIVES
            or lower in SUBORDINATORS
            or lower in PREPOSITIONS
        ):
            continue
        if _inside(quotes, token.idx):
            continue
        points.append(k)
    points.append(end)
    return points


def content_end(doc: Doc, start: int, k: int) -> int:
    """``k`` without the punctuation and conjunctions the content would end on."""
    while k > start + 1 and (doc[k - 1].text in BREAK_PUNCT or doc[k - 1].lower_ in COORDINATORS):
        k -= 1
    return k


def _new_clause_after(doc: Doc, start: int, k: int, end: int) -> bool:
    """Whether a clause with its own subject starts right after the cut and hangs outside the
    content so far (", and Clinton is promising ...")."""
    for j in range(k, min(end, k + 8)):
        token = doc[j]
        if token.dep_ in {"nsubj", "nsubj:pass", "nsubjpass"} and token.head.i > j:
            verb = token.head
            return not start <= verb.head.i < k or verb.head.i == verb.i
    return False


def cut_features(
    doc: Doc, cue: int, start: int, k: int, end: int, *, clausal: bool, first: bool = False
) -> list[float]:
    """Features of stopping the content of the cue at ``doc[k]`` (exclusive); see FEATURE_NAMES."""
    length = k - start
    rest = end - k
    at_end = k >= end
    token = doc[k] if not at_end else None
    lower = token.lower_ if token is not None else ""
    following = doc[k + 1] if k + 1 < len(doc) and not at_end else None
    # the first word after the cut that hangs outside the following phrase tells where the
    # phrase attaches: to the cue (a circumstance of the saying) or inside the content
    phrase_to_cue = 0.0
    if token is not None:
        for j in range(k, min(end, k + 4)):
            head = doc[j].head.i
            if not k <= head < end:
                phrase_to_cue = 1.0 if head == cue else (-1.0 if start <= head < k else 0.0)
                break
    coordinated_cue_verb = 0.0
    if token is not None and lower in COORDINATORS:
        for j in range(k + 1, min(end, k + 4)):
            if _tag(doc[j]).startswith("VB"):
                coordinated_cue_verb = float(doc[j].dep_ == "conj" and doc[j].head.i == cue)
                break
    head = token.head.i if token is not None else -1
    return [
        float(at_end),
        math.log1p(length),
        math.log1p(rest),
        length / max(1, end - start),
        float(token is not None and token.text == ","),
        float(token is not None and token.text in BREAK_PUNCT and token.text != ","),
        float(lower in COORDINATORS),
        float(lower in RELATIVES),
        float(lower in SUBORDINATORS),
        float(lower in PREPOSITIONS),
        float(following is not None and _tag(following).startswith("VB")),
        float(following is not None and _tag(following) == "VBG"),
        float(head == cue),
        float(start <= head < k),
        float(head >= k),
        phrase_to_cue,
        float(any(_tag(t) in FINITE_TAGS for t in doc[start:k])),
        float(any(_tag(t) in FINITE_TAGS for t in doc[k:end])),
        float(token is not None and token.dep_ in {"obl", "advcl", "advmod", "prep", "nmod", "npadvmod"}),
        float(clausal),
        coordinated_cue_verb,
        float(0 < rest <= 3),
        float(first),
        *(
            float(not clausal and flag)
            for flag in (
                token is not None and token.text == ",",
                lower in COORDINATORS,
                lower in PREPOSITIONS,
                lower in SUBORDINATORS,
                lower in RELATIVES,
                token is not None and token.text in BREAK_PUNCT and token.text != ",",
            )
        ),
        float(token is not None and _new_clause_after(doc, start, k + 1, end)),
        float(
            token is not None
            and token.text == ","
            and following is not None
            and following.lower_ in COORDINATORS
        ),
    ]


def candidate_cuts(
    doc: Doc, quotes: Sequence[tuple[int, int]], cue: int, start: int, end: int, *, clausal: bool
) -> list[tuple[int, list[float]]]:
    """Each cut point with its features: what the model scores at run time and learns from
    in training (one enumeration, so the two never drift apart)."""
    return [
        (k, cut_features(doc, cue, start, k, end, clausal=clausal, first=index == 0))
        for index, k in enumerate(cut_points(doc, quotes, start, end))
    ]


def choose_end(
    model: BoundaryModel,
    doc: Doc,
    quotes: Sequence[tuple[int, int]],
    cue: int,
    start: int,
    end: int,
    *,
    clausal: bool,
) -> int:
    """The end token (exclusive) of the content of ``cue`` that starts at ``start``."""
    best_score, best = -math.inf, end
    for k, features in candidate_cuts(doc, quotes, cue, start, end, clausal=clausal):
        score = model.score(features)
        if score > best_score:
            best_score, best = score, k
    return content_end(doc, start, best)
