"""Evaluate (and fit) statement matching on MRPC train and CheckThat 2020 task 2.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/eval_matching.py --data ../shared/data

* MRPC (train only): 5-fold CV of the ``repeat`` verdict vs the paraphrase label. In each fold the
  pair weights (logistic regression) and the repeat threshold are fitted on 4 folds and tested on the
  5th; the baseline is plain MiniLM cosine with a threshold tuned the same way.
* CheckThat 2020 task 2: MAP@5 retrieving from ALL verified claims, for train and dev. Re-ranker
  weights are fitted on train only; dev is held out. Baseline: plain cosine on the raw tweet.

* The pair judge (``bot/inference/judge.py``, ``--only judge-mrpc stsb edits``): MRPC 5-fold from the
  out-of-fold scores of ``scripts/train_judge.py --cv`` (``--judge-oof``; each pair scored by a judge
  trained and thresholded without its fold; the product's verdicts, "found" = repeat or changed);
  STS-B dev Spearman of the judge's score against the cosine and the combined similarity; verdict
  accuracy per kind of controlled edit of PolNeAR dev sentences (``matching_data.edit_pairs``, and
  ``swap_pairs``: one verb or noun swapped), with the judge and without it. ``--no-judge`` leaves
  the judge out of STS-B and edits.
* Whether the judge re-ranks search better (``--only judge-search``): the shipped search's top 10
  per CheckThat tweet re-ranked by a blend of its score and the judge's, the weight chosen on train.

``--overlay FILE.safetensors`` evaluates MiniLM with top layers fine-tuned by ``finetune_encoder.py``
laid over it (an experiment; the product uses the plain model).
Embeddings are cached under ``build/matching/`` keyed by text hash, one cache per encoder. Results go to
``build/eval_matching.json``; ``--print-weights`` prints the weights fitted on all training data
(what ``bot/matching/compare.py`` and ``retrieval.py`` ship).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching_data import (
    CheckThat,
    EmbeddingCache,
    MrpcPair,
    OverlayMiniLMEncoder,
    edit_pairs,
    load_checkthat,
    load_mrpc,
    load_stsb,
    polnear_sentences,
    swap_pairs,
)

from bot.inference.encoder import MiniLMEncoder
from bot.inference.judge import JUDGE_WEIGHTS, PairJudge
from bot.inference.model_files import Precision
from bot.matching.compare import (
    DEFAULT_PAIR_WEIGHTS,
    PAIR_FEATURES,
    JudgeBlend,
    MatchThresholds,
    encoder_word_similarity,
    judge_pair,
    pair_evidence,
    pair_score,
)
from bot.matching.features import content_stems
from bot.matching.retrieval import RERANK_FEATURES, normalise_query, rerank, rerank_features
from bot.models import Candidate, ClaimKind, StoredClaim, Verdict
from bot.ports import Encoder
from bot.settings import Settings

logger = logging.getLogger("eval_matching")
EPOCH = __import__("datetime").datetime(2020, 1, 1)


# ----------------------------------------------------------------------------- MRPC
def prf(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    tp = float(np.sum(pred & gold))
    p = tp / max(1.0, float(np.sum(pred)))
    r = tp / max(1.0, float(np.sum(gold)))
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"f1": f, "precision": p, "recall": r, "accuracy": float(np.mean(pred == gold))}


def best_threshold(
    scores: np.ndarray, gold: np.ndarray, blocked: np.ndarray | None = None, min_precision: float = 0.0
) -> float:
    """Threshold maximising F1 (among those meeting ``min_precision`` when any does)."""
    best, best_f, best_any, best_any_f = 0.5, -1.0, 0.5, -1.0
    for t in np.unique(np.round(scores, 3)):
        pred = scores >= t
        if blocked is not None:
            pred &= ~blocked
        m = prf(pred, gold)
        if m["f1"] > best_any_f:
            best_any, best_any_f = float(t), m["f1"]
        if m["precision"] >= min_precision and m["f1"] > best_f:
            best, best_f = float(t), m["f1"]
    return best if best_f >= 0 else best_any


def fit_pair_weights(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    lr = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    weights = {"bias": float(lr.intercept_[0])}
    weights.update({name: float(c) for name, c in zip(PAIR_FEATURES, lr.coef_[0], strict=True)})
    return weights


def eval_mrpc(pairs: list[MrpcPair], cache: EmbeddingCache, folds: int, min_precision: float) -> dict:
    va = cache.encode([p.a for p in pairs], "mrpc a")
    vb = cache.encode([p.b for p in pairs], "mrpc b")
    cos = np.sum(va * vb, axis=1)
    gold = np.array([p.label == 1 for p in pairs])
    evidence = [
        pair_evidence(p.a, p.b, float(c))
        for p, c in tqdm(zip(pairs, cos, strict=True), total=len(pairs), desc="mrpc features")
    ]
    x = np.array([[ev.features[f] for f in PAIR_FEATURES] for ev in evidence])
    blocked = np.array([bool(ev.differences) for ev in evidence])
    rng = np.random.default_rng(13)
    fold_of = rng.permutation(len(pairs)) % folds
    base_m, ours_m, found_m, score_only_m, thresholds = [], [], [], [], []
    changed_count = 0
    for k in range(folds):
        tr, te = fold_of != k, fold_of == k
        t_base = best_threshold(cos[tr], gold[tr])
        base_m.append(prf(cos[te] >= t_base, gold[te]))
        weights = fit_pair_weights(x[tr], gold[tr])
        # judge_pair's similarity is pair_score over the same features (1.0 for identical wording)
        train_scores = np.array(
            [
                1.0 if evidence[i].same_wording else pair_score(evidence[i].features, weights)
                for i in np.flatnonzero(tr)
            ]
        )
        t_ours = best_threshold(train_scores, gold[tr], blocked[tr], min_precision)
        th = MatchThresholds(repeat=t_ours, weights=weights)
        verdicts = [
            judge_pair(pairs[i].a, pairs[i].b, float(cos[i]), thresholds=th).verdict
            for i in np.flatnonzero(te)
        ]
        pred = np.array([v == Verdict.REPEAT for v in verdicts])
        found_m.append(prf(np.array([v != Verdict.DIFFERENT for v in verdicts]), gold[te]))
        score_only = np.array(
            [pair_score(evidence[i].features, weights) >= t_ours for i in np.flatnonzero(te)]
        )
        score_only_m.append(prf(score_only, gold[te]))
        changed_count += sum(v == Verdict.CHANGED for v in verdicts)
        ours_m.append(prf(pred, gold[te]))
        thresholds.append({"cosine_baseline": t_base, "repeat": t_ours})

    def mean(ms: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(float(np.mean([m[k] for m in ms])), 4) for k in ms[0]}

    full_weights = fit_pair_weights(x, gold)
    scores = np.array([1.0 if ev.same_wording else pair_score(ev.features, full_weights) for ev in evidence])
    full_t = best_threshold(scores, gold, blocked, min_precision)
    return {
        "pairs": len(pairs),
        "positives": int(gold.sum()),
        "folds": folds,
        "baseline_cosine": mean(base_m),
        "ours_repeat_verdict": mean(ours_m),
        "ours_found_verdict_repeat_or_changed": mean(found_m),
        "ours_similarity_only_no_explicit_checks": mean(score_only_m),
        "per_fold": {
            "baseline_cosine": [{k: round(v, 4) for k, v in m.items()} for m in base_m],
            "ours_found_verdict_repeat_or_changed": [{k: round(v, 4) for k, v in m.items()} for m in found_m],
        },
        "test_pairs_judged_changed": changed_count,
        "fold_thresholds": thresholds,
        "pairs_with_explicit_difference": int(blocked.sum()),
        "positives_with_explicit_difference": int((blocked & gold).sum()),
        "fitted_on_all_train": {
            "weights": full_weights,
            "repeat_threshold": full_t,
            "cosine_baseline_threshold": best_threshold(cos, gold),
        },
    }


# ----------------------------------------------------------------------------- CheckThat
class BM25:
    """Plain Okapi BM25 over content-word stems: stands in for storage's full-text search."""

    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs = [Counter(content_stems(d)) for d in docs]
        self.lengths = np.array([sum(d.values()) for d in self.docs], dtype=float)
        self.avg = float(self.lengths.mean())
        df: Counter[str] = Counter()
        self.postings: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for w in d:
                df[w] += 1
                self.postings.setdefault(w, []).append(i)
        n = len(docs)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(len(self.docs))
        for w in set(content_stems(query)):
            for i in self.postings.get(w, ()):
                tf = self.docs[i][w]
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                out[i] += self.idf[w] * tf * (self.k1 + 1) / norm
        return out


