"""Statement matching: MiniLM embeddings, pair verdicts with reasons, retrieval re-ranking.

Public API (used by ``bot.service`` and the CLI):

* ``MiniLMEncoder`` / ``load_encoder(settings)`` - ``bot.ports.Encoder`` over all-MiniLM-L6-v2, offline.
* ``compare_statements(a, b, *, encoder, thresholds=None) -> Comparison``
* ``judge_pair(a, b, cosine, *, thresholds=None) -> Comparison``
* ``MatchThresholds.from_settings(settings)``
* ``normalise_query(text) -> str`` and ``rerank(query, query_vec, candidates) -> [(Candidate, score)]``

Importing this package does not import torch; the model loads on the first ``encode``.
"""

from bot.matching.compare import MatchThresholds, compare_statements, judge_pair
from bot.matching.encoder import MiniLMEncoder, load_encoder
from bot.matching.retrieval import normalise_query, rerank

__all__ = [
    "MatchThresholds",
    "MiniLMEncoder",
    "compare_statements",
    "judge_pair",
    "load_encoder",
    "normalise_query",
    "rerank",
]
