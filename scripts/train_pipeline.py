"""Train claimbot's English spaCy pipeline end to end: convert → train → package.

    python -m scripts.train_pipeline --data ../shared/data --out models/claimbot_en [--max-minutes 55]

1. UD English-EWT + UNER English-EWT → ``build/corpus/{train,dev,test}.spacy`` (scripts.convert_data);
2. ``spacy train`` with ``configs/claimbot_en.cfg`` (tok2vec CNN + tagger + morphologizer +
   trainable_lemmatizer + parser + ner), stopped at the wall-clock budget; spaCy keeps the best
   checkpoint on EWT dev in ``build/pipeline/model-best``;
3. evaluate that checkpoint on EWT dev (and test when present), copy it to ``--out`` with a
   ``meta.json`` naming it ``claimbot_en`` and documenting data, licence and accuracy.

Run it with ``OMP_NUM_THREADS=1`` on a shared machine: a single thread is nearly as fast for this
small CNN and leaves the other core free.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy
import spacy
import srsly
from spacy.language import Language
from spacy.training import Corpus
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_nlp
from spacy.util import load_config, registry

from scripts.convert_data import convert_all

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO_ROOT / "configs" / "claimbot_en.cfg"
PIPELINE_NAME = "claimbot_en"
PIPELINE_VERSION = "0.1.0"


class TrainingDeadline(Exception):
    """Raised from ``before_update`` when the wall-clock budget is spent; checkpoints are intact."""


@registry.callbacks("claimbot.stop_at_deadline.v1")
def stop_at_deadline(deadline: float) -> Callable[[Language, dict[str, Any]], None]:
    """Stop training between two updates (never while a checkpoint is written) after ``deadline``."""

    def before_update(nlp: Language, info: dict[str, Any]) -> None:
        if time.time() >= deadline:
            raise TrainingDeadline(f"time budget spent at step {info.get('step')}")

    return before_update


def train(
    config_path: Path,
    corpus_dir: Path,
    output_dir: Path,
    max_minutes: float | None,
    overrides: dict[str, Any] | None = None,
) -> Path:
    """Train and return the ``model-best`` directory."""
    all_overrides: dict[str, Any] = {
        "paths.train": str(corpus_dir / "train.spacy"),
        "paths.dev": str(corpus_dir / "dev.spacy"),
        **(overrides or {}),
    }
    config = load_config(config_path, overrides=all_overrides, interpolate=False)
    if max_minutes is not None:
        config["training"]["before_update"] = {
            "@callbacks": "claimbot.stop_at_deadline.v1",
            "deadline": time.time() + max_minutes * 60,
        }
    output_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    nlp = init_nlp(config)
    logger.info("initialised %s in %.0f s; training", nlp.pipe_names, time.monotonic() - started)
    try:
        train_nlp(nlp, output_dir, stdout=sys.stdout, stderr=sys.stderr)
    except TrainingDeadline as stop:
        logger.info("stopped: %s", stop)
    logger.info("training took %.1f minutes", (time.monotonic() - started) / 60)
    return output_dir / "model-best"


def evaluate(nlp: Language, corpus_path: Path) -> dict[str, Any]:
    examples = list(Corpus(str(corpus_path))(nlp))
    return nlp.evaluate(examples, batch_size=256)


def _pct(value: Any) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def accuracy_summary(scores: dict[str, Any]) -> dict[str, Any]:
    per_type = scores.get("ents_per_type") or {}
    return {
        "tag_acc": _pct(scores.get("tag_acc")),
        "pos_acc": _pct(scores.get("pos_acc")),
        "morph_acc": _pct(scores.get("morph_acc")),
        "lemma_acc": _pct(scores.get("lemma_acc")),
        "dep_uas": _pct(scores.get("dep_uas")),
        "dep_las": _pct(scores.get("dep_las")),
        "sents_f": _pct(scores.get("sents_f")),
        "ents_f": _pct(scores.get("ents_f")),
        "ents_per_type": {label: _pct(v.get("f")) for label, v in sorted(per_type.items())},
        "speed_wps": round(float(scores.get("speed", 0.0))),
    }


def clean_packaged_config(out: Path) -> None:
    """Drop the training-only deadline callback from the shipped config.cfg, so the pipeline can be
    fine-tuned with plain ``spacy train`` where ``claimbot.stop_at_deadline.v1`` is not registered."""
    config_path = out / "config.cfg"
    config = load_config(config_path, interpolate=False)
    config["training"]["before_update"] = None
    config.to_disk(config_path)


def store_half_precision(model_file: Path) -> None:
    """Rewrites a serialised thinc model with float16 arrays (half the size on disk).

    The tok2vec hash-embedding tables are most of the pipeline's size; float16 keeps 99.95 % of
    tokens' tags, heads and lemmas identical once ``bot.nlp.pipeline`` widens them back to float32.
    """

    def halve(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: halve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [halve(v) for v in value]
        if isinstance(value, numpy.ndarray) and value.dtype == numpy.float32:
            return value.astype(numpy.float16)
        return value

    model_file.write_bytes(srsly.msgpack_dumps(halve(srsly.msgpack_loads(model_file.read_bytes()))))


def package(model_best: Path, out: Path, corpus_dir: Path, training_minutes: float | None) -> dict[str, Any]:
    """Copy ``model_best`` to ``out`` and write a meta.json that documents it."""
    nlp = spacy.load(model_best)
    accuracy: dict[str, Any] = {"ewt_dev": accuracy_summary(evaluate(nlp, corpus_dir / "dev.spacy"))}
    if (corpus_dir / "test.spacy").exists():
        accuracy["ewt_test"] = accuracy_summary(evaluate(nlp, corpus_dir / "test.spacy"))
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(model_best, out)
    clean_packaged_config(out)
    store_half_precision(out / "tok2vec" / "model")
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        {
            "name": PIPELINE_NAME,
            "version": PIPELINE_VERSION,
            "description": (
                "claimbot's English pipeline: CNN tok2vec, tagger (PTB tags), morphologizer (UPOS + "
                "features), trainable lemmatizer, dependency parser with Universal Dependencies labels "
                "(nsubj, obj, ccomp, nsubj:pass...) that also sets sentence boundaries, and an entity "
                "recognizer for PER / ORG / LOC. Trained on UD English-EWT with the UNER English-EWT "
                "entities merged in; no pretrained vectors."
            ),
            "license": "CC BY-SA 4.0",
            "author": "claimbot",
            "sources": [
                {
                    "name": "Universal Dependencies English Web Treebank (UD_English-EWT)",
                    "url": "https://github.com/UniversalDependencies/UD_English-EWT",
                    "license": "CC BY-SA 4.0",
                },
                {
                    "name": "Universal NER English-EWT (UNER_English-EWT); train file from commit "
                    "0c7ce0d (2022-12-02), stray B-O / *-OTH tags mapped to O",
                    "url": "https://github.com/UniversalNER/UNER_English-EWT",
                    "license": "CC BY-SA 4.0",
                },
            ],
            "claimbot": {
                "label_scheme": "ud",
                "weights_on_disk": "tok2vec float16; load with bot.nlp.pipeline.load_pipeline, "
                "which widens them to float32 (a bare spacy.load cannot run them)",
                "entity_labels": ["PER", "ORG", "LOC"],
                "training_minutes": None if training_minutes is None else round(training_minutes, 1),
                "accuracy": accuracy,
                "trained_with": "python -m scripts.train_pipeline --data ../shared/data "
                "--out models/claimbot_en",
            },
        }
    )
    # "performance" keeps spaCy's own fractions from training; claimbot.accuracy holds percentages.
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    size_mb = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6
    logger.info("packaged %s (%.1f MB): %s", out, size_mb, json.dumps(accuracy))
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=Path("models/claimbot_en"))
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--build", type=Path, default=Path("build"), help="corpus and checkpoints")
    parser.add_argument("--max-minutes", type=float, default=55.0, help="training wall-clock budget")
    parser.add_argument("--skip-convert", action="store_true", help="reuse build/corpus")
    parser.add_argument("--skip-train", action="store_true", help="only package build/pipeline")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="config override (JSON value)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    corpus_dir = args.build / "corpus"
    if not args.skip_convert:
        logger.info("converting %s → %s", args.data, corpus_dir)
        convert_all(args.data, corpus_dir)
    overrides = {key: json.loads(value) for key, value in (item.split("=", 1) for item in args.set)}
    started = time.monotonic()
    if args.skip_train:
        model_best, minutes = args.build / "pipeline" / "model-best", None
    else:
        model_best = train(args.config, corpus_dir, args.build / "pipeline", args.max_minutes, overrides)
        minutes = (time.monotonic() - started) / 60
    package(model_best, args.out, corpus_dir, minutes)


if __name__ == "__main__":
    main()
