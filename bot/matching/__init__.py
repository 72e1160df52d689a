"""Statement matching: MiniLM embeddings, pair verdicts with reasons, retrieval re-ranking.

Public API (used by ``bot.service`` and the CLI):

* ``compare_statements(a, b, *, encoder, thresholds=None) -> Comparison``
* ``judge_pair(a, b, cosine, *, thresholds=None) -> Comparison``
* ``MatchThresholds.from_settings(settings)``
* ``normalise_query(text) -> str`` and ``rerank(query, query_vec, candidates) -> [(Candidate, score)]``

The encoder that turns statements into vectors (``bot.ports.Encoder``) is infrastructure:
``bot.inference.encoder`` runs it; this package only compares what it gives.
"""

from bot.matching.compare import MatchThresholds, compare_statements, judge_pair
from bot.matching.retrieval import normalise_query, rerank

__all__ = [
    "MatchThresholds",
    "compare_statements",
    "judge_pair",
    "normalise_query",
    "rerank",
]
