"""Calibrate how a verdict blends the pair judge's score with the MiniLM cosine.

    HF_HUB_OFFLINE=1 .venv/bin/python -m scripts.judge_blend --data ../shared/data

A judged pair's similarity is ``weight x judge + (1 - weight) x cosine + offset``
(``bot.matching.compare.JudgeBlend``). The judge alone ranks graded similarity worse than the
cosine (STS-B dev Spearman 0.786 against 0.867: it was trained to call a changed number "the same
proposition"), while it finds MRPC paraphrases at a higher precision. ``--weight`` was chosen on
the tuning sets: 0.5 is the largest judge share that keeps STS-B dev at the cosine's level, and on
the MRPC calibration pairs it finds as many paraphrases at the same precision as the judge alone.

The offset is fitted on the MRPC calibration pairs the shipped judge was not trained on
(``train_judge.calibration_mask``): the blend threshold with the best F1 at precision >=
``--min-precision`` is moved to the product's repeat threshold, as the judge's own ``shift`` is.
Writes ``blend`` and the blend's figures into the judge's ``meta.json``; ``train_judge.py`` runs
this after it writes a judge.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching_data import load_mrpc, load_stsb
from pair_metrics import best_threshold, prf

from bot.inference.judge import JUDGE_WEIGHTS, PairJudge
from bot.matching.compare import REPEAT_THRESHOLD, JudgeBlend

logger = logging.getLogger("judge_blend")

BLEND_WEIGHT = 0.5


def fit_blend(
    judge: np.ndarray, cosine: np.ndarray, gold: np.ndarray, *, weight: float, min_precision: float
) -> JudgeBlend:
    """The blend with ``weight`` whose tuned operating point lands on the repeat threshold."""
    raw = JudgeBlend(weight=weight).similarity
    mixed = np.array([raw(float(j), float(c)) for j, c in zip(judge, cosine, strict=True)])
    threshold = best_threshold(mixed, gold, min_precision, decimals=4)
    return JudgeBlend(weight=weight, offset=round(REPEAT_THRESHOLD - threshold, 4))


def pair_cosines(pairs: list[tuple[str, str]]) -> np.ndarray:
    """The MiniLM cosine of each pair, as the product computes it (the default int8 encoder)."""
    from bot.inference.encoder import MiniLMEncoder
    from bot.inference.model_files import Precision

    encoder = MiniLMEncoder(precision=Precision.INT8)
    va = np.asarray(encoder.encode([a for a, _ in pairs]))
    vb = np.asarray(encoder.encode([b for _, b in pairs]))
    return np.clip(np.sum(va * vb, axis=1), -1.0, 1.0)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def calibration_pairs(
    data: Path, *, calibration: float, seed: int
) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The MRPC train pairs held out of the judge's training (``train_judge.calibration_mask``),
    and whether each is a paraphrase."""
    from train_judge import calibration_mask

    mrpc = load_mrpc(data)
    calib = calibration_mask(len(mrpc), calibration, seed)
    pairs = [(p.a, p.b) for p, c in zip(mrpc, calib, strict=True) if c]
    gold = np.array([p.label == 1 for p, c in zip(mrpc, calib, strict=True) if c])
    return pairs, gold


