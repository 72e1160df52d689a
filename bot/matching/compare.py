"""Pair verdicts: is statement B a repeat of A, a changed version of it, or something different?

``judge_pair`` is pure (it takes the cosine of the two embeddings); ``compare_statements`` encodes
first. The similarity is a logistic combination of the MiniLM cosine with lexical overlap, fitted on
MRPC train by ``scripts/eval_matching.py`` (the weights below are its output). Explicit checks then
decide between "repeat" and "changed": a different number, a negation only one side has, opposite
wording ("supports"/"opposes") or different names turn a close pair into "changed".

With the pair judge (``bot.inference.judge``; ``CLAIMBOT_PAIR_JUDGE``), a pair the combined
similarity calls repeat or changed is read by the judge too (``with_judge``): when the blend of
its score and the cosine (``JudgeBlend``, from the judge's ``meta.json``) stays below the repeat
threshold, the pair is "different" after all. The judge turns a "different" into a match only
when both statements give the same figures and share a topic ("Unemployment fell to 4.2 percent
in March." / "The jobless rate dropped to 4.2% in March."): in news checked against a store of
other news, nine in ten of the pairs it would have promoted otherwise were topical neighbours,
not the same statement, while nearly all of the "changed" it vetoed were different statements
too (docs/measurements.md, "The pair judge").
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from bot.matching.features import (
    STOPWORDS,
    char_ngram_similarity,
    content_stems,
    entity_mismatch,
    jaccard,
    stem,
    tokens,
)
from bot.matching.negation import compare_negation, compare_stance
from bot.matching.numbers import compare_numbers, digits_changed_in_place
from bot.matching.substitution import WordSimilarity, word_swap_difference
from bot.models import Comparison, Verdict
from bot.ports import Encoder

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

# Tuned on MRPC train (best F1 with precision >= 0.80): see build/eval_matching.json.
REPEAT_THRESHOLD = 0.54
# MiniLM cosine above which two statements share a topic (so an explicit difference means "changed").
CHANGED_THRESHOLD = 0.6
PAIR_FEATURES = (
    "cosine",
    "cosine_squared",
    "content_jaccard",
    "bigram_jaccard",  # word order: shared pairs of adjacent words
    "char3_dice",
    "char4_dice",
    "unmatched_a",  # share of A's content words missing from B
    "unmatched_b",
    "length_ratio",
    "numbers_one_sided",
    "names_one_sided",
)

# Logistic regression fitted on all of MRPC train by scripts/eval_matching.py ("fitted_on_all_train").
DEFAULT_PAIR_WEIGHTS: dict[str, float] = {
    "bias": -5.9847,
    "cosine": 1.5704,
    "cosine_squared": 1.5090,
    "content_jaccard": 1.9185,
    "bigram_jaccard": -1.4164,
    "char3_dice": 3.3147,
    "char4_dice": 1.1105,
    "unmatched_a": -0.0266,
    "unmatched_b": 0.1741,
    "length_ratio": 1.3305,
    "numbers_one_sided": -0.1980,
    "names_one_sided": 0.2208,
}


@dataclass(frozen=True, slots=True)
class MatchThresholds:
    """``repeat``: combined similarity at or above which a pair is the same statement.
    ``changed``: MiniLM cosine at or above which a pair with an explicit difference (number,
    negation, stance, names) is the same topic, hence "changed" rather than "different".
    """

    repeat: float = REPEAT_THRESHOLD
    changed: float = CHANGED_THRESHOLD
    check_names: bool = True
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PAIR_WEIGHTS))

    @classmethod
    def from_settings(cls, settings: Settings) -> MatchThresholds:
        return cls(repeat=settings.repeat_threshold, changed=settings.changed_threshold)


@dataclass(frozen=True, slots=True)
class PairEvidence:
    features: dict[str, float]
    differences: tuple[str, ...]  # reasons that make a close pair "changed"
    notes: tuple[str, ...]  # softer observations, shown as reasons too
    same_wording: bool
    shared_figures: tuple[str, ...]  # quantities both give that say which fact it is ("4.2%")


def pair_evidence(
    a: str,
    b: str,
    cosine: float,
    *,
    check_names: bool = True,
    word_similarity: WordSimilarity | None = None,
) -> PairEvidence:
    """Features for the similarity model plus the explicit differences between ``a`` and ``b``;
    with ``word_similarity``, one content word swapped for another of other meaning is one."""
    numbers = compare_numbers(a, b)
    negation = compare_negation(a, b)
    stance = compare_stance(a, b)
    names_a, names_b = entity_mismatch(a, b) if check_names else (set(), set())
    differences: list[str] = []
    notes: list[str] = []
    if numbers.conflict:
        differences.append(numbers.reason() or "numbers differ")
    elif moved := digits_changed_in_place(a, b):
        differences.append(f"numbers differ: {moved[0]} vs {moved[1]}")
    if negation.mismatch:
        differences.append(negation.reason or "negation differs")
    if stance.mismatch and not negation.mismatch:
        differences.append(stance.reason or "opposite wording")
    if names_a and names_b and _same_but_names(a, b, names_a | names_b):
        differences.append(f"names differ: {', '.join(sorted(names_a))} vs {', '.join(sorted(names_b))}")
    if not differences and (swap := word_swap_difference(a, b, word_similarity)):
        differences.append(swap)
    if numbers.one_sided:
        notes.append(numbers.reason() or "only one mentions a number")
    same_wording = tokens(a) == tokens(b)
    features = {
        **_overlap_features(a, b, cosine),
        "numbers_one_sided": 1.0 if numbers.one_sided else 0.0,
        "names_one_sided": 1.0 if bool(names_a) != bool(names_b) else 0.0,
    }
    figures = tuple(q.display() for q in numbers.shared_figures)
    return PairEvidence(features, tuple(differences), tuple(notes), same_wording, figures)


def _overlap_features(a: str, b: str, cosine: float) -> dict[str, float]:
    """The similarity features that need no number, negation, stance or name analysis."""
    ca, cb = content_stems(a), content_stems(b)
    la, lb = len(set(ca)), len(set(cb))
    sa, sb = set(ca), set(cb)
    ta, tb = [stem(t) for t in tokens(a)], [stem(t) for t in tokens(b)]
    return {
        "cosine": float(cosine),
        "cosine_squared": float(cosine) ** 2,
        "content_jaccard": jaccard(ca, cb),
        "bigram_jaccard": jaccard(
            [f"{x} {y}" for x, y in pairwise(ta)], [f"{x} {y}" for x, y in pairwise(tb)]
        ),
        "char3_dice": char_ngram_similarity(a, b),
        "char4_dice": char_ngram_similarity(a, b, 4),
        "unmatched_a": len(sa - sb) / len(sa) if sa else 0.0,
        "unmatched_b": len(sb - sa) / len(sb) if sb else 0.0,
        "length_ratio": min(la, lb) / max(la, lb) if max(la, lb) else 1.0,
    }


# Features in [0, 1] that the cheap bound in ``may_match`` does not compute.
_UNCOMPUTED_FLAGS = ("numbers_one_sided", "names_one_sided")


def may_match(a: str, b: str, cosine: float, *, thresholds: MatchThresholds | None = None) -> bool:
    """False only when ``judge_pair`` would surely say "different" — a cheap pre-filter.

    A pair is "repeat" or "changed" only if it has the same wording, or its cosine reaches the
    ``changed`` threshold, or its similarity reaches ``repeat``. The similarity is bounded here
    from the overlap features alone by giving each flag we skip (numbers, names) its most
    favourable value, so no pair that could match is ever dropped; most retrieved candidates
    are far below the bound and skip the number, negation, stance and name analysis.
    """
    t = thresholds or MatchThresholds()
    if cosine >= t.changed:
        return True
    features = _overlap_features(a, b, cosine)
    for flag in _UNCOMPUTED_FLAGS:
        features[flag] = 1.0 if t.weights.get(flag, 0.0) > 0 else 0.0
    if pair_score(features, t.weights) >= t.repeat:
        return True
    return tokens(a) == tokens(b)


def _same_but_names(a: str, b: str, names: set[str]) -> bool:
    """True when the statements are the same sentence with one name put in place of another
    ("Biden won X" vs "Trump won X"). A looser test misfires: news rewordings add and drop names
    all the time ("Comey said X" vs "X", "Romanian authorities" vs "authorities in Romania")."""

    def shape(text: str) -> list[str]:
        out: list[str] = []
        for tok in tokens(text):
            if tok.removesuffix("'s") in names:
                if not out or out[-1] != "<name>":
                    out.append("<name>")
            elif tok not in STOPWORDS:
                out.append(stem(tok))
        return out

    return shape(a) == shape(b)


def pair_score(features: dict[str, float], weights: dict[str, float]) -> float:
    z = weights.get("bias", 0.0) + sum(weights.get(k, 0.0) * v for k, v in features.items())
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


# Of the candidates the combined similarity calls repeat or changed, the judge reads the closest
# few per statement (each is a MiniLM forward pass; a store dense with near-duplicates has many).
JUDGE_TOP_K = 3


@dataclass(frozen=True, slots=True)
class JudgeBlend:
    """The similarity of a judged pair: ``weight`` x judge score + (1 - ``weight``) x cosine +
    ``offset``; the offset puts the operating point tuned on MRPC at the repeat threshold.
    ``JudgeBlend()`` is the judge's score alone."""

    weight: float = 1.0
    offset: float = 0.0

    def similarity(self, judge: float, cosine: float) -> float:
        return self.weight * judge + (1.0 - self.weight) * cosine + self.offset