def average_precision(ranked: list[str], gold: set[str], k: int = 5) -> float:
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:k]):
        if doc in gold:
            hits += 1
            total += hits / (i + 1)
    return total / len(gold) if gold else 0.0


def candidate_sets(
    ct: CheckThat,
    split: str,
    qvecs: np.ndarray,
    cvecs: np.ndarray,
    bm25: BM25,
    queries: list[str],
    k_vec: int,
    k_text: int,
) -> list[list[Candidate]]:
    claims = [
        StoredClaim(
            id=cid,
            tenant="eval",
            text=t,
            speaker=None,
            speaker_id=None,
            kind=ClaimKind.UNATTRIBUTED,
            first_seen=EPOCH,
            source=None,
            external_id=cid,
            title=title or None,
        )
        for cid, t, title in zip(ct.claim_ids, ct.claims, ct.titles, strict=True)
    ]
    sets: list[list[Candidate]] = []
    sims = qvecs @ cvecs.T
    for qi, q in enumerate(tqdm(queries, desc=f"candidates {split}")):
        top_vec = np.argsort(-sims[qi])[:k_vec]
        chosen = list(top_vec)
        lex = np.zeros(len(claims))
        if k_text:
            bs = bm25.scores(q)
            top_text = [i for i in np.argsort(-bs)[:k_text] if bs[i] > 0]
            if top_text:
                lex = bs / bs[top_text[0]]
            chosen += [i for i in top_text if i not in set(top_vec)]
        sets.append([Candidate(claims[i], float(sims[qi, i]), float(lex[i])) for i in chosen])
    return sets


