"""Train the check-worthiness model on ClaimBuster and report held-out figures.

    .venv/bin/python scripts/train_checkworthy.py --data ../shared/data [--out models/checkworthy]

Data: ``claimbuster/two_class_train.json`` (sentences from US presidential debates,
label 1 = check-worthy factual sentence). It is split once, with a fixed seed, into a
training pool (90 %) and a held-out test split (10 %: reported only, never used for a
choice). 5-fold cross-validation on the pool picks the L2 strength and the decision
threshold (on the pooled out-of-fold probabilities, which is steadier than one small dev
split); the shipped model is then fitted on the whole pool. Plain numpy: full-batch Adam
on the L2-regularised logistic loss, no scikit-learn.

The report compares the model with the rule "the sentence has a number" on the same test
split, and is stored in ``meta.json`` beside the weights.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.nlp.checkworthy import (
    DEFAULT_MODEL_DIR,
    SHAPE_FEATURES,
    CheckworthinessModel,
    SparseFeatures,
    featurize_many,
    linear_scores,
    sigmoid,
)

logger = logging.getLogger("train_checkworthy")

SEED = 13
FOLDS = 5
BUCKETS = 1 << 18
L2_GRID = (1e-6, 3e-6, 1e-5, 3e-5, 1e-4)
STEPS = 400
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Split:
    texts: list[str]
    labels: npt.NDArray[np.float64]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def load_claimbuster(data_dir: Path) -> tuple[list[str], npt.NDArray[np.float64]]:
    path = data_dir / "claimbuster" / "two_class_train.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    texts = [str(row["text"]) for row in rows]
    labels = np.array([float(row["label"]) for row in rows])
    return texts, labels


def split(texts: list[str], labels: npt.NDArray[np.float64]) -> tuple[Split, Split, npt.NDArray[np.int64]]:
    """(training pool, test split, fold number of each pool sentence)."""
    order = np.random.default_rng(SEED).permutation(len(texts))
    n_test = len(texts) // 10

    def take(indices: npt.NDArray[np.int64]) -> Split:
        return Split([texts[i] for i in indices], labels[indices])

    pool = take(order[n_test:])
    folds = np.arange(len(pool.texts)) % FOLDS
    return pool, take(order[:n_test]), folds


def subset(features: SparseFeatures, rows: npt.NDArray[np.int64]) -> SparseFeatures:
    """The rows ``rows`` of a batch, renumbered 0..len(rows)-1."""
    renumber = np.full(features.count, -1, dtype=np.int64)
    renumber[rows] = np.arange(len(rows))
    keep = renumber[features.rows] >= 0
    return SparseFeatures(
        rows=renumber[features.rows[keep]],
        columns=features.columns[keep],
        values=features.values[keep],
        shapes=features.shapes[rows],
        count=len(rows),
    )


def fit(
    features: SparseFeatures, labels: npt.NDArray[np.float64], l2: float
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], float]:
    """Full-batch Adam on mean logistic loss + l2/2 * ||w||^2 (bias not regularised)."""
    n = features.count
    hashed = np.zeros(BUCKETS)
    shape = np.zeros(len(SHAPE_FEATURES))
    bias = float(np.log(labels.mean() / (1 - labels.mean())))
    params = [hashed, shape, np.array([bias])]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        logits = linear_scores(
            features, hashed.astype(np.float32), shape.astype(np.float32), float(params[2][0])
        )
        residual = (sigmoid(logits) - labels) / n
        grad_hashed = np.bincount(
            features.columns, weights=residual[features.rows] * features.values, minlength=BUCKETS
        )
        grads = [
            grad_hashed + l2 * hashed,
            features.shapes.T.astype(np.float64) @ residual + l2 * shape,
            np.array([residual.sum()]),
        ]
        for param, grad, m, v in zip(params, grads, first, second, strict=True):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= LEARNING_RATE * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
    return hashed.astype(np.float32), shape.astype(np.float32), float(params[2][0])


def prf(predicted: npt.NDArray[np.bool_], labels: npt.NDArray[np.float64]) -> Scores:
    gold = labels > 0.5
    true_positive = float(np.sum(predicted & gold))
    precision = true_positive / max(1.0, float(predicted.sum()))
    recall = true_positive / max(1.0, float(gold.sum()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def best_threshold(
    probabilities: npt.NDArray[np.float64], labels: npt.NDArray[np.float64]
) -> tuple[float, float]:
    best = (0.5, -1.0)
    for threshold in np.arange(0.10, 0.90, 0.01):
        f1 = prf(probabilities >= threshold, labels).f1
        if f1 > best[1]:
            best = (float(round(threshold, 2)), f1)
    return best


_HAS_NUMBER = re.compile(r"\d")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the shared data directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="where to write the model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    started = time.monotonic()
    texts, labels = load_claimbuster(args.data)
    pool, test, folds = split(texts, labels)
    logger.info(
        "ClaimBuster: %d sentences (%.1f %% check-worthy); training pool %d (%d-fold CV), test %d",
        len(texts), 100 * labels.mean(), len(pool.texts), FOLDS, len(test.texts),
    )  # fmt: skip
    pool_features = featurize_many(pool.texts, BUCKETS)

    best: tuple[float, float, float] | None = None  # (cv F1, l2, threshold)
    for l2 in L2_GRID:
        out_of_fold = np.zeros(len(pool.texts))
        for fold in range(FOLDS):
            fit_rows = np.flatnonzero(folds != fold)
            held_rows = np.flatnonzero(folds == fold)
            hashed, shape, bias = fit(subset(pool_features, fit_rows), pool.labels[fit_rows], l2)
            held = subset(pool_features, held_rows)
            out_of_fold[held_rows] = sigmoid(linear_scores(held, hashed, shape, bias))
        threshold, cv_f1 = best_threshold(out_of_fold, pool.labels)
        logger.info("  l2=%g: cross-validated F1 %.4f at threshold %.2f", l2, cv_f1, threshold)
        if best is None or cv_f1 > best[0]:
            best = (cv_f1, l2, threshold)
    assert best is not None
    cv_f1, l2, threshold = best

    hashed, shape, bias = fit(pool_features, pool.labels, l2)
    model = CheckworthinessModel(hashed_weights=hashed, shape_weights=shape, bias=bias, threshold=threshold)
    model.metadata = {
        "trained_on": "claimbuster/two_class_train.json (90 % pool, seed 13)",
        "l2": l2,
        "steps": STEPS,
        "cv_f1": round(cv_f1, 4),
    }
    model.save(args.out)
    # Evaluate what was SAVED (float16 weights), exactly as the bot will load it.
    shipped = CheckworthinessModel.load(args.out)
    test_probabilities = np.array(shipped.score(test.texts))
    model_scores = prf(test_probabilities >= shipped.threshold, test.labels)
    baseline = prf(np.array([bool(_HAS_NUMBER.search(text)) for text in test.texts]), test.labels)
    at_half = prf(test_probabilities >= 0.5, test.labels)
    report = {
        "test_sentences": len(test.texts),
        "test_positives": int(test.labels.sum()),
        "model": model_scores.as_dict(),
        "model_at_0.5": at_half.as_dict(),
        "baseline_has_number": baseline.as_dict(),
    }
    shipped.metadata["test"] = report
    shipped.save(args.out)

    logger.info("chosen l2=%g, threshold %.2f (cross-validated F1 %.4f)", l2, threshold, cv_f1)
    logger.info("held-out test (%d sentences, %d check-worthy):", len(test.texts), int(test.labels.sum()))
    for name, scores in (
        (f"model @ {shipped.threshold:.2f}", model_scores),
        ("model @ 0.50", at_half),
        ("has a number", baseline),
    ):
        logger.info("  %-16s P %.3f  R %.3f  F1 %.3f", name, scores.precision, scores.recall, scores.f1)
    size = sum(path.stat().st_size for path in args.out.iterdir())
    logger.info("wrote %s (%.0f KB) in %.0f s", args.out, size / 1024, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