def judge_pair(
    a: str,
    b: str,
    cosine: float,
    *,
    thresholds: MatchThresholds | None = None,
    judge: float | None = None,
    judge_blend: JudgeBlend | None = None,
    word_similarity: WordSimilarity | None = None,
) -> Comparison:
    """Verdict for two statements given the cosine of their embeddings (no encoder needed) and,
    when given, the pair judge's score for them (then the similarity is ``judge_blend`` of the
    judge's score and the cosine; the judge's score alone without one) and the similarity of two
    single words (``bot.matching.substitution``: a swapped verb or noun is a change)."""
    t = thresholds or MatchThresholds()
    ev = pair_evidence(a, b, cosine, check_names=t.check_names, word_similarity=word_similarity)
    if ev.same_wording:
        return Comparison(1.0, Verdict.REPEAT, ("same wording",), judge=judge)
    plain = _plain_verdict(ev, cosine, t)
    if judge is None:
        return plain
    return with_judge(plain, judge=judge, cosine=cosine, thresholds=t, blend=judge_blend)


def with_judge(
    plain: Comparison,
    *,
    judge: float,
    cosine: float,
    thresholds: MatchThresholds,
    blend: JudgeBlend | None = None,
) -> Comparison:
    """The verdict once the pair judge has read the pair: it may veto a repeat or a change (the
    blend of its score and the cosine below the repeat threshold: "different"), and promote a
    pair the combined similarity calls different only when the two share a topic and give the
    same figures (``Comparison.shared_figures``). In news checked against a store of other news
    the judge's promotions of any pair were right about one time in ten; its vetoes of "changed"
    nearly always; a shared figure is evidence of the same fact that a topical neighbour seldom
    has (docs/measurements.md)."""
    similarity = round((blend or JudgeBlend()).similarity(float(judge), cosine), 4)
    judge = round(float(judge), 4)
    if plain.verdict is Verdict.DIFFERENT and plain.shared_figures and similarity >= thresholds.repeat:
        figures = ", ".join(plain.shared_figures)
        return Comparison(
            similarity,
            Verdict.REPEAT,
            (
                f"same meaning (similarity {similarity:.2f}, judge {judge:.2f})",
                f"reworded, same figures: {figures}",
            ),
            judge=judge,
        )
    if plain.verdict is Verdict.DIFFERENT or "same wording" in plain.reasons:
        return replace(plain, judge=judge)
    if similarity < thresholds.repeat:
        reasons = [f"different statements (similarity {similarity:.2f}, judge {judge:.2f})"]
        if cosine >= thresholds.changed:
            reasons.append("same topic, different proposition")
        return Comparison(similarity, Verdict.DIFFERENT, tuple(reasons), judge=judge)
    return replace(plain, judge=judge)


