"""Benchmark 1: extraction and full ``check`` throughput beside spaCy parsing alone.

    .venv/bin/python -m bench.throughput --texts ../shared/data/polnear/train/text --limit 150

For each article, in turn and in the same process: (a) spaCy parsing alone (``nlp(text)``),
(b) claim extraction (``SpacyClaimExtractor.extract``: parse + attribution, with the span tagger
when ``CLAIMBOT_ATTRIBUTION_TAGGER`` is on as by default, + check-worthiness),
(c) the full ``ClaimService.check`` (prepare, extract, MiniLM, retrieval, verdicts, one SQLite
transaction) into a fresh SQLite store. Interleaving the three per article means a change of
machine load hits all three alike, so the ratio check ÷ parsing stays fair on a shared box.
Target: full check ≥ 0.5 × parsing alone (words per second).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common
from bench.corpus import read_texts, word_count
from bot.errors import BadInput
from bot.models import ArticleInput
from bot.ports import ClaimExtractor, Encoder

TARGET_RATIO = 0.5
TENANT = "bench-throughput"


def run(
    articles: Sequence[tuple[str, str]],
    *,
    nlp: Any,
    extractor: ClaimExtractor,
    encoder: Encoder,
    data_dir: Path,
    warmup: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Times the three stages per article; returns totals, rates and the ratios."""
    from adapters.bootstrap import bootstrap
    from bot.settings import load_settings

    settings = load_settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'claimbot.db'}")
    app = bootstrap(settings, extractor=extractor, encoder=encoder)
    try:
        for _, text in warmup:  # loads models, lazy scorers, the first SQLite pages
            nlp(text)
            extractor.extract(text)
            app.service.check(tenant=f"{TENANT}-warmup", article=ArticleInput(text=text))
        seconds = {"parse": 0.0, "extract": 0.0, "check": 0.0}
        words = claims = refused = done = 0
        sampler = common.LoadSampler()
        for name, text in articles:
            t0 = time.perf_counter()
            nlp(text)
            t1 = time.perf_counter()
            extractor.extract(text)
            t2 = time.perf_counter()
            try:
                report = app.service.check(tenant=TENANT, article=ArticleInput(text=text, title=name))
            except BadInput:
                refused += 1
                continue
            t3 = time.perf_counter()
            seconds["parse"] += t1 - t0
            seconds["extract"] += t2 - t1
            seconds["check"] += t3 - t2
            words += word_count(text)
            claims += report.summary.claims
            done += 1
        load = sampler.stop()
    finally:
        app.close()
    stages: dict[str, Any] = {}
    for stage, secs in seconds.items():
        stages[stage] = {
            "seconds": round(secs, 3),
            "words_per_s": round(words / secs, 1) if secs else None,
            "articles_per_s": round(done / secs, 3) if secs else None,
        }
    ratio_check = seconds["parse"] / seconds["check"] if seconds["check"] else None
    ratio_extract = seconds["parse"] / seconds["extract"] if seconds["extract"] else None
    return {
        "articles": done,
        "refused": refused,
        "words": words,
        "claims": claims,
        "stages": stages,
        "ratio_check_vs_parse": round(ratio_check, 3) if ratio_check else None,
        "ratio_extract_vs_parse": round(ratio_extract, 3) if ratio_extract else None,
        "target_ratio": TARGET_RATIO,
        "target_met": bool(ratio_check and ratio_check >= TARGET_RATIO),
        **load,
    }


def print_result(result: dict[str, Any], model: str) -> None:
    names = {"parse": "spaCy parsing alone", "extract": "claim extraction", "check": "full check"}
    parse_wps = result["stages"]["parse"]["words_per_s"] or 0
    rows = []
    for stage, label in names.items():
        s = result["stages"][stage]
        wps = s["words_per_s"] or 0
        rows.append(
            [
                label,
                f"{s['seconds']:.1f} s",
                f"{wps:,.0f}",
                f"{s['articles_per_s'] or 0:.2f}",
                f"{wps / parse_wps:.2f}×" if parse_wps else "-",
            ]
        )
    common.console.print(
        common.table(
            f"Throughput on {result['articles']} articles, {result['words']:,} words, "
            f"{result['claims']:,} claims (pipeline {model}; load "
            f"{result['loadavg_1m_start']}→{result['loadavg_1m_end']})",
            ["stage", "time", "words/s", "articles/s", "÷ parsing"],
            rows,
        )
    )
    common.console.print(
        f"full check ÷ parsing alone = {result['ratio_check_vs_parse']} "
        f"(target ≥ {TARGET_RATIO}): {common.verdict(result['target_met'])}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True, help="directory of article *.txt files")
    parser.add_argument("--limit", type=int, default=150, help="articles to measure (after warm-up)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--spacy-model", default=None, help="default: CLAIMBOT_SPACY_MODEL / claimbot_en")
    parser.add_argument("--smoke", action="store_true", help="3 articles, 1 warm-up (CI)")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default bench/results)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, encoder: Encoder | None = None) -> dict[str, Any]:
    """Runs the benchmark; ``encoder`` replaces MiniLM (the smoke test passes a fake)."""
    common.quiet_logs()
    args = parse_args(argv)
    if args.smoke:
        args.limit, args.warmup = 3, 1
    from bot.inference.encoder import load_encoder
    from bot.inference.extractor import load_extractor
    from bot.settings import load_settings

    settings = load_settings(**({"spacy_model": args.spacy_model} if args.spacy_model else {}))
    texts = read_texts(args.texts, limit=args.limit + args.warmup)
    extractor = load_extractor(settings)  # as the product runs it (span tagger too)
    nlp = extractor.nlp
    encoder = encoder or load_encoder(settings)
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-") as tmp:
        result = run(
            texts[args.warmup :],
            nlp=nlp,
            extractor=extractor,
            encoder=encoder,
            data_dir=Path(tmp),
            warmup=texts[: args.warmup],
        )
    result["spacy_model"] = settings.spacy_model
    result["attribution_tagger"] = settings.attribution_tagger
    result["encoder"] = type(encoder).__name__
    precision = getattr(encoder, "precision", None)  # what actually ran (bfloat16 may fall back)
    result["encoder_precision"] = str(precision) if precision is not None else None
    print_result(result, settings.spacy_model)
    path = common.write_result("throughput", result, out_dir=args.out)
    common.console.print(f"results: {path}")
    return result


if __name__ == "__main__":
    main()
    raise SystemExit(0)
