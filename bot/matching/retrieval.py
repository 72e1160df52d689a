"""Query preparation and re-ranking of retrieved claims (search and claim checking).

Storage returns candidates from a vector index (``Candidate.cosine``) and/or full-text search
(``Candidate.lexical``); ``rerank`` re-scores them with lexical evidence computed here from the
texts alone (term overlap weighted by rarity within the candidate set, character n-grams, shared
numbers and names; the same overlap with an imported fact-check's headline), so it does not
depend on which source a candidate came from. The weights
are a logistic regression fitted on CheckThat 2020 train by ``scripts/eval_matching.py``.
A claim stored twice with the same words (a fact-check archive holding 'single' and "double"
quoted copies) is shown once, as its oldest copy (``collapse_same_wording``).
Cost: O(candidates x words); re-ranking 50 candidates takes about a millisecond.
"""

from __future__ import annotations

import html
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.matching.features import char_ngram_similarity, content_stems, entities, stem, tokens
from bot.matching.numbers import extract_numbers
from bot.models import Candidate, StoredClaim

logger = logging.getLogger(__name__)

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|\b[a-z0-9.-]+\.(?:com|org|net|ly|co)/\S*", re.I
)
_HANDLE_RE = re.compile(r"(?<![\w@])@(\w{1,30})")
_HASHTAG_RE = re.compile(r"(?<!#)#([A-Za-z]\w*)")
_CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
# "— Donald J. Trump (@realDonaldTrump) October 15, 2019": the signature an embedded tweet ends with.
_SIGNATURE_RE = re.compile(
    r"\s*[—–-]\s*([^()\n—–]{1,60}?)\s*\(@\w+\)\s*(?:[A-Z][a-z]+\.? \d{1,2}, \d{4})?\s*$"
)
_SPACES_RE = re.compile(r"\s+")


def _split_hashtag(tag: str) -> str:
    parts = _CAMEL_RE.findall(tag)
    return " ".join(parts) if parts else tag


def _normalise_once(text: str) -> str:
    """One pass of ``normalise_query``."""
    text = html.unescape(html.unescape(text)).replace("\xa0", " ").strip()
    if len(text) > 1 and text[0] == text[-1] == '"':  # a TSV/CSV-quoted field: "..."" inside
        text = text[1:-1].replace('""', '"')
    signature = _SIGNATURE_RE.search(text)
    author = ""
    if signature:
        author = signature.group(1).strip()
        text = text[: signature.start()]
    text = _URL_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = _HASHTAG_RE.sub(lambda m: " " + _split_hashtag(m.group(1)), text)
    text = re.sub(r"\bvia\s*$", "", text.strip())
    text = re.sub(r"^\s*(?:RT\b|BREAKING:?|JUST IN:?)\s*", "", text, flags=re.I)
    text = _SPACES_RE.sub(" ", text).strip(" -—–|:")
    if author:
        text = f"{text} ({author})" if text else author
    return text


def normalise_query(text: str) -> str:
    """Tweets and chat lines as plain sentences: entities unescaped, URLs and @handles removed,
    #HashTags split into words, the "— Name (@handle) Date" signature reduced to the name.

    Idempotent (the service normalises before embedding and ``rerank`` normalises again): a
    second pass can still find a handle or tag that the first one uncovered, so repeat to a fixed point.
    """
    for _ in range(8):
        cleaned = _normalise_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


RERANK_FEATURES = (
    "cosine",
    "cosine_gap",  # cosine minus the best cosine among the candidates
    "query_coverage",  # rarity-weighted share of the query's words found in the candidate
    "claim_coverage",  # the same, seen from the candidate
    "char3_dice",
    "numbers_shared",
    "numbers_conflict",
    "names_shared",
    # An imported fact-check's headline (the claim's own text when it has none): posts that
    # repeat a checked claim are often worded like the headline rather than the claim.
    "title_coverage",  # rarity-weighted share of the query's words found in the title
    "title_char3",
)
# ``Candidate.lexical`` is deliberately not a feature: its scale depends on the store (and it is 0
# for vector-only hits); the overlap measured here means the same whatever the source. Measured on
# CheckThat train/dev, adding the store's coverage or a normalised BM25 did not help (dev 0.842 vs 0.834).

# Fitted by scripts/eval_matching.py on CheckThat 2020 train (logistic regression).
DEFAULT_RERANK_WEIGHTS: dict[str, float] = {
    "bias": -1.3407,
    "cosine": 0.2359,
    "cosine_gap": 20.0288,
    "query_coverage": 5.1294,
    "claim_coverage": 5.3043,
    "char3_dice": 0.9234,
    "numbers_shared": 1.0464,
    "numbers_conflict": -0.3110,
    "names_shared": 0.3200,
    "title_coverage": 3.1433,
    "title_char3": 8.9994,
}