def _plain_verdict(ev: PairEvidence, cosine: float, t: MatchThresholds) -> Comparison:
    """The verdict of the combined similarity and the explicit checks."""
    score = round(pair_score(ev.features, t.weights), 4)
    if ev.differences and (cosine >= t.changed or score >= t.repeat):
        return Comparison(score, Verdict.CHANGED, ev.differences + ev.notes)
    if score >= t.repeat and not ev.differences:
        reasons = [f"same meaning (similarity {score:.2f})"]
        if ev.features["content_jaccard"] >= 0.6:
            reasons.append("mostly the same words")
        else:
            reasons.append("reworded")
        return Comparison(score, Verdict.REPEAT, (*reasons, *ev.notes))
    reasons = [f"different statements (similarity {score:.2f})"]
    if cosine >= t.changed:
        reasons.append("same topic, different proposition")
        # no explicit difference here (one would make it "changed"): the judge may promote it
        return Comparison(score, Verdict.DIFFERENT, tuple(reasons), shared_figures=ev.shared_figures)
    return Comparison(score, Verdict.DIFFERENT, (*reasons, *ev.differences))


class PairScorer(Protocol):
    """What ``bot.inference.judge.PairJudge`` offers: one score in [0, 1] per (a, b) pair, and how
    to blend it with the cosine."""

    @property
    def blend(self) -> JudgeBlend: ...

    def score(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]: ...


def compare_statements(
    a: str,
    b: str,
    *,
    encoder: Encoder,
    thresholds: MatchThresholds | None = None,
    judge: PairScorer | None = None,
) -> Comparison:
    """Encodes both statements and judges the pair (with the pair judge when given)."""
    vectors = encoder.encode([a, b])
    cosine = float(np.clip(np.dot(vectors[0], vectors[1]), -1.0, 1.0))
    words = encoder_word_similarity(encoder)
    if judge is None:
        return judge_pair(a, b, cosine, thresholds=thresholds, word_similarity=words)
    score = float(judge.score([(a, b)])[0])
    return judge_pair(
        a, b, cosine, thresholds=thresholds, judge=score, judge_blend=judge.blend, word_similarity=words
    )


def encoder_word_similarity(encoder: Encoder, *, cache_size: int = 4096) -> WordSimilarity:
    """The cosine of two single words by ``encoder``; asked only for a pair that differs in one
    word (``bot.matching.substitution``), so a small cache of word pairs is plenty."""
    cache: dict[tuple[str, str], float] = {}

    def similarity(x: str, y: str) -> float:
        key = (x, y) if x <= y else (y, x)
        if key not in cache:
            if len(cache) >= cache_size:
                cache.clear()
            vectors = encoder.encode(list(key))
            cache[key] = float(np.clip(np.dot(vectors[0], vectors[1]), -1.0, 1.0))
        return cache[key]

    return similarity
