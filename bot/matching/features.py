"""Lexical evidence for matching: tokens, content words, character n-grams, name-like entities.

Pure functions, no model: fast enough to run on every candidate of every query.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from difflib import SequenceMatcher
from functools import lru_cache

logger = logging.getLogger(__name__)


def words(text: str) -> list[str]:
    """Whitespace-separated words: word lists read better as text blocks than as literals."""
    return text.split()


STOPWORDS = frozenset(
    words(
        """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself now of off on once only or other our ours ourselves
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves said says say
    saying told tells according s t re ve ll d m mr mrs ms dr one us via amp rt just get got
    gets like
    """
    )
)

_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_CAP_SEQ_RE = re.compile(
    r"\b(?:[A-Z][a-zA-Z'’.-]*[a-zA-Z]|[A-Z]{2,})(?:\s+(?:[A-Z][a-zA-Z'’.-]*[a-zA-Z]|[A-Z]{2,}))*"
)
_SUFFIXES = ("ingly", "edly", "ing", "ies", "ied", "ed", "es", "s", "ly")

# Capitalised words that start sentences or are titles more often than names.
ENTITY_STOP = frozenset(
    words(
        """
    the a an this that these those it he she they we i you his her their our my in on at for of
    and but or if when while after before as by with from to not no yes breaking update watch
    photo video president senator sen rep gov governor mr mrs ms dr former new said says says:
    just monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december
    """
    )
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately crude suffix stripper: enough to meet "supports"/"supported"/"support"."""
    w = word.lower().replace("’", "'")
    if w.endswith("n't"):
        return w
    w = w.split("'")[0]
    for suffix in _SUFFIXES:
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            if suffix in {"ies", "ied"}:
                w += "y"
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":  # "stopped" -> "stopp" -> "stop"
        w = w[:-1]
    return w


# Pair scoring sees the same text many times (a new claim against each of its ~20 candidates,
# a stored claim against every claim of an article), so the per-text work below is memoised.
# Cached values are immutable; callers get fresh lists/sets, so nothing shared can be mutated.
_TEXT_CACHE = 16_384


@lru_cache(maxsize=_TEXT_CACHE)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(t.lower().replace("’", "'") for t in _TOKEN_RE.findall(text))


def tokens(text: str) -> list[str]:
    return list(_tokens(text))


def cased_tokens(text: str) -> list[str]:
    """The words of ``tokens`` as written (capitals kept: a name is told by them)."""
    return _TOKEN_RE.findall(text)


@lru_cache(maxsize=_TEXT_CACHE)
def _content_stems(text: str) -> tuple[str, ...]:
    return tuple(
        stem(t)
        for t in _tokens(text)
        if t not in STOPWORDS and len(t) > 1 and t.split("'")[0] not in STOPWORDS
    )


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry the proposition (stopwords and 1-letter tokens dropped)."""
    return list(_content_stems(text))


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def containment(a: Iterable[str], b: Iterable[str]) -> float:
    """Share of ``a``'s items that also occur in ``b`` (query-side coverage)."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa) if sa else 0.0


@lru_cache(maxsize=_TEXT_CACHE)
def _char_ngrams(text: str, n: int) -> frozenset[str]:
    squashed = " " + " ".join(_tokens(text)) + " "
    # zip of shifted copies: ~20% faster than slicing, and this runs for every stored candidate
    return frozenset(map("".join, zip(*(squashed[i:] for i in range(n)), strict=False)))


def char_ngrams(text: str, n: int = 3) -> set[str]:
    return set(_char_ngrams(text, n))


def char_ngram_similarity(a: str, b: str, n: int = 3) -> float:
    """Dice coefficient on character n-grams: robust to inflection and small spelling changes."""
    ga, gb = _char_ngrams(a, n), _char_ngrams(b, n)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def entities(text: str) -> set[str]:
    """Lower-cased name-like words (capitalised, not sentence-initial function words, or acronyms).

    A heuristic, not NER: it only has to say whether two statements name different things. A
    capitalised first word counts too ("Biden won"); a common word there ("Prices rose") is harmless
    because ``entity_mismatch`` ignores names the other side uses in any case.
    """
    return set(_entities(text))


