"""The real end-to-end ``claimbot import`` rate, MiniLM encoding included, on 10,000 lines.

    .venv/bin/python -m bench.import_rate --texts ../shared/data/polnear/train/text --lines 10000

Writes a JSON-lines archive of generated claims (real sentences recombined / perturbed, see
``bench.synth``; ids, speakers, dates, sources) and runs the installed ``claimbot import``
command on it in a fresh data directory, timing the whole command. A second run with
``--small`` lines measures the fixed cost (interpreter, imports, model load), so the steady
rate is ``(lines − small) ÷ (T_lines − T_small)``. Target: ≥ 300 claims/s.

``--format claimreview`` writes the same claims as one schema.org ClaimReview JSON-LD
document (``@graph``, each with a url, fact-checker, verdict, rating and headline), the
form fact-checkers publish; ``--repeat N`` times the big import N times on fresh databases
and reports the median (the fixed cost is measured once).

    .venv/bin/python -m bench.import_rate --texts ../shared/data/polnear/train/text \
        --format claimreview --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.corpus import claim_like_sentences, read_texts
from bench.synth import CHUNK, BaseSet, generate_chunk, speaker_pool
from bot.models import KnownClaim
from bot.settings import load_settings

TARGET_RATE = 300.0
FORMATS = ("jsonl", "claimreview")
FACT_CHECKERS = ("Fact Desk", "TruthMeter", "Checkers", "QuoteCheck")
VERDICTS = (("False", 1), ("Mostly false", 2), ("Half true", 3), ("Mostly true", 4), ("True", 5))


def claim_review(claim: KnownClaim, index: int) -> dict[str, Any]:
    """A schema.org ClaimReview of ``claim`` as a fact-checker would publish it."""
    verdict, rating = VERDICTS[index % len(VERDICTS)]
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "url": f"https://factcheck.example/reviews/{claim.external_id}",
        "claimReviewed": claim.text,
        "headline": f"Fact check: {' '.join(claim.text.split()[:8])}",
        "author": {"@type": "Organization", "name": FACT_CHECKERS[index % len(FACT_CHECKERS)]},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": str(rating),
            "bestRating": "5",
            "worstRating": "1",
            "alternateName": verdict,
        },
    }
    item: dict[str, Any] = {"@type": "Claim"}
    if claim.speaker:
        item["author"] = {"@type": "Person", "name": claim.speaker}
    if claim.date:
        item["datePublished"] = claim.date.isoformat()
        review["datePublished"] = claim.date.isoformat()
    review["itemReviewed"] = item
    return review


def write_archive(texts_dir: Path, path: Path, *, lines: int, seed: int = 2, fmt: str = "jsonl") -> None:
    """``lines`` claims as ``claimbot import`` reads them (text only: vectors are not needed):
    claimbot JSON lines, or one ClaimReview JSON-LD document (``fmt="claimreview"``)."""
    texts = [t for _, t in read_texts(texts_dir)]
    sentences = claim_like_sentences(texts, limit=max(2_000, lines))
    base = BaseSet(sentences, np.zeros((len(sentences), 1), dtype=np.float32), 0.0)
    speakers = speaker_pool(texts)
    if fmt == "claimreview":
        reviews = []
        for chunk in range((lines + CHUNK - 1) // CHUNK):
            claims, _ = generate_chunk(
                base, speakers, chunk=chunk, size=min(CHUNK, lines - chunk * CHUNK), seed=seed
            )
            reviews += [claim_review(c, chunk * CHUNK + j) for j, c in enumerate(claims)]
        document = {"@context": "https://schema.org", "@graph": reviews}
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return
    with path.open("w", encoding="utf-8") as fh:
        for chunk in range((lines + CHUNK - 1) // CHUNK):
            claims, _ = generate_chunk(
                base, speakers, chunk=chunk, size=min(CHUNK, lines - chunk * CHUNK), seed=seed
            )
            for claim in claims:
                row: dict[str, Any] = {"id": claim.external_id, "text": claim.text}
                if claim.speaker:
                    row["speaker"] = claim.speaker
                if claim.date:
                    row["date"] = claim.date.isoformat()
                if claim.source:
                    row["source"] = claim.source
                fh.write(json.dumps(row) + "\n")


def time_import(
    archive: Path, *, db_url: str, data_dir: Path, extra_env: dict[str, str]
) -> tuple[float, int]:
    """Runs ``claimbot import``; returns (seconds, claims imported)."""
    elapsed, imported, _ = time_import_cpu(archive, db_url=db_url, data_dir=data_dir, extra_env=extra_env)
    return elapsed, imported


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_import_cpu(
    archive: Path, *, db_url: str, data_dir: Path, extra_env: dict[str, str]
) -> tuple[float, int, float]:
    """Runs ``claimbot import``; returns (wall seconds, claims imported, CPU seconds it used).

    The CPU seconds say what the import costs on a machine shared with other work, where the
    wall clock mostly measures the others."""
    cpu0 = _children_cpu_s()
    claimbot = Path(os.environ.get("VIRTUAL_ENV", common.REPO_ROOT / ".venv")) / "bin" / "claimbot"
    env = os.environ | {"CLAIMBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"} | extra_env
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(claimbot), "import", str(archive), "--db", db_url, "--tenant", "bench-import"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"claimbot import failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = _children_cpu_s() - cpu0
    # "imported 9,990 claims" (JSON lines) or "imported 9,990, skipped ..." (ClaimReview)
    found = re.search(r"imported ([\d,]+)", proc.stderr + proc.stdout)
    return elapsed, int(found.group(1).replace(",", "")) if found else -1, cpu


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.import_rate", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100, help="lines of the fixed-cost run")
    parser.add_argument("--backends", nargs="+", default=["sqlite"], choices=["sqlite", "postgres"])
    parser.add_argument("--postgres", default=common.DEFAULT_POSTGRES_URL)
    parser.add_argument("--smoke", action="store_true", help="40 lines, fake-free but tiny (CI)")
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="jsonl", help="archive format")
    parser.add_argument("--repeat", type=int, default=1, help="big imports timed (median reported)")
    parser.add_argument("--out", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    common.quiet_logs()
    args = parse_args(argv)
    if args.smoke:
        args.lines, args.small = 40, 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="claimbot-import-") as tmp:
        root = Path(tmp)
        suffix = ".json" if args.fmt == "claimreview" else ".jsonl"
        big, small = root / f"big{suffix}", root / f"small{suffix}"
        write_archive(args.texts, big, lines=args.lines, fmt=args.fmt)
        if args.small:
            write_archive(args.texts, small, lines=args.small, seed=3, fmt=args.fmt)
        runs = max(1, args.repeat)
        names = ["small", *(f"big{n}" for n in range(runs))]
        for backend in args.backends:
            urls = []
            for name in names:
                if backend == "sqlite":
                    (root / backend / name).mkdir(parents=True)
                    urls.append(f"sqlite:///{root / backend / name / 'claimbot.db'}")
                else:
                    from bench.stores import _create_database, postgres_reachable

                    if reason := postgres_reachable(args.postgres):
                        raise SystemExit(f"PostgreSQL unreachable: {reason}")
                    import sqlalchemy as sa

                    db = f"claimbot_bench_import_{name}"
                    _create_database(args.postgres, db, drop=True)
                    urls.append(
                        sa.make_url(args.postgres).set(database=db).render_as_string(hide_password=False)
                    )
            sampler = common.LoadSampler()
            t_small, n_small, cpu_small = 0.0, 0, 0.0
            if args.small:  # the smoke run skips the fixed-cost run
                t_small, n_small, cpu_small = time_import_cpu(
                    small, db_url=urls[0], data_dir=root / backend / "small", extra_env=extra_env or {}
                )
            timed = [
                time_import_cpu(big, db_url=url, data_dir=root / backend / name, extra_env=extra_env or {})
                for name, url in zip(names[1:], urls[1:], strict=True)
            ]
            n_big = timed[0][1]
            t_big = statistics.median(t for t, _, _ in timed)
            steady_rates = [(n - n_small) / (t - t_small) for t, n, _ in timed if t > t_small]
            steady = statistics.median(steady_rates) if steady_rates else None
            # claims per CPU-second past the fixed cost: what one idle core would do
            per_cpu = [(n - n_small) / (c - cpu_small) for _, n, c in timed if c > cpu_small]
            rows.append(
                {
                    "backend": backend,
                    "format": args.fmt,
                    # the child reads the same environment (or .env) as this process
                    "embedding_precision": load_settings().embedding_precision,
                    "lines": args.lines,
                    "imported": n_big,
                    "runs": len(timed),
                    "seconds": round(t_big, 2),  # the median run
                    "seconds_each": [round(t, 2) for t, _, _ in timed],
                    "rate_including_startup": round(n_big / t_big, 1),
                    "fixed_cost_s": round(t_small, 2) if args.small else None,
                    "steady_rate": round(steady, 1) if steady and args.small else None,  # median
                    "steady_rates": [round(r, 1) for r in steady_rates] if args.small else [],
                    "cpu_seconds_each": [round(c, 2) for _, _, c in timed],
                    "steady_per_cpu_s": round(statistics.median(per_cpu), 1)
                    if per_cpu and args.small
                    else None,
                    "target_met": bool(steady and args.small and steady >= TARGET_RATE),
                    **sampler.stop(),
                }
            )
    what = "ClaimReview objects" if args.fmt == "claimreview" else "lines"
    common.console.print(
        common.table(
            f"claimbot import of {args.lines:,} {what} (MiniLM encoding included; median of {runs})",
            [
                "backend",
                "imported",
                "wall",
                "claims/s incl. start-up",
                "fixed cost",
                "steady claims/s",
                "per CPU-second",
                f"≥ {TARGET_RATE:.0f}/s",
                "load 1m",
            ],
            [
                [
                    r["backend"],
                    f"{r['imported']:,}",
                    f"{r['seconds']:.1f} s",
                    f"{r['rate_including_startup']:,.0f}",
                    f"{r['fixed_cost_s']:.1f} s" if r["fixed_cost_s"] is not None else "-",
                    f"{r['steady_rate']:,.0f}" if r["steady_rate"] else "-",
                    f"{r['steady_per_cpu_s']:,.0f}" if r["steady_per_cpu_s"] else "-",
                    common.verdict(r["target_met"]),
                    f"{r['loadavg_1m_start']}→{r['loadavg_1m_end']}",
                ]
                for r in rows
            ],
        )
    )
    result = {"runs": rows}
    path = common.write_result("import", result, out_dir=args.out)
    common.console.print(f"results: {path}")
    return result


if __name__ == "__main__":
    main()
    raise SystemExit(0)