def split_queries(ct: CheckThat, split: str) -> tuple[list[str], list[str], list[str], list[set[str]]]:
    """The tweets of ``split`` that have a verified claim: ids, raw text, normalised text, gold ids."""
    qids = [q for q in ct.queries[split] if q in ct.qrels[split]]
    raw = [ct.queries[split][q] for q in qids]
    return qids, raw, [normalise_query(t) for t in raw], [ct.qrels[split][q] for q in qids]


def eval_checkthat(ct: CheckThat, cache: EmbeddingCache, k_vec: int, k_text: int) -> dict:
    cvecs = cache.encode(ct.claims, "claims")
    bm25 = BM25(ct.claims)
    result: dict = {"claims": len(ct.claims), "k_vec": k_vec, "k_text": k_text}
    prepared: dict[str, tuple[list[str], list[set[str]], list[list[Candidate]], np.ndarray]] = {}
    for split in ("train", "dev"):
        qids, raw, norm, gold = split_queries(ct, split)
        raw_vecs = cache.encode(raw, f"tweets {split}")
        norm_vecs = cache.encode(norm, f"normalised {split}")
        ids = np.array(ct.claim_ids)
        base = [
            average_precision(list(ids[np.argsort(-(v @ cvecs.T))[:5]]), g)
            for v, g in zip(raw_vecs, gold, strict=True)
        ]
        normed = [
            average_precision(list(ids[np.argsort(-(v @ cvecs.T))[:5]]), g)
            for v, g in zip(norm_vecs, gold, strict=True)
        ]
        bm = [
            average_precision(list(ids[np.argsort(-bm25.scores(q))[:5]]), g)
            for q, g in zip(norm, gold, strict=True)
        ]
        cands = candidate_sets(ct, split, norm_vecs, cvecs, bm25, norm, k_vec, k_text)
        recall = float(
            np.mean([bool(g & {c.claim.id for c in cs}) for g, cs in zip(gold, cands, strict=True)])
        )
        result[split] = {
            "queries": len(qids),
            "map5_baseline_cosine_raw": round(float(np.mean(base)), 4),
            "map5_cosine_normalised": round(float(np.mean(normed)), 4),
            "map5_bm25_normalised": round(float(np.mean(bm)), 4),
            "candidate_recall": round(recall, 4),
        }
        prepared[split] = (raw, gold, cands, norm_vecs)

    # Fit the re-ranker on train candidate sets only.
    raw_tr, gold_tr, cands_tr, _ = prepared["train"]
    xs, ys = [], []
    for q, g, cs in zip(raw_tr, gold_tr, cands_tr, strict=True):
        for c, f in zip(cs, rerank_features(normalise_query(q), cs), strict=True):
            xs.append([f[n] for n in RERANK_FEATURES])
            ys.append(c.claim.id in g)
    lr = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced").fit(np.array(xs), np.array(ys))
    weights = {"bias": float(lr.intercept_[0])}
    weights.update({n: float(c) for n, c in zip(RERANK_FEATURES, lr.coef_[0], strict=True)})
    result["rerank_weights_fitted_on_train"] = weights
    for split in ("train", "dev"):
        raw, gold, cands, _ = prepared[split]
        t0 = time.perf_counter()
        aps_fit = [
            average_precision([c.claim.id for c, _ in rerank(q, None, cs, weights=weights)], g)
            for q, g, cs in zip(raw, gold, cands, strict=True)
        ]
        per_query_ms = 1000 * (time.perf_counter() - t0) / max(1, len(raw))
        aps_shipped = [
            average_precision([c.claim.id for c, _ in rerank(q, None, cs)], g)
            for q, g, cs in zip(raw, gold, cands, strict=True)
        ]
        result[split]["map5_rerank_fitted"] = round(float(np.mean(aps_fit)), 4)
        result[split]["map5_rerank_shipped_weights"] = round(float(np.mean(aps_shipped)), 4)
        result[split]["rerank_ms_per_query"] = round(per_query_ms, 2)
    return result


