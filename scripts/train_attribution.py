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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, required=True, help="data root (../shared/data)")
    parser.add_argument("--out", type=Path, default=Path("models/attribution"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    compartment = find_compartment(args.data, "train")
    totals, in_cue, articles = count_cue_forms(compartment)
    lexicon = build_lexicon(totals, in_cue)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "cue_lexicon.json"
    existing: dict[str, object] = json.loads(path.read_text()) if path.exists() else {}
    payload = {
        "source": "PolNeAR train",
        "articles": articles,
        "threshold": existing.get("threshold", 0.3),
        "priors": lexicon,
    }
    path.write_text(json.dumps(payload, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("wrote %s: %d cue forms from %d articles", path, len(lexicon), articles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
