"""Negation and stance reversal: "will send" vs "will not send", "supports" vs "opposes".

Pure functions over tokens. A statement and its negation are close in embedding space, so
these explicit checks are what turns a false "repeat" into "changed".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from bot.matching.features import STOPWORDS, stem, swapped_in_place, tokens, words

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

# A word may sit in several pairs ("lost" is the opposite of "gained" and of "won"). Words put in
# place of each other are read against every pair they take (``_STEM_SIDES``); words anywhere in
# two statements only against the first (``_STEM_SIDE``): across whole sentences, "more" against
# a "lower" elsewhere is no reversal.
_STEM_SIDES: dict[str, frozenset[tuple[int, int]]] = {}
_STEM_SIDE: dict[str, frozenset[tuple[int, int]]] = {}
for _i, (_left, _right) in enumerate(ANTONYM_PAIRS):
    for _side, _words in enumerate((_left, _right)):
        for _w in _words:
            _STEM_SIDES[stem(_w)] = _STEM_SIDES.get(stem(_w), frozenset()) | {(_i, _side)}
            _STEM_SIDE.setdefault(stem(_w), frozenset({(_i, _side)}))


def _opposite(x: str, y: str, sides: dict[str, frozenset[tuple[int, int]]] = _STEM_SIDE) -> bool:
    """True when stems ``x`` and ``y`` are the two sides of one pair of opposites."""
    return any((pair, 1 - side) in sides.get(y, ()) for pair, side in sides.get(x, ()))


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


_CONTRACTION_BASES = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}


def _with_negations_apart(text: str) -> tuple[list[str], list[str]]:
    """Tokens with each negation as a word of its own ("doesn't" -> "does", "not"; "cannot" ->
    "can", "not"; "won't" -> "will", "not"), and beside each the word it was read from."""
    out: list[str] = []
    written: list[str] = []
    for tok in tokens(text):
        if tok.endswith("n't") and len(tok) > 3:
            base = tok[:-3]
            out += [_CONTRACTION_BASES.get(base, base), "not"]
            written += [tok, tok]
        elif tok == "cannot":
            out += ["can", "not"]
            written += [tok, tok]
        else:
            out.append(tok)
            written.append(tok)
    return out, written


def negation_flipped_in_place(a: str, b: str) -> str | None:
    """The negating word one statement adds where the other says the same words plainly ("was
    not encouraging" vs "was encouraging", "doesn't have to" vs "does have to", "would not refuse"
    vs "would refuse"), or None.

    The two token sequences are aligned; a stretch that differs only by negation words, in number,
    is a flip wherever it stands: in a relative clause, a second clause, or beside another negation
    the two share ("Nobody has the guts" vs "Nobody has not the guts"), which the scope rule below
    cannot see.
    """
    (ta, wa), (tb, wb) = _with_negations_apart(a), _with_negations_apart(b)
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        neg_left = [wa[i] for i in range(i1, i2) if ta[i] in NEGATION_WORDS]
        neg_right = [wb[j] for j in range(j1, j2) if tb[j] in NEGATION_WORDS]
        if len(neg_left) == len(neg_right):
            continue
        rest_left = [t for t in ta[i1:i2] if t not in NEGATION_WORDS]
        rest_right = [t for t in tb[j1:j2] if t not in NEGATION_WORDS]
        if rest_left == rest_right:
            return (neg_left or neg_right)[0]
    return None


def compare_negation(a: str, b: str) -> Polarity:
    """A mismatch when one statement negates something the other states plainly.

    A negation added in place, the rest of the words the same, is a mismatch wherever it stands
    (``negation_flipped_in_place``). Otherwise only a negation whose scope (the few words after
    the cue) shares a content word with the other statement counts: "will not send troops" vs
    "will send troops" does, while an aside such as "who did not want to be named" or "Not
    surprisingly, ..." does not.
    """
    flipped = negation_flipped_in_place(a, b)
    if flipped is not None:
        return Polarity(True, f"negation: only one says '{flipped}'")
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
    return any(_opposite(word, o) for word in scope if word in _STEM_SIDE for o in other_stems)


def opposite_in_place(a: str, b: str) -> tuple[str, str] | None:
    """The opposite words put in place of each other, the rest of the words the same ("tended to
    support Sanders" vs "tended to oppose Sanders" when both also "support Clinton"; "can't lose"
    vs "can't win"), or None."""
    return swapped_in_place(tokens(a), tokens(b), lambda x, y: _opposite(stem(x), stem(y), _STEM_SIDES))


def compare_stance(a: str, b: str) -> Polarity:
    """Opposite words on the two sides ("supports" vs "opposes") not shared by both, or put in
    place of each other (``opposite_in_place``)."""
    swapped = opposite_in_place(a, b)
    if swapped is not None:
        return Polarity(True, f"opposite wording: '{swapped[0]}' vs '{swapped[1]}'")
    # a stance word under a negation says the opposite ("will not close" = "will stay open")
    negated_a = {w for _, scope in _negated_words(a) for w in scope}
    negated_b = {w for _, scope in _negated_words(b) for w in scope}
    sa = {stem(t): t for t in tokens(a) if stem(t) not in negated_a}
    sb = {stem(t): t for t in tokens(b) if stem(t) not in negated_b}
    only_a = {st: word for st, word in sa.items() if st in _STEM_SIDE and st not in sb}
    only_b = {st: word for st, word in sb.items() if st in _STEM_SIDE and st not in sa}
    for st_a, word_a in only_a.items():
        for st_b, word_b in only_b.items():
            if _opposite(st_a, st_b):
                return Polarity(True, f"opposite wording: '{word_a}' vs '{word_b}'")
    return Polarity(False, None)