def eval_judge_search(
    ct: CheckThat, cache: EmbeddingCache, judge: PairJudge, k_vec: int, k_text: int, top: int = 10
) -> dict:
    """Whether the pair judge re-ranks search better: the shipped search's ``top`` candidates
    per tweet re-ranked by ``(1 - w) * search score + w * judge score``; ``w`` chosen on train
    (MAP@5), reported on dev beside the shipped order."""
    cvecs = cache.encode(ct.claims, "claims")
    bm25 = BM25(ct.claims)
    weights = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
    result: dict = {"top": top, "weights": list(weights)}
    for split in ("train", "dev"):
        qids, raw, norm, gold = split_queries(ct, split)
        norm_vecs = cache.encode(norm, f"normalised {split}")
        cands = candidate_sets(ct, split, norm_vecs, cvecs, bm25, norm, k_vec, k_text)
        shipped = [rerank(q, None, cs)[:top] for q, cs in zip(raw, cands, strict=True)]
        pairs = [(q, c.claim.text) for q, ranked in zip(raw, shipped, strict=True) for c, _ in ranked]
        t0 = time.perf_counter()
        scores = iter(judge.score(pairs))
        per_pair_ms = 1000 * (time.perf_counter() - t0) / max(1, len(pairs))
        judged = [[(c, s, float(next(scores))) for c, s in ranked] for ranked in shipped]
        maps = {}
        for w in weights:
            aps = [
                average_precision(
                    [c.claim.id for c, _, _ in sorted(rows, key=lambda r: -((1 - w) * r[1] + w * r[2]))], g
                )
                for rows, g in zip(judged, gold, strict=True)
            ]
            maps[str(w)] = round(float(np.mean(aps)), 4)
        result[split] = {
            "queries": len(qids),
            "pairs_judged": len(pairs),
            "judge_ms_per_pair": round(per_pair_ms, 1),
            "map5_by_weight": maps,
        }
    best = max(weights, key=lambda w: result["train"]["map5_by_weight"][str(w)])
    result["weight_chosen_on_train"] = best
    result["dev_map5_shipped"] = result["dev"]["map5_by_weight"]["0.0"]
    result["dev_map5_with_judge"] = result["dev"]["map5_by_weight"][str(best)]
    return result


