"""Fits the statement-confidence model (``bot/nlp/confidence.py``) and tunes its threshold.

    python -m scripts.train_statement_confidence --data ../shared/data \\
        [--min-precision 0.78] [--out models/attribution/statement_confidence.json]

1. Runs the product's extractor (rules + span tagger, no confidence filter, restatements not
   merged) over PolNeAR train and dev.
2. Labels every attributed statement with the strict measure of ``scripts.eval_attribution``
   (span within 80 % of the annotated content both ways, and the annotated source as speaker).
3. Fits a logistic regression on train (scikit-learn, standardised features, L2).
4. On dev, sweeps the threshold and keeps the one with the best strict F1 among those whose
   strict precision reaches ``--min-precision`` (the best F1 overall when none does, said so).

The weights are written in the features' own scale, so the product needs numpy alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.models import ClaimKind, ExtractedClaim
from bot.nlp.confidence import CONFIDENCE_PATH, statement_features
from bot.nlp.polnear import PolnearArticle, find_compartment, read_compartment
from scripts.eval_attribution import claim_labels

logger = logging.getLogger(__name__)

# features, (lenient true positive, strict true positive)
Rows = list[tuple[dict[str, float], tuple[bool, bool]]]


def extract_rows(extractor: object, articles: Sequence[PolnearArticle], *, label: str) -> tuple[Rows, int]:
    """(features, labels) for each attributed statement, and the number of gold items."""
    rows: Rows = []
    golds = 0
    started = time.perf_counter()
    for index, article in enumerate(articles, 1):
        claims: list[ExtractedClaim] = extractor.extract(article.text)  # type: ignore[attr-defined]
        claims = [c for c in claims if c.kind is not ClaimKind.UNATTRIBUTED]
        for claim, labels in zip(claims, claim_labels(article, claims), strict=True):
            rows.append((statement_features(claim, article.text), labels))
        golds += len(article.attributions)
        bar = "#" * int(30 * index / len(articles))
        seconds = time.perf_counter() - started
        sys.stderr.write(f"\r{label}: [{bar:<30}] {index}/{len(articles)} {seconds:6.0f}s")
    sys.stderr.write("\n")
    return rows, golds


def fit(rows: Rows, names: list[str], *, c: float = 1.0) -> tuple[dict[str, float], float]:
    from sklearn.linear_model import LogisticRegression

    x = np.array([[f[n] for n in names] for f, _ in rows], dtype=np.float64)
    y = np.array([strict for _, (_, strict) in rows], dtype=np.int64)
    mean, std = x.mean(0), x.std(0)
    std[std == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / std, y)
    coef = model.coef_[0] / std
    bias = float(model.intercept_[0] - np.sum(model.coef_[0] * mean / std))
    return {n: round(float(w), 6) for n, w in zip(names, coef, strict=True)}, round(bias, 6)


def scores_of(rows: Rows, weights: dict[str, float], bias: float) -> np.ndarray:
    """What ``StatementConfidence.keep`` compares with the threshold; a speaker that is no
    speaker is kept back whatever its score (-1 here)."""
    z = np.array([bias + sum(weights[n] * v for n, v in f.items()) for f, _ in rows])
    scores = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
    unfit = np.array([f["speaker_unfit"] > 0 for f, _ in rows])
    return np.where(unfit, -1.0, scores)


def _prf(tp: int, shown: int, golds: int) -> tuple[float, float, float]:
    p = tp / shown if shown else 0.0
    r = tp / golds if golds else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def sweep(rows: Rows, golds: int, scores: np.ndarray) -> list[dict[str, float]]:
    """Strict and lenient P/R/F1 of the statements kept at each threshold."""
    lenient = np.array([lab[0] for _, lab in rows])
    strict = np.array([lab[1] for _, lab in rows])
    points = []
    for threshold in [-1.0, *np.round(np.arange(0.0, 0.96, 0.01), 2)]:
        kept = scores >= threshold
        shown = int(np.sum(kept))
        p, r, f = _prf(int(np.sum(strict & kept)), shown, golds)
        lp, lr, lf = _prf(int(np.sum(lenient & kept)), shown, golds)
        points.append(
            {
                "threshold": float(threshold),
                "precision": p,
                "recall": r,
                "f1": f,
                "lenient_precision": lp,
                "lenient_recall": lr,
                "lenient_f1": lf,
                "shown": shown,
            }
        )
    return points


def choose(
    points: list[dict[str, float]], *, min_precision: float, min_lenient_f1: float
) -> tuple[dict[str, float], str]:
    """The best strict F1 where strict precision reaches ``min_precision`` and lenient F1 stays
    at ``min_lenient_f1``; failing that, the highest strict precision that keeps the lenient
    floor (precision of what is shown first, without giving up the floor); else show all."""
    floor = [p for p in points if p["lenient_f1"] >= min_lenient_f1]
    both = [p for p in floor if p["precision"] >= min_precision]
    if both:
        return max(both, key=lambda p: p["f1"]), "both targets"
    if floor:
        return max(floor, key=lambda p: (p["precision"], p["f1"])), "precision target missed"
    return points[0], "lenient floor missed at every threshold: everything shown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--min-precision", type=float, default=0.78, help="strict precision target")
    parser.add_argument("--min-lenient-f1", type=float, default=0.74, help="lenient F1 floor")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--limit", type=int, default=0, help="first N train articles only (a smoke run)")
    parser.add_argument("--out", type=Path, default=CONFIDENCE_PATH)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from bot.inference.span_tagger import AttributionSpanTagger
    from bot.nlp.extractor import SpacyClaimExtractor
    from bot.nlp.pipeline import load_pipeline

    extractor = SpacyClaimExtractor(
        load_pipeline(None),
        checkworthiness=False,
        include_unattributed=False,
        merge_restatements=False,
        span_tagger=AttributionSpanTagger(num_threads=1),
        statement_confidence=None,
    )
    train = list(read_compartment(find_compartment(args.data, "train")))
    if args.limit:
        train = train[: args.limit]
    dev = list(read_compartment(find_compartment(args.data, "dev")))
    train_rows, _ = extract_rows(extractor, train, label="train")
    dev_rows, dev_golds = extract_rows(extractor, dev, label="dev")
    names = sorted(train_rows[0][0])
    weights, bias = fit(train_rows, names, c=args.c)
    points = sweep(dev_rows, dev_golds, scores_of(dev_rows, weights, bias))
    chosen, how = choose(points, min_precision=args.min_precision, min_lenient_f1=args.min_lenient_f1)
    everything = points[0]  # threshold -1: every statement shown
    logger.info("threshold chosen: %s", how)
    result = {
        "model": "logistic regression over bot.nlp.confidence.statement_features",
        "trained_on": f"PolNeAR train, {len(train)} articles, {len(train_rows)} statements",
        "label": "strict: span within 80 % both ways and the annotated source as speaker",
        "threshold_tuned_on": f"PolNeAR dev ({len(dev)} articles): best strict F1 at strict precision "
        f">= {args.min_precision} with lenient F1 >= {args.min_lenient_f1}; else the highest strict "
        f"precision keeping that lenient floor ({how})",
        "weights": weights,
        "bias": bias,
        "threshold": chosen["threshold"],
        "dev_all_shown": {k: round(v, 4) for k, v in everything.items()},
        "dev_at_threshold": {k: round(v, 4) for k, v in chosen.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    logger.info("all shown: %s", result["dev_all_shown"])
    logger.info("threshold %.2f: %s", chosen["threshold"], result["dev_at_threshold"])
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
