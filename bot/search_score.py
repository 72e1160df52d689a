"""What a search score means, the same for every query (issue 23.9).

Search *ranks* with the re-ranker (``bot.matching.retrieval.rerank``), whose score is relative:
it weighs each candidate against the others found for that query (the gap to the best cosine,
word rarity within the candidates), so the top result scored about the same whatever the query.
What search *shows* is absolute: the meaning similarity of the query and the statement, the
cosine of their MiniLM embeddings (0 to 1; the same pair always gets the same number).

A result is *close* when that similarity is at least ``CLOSE_SIMILARITY``, or at least
``RELATED_SIMILARITY`` and the query and the statement (or an imported fact-check's headline)
share a content word. When no result is close the answer says that nothing close was found.
Measured on CheckThat 2020 dev (197 tweets, each against its verified claim): 95.9 % of the right
claims are close (78.7 % with the similarity rule alone at 0.5, 99 % reach 0.3); off-topic
queries against its claims ("who won the football match yesterday": best similarity 0.34, no
shared word) are not.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.matching.features import content_stems
from bot.models import SearchHit, StoredClaim

CLOSE_SIMILARITY = 0.5
RELATED_SIMILARITY = 0.3


def shown_score(cosine: float) -> float:
    """The similarity search shows: the cosine, clipped to [0, 1] and rounded to 4 places."""
    return round(min(1.0, max(0.0, float(cosine))), 4)


def is_close(query: str, claim: StoredClaim, similarity: float) -> bool:
    if similarity >= CLOSE_SIMILARITY:
        return True
    if similarity < RELATED_SIMILARITY:
        return False
    words = set(content_stems(query))
    return bool(words & set(content_stems(claim.text))) or bool(
        claim.title and words & set(content_stems(claim.title))
    )


def nothing_close_line(query: str, hits: Sequence[SearchHit]) -> str | None:
    """ "Nothing close to “recipe for banana bread” was found (the nearest statement's similarity
    is 0.29)." when there are results and none is close; None otherwise (adapters add markup)."""
    if not hits or any(h.close for h in hits):
        return None
    best = max(h.score for h in hits)
    return f"Nothing close to “{query}” was found (the nearest statement's similarity is {best:.2f})."


def close_hits(hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The results a person is shown: the close ones, best first (JSON keeps every result)."""
    return [h for h in hits if h.close]


__all__ = [
    "CLOSE_SIMILARITY",
    "RELATED_SIMILARITY",
    "close_hits",
    "is_close",
    "nothing_close_line",
    "shown_score",
]