# ----------------------------------------------------------------------------- the pair judge
def eval_judge_mrpc(pairs: list[MrpcPair], cache: EmbeddingCache, oof_path: Path) -> dict:
    """The product's verdicts with the judge's out-of-fold scores (``train_judge.py --cv``): each
    MRPC pair scored by a judge trained and thresholded without its fold (``score``, the shipped
    recipe; only the folds done), and by the base judge that saw no MRPC at all (``base_score``,
    its threshold tuned on the other four folds)."""
    oof = json.loads(oof_path.read_text())
    rows = oof["pairs"]
    if [(r["a"], r["b"], r["label"]) for r in rows] != [(p.a, p.b, p.label) for p in pairs]:
        raise SystemExit(f"{oof_path} does not hold the MRPC train pairs in order")
    va = cache.encode([p.a for p in pairs], "mrpc a")
    vb = cache.encode([p.b for p in pairs], "mrpc b")
    cos = np.sum(va * vb, axis=1)
    gold = np.array([p.label == 1 for p in pairs])
    folds = np.array([r["fold"] for r in rows])
    t = MatchThresholds()
    out: dict = {
        "pairs": len(pairs),
        "oof_file": str(oof_path),
        "done_folds": oof.get("done_folds"),
    }
    for name, key, done in (
        ("base_judge_no_mrpc", "base_score", list(range(oof["folds"]))),
        ("judge_shipped_recipe", "score", oof.get("done_folds") or []),
    ):
        if not done:
            continue
        idx = [i for i, r in enumerate(rows) if r["fold"] in done]
        scores = np.array([rows[i][key] for i in idx], dtype=float)
        # each fold's blend was fitted on its own calibration pairs (none: the judge's score alone)
        blends = [
            JudgeBlend(
                weight=float(rows[i].get("blend_weight", 1.0)),
                offset=float(rows[i].get("blend_offset", 0.0)),
            )
            for i in idx
        ]
        verdicts = [
            judge_pair(
                pairs[i].a, pairs[i].b, float(cos[i]), thresholds=t, judge=float(sc), judge_blend=blend
            ).verdict
            for i, sc, blend in zip(idx, scores, blends, strict=True)
        ]
        g, f = gold[idx], folds[idx]
        found = np.array([v != Verdict.DIFFERENT for v in verdicts])
        repeat = np.array([v == Verdict.REPEAT for v in verdicts])

        def per_fold(pred: np.ndarray, g: np.ndarray = g, f: np.ndarray = f, done: list = done) -> dict:
            ms = [prf(pred[f == k], g[f == k]) for k in done]
            return {k: round(float(np.mean([m[k] for m in ms])), 4) for k in ms[0]}

        out[name] = {
            "folds": done,
            "pairs": len(idx),
            "found_verdict_repeat_or_changed": per_fold(found),
            "repeat_verdict": per_fold(repeat),
            "judge_alone": per_fold(scores >= t.repeat),
            "judged_changed": int(sum(v == Verdict.CHANGED for v in verdicts)),
        }
    return out