def calibrate(
    data: Path, *, weights: Path, weight: float, min_precision: float, calibration: float, seed: int
) -> dict[str, Any]:
    """Fits the blend for the judge at ``weights`` and writes it into its ``meta.json``."""
    meta_path = weights.with_name("meta.json")
    meta = json.loads(meta_path.read_text())
    judge = PairJudge(weights, meta=meta_path)
    cal, gold = calibration_pairs(data, calibration=calibration, seed=seed)
    j_cal, c_cal = np.asarray(judge.score(cal)), pair_cosines(cal)
    blend = fit_blend(j_cal, c_cal, gold, weight=weight, min_precision=min_precision)
    mixed = np.array([blend.similarity(float(j), float(c)) for j, c in zip(j_cal, c_cal, strict=True)])

    sts = load_stsb(data, "dev")
    sts_pairs = [(p.a, p.b) for p in sts]
    sts_gold = np.array([p.score for p in sts])
    j_sts, c_sts = np.asarray(judge.score(sts_pairs)), pair_cosines(sts_pairs)
    m_sts = np.array([blend.similarity(float(j), float(c)) for j, c in zip(j_sts, c_sts, strict=True)])
    figures = {
        "calibration_pairs": len(cal),
        "calibration_blend": {n: round(v, 4) for n, v in prf(mixed >= REPEAT_THRESHOLD, gold).items()},
        "calibration_judge_alone_at_repeat_threshold": {
            n: round(v, 4) for n, v in prf(j_cal >= REPEAT_THRESHOLD, gold).items()
        },
        "stsb_dev_spearman_blend": round(spearman(m_sts, sts_gold), 4),
        "stsb_dev_spearman_judge": round(spearman(j_sts, sts_gold), 4),
        "stsb_dev_spearman_cosine": round(spearman(c_sts, sts_gold), 4),
    }
    meta["blend"] = {
        "weight": blend.weight,
        "offset": blend.offset,
        "means": (
            f"similarity = {blend.weight} x judge score + {1 - blend.weight:g} x MiniLM cosine + offset; "
            f"the offset moves the blend's best F1 at precision >= {min_precision} on the calibration "
            f"pairs to the repeat threshold {REPEAT_THRESHOLD}"
        ),
        "recipe": "python -m scripts.judge_blend --data ../shared/data",
    }
    meta.setdefault("figures", {})["blend"] = figures
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    logger.info("wrote the blend into %s: %s %s", meta_path, meta["blend"], figures)
    return figures


def product_verdicts(data: Path, *, calibration: float, seed: int, precision: str = "int8") -> dict[str, Any]:
    """What the product finds (``repeat`` or ``changed``) on the MRPC calibration pairs, with and
    without the shipped judge's veto (at ``precision``, int8 as shipped): ``judge_pair`` as a
    check calls it. Writes nothing."""
    from bot.matching.compare import judge_pair

    cal, gold = calibration_pairs(data, calibration=calibration, seed=seed)
    judge = PairJudge(precision=precision)
    scores, cosines = np.asarray(judge.score(cal)), pair_cosines(cal)
    plain, vetoed = [], []
    for (a, b), cosine, score in zip(cal, cosines, scores, strict=True):
        plain.append(judge_pair(a, b, float(cosine)).verdict.value != "different")
        judged = judge_pair(a, b, float(cosine), judge=float(score), judge_blend=judge.blend)
        vetoed.append(judged.verdict.value != "different")
    return {
        "calibration_pairs": len(cal),
        "judge_precision": judge.precision,
        "found_without_judge": {n: round(v, 4) for n, v in prf(np.array(plain), gold).items()},
        "found_with_veto": {n: round(v, 4) for n, v in prf(np.array(vetoed), gold).items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--weights", type=Path, default=JUDGE_WEIGHTS)
    parser.add_argument("--weight", type=float, default=BLEND_WEIGHT, help="the judge's share")
    parser.add_argument("--min-precision", type=float, default=0.80)
    parser.add_argument("--calibration", type=float, default=0.1, help="as train_judge.py")
    parser.add_argument("--seed", type=int, default=13, help="as train_judge.py")
    parser.add_argument(
        "--verdicts", action="store_true", help="only report the product's verdicts on the calibration pairs"
    )
    parser.add_argument("--precision", choices=["int8", "float32"], default="int8", help="with --verdicts")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.verdicts:
        verdicts = product_verdicts(
            args.data, calibration=args.calibration, seed=args.seed, precision=args.precision
        )
        print(json.dumps(verdicts, indent=1))
        return
    figures = calibrate(
        args.data,
        weights=args.weights,
        weight=args.weight,
        min_precision=args.min_precision,
        calibration=args.calibration,
        seed=args.seed,
    )
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