@lru_cache(maxsize=_TEXT_CACHE)
def _entities(text: str) -> frozenset[str]:
    found: set[str] = set()
    for m in _CAP_SEQ_RE.finditer(text):
        for word in m.group(0).split():
            w = word.strip(".'’-").lower()
            if len(w) < 2 or w in ENTITY_STOP or w in STOPWORDS:
                continue
            found.add(w.removesuffix("'s"))
    return frozenset(found)


def entity_mismatch(a: str, b: str) -> tuple[set[str], set[str]]:
    """Names only one side uses (after ignoring names the other side mentions in lower case,
    spells without an apostrophe, "O'Neill's" ~ "ONeills", or abbreviates, "ATA" ~ "Air
    Transport Association")."""
    ea, eb = entities(a), entities(b)
    la, lb = {stem(t) for t in tokens(a)}, {stem(t) for t in tokens(b)}
    ka, kb = {_name_key(e) for e in ea}, {_name_key(e) for e in eb}
    spelled_a = _spelled_out(a, eb) | (ea & _initial_runs(b))
    spelled_b = _spelled_out(b, ea) | (eb & _initial_runs(a))
    only_a = {e for e in ea - eb if not _named_by_other(e, lb, kb, spelled_a, eb | lb)}
    only_b = {e for e in eb - ea if not _named_by_other(e, la, ka, spelled_b, ea | la)}
    return only_a, only_b


def _named_by_other(name: str, stems: set[str], keys: set[str], spelled: set[str], words: set[str]) -> bool:
    return stem(name) in stems or _name_key(name) in keys or name in spelled or _related_name(name, words)


def _name_key(name: str) -> str:
    return name.replace("'", "").replace("’", "").removesuffix("s")


def _spelled_out(text: str, acronyms: set[str]) -> set[str]:
    """Lower-cased words of ``text`` that spell out one of ``acronyms`` (the other side's names):
    "Air Transport Association" for "ata"."""
    return {w for initials, words in _initial_windows(text) if initials in acronyms for w in words}


@lru_cache(maxsize=_TEXT_CACHE)
def _initial_runs(text: str) -> frozenset[str]:
    """The initials of every run of two to six capitalised words in ``text``."""
    return frozenset(initials for initials, _ in _initial_windows(text))


def _initial_windows(text: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(initials, words) of every run of two to six neighbouring capitalised words."""
    for run in _capital_runs(text):
        initials = "".join(w[:1] for w in run)
        for size in range(2, min(6, len(run)) + 1):
            for i in range(len(run) - size + 1):
                yield initials[i : i + size], run[i : i + size]


@lru_cache(maxsize=_TEXT_CACHE)
def _capital_runs(text: str) -> tuple[tuple[str, ...], ...]:
    """Runs of capitalised words, lower-cased, edge punctuation stripped ("Air Transport Association")."""
    return tuple(
        tuple(w.strip(".'’-").lower() for w in m.group(0).split()) for m in _CAP_SEQ_RE.finditer(text)
    )


def _related_name(name: str, others: set[str]) -> bool:
    """ "romanian" ~ "romania", "israeli" ~ "israel": a shared 5-letter start is the same name."""
    return len(name) >= 5 and any(len(o) >= 5 and o[:5] == name[:5] for o in others)


def swapped_in_place(
    a: Sequence[str], b: Sequence[str], swapped: Callable[[str, str], bool]
) -> tuple[str, str] | None:
    """The first pair of words put in place of each other in two aligned word sequences, where
    every word that differs in that stretch is ``swapped`` with its counterpart and the rest of
    the words are the same; None when there is none."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace" or i2 - i1 != j2 - j1:
            continue
        pairs = [(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True) if x != y]
        if pairs and all(swapped(x, y) for x, y in pairs):
            return pairs[0]
    return None