def eval_stsb(data: Path, cache: EmbeddingCache, judge: PairJudge | None) -> dict:
    """Spearman of graded similarity on STS-B dev: cosine, the combined similarity, the judge."""
    from scipy.stats import spearmanr

    pairs = load_stsb(data, "dev")
    va = cache.encode([p.a for p in pairs], "stsb a")
    vb = cache.encode([p.b for p in pairs], "stsb b")
    cos = np.sum(va * vb, axis=1)
    gold = np.array([p.score for p in pairs])
    combined = np.array([judge_pair(p.a, p.b, float(c)).similarity for p, c in zip(pairs, cos, strict=True)])
    out = {
        "pairs": len(pairs),
        "spearman_cosine": round(float(spearmanr(cos, gold).statistic), 4),
        "spearman_combined_similarity": round(float(spearmanr(combined, gold).statistic), 4),
    }
    if judge is not None:
        scores = judge.score([(p.a, p.b) for p in pairs])
        mrpc = {s for p in load_mrpc(data) for s in (p.a, p.b)}
        unseen = np.array([p.a not in mrpc and p.b not in mrpc for p in pairs])
        out["spearman_judge"] = round(float(spearmanr(scores, gold).statistic), 4)
        blended = [judge.blend.similarity(float(j), float(c)) for j, c in zip(scores, cos, strict=True)]
        out["spearman_judge_blend"] = round(float(spearmanr(blended, gold).statistic), 4)
        out["spearman_judge_without_mrpc_sentences"] = round(
            float(spearmanr(scores[unseen], gold[unseen]).statistic), 4
        )
        out["pairs_without_mrpc_sentences"] = int(unseen.sum())
    return out


