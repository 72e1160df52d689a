"""Negation and stance reversal: "will send" vs "will not send", "supports" vs "opposes".

Pure functions over tokens. A statement and its negation are close in embedding space, so
these explicit checks are what turns a false "repeat" into "changed".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.matching.features import STOPWORDS, stem, tokens, words

logger = logging.getLogger(__name__)

NEGATION_WORDS = frozenset(
    words(
        """
    not no never none nobody nothing neither nor cannot without nowhere deny denies denied
    denying refuse refuses refused refusing
    """
    )
)

# Verbs and adjectives that carry a negation of their own: "declined to comment" says what "had
# no comment" does, "had declined requests" what "did not respond to requests" does.
IMPLICIT_NEGATIVES = frozenset(
    stem(w)
    for w in words(
        """
    decline declines declined declining lack lacks lacked lacking unable absent absence
    avoid avoids avoided avoiding ignore ignores ignored ignoring refrain refrains refrained
    fail fails failed failing
    """
    )
)

# Pairs of opposite words; each side lists surface forms, matched through ``stem``.
ANTONYM_PAIRS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("support", "supports", "supported", "supporting", "backs", "backed", "favour", "favor", "favors"),
        ("oppose", "opposes", "opposed", "opposing", "against", "rejects", "rejected"),
    ),
    (
        (
            "increase",
            "increased",
            "increases",
            "increasing",
            "raise",
            "raised",
            "raises",
            "grow",
            "grew",
            "grows",
            "growing",
            "gain",
            "gains",
            "gained",
        ),
        (
            "decrease",
            "decreased",
            "decreases",
            "decreasing",
            "cut",
            "cuts",
            "lower",
            "lowered",
            "shrink",
            "shrank",
            "shrinks",
            "lose",
            "loses",
            "lost",
        ),
    ),
    (
        ("rise", "rises", "rose", "risen", "rising", "up", "higher", "more"),
        ("fall", "falls", "fell", "fallen", "falling", "down", "lower", "less", "fewer"),
    ),
    (("win", "wins", "won", "winning"), ("lose", "loses", "lost", "losing")),
    (("likely", "probable"), ("unlikely", "improbable")),
    (("legal", "lawful"), ("illegal", "unlawful")),
    (("true", "correct", "accurate"), ("false", "incorrect", "inaccurate", "fake")),
    (
        ("approve", "approved", "approves", "accept", "accepted", "accepts"),
        ("reject", "rejected", "rejects", "veto", "vetoed", "vetoes"),
    ),
    (("agree", "agrees", "agreed"), ("disagree", "disagrees", "disagreed")),
    (
        ("allow", "allows", "allowed", "permit", "permits", "permitted", "lift", "lifted"),
        ("ban", "bans", "banned", "forbid", "forbids", "forbade", "prohibit", "prohibits", "prohibited"),
    ),
    (("guilty",), ("innocent",)),
    (("safe", "safer"), ("dangerous", "unsafe")),
    (("success", "successful", "succeeded"), ("failure", "failed", "fails", "unsuccessful")),
    (("strong", "stronger", "strengthen"), ("weak", "weaker", "weaken")),
    (("best",), ("worst",)),
    (("always",), ("never",)),
    (("before",), ("after",)),
    (
        ("start", "started", "starts", "begin", "began", "begins"),
        ("end", "ended", "ends", "stop", "stopped", "stops"),
    ),
    (("open", "opened", "opens"), ("close", "closed", "closes", "shut")),
    (("join", "joined", "joins", "enter", "entered"), ("leave", "left", "leaves", "quit", "exit", "exited")),
)

_STEM_SIDE: dict[str, tuple[int, int]] = {}
for _i, (_left, _right) in enumerate(ANTONYM_PAIRS):
    for _side, _words in enumerate((_left, _right)):
        for _w in _words:
            _STEM_SIDE.setdefault(stem(_w), (_i, _side))


def negation_cues(text: str) -> list[str]:
    """Negating words in order ("not", "n't" forms, "never", "deny"...)."""
    cues: list[str] = []
    for tok in tokens(text):
        if tok.endswith("n't") or tok in NEGATION_WORDS:
            cues.append(tok)
    return cues


@dataclass(frozen=True, slots=True)
class Polarity:
    mismatch: bool
    reason: str | None


_CLAUSE_BREAK_RE = re.compile(r"[,;:.!?()\"“”]|\s[-–—]\s")


def _negated_words(text: str, window: int = 4) -> list[tuple[str, set[str]]]:
    """Each negation cue with the stems of the content words in its scope (the next few words)."""
    return [(cue, set(scope)) for cue, scope in _negated_words_cached(text, window)]


@lru_cache(maxsize=16_384)  # pair scoring asks for the same text many times
def _negated_words_cached(text: str, window: int) -> tuple[tuple[str, frozenset[str]], ...]:
    scoped: list[tuple[str, frozenset[str]]] = []
    for clause in _CLAUSE_BREAK_RE.split(text):  # a scope ends at the clause: "Not surprisingly, ..."
        toks = tokens(clause)
        for i, tok in enumerate(toks):
            if tok.endswith("n't") or tok in NEGATION_WORDS:
                scope = {stem(t) for t in toks[i + 1 : i + 1 + window] if t not in STOPWORDS and len(t) > 1}
                scoped.append((tok, frozenset(scope)))
    return tuple(scoped)


def compare_negation(a: str, b: str) -> Polarity:
    """A mismatch when one statement negates something the other states plainly.

    Only a negation whose scope (the few words after the cue) shares a content word with the other
    statement counts: "will not send troops" vs "will send troops" does, while an aside such as
    "who did not want to be named" or "Not surprisingly, ..." does not.
    """
    na, nb = _negated_words(a), _negated_words(b)
    if bool(na) == bool(nb):
        return Polarity(False, None)
    negated, other = (na, b) if na else (nb, a)
    other_stems = {stem(t) for t in tokens(other)}
    for cue, scope in negated:
        if not scope & other_stems or _negated_antonym_stated(scope, other_stems):
            continue
        # the other side negates in a word ("declined to comment" vs "no comment"), unless
        # that very word is what this side negates ("did not fail" vs "failed")
        if (IMPLICIT_NEGATIVES & other_stems) - scope:
            continue
        return Polarity(True, f"negation: only one says '{cue}'")
    return Polarity(False, None)


def _negated_antonym_stated(scope: frozenset[str] | set[str], other_stems: set[str]) -> bool:
    """Litotes: "will not close the crossing" states what "will keep the crossing open" does.

    A negated word whose opposite (from the stance pairs) the other statement uses plainly
    is agreement, not a reversal.
    """
    for word in scope:
        if word not in _STEM_SIDE:
            continue
        pair, side = _STEM_SIDE[word]
        if any(_STEM_SIDE.get(o) == (pair, 1 - side) for o in other_stems):
            return True
    return False


def compare_stance(a: str, b: str) -> Polarity:
    """Opposite words on the two sides ("supports" vs "opposes") not shared by both."""
    # a stance word under a negation says the opposite ("will not close" = "will stay open")
    negated_a = {w for _, scope in _negated_words(a) for w in scope}
    negated_b = {w for _, scope in _negated_words(b) for w in scope}
    sa = {stem(t): t for t in tokens(a) if stem(t) not in negated_a}
    sb = {stem(t): t for t in tokens(b) if stem(t) not in negated_b}
    sides_a: dict[int, dict[int, str]] = {}
    sides_b: dict[int, dict[int, str]] = {}
    for st, word in sa.items():
        if st in _STEM_SIDE and st not in sb:
            pair, side = _STEM_SIDE[st]
            sides_a.setdefault(pair, {})[side] = word
    for st, word in sb.items():
        if st in _STEM_SIDE and st not in sa:
            pair, side = _STEM_SIDE[st]
            sides_b.setdefault(pair, {})[side] = word
    for pair, a_sides in sides_a.items():
        b_sides = sides_b.get(pair, {})
        for side, word in a_sides.items():
            other = b_sides.get(1 - side)
            if other is not None:
                return Polarity(True, f"opposite wording: '{word}' vs '{other}'")
    return Polarity(False, None)
