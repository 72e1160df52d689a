"""The real end-to-end ``claimbot import`` rate, MiniLM encoding included, on 10,000 lines.

    .venv/bin/python -m bench.import_rate --texts ../shared/data/polnear/train/text --lines 10000

Writes a JSON-lines archive of generated claims (real sentences recombined / perturbed, see
``bench.synth``; ids, speakers, dates, sources) and runs the installed ``claimbot import``
command on it in a fresh data directory, timing the whole command. A second run with
``--small`` lines measures the fixed cost (interpreter, imports, model load), so the steady
rate is ``(lines − small) ÷ (T_lines − T_small)``. Target: ≥ 300 claims/s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
from bot.settings import load_settings

TARGET_RATE = 300.0


def write_archive(texts_dir: Path, path: Path, *, lines: int, seed: int = 2) -> None:
    """``lines`` claims as ``claimbot import`` reads them (text only: vectors are not needed)."""
    texts = [t for _, t in read_texts(texts_dir)]
    sentences = claim_like_sentences(texts, limit=max(2_000, lines))
    base = BaseSet(sentences, np.zeros((len(sentences), 1), dtype=np.float32), 0.0)
    speakers = speaker_pool(texts)
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
    found = re.search(r"imported ([\d,]+) claims", proc.stderr + proc.stdout)
    return elapsed, int(found.group(1).replace(",", "")) if found else -1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.import_rate", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100, help="lines of the fixed-cost run")
    parser.add_argument("--backends", nargs="+", default=["sqlite"], choices=["sqlite", "postgres"])
    parser.add_argument("--postgres", default=common.DEFAULT_POSTGRES_URL)
    parser.add_argument("--smoke", action="store_true", help="40 lines, fake-free but tiny (CI)")
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
        big, small = root / "big.jsonl", root / "small.jsonl"
        write_archive(args.texts, big, lines=args.lines)
        if args.small:
            write_archive(args.texts, small, lines=args.small, seed=3)
        for backend in args.backends:
            urls = []
            for name in ("small", "big"):
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
            t_small, n_small = 0.0, 0
            if args.small:  # the smoke run skips the fixed-cost run
                t_small, n_small = time_import(
                    small, db_url=urls[0], data_dir=root / backend / "small", extra_env=extra_env or {}
                )
            t_big, n_big = time_import(
                big, db_url=urls[1], data_dir=root / backend / "big", extra_env=extra_env or {}
            )
            steady = (n_big - n_small) / (t_big - t_small) if t_big > t_small else None
            rows.append(
                {
                    "backend": backend,
                    # the child reads the same environment (or .env) as this process
                    "embedding_precision": load_settings().embedding_precision,
                    "lines": args.lines,
                    "imported": n_big,
                    "seconds": round(t_big, 2),
                    "rate_including_startup": round(n_big / t_big, 1),
                    "fixed_cost_s": round(t_small, 2) if args.small else None,
                    "steady_rate": round(steady, 1) if steady and args.small else None,
                    "target_met": bool(steady and args.small and steady >= TARGET_RATE),
                    **sampler.stop(),
                }
            )
    common.console.print(
        common.table(
            f"claimbot import of {args.lines:,} lines (MiniLM encoding included)",
            [
                "backend",
                "imported",
                "wall",
                "claims/s incl. start-up",
                "fixed cost",
                "steady claims/s",
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