def eval_edits(
    data: Path, cache: EmbeddingCache, judge: PairJudge | None, per_kind: int, seed: int, encoder: Encoder
) -> dict:
    """Verdict accuracy per kind of controlled edit of PolNeAR dev sentences (``edit_pairs``):
    number / negation / stance -> changed, reworded -> repeat, another sentence -> different,
    and (``swap_pairs``) one verb or noun swapped for another: the same frame, another proposition
    -> changed (the single words compared by ``encoder``, as the product does)."""
    from bot.nlp.pipeline import load_pipeline

    sentences = polnear_sentences(data, "dev")
    edits = edit_pairs(sentences, seed=seed, per_kind=per_kind)
    edits += swap_pairs(sentences, load_pipeline(None), seed=seed, count=per_kind)
    va = cache.encode([e.a for e in edits], "edits a")
    vb = cache.encode([e.b for e in edits], "edits b")
    cos = np.sum(va * vb, axis=1)
    scores = judge.score([(e.a, e.b) for e in edits]) if judge is not None else None
    kinds = sorted({e.kind for e in edits})
    out: dict = {"pairs": len(edits), "per_kind": {k: sum(e.kind == k for e in edits) for k in kinds}}
    word_similarity = encoder_word_similarity(encoder)
    variants = {"combined_similarity": None} | ({"judge": scores} if scores is not None else {})
    examples: dict[str, list] = {}
    for name, sc in variants.items():
        right = []
        for i, e in enumerate(edits):
            v = judge_pair(
                e.a,
                e.b,
                float(cos[i]),
                judge=None if sc is None else float(sc[i]),
                judge_blend=judge.blend if judge is not None else None,
                word_similarity=word_similarity,
            )
            right.append(v.verdict.value == e.expected)
            if not right[-1] and len(examples.setdefault(name, [])) < 12:
                examples[name].append([e.kind, e.a, e.b, v.verdict.value, round(v.similarity, 3)])
        ok = np.array(right)
        out[name] = {k: round(float(ok[[e.kind == k for e in edits]].mean()), 4) for k in kinds}
        out[name]["all"] = round(float(ok.mean()), 4)
    out["wrong_examples"] = examples
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("build/eval_matching.json"))
    parser.add_argument("--cache", type=Path, default=None, help="default: one per encoder under build/")
    parser.add_argument("--overlay", type=Path, default=None, help="fine-tuned layers (.safetensors)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--min-precision", type=float, default=0.80)
    parser.add_argument("--k-vec", type=int, default=30)
    parser.add_argument("--k-text", type=int, default=20)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["mrpc", "checkthat", "judge-mrpc", "stsb", "edits", "judge-search"],
        default=None,
    )
    parser.add_argument(
        "--judge-oof", type=Path, default=Path("build/judge/mrpc_oof.json"), help="from train_judge.py --cv"
    )
    parser.add_argument("--judge", type=Path, default=JUDGE_WEIGHTS, help="the judge for STS-B and edits")
    parser.add_argument("--no-judge", action="store_true", help="STS-B and edits without the judge")
    parser.add_argument(
        "--judge-precision", choices=["int8", "float32"], default="int8", help="int8: as shipped"
    )
    parser.add_argument("--edits-per-kind", type=int, default=400)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--precision",
        choices=[p.value for p in Precision],
        default=Settings().embedding_precision,
        help="how MiniLM runs (bot.inference.encoder); each has its own embedding cache",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    overlay: Path | None = args.overlay
    precision = Precision(args.precision)
    suffix = "" if precision is Precision.FLOAT32 else f"_{precision.value}"
    cache_path = args.cache or Path(f"build/matching/emb_cache{suffix}.npz")
    if args.cache is None and overlay is not None:  # vectors of different encoders never mix
        digest = hashlib.sha256(overlay.read_bytes()).hexdigest()[:12]
        cache_path = Path(f"build/matching/emb_cache_{digest}{suffix}.npz")
    encoder = (
        OverlayMiniLMEncoder(overlay, precision=precision, batch_size=64, num_threads=args.threads)
        if overlay
        else MiniLMEncoder(precision=precision, batch_size=64, num_threads=args.threads)
    )
    cache = EmbeddingCache(cache_path, encoder)
    report: dict = {
        "encoder": {
            "overlay": str(overlay) if overlay else None,
            "precision": precision.value,
            "cache": str(cache_path),
        },
        "default_pair_weights": DEFAULT_PAIR_WEIGHTS,
    }
    only = set(args.only or ["mrpc", "checkthat", "judge-mrpc", "stsb", "edits"])
    judge = None
    if not args.no_judge and only & {"stsb", "edits", "judge-search"}:
        judge = PairJudge(args.judge, precision=args.judge_precision, num_threads=args.threads)
        report["judge"] = {"weights": str(args.judge), "precision": judge.precision}
    if "mrpc" in only:
        report["mrpc"] = eval_mrpc(load_mrpc(args.data), cache, args.folds, args.min_precision)
        print(json.dumps(report["mrpc"], indent=1))
    if "judge-mrpc" in only and args.judge_oof.is_file():
        report["judge_mrpc_5fold"] = eval_judge_mrpc(load_mrpc(args.data), cache, args.judge_oof)
        print(json.dumps(report["judge_mrpc_5fold"], indent=1))
    if "stsb" in only:
        report["stsb_dev"] = eval_stsb(args.data, cache, judge)
        print(json.dumps(report["stsb_dev"], indent=1))
    if "edits" in only:
        report["edits_dev"] = eval_edits(
            args.data, cache, judge, args.edits_per_kind, seed=14, encoder=encoder
        )
        print(json.dumps({k: v for k, v in report["edits_dev"].items() if k != "wrong_examples"}, indent=1))
    if "checkthat" in only:
        report["checkthat"] = eval_checkthat(load_checkthat(args.data), cache, args.k_vec, args.k_text)
        print(json.dumps(report["checkthat"], indent=1))
    if "judge-search" in only and judge is not None:
        report["judge_search"] = eval_judge_search(
            load_checkthat(args.data), cache, judge, args.k_vec, args.k_text
        )
        print(json.dumps(report["judge_search"], indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
