"""Measure a spaCy pipeline the way claimbot uses it: accuracy on EWT / UNER dev, speed on news text.

    python -m scripts.eval_pipeline --data ../shared/data [--model NAME] [--out build/eval_pipeline.json]

* EWT dev (UD_English-EWT, re-tokenised by the pipeline's own tokenizer): TAG, POS, MORPH, LEMMA,
  UAS, LAS, SENTS_F. LAS is only meaningful for a UD-label pipeline; an ``en_core_web_*`` pipeline
  gets UAS and tags but its ClearNLP labels never equal UD's.
* UNER dev: ENTS_F overall and per label, after mapping the pipeline's labels to PER / ORG / LOC with
  :func:`bot.nlp.pipeline.entity_label_map` (so ``PERSON``/``GPE`` pipelines are scored fairly).
* Speed: words per second of ``nlp.pipe`` over the PolNeAR dev articles, one process.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span
from spacy.training import Example

from bot.nlp.pipeline import entity_label_map, load_pipeline, pipeline_label_scheme
from scripts.convert_data import convert_split, find_split_files

logger = logging.getLogger(__name__)


def _pct(value: Any) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def gold_docs(nlp: Language, data: Path, split: str = "dev") -> list[Doc]:
    conllu, iob2 = find_split_files(data, split)
    doc_bin, stats = convert_split(conllu, iob2, max_sents=10, vocab=nlp.vocab)
    logger.info("%s: %d gold docs, %d sentences", split, stats.docs, stats.sentences)
    return list(doc_bin.get_docs(nlp.vocab))


def predict(nlp: Language, golds: list[Doc], batch_size: int = 64) -> list[Doc]:
    return list(nlp.pipe((gold.text for gold in golds), batch_size=batch_size))


def canonical_entities(doc: Doc, label_map: Mapping[str, str]) -> Doc:
    """Relabel ``doc``'s entities to PER / ORG / LOC, dropping kinds with no counterpart."""
    doc.ents = [
        Span(doc, ent.start, ent.end, label=label_map[ent.label_])
        for ent in doc.ents
        if ent.label_ in label_map
    ]
    return doc


def syntax_scores(examples: list[Example]) -> dict[str, Any]:
    tags = Scorer.score_token_attr(examples, "tag")
    pos = Scorer.score_token_attr(examples, "pos")
    morph = Scorer.score_token_attr(examples, "morph")
    lemma = Scorer.score_token_attr(examples, "lemma")
    deps = Scorer.score_deps(examples, "dep", ignore_labels=("p", "punct"))
    sents = Scorer.score_spans(examples, "sents")
    return {
        "TAG": _pct(tags["tag_acc"]),
        "POS": _pct(pos["pos_acc"]),
        "MORPH": _pct(morph["morph_acc"]),
        "LEMMA": _pct(lemma["lemma_acc"]),
        "UAS": _pct(deps["dep_uas"]),
        "LAS": _pct(deps["dep_las"]),
        "SENTS_F": _pct(sents["sents_f"]),
    }


def entity_scores(examples: list[Example]) -> dict[str, Any]:
    ents = Scorer.score_spans(examples, "ents", has_annotation=lambda doc: doc.has_annotation("ENT_IOB"))
    per_type = ents.get("ents_per_type") or {}
    return {
        "ENTS_P": _pct(ents["ents_p"]),
        "ENTS_R": _pct(ents["ents_r"]),
        "ENTS_F": _pct(ents["ents_f"]),
        "per_label": {label: _pct(v["f"]) for label, v in sorted(per_type.items())},
    }


def measure_speed(nlp: Language, text_dir: Path) -> dict[str, Any]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(text_dir.glob("*.txt"))]
    list(nlp.pipe(texts[:2]))  # warm up caches before timing
    started, cpu_started = time.perf_counter(), time.process_time()
    words = sum(sum(1 for t in doc if not t.is_space) for doc in nlp.pipe(texts, batch_size=16))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    # Wall-clock speed depends on what else the machine runs; CPU-time speed is the pipeline's own.
    return {
        "texts": len(texts),
        "words": words,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "words_per_second": round(words / seconds),
        "words_per_cpu_second": round(words / cpu_seconds),
    }


def evaluate_pipeline(nlp: Language, data: Path) -> dict[str, Any]:
    golds = gold_docs(nlp, data, "dev")
    started = time.perf_counter()
    predicted = predict(nlp, golds)
    logger.info("parsed EWT dev in %.1f s", time.perf_counter() - started)
    syntax_examples = [Example(pred, gold) for pred, gold in zip(predicted, golds, strict=True)]
    label_map = entity_label_map(nlp)
    ner_examples = [
        Example(canonical_entities(pred, label_map), gold)
        for pred, gold in zip(predicted, golds, strict=True)
        if gold.has_annotation("ENT_IOB")
    ]
    return {
        "label_scheme": pipeline_label_scheme(nlp),
        "entity_label_map": label_map,
        "ewt_dev": syntax_scores(syntax_examples),
        "uner_dev": entity_scores(ner_examples),
        "speed": measure_speed(nlp, data / "polnear" / "dev" / "text"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--model", default=None, help="pipeline name or path (default: claimbot_en)")
    parser.add_argument("--out", type=Path, default=Path("build/eval_pipeline.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    nlp = load_pipeline(args.model)
    results: dict[str, Any] = {"model": args.model or "claimbot_en", "components": nlp.pipe_names}
    results.update(evaluate_pipeline(nlp, args.data))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    ewt, uner, speed = results["ewt_dev"], results["uner_dev"], results["speed"]
    print(f"model {results['model']} ({results['label_scheme']} labels), components {nlp.pipe_names}")
    print("EWT dev:  " + "  ".join(f"{key} {value}" for key, value in ewt.items()))
    per_label = "  ".join(f"{label} {f}" for label, f in uner["per_label"].items())
    print(
        f"UNER dev: ENTS_P {uner['ENTS_P']}  ENTS_R {uner['ENTS_R']}  ENTS_F {uner['ENTS_F']}  ({per_label})"
    )
    print(
        f"speed:    {speed['words_per_second']} words/s wall, {speed['words_per_cpu_second']} words/CPU-s "
        f"({speed['words']} words, {speed['texts']} articles, one process)"
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
