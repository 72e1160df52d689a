"""Query building for full-text search, and the lexical score handed back with each hit.

The database ranks (FTS5 ``bm25`` / PostgreSQL ``ts_rank_cd``) but those scores are not
comparable across queries or backends, so ``lexical`` is our own absolute measure: the
share of the query's content words found in the claim (after a light stemming), in [0, 1].
It means the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 32

_STOPWORDS_TEXT = """
a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is
it its itself just me more most my myself now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your yours yourself
yourselves said says say told tells
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A deliberately light suffix strip (close enough to Porter for overlap counting)."""
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_words(text: str) -> list[str]:
    """Lower-cased words without stopwords, in order, unique (letters, digits, underscore)."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text.casefold()):
        word = match.group(0).strip("_")
        if word and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


def coverage(query: str, text: str) -> float:
    """Share of the query's content words (stemmed) present in ``text``; 0 for an empty query."""
    wanted = {_stem(w) for w in content_words(query)}
    if not wanted:
        return 0.0
    present = {_stem(w) for w in content_words(text)}
    return len(wanted & present) / len(wanted)


def _stems(text: str) -> set[str]:
    """Stems of every word of ``text`` (stopwords included: only membership is asked)."""
    return {_stem(w) for w in _WORD.findall(text.casefold())}


def rank_pool(query: str, pool: Sequence[tuple[int, str]]) -> list[tuple[int, float]]:
    """Orders full-text matches by the weighted share of query words they contain, best first.

    A word's weight is its inverse frequency within the pool itself, so a rare name counts
    more than a common verb without corpus-wide statistics (whose cost would grow with the
    store). Ties go to the newer claim (higher id).
    """
    wanted = list(dict.fromkeys(_stem(w) for w in content_words(query)))
    if not wanted or not pool:
        return []
    present = [_stems(text) for _, text in pool]
    size = len(pool)
    weights = {w: math.log(1.0 + size / (1.0 + sum(w in words for words in present))) for w in wanted}
    total = sum(weights.values()) or 1.0
    scored = [
        (pk, sum(weights[w] for w in wanted if w in words) / total)
        for (pk, _), words in zip(pool, present, strict=True)
    ]
    return sorted(scored, key=lambda item: (-item[1], -item[0]))


def query_words(query: str) -> list[str]:
    """The query's content words usable in both FTS5 and tsquery syntax (letters and digits)."""
    return [w for w in content_words(query) if w.isalnum()][:MAX_QUERY_TERMS]


def fts5_query(words: Sequence[str], *, tenant: str, every_word: bool) -> str:
    """An FTS5 MATCH expression restricted to the ``tenant`` column token; words are quoted."""
    joined = (" AND " if every_word else " OR ").join(f'"{w}"' for w in words)
    return f'tenant : "{tenant}" AND ({joined})'


def tsquery(words: Sequence[str], *, every_word: bool) -> str:
    """A ``to_tsquery('english', ...)`` expression of the words (already alphanumeric)."""
    return (" & " if every_word else " | ").join(words)


__all__ = ["content_words", "coverage", "fts5_query", "query_words", "rank_pool", "tsquery"]
