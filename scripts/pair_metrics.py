"""Precision/recall/F1 of pair verdicts and the threshold tuned for them, shared by the judge's
training (``train_judge``) and its blend (``judge_blend``)."""

from __future__ import annotations

import numpy as np


def prf(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    tp = float(np.sum(pred & gold))
    p = tp / max(1.0, float(np.sum(pred)))
    r = tp / max(1.0, float(np.sum(gold)))
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


def best_threshold(scores: np.ndarray, gold: np.ndarray, min_precision: float, *, decimals: int = 3) -> float:
    """The threshold with the best F1 among those with precision >= ``min_precision`` (else the
    best F1), trying each distinct score rounded to ``decimals``."""
    best, best_f, fallback, fallback_f = 0.0, -1.0, 0.0, -1.0
    for t in np.unique(np.round(scores, decimals)):
        m = prf(scores >= t, gold)
        if m["f1"] > fallback_f:
            fallback, fallback_f = float(t), m["f1"]
        if m["precision"] >= min_precision and m["f1"] > best_f:
            best, best_f = float(t), m["f1"]
    return best if best_f >= 0 else fallback
