"""Learns the attribution cue lexicon from PolNeAR train.

    python -m scripts.train_attribution --data ../shared/data [--out models/attribution]

For every lower-cased word form in the training articles it counts how often the form
occurs and how often it lies inside an annotated Cue span. The smoothed ratio is the
form's cue prior, which the extractor uses to decide which verbs introduce speech
(``said`` ~0.9, ``called`` much lower). Only forms seen often enough are kept, so the
artefact stays a few kilobytes. The decision threshold is tuned on dev with
``scripts/eval_attribution.py --tune``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path

from bot.nlp.polnear import find_compartment, read_compartment

logger = logging.getLogger(__name__)

WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")
MIN_TOTAL = 3
MIN_CUE = 2
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


def train_cue_model(
    compartment: Path, lexicon_path: Path, model_name: str | None, candidate_threshold: float, limit: int = 0
) -> dict[str, object]:
    """Fits the logistic regression that keeps or drops candidate statements.

    Candidates come from the rule-based generator run with a permissive cue threshold on
    PolNeAR train; a candidate is positive when its content matches a gold attribution
    (overlap of at least half of the longer span, in tokens), as in the evaluation.
    """
    import numpy as np
    import spacy
    from sklearn.linear_model import LogisticRegression

    from bot.nlp.attribution import attribution_features, find_attributions, load_lexicon
    from bot.nlp.pipeline import load_pipeline
    from bot.nlp.quotes import normalise_text
    from scripts.eval_attribution import WORD, token_set

    nlp = spacy.load(model_name) if model_name and Path(model_name).is_dir() else load_pipeline(model_name)
    load_lexicon.cache_clear()
    lexicon = load_lexicon(lexicon_path, candidate_threshold, use_model=False)
    articles = list(read_compartment(compartment))
    if limit:
        articles = articles[:limit]
    features: list[list[float]] = []
    labels: list[int] = []
    started = time.perf_counter()
    docs = nlp.pipe((normalise_text(a.text) for a in articles), batch_size=8)
    for index, (article, doc) in enumerate(zip(articles, docs, strict=True)):
        offsets = [m.start() for m in WORD.finditer(article.text)]
        gold = [token_set(article.text, g.content, offsets) for g in article.attributions]
        for attribution in find_attributions(doc, lexicon=lexicon, raw_text=article.text):
            predicted = token_set(article.text, [(attribution.start, attribution.end)], offsets)
            hit = any(predicted and len(predicted & g) >= 0.5 * max(len(predicted), len(g)) for g in gold)
            features.append(attribution_features(doc, attribution, lexicon))
            labels.append(int(hit))
        if (index + 1) % 20 == 0 or index + 1 == len(articles):
            elapsed = time.perf_counter() - started
            sys.stderr.write(f"\rparsed {index + 1}/{len(articles)} train articles  {elapsed:6.1f}s")
    sys.stderr.write("\n")
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
    if existing.get("model"):
        payload["model"] = existing["model"]
    path.write_text(json.dumps(payload, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_cue_model:
        payload["model"] = train_cue_model(
            compartment, path, args.model, args.candidate_threshold, args.limit
        )
        path.write_text(json.dumps(payload, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
        logger.info("cue model saved in %s (tune its threshold: eval_attribution --tune)", path)
    logger.info("wrote %s: %d cue forms from %d articles", path, len(lexicon), articles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
