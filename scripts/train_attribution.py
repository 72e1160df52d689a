"""Learns the attribution cue lexicon from PolNeAR train.

    python -m scripts.train_attribution --data ../shared/data [--out models/attribution]

For every lower-cased word form in the training articles it counts how often the form
occurs and how often it lies inside an annotated Cue span. The smoothed ratio is the
form's cue prior, which the extractor uses to decide which verbs introduce speech
(``said`` ~0.9, ``called`` much lower). Only forms seen often enough are kept, so the
artefact stays small. It then parses train once and fits two small models on the rule-based
candidates: where a statement's content ends (a conditional logit over cut points,
``bot.nlp.boundaries``), and which candidates to keep (a logistic regression over the
candidates as the rules alone give them — measured slightly better on dev than training it on
boundary-cut candidates, 0.662 vs 0.660). The keep threshold is tuned on dev with
``scripts/eval_attribution.py --tune``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from bot.nlp.attribution import AttributionModels
from bot.nlp.polnear import PolnearArticle, find_compartment, read_compartment

logger = logging.getLogger(__name__)

WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")
MIN_TOTAL = 3
MIN_CUE = 2
START_SLACK = 12  # characters between a candidate's and a gold content's start ("that ", a quote mark)
PRIOR_STRENGTH = 2.0  # pseudo-count towards "not a cue", so rare forms are not trusted blindly


def count_cue_forms(compartment: Path) -> tuple[Counter[str], Counter[str], int]:
    totals: Counter[str] = Counter()
    in_cue: Counter[str] = Counter()
    articles = 0
    for article in read_compartment(compartment):
        articles += 1
        cue_chars = bytearray(len(article.text))
        for attribution in article.attributions:
            for start, end in attribution.cue:
                cue_chars[start:end] = b"\x01" * (end - start)
        for match in WORD.finditer(article.text):
            form = match.group().lower()
            totals[form] += 1
            if cue_chars[match.start()]:
                in_cue[form] += 1
        if articles % 100 == 0:
            logger.info("counted %d articles", articles)
    return totals, in_cue, articles


def build_lexicon(totals: Counter[str], in_cue: Counter[str]) -> dict[str, float]:
    lexicon: dict[str, float] = {}
    for form, cue_count in in_cue.items():
        total = totals[form]
        if total < MIN_TOTAL or cue_count < MIN_CUE:
            continue
        lexicon[form] = round(cue_count / (total + PRIOR_STRENGTH), 4)
    return dict(sorted(lexicon.items(), key=lambda item: -item[1]))


def parse_articles(articles: list[PolnearArticle], model_name: str | None) -> list[Doc]:
    """Parses the training articles once (both learned components train on the same parses)."""

    from bot.nlp.pipeline import load_pipeline
    from bot.nlp.quotes import normalise_text

    nlp = load_pipeline(model_name)  # as the product loads it, a directory too
    docs: list[Doc] = []
    started = time.perf_counter()
    for index, doc in enumerate(nlp.pipe((normalise_text(a.text) for a in articles), batch_size=8)):
        docs.append(doc)
        if (index + 1) % 20 == 0 or index + 1 == len(articles):
            elapsed = time.perf_counter() - started
            sys.stderr.write(f"\rparsed {index + 1}/{len(articles)} train articles  {elapsed:6.1f}s")
    sys.stderr.write("\n")
    return docs


def fit_conditional_logit(groups: list[np.ndarray], positives: list[int], l2: float = 1.0) -> np.ndarray:
    """Weights of a conditional logit: within each group of alternatives (rows of features),
    the probability of alternative j is softmax(x_j . w); maximises the log-probability of the
    labelled alternative, with an L2 penalty. The boundary model picks an argmax within a
    group, so it is trained on exactly that choice rather than on independent rows."""
    from scipy.optimize import minimize

    dims = groups[0].shape[1]

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        loss = 0.5 * l2 * float(weights @ weights)
        gradient = l2 * weights
        for rows, positive in zip(groups, positives, strict=True):
            scores = rows @ weights
            top = scores.max()
            exp = np.exp(scores - top)
            total = exp.sum()
            loss -= scores[positive] - top - math.log(total)
            gradient = gradient - (rows[positive] - (exp / total) @ rows)
        return loss, gradient

    result = minimize(
        loss_and_gradient, np.zeros(dims), jac=True, method="L-BFGS-B", options={"maxiter": 500}
    )
    return np.asarray(result.x)


def train_boundary_model(
    articles: list[PolnearArticle], docs: list[Doc], lexicon: AttributionModels
) -> dict[str, object]:
    """Fits where a statement's content ends (``bot.nlp.boundaries``).

    For each candidate whose content follows its cue and starts where a gold content starts
    (within a few characters), the labelled cut point is the one whose end lies closest to
    the gold content's end.
    """
    from bot.nlp.attribution import boundary_example, find_attributions

    groups: list[np.ndarray] = []
    positives: list[int] = []
    for article, doc in zip(articles, docs, strict=True):
        spans = [(min(s for s, _ in g.content), max(e for _, e in g.content)) for g in article.attributions]
        for attribution in find_attributions(doc, lexicon=lexicon, raw_text=article.text):
            example = boundary_example(doc, attribution, raw_text=article.text)
            if example is None or len(example.cut_end_chars) < 2:
                continue
            near = [
                g
                for g in spans
                if abs(g[0] - example.start_char) <= START_SLACK and g[1] > example.start_char
            ]
            if not near:
                continue
            gold_end = min(near, key=lambda g: abs(g[0] - example.start_char))[1]
            distances = [abs(end - gold_end) for end in example.cut_end_chars]
            groups.append(np.asarray(example.features, dtype=float))
            positives.append(distances.index(min(distances)))
    weights = fit_conditional_logit(groups, positives)
    chosen = [int(np.argmax(rows @ weights)) for rows in groups]
    accuracy = sum(c == p for c, p in zip(chosen, positives, strict=True)) / len(groups)
    at_end = sum(p == len(rows) - 1 for rows, p in zip(groups, positives, strict=True)) / len(groups)
    logger.info(
        "boundary model: %d statements, labelled cut chosen %.3f (always the full span: %.3f)",
        len(groups),
        accuracy,
        at_end,
    )
    return {"weights": [round(float(w), 5) for w in weights], "bias": 0.0, "statements": len(groups)}


def train_cue_model(
    articles: list[PolnearArticle], docs: list[Doc], lexicon: AttributionModels, candidate_threshold: float
) -> dict[str, object]:
    """Fits the logistic regression that keeps or drops candidate statements.

    Candidates come from the rule-based generator run with a permissive cue threshold on
    PolNeAR train, with no boundary model (contents as far as the rules take them); a candidate
    is positive when its content matches a gold attribution (overlap of at least half of the
    longer span, in tokens), as in the evaluation.
    """
    from sklearn.linear_model import LogisticRegression

    from bot.nlp.attribution import attribution_features, find_attributions
    from scripts.eval_attribution import WORD, token_set

    features: list[list[float]] = []
    labels: list[int] = []
    for article, doc in zip(articles, docs, strict=True):
        offsets = [m.start() for m in WORD.finditer(article.text)]
        gold = [token_set(article.text, g.content, offsets) for g in article.attributions]
        for attribution in find_attributions(doc, lexicon=lexicon, raw_text=article.text):
            predicted = token_set(article.text, [(attribution.start, attribution.end)], offsets)
            hit = any(predicted and len(predicted & g) >= 0.5 * max(len(predicted), len(g)) for g in gold)
            features.append(attribution_features(doc, attribution, lexicon))
            labels.append(int(hit))
    x = np.asarray(features)
    y = np.asarray(labels)
    classifier = LogisticRegression(C=1.0, max_iter=1000)
    classifier.fit(x, y)
    logger.info(
        "cue model: %d candidates, %.1f%% positive, train accuracy %.3f",
        len(y),
        100 * y.mean(),
        classifier.score(x, y),
    )
    return {
        "weights": [round(float(w), 5) for w in classifier.coef_[0]],
        "bias": round(float(classifier.intercept_[0]), 5),
        "threshold": 0.5,
        "candidate_threshold": candidate_threshold,
        "candidates": len(y),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, required=True, help="data root (../shared/data)")
    parser.add_argument("--out", type=Path, default=Path("models/attribution"))
    parser.add_argument("--model", default=None, help="spaCy pipeline for the cue model (default: shipped)")
    parser.add_argument("--no-cue-model", action="store_true", help="only count the cue lexicon")
    parser.add_argument("--candidate-threshold", type=float, default=0.1)
    parser.add_argument("--limit", type=int, default=0, help="train the cue model on N articles only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    compartment = find_compartment(args.data, "train")
    totals, in_cue, articles = count_cue_forms(compartment)
    lexicon = build_lexicon(totals, in_cue)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "cue_lexicon.json"
    existing: dict[str, object] = json.loads(path.read_text()) if path.exists() else {}
    payload: dict[str, object] = {
        "source": "PolNeAR train",
        "articles": articles,
        "threshold": existing.get("threshold", 0.3),
        "priors": lexicon,
    }
    for key in ("model", "boundary"):
        if existing.get(key):
            payload[key] = existing[key]
    path.write_text(json.dumps(payload, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_cue_model:
        from bot.nlp.attribution import AttributionModels

        train_articles = list(read_compartment(compartment))[: args.limit or None]
        docs = parse_articles(train_articles, args.model)
        candidates = AttributionModels(lexicon, args.candidate_threshold)
        payload["boundary"] = train_boundary_model(train_articles, docs, candidates)
        payload["model"] = train_cue_model(train_articles, docs, candidates, args.candidate_threshold)
        path.write_text(json.dumps(payload, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
        logger.info(
            "boundary and cue models saved in %s (tune the cue threshold: eval_attribution --tune)", path
        )
    logger.info("wrote %s: %d cue forms from %d articles", path, len(lexicon), articles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