def _idf_weights(stem_sets: Sequence[set[str]]) -> dict[str, float]:
    """Rarity of each word within the candidate set: words every candidate shares say little."""
    df: Counter[str] = Counter()
    for s in stem_sets:
        df.update(s)
    n = len(stem_sets)
    return {w: math.log(1.0 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}


def rerank_features(
    query: str, candidates: Sequence[Candidate], cosines: Sequence[float] | None = None
) -> list[dict[str, float]]:
    """One feature dict per candidate (see ``RERANK_FEATURES``)."""
    if not candidates:
        return []
    cos = [float(c) for c in cosines] if cosines is not None else [c.cosine for c in candidates]
    best = max(cos)
    q_stems = set(content_stems(query))
    q_numbers = {q.value for q in extract_numbers(query)}
    q_tokens = {stem(t) for t in tokens(query)}
    c_stems = [set(content_stems(c.claim.text)) for c in candidates]
    idf = _idf_weights([*c_stems, q_stems])
    default_idf = math.log(1.0 + (len(candidates) + 0.5) / 0.5)
    q_mass = sum(idf.get(w, default_idf) for w in q_stems) or 1.0
    titles = [c.claim.title or c.claim.text for c in candidates]
    t_stems = [set(content_stems(t)) for t in titles]
    t_idf = _idf_weights([*t_stems, q_stems])
    t_mass = sum(t_idf.get(w, default_idf) for w in q_stems) or 1.0
    rows: list[dict[str, float]] = []
    for cand, stems_c, cosine, title, stems_t in zip(candidates, c_stems, cos, titles, t_stems, strict=True):
        shared = q_stems & stems_c
        shared_mass = sum(idf.get(w, default_idf) for w in shared)
        c_mass = sum(idf.get(w, default_idf) for w in stems_c) or 1.0
        c_numbers = {q.value for q in extract_numbers(cand.claim.text)}
        c_names = {stem(e) for e in entities(cand.claim.text)}
        rows.append(
            {
                "cosine": cosine,
                "cosine_gap": cosine - best,
                "query_coverage": shared_mass / q_mass,
                "claim_coverage": shared_mass / c_mass,
                "char3_dice": char_ngram_similarity(query, cand.claim.text),
                "numbers_shared": 1.0 if q_numbers & c_numbers else 0.0,
                "numbers_conflict": 1.0 if q_numbers and c_numbers and not (q_numbers & c_numbers) else 0.0,
                "names_shared": len(c_names & q_tokens) / len(c_names) if c_names else 0.0,
                "title_coverage": sum(t_idf.get(w, default_idf) for w in q_stems & stems_t) / t_mass,
                "title_char3": char_ngram_similarity(query, title),
            }
        )
    return rows


def _linear(features: dict[str, float], weights: dict[str, float]) -> float:
    return weights.get("bias", 0.0) + sum(weights.get(k, 0.0) * v for k, v in features.items())


def rerank(
    query: str,
    query_vec: npt.NDArray[np.float32] | None,
    candidates: Sequence[Candidate],
    *,
    candidate_vectors: npt.NDArray[np.float32] | None = None,
    weights: dict[str, float] | None = None,
) -> list[tuple[Candidate, float]]:
    """Candidates best first with a score in (0, 1).

    ``query`` is normalised here (pass the raw text). Cosines are taken from the candidates, or
    recomputed from ``candidate_vectors`` (rows aligned with ``candidates``) when given with
    ``query_vec``; a full-text-only candidate should come with its cosine filled in by storage.
    Duplicate claims (same id from both sources) are merged, keeping the better evidence; claims
    with the same words are then shown once (``collapse_same_wording``).
    """
    merged: dict[str, Candidate] = {}
    order: list[str] = []
    vec_rows: dict[str, int] = {}
    for i, cand in enumerate(candidates):
        key = cand.claim.id
        if key in merged:
            old = merged[key]
            merged[key] = Candidate(old.claim, max(old.cosine, cand.cosine), max(old.lexical, cand.lexical))
        else:
            merged[key] = cand
            order.append(key)
            vec_rows[key] = i
    unique = [merged[k] for k in order]
    if not unique:
        return []
    cosines: list[float] | None = None
    if candidate_vectors is not None and query_vec is not None:
        rows = candidate_vectors[[vec_rows[k] for k in order]]
        cosines = [float(x) for x in rows @ np.asarray(query_vec, dtype=np.float32)]
    w = weights or DEFAULT_RERANK_WEIGHTS
    feats = rerank_features(normalise_query(query), unique, cosines)
    scored = [
        (c, 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, _linear(f, w))))))
        for c, f in zip(unique, feats, strict=True)
    ]
    scored.sort(key=lambda cs: (-cs[1], _stored_order(cs[0].claim)))
    return collapse_same_wording(scored)


def _stored_order(claim: StoredClaim) -> tuple[object, ...]:
    """Older first: by first sighting, then by id (ids are issued in increasing order as a
    prefix and a number, so a shorter id is the older one: "c9" before "c10")."""
    return (claim.first_seen, len(claim.id), claim.id)


def collapse_same_wording(scored: Sequence[tuple[Candidate, float]]) -> list[tuple[Candidate, float]]:
    """One result per wording and speaker: claims of one speaker (or none) whose words are the
    same once case, quote style and punctuation are ignored (``judge_pair``'s "same wording")
    are one claim stored twice, e.g. a
    fact-check archive holding both 'quoted' and "quoted" copies. The group keeps the place and
    score of its best-scored member and is shown as its oldest stored copy, the original.
    ``scored`` is best first; so is the result.
    """
    groups: dict[tuple[str | None, ...], list[Candidate]] = {}
    keys: list[tuple[str | None, ...]] = []
    for cand, _ in scored:
        words = tuple(tokens(cand.claim.text))
        # the same words from two speakers are two claims: a timeline needs both
        speaker = cand.claim.speaker_id or cand.claim.speaker
        key = (speaker, *words) if words else ("", cand.claim.id)  # no words: never merged
        keys.append(key)
        groups.setdefault(key, []).append(cand)
    out: list[tuple[Candidate, float]] = []
    seen: set[tuple[str | None, ...]] = set()
    for key, (_, score) in zip(keys, scored, strict=True):
        if key in seen:
            continue
        seen.add(key)
        out.append((min(groups[key], key=lambda c: _stored_order(c.claim)), score))
    return out
