"""The real ``claimbot compare --pairs`` rate, with the pair judge on and off.

    .venv/bin/python -m bench.compare_rate --texts ../shared/data/polnear/train/text --pairs 2000

Writes a JSON-lines file of statement pairs made from real sentences (half a sentence and a
lightly edited copy — a word dropped or a number changed — half two neighbouring sentences)
and runs the installed ``claimbot compare --pairs FILE --json`` on it, timing the whole
command, once with ``CLAIMBOT_PAIR_JUDGE=on`` and once ``off``. A second run with ``--small``
pairs measures the fixed cost (interpreter, imports, model loads), so the steady rate is
``(pairs − small) ÷ (T_pairs − T_small)``. Target: ≥ 200 pairs/s (issue 24).

Measured 7 Dec 2026 on the 2,000 pairs (2 shared cores; wall rates swing with the load, so the
CPU seconds per steady pair are the steadier figure): with the judge, once it read 512 pairs
sorted by length in batches of 8 (70e7e77), 32.0 → 61.3 pairs/s (medians of 3 paired runs, load
1.6–4.3) and 23.6 → 17.9 ms CPU per pair; without it ≈ 5.8 ms CPU per pair. The judge's float32
forward pass alone takes ≈ 11.5 ms CPU per pair at best (158 pairs/s for the bare ONNX session on
2 threads, 87 on 1, load ≈ 2), so with the judge even two free cores give at most ≈ 110 pairs/s.
After the int8 encoder began to read each text alone (b6af99e): 232 pairs/s without the judge,
81 with it (one run, load ≈ 1.9).
With the int8 judge (each pair alone; the default since the fourth round), CPU per steady pair
22.8–23.3 → 12.0–12.9 ms (no judge 6.3–6.8 ms): ≈ 160 pairs/s on two free cores at best.
On a CPU without VNNI (AMD EPYC, idle, same pairs): 180 pairs/s without the judge, 99 with the
int8 judge (19.3 ms CPU a pair). On an idle CPU with VNNI (Intel Xeon, 8 Dec 2026), four runs with
the int8 judge: 199.8, 203.8, 205.3, 209.3 pairs/s (340–394 without it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common
from bench.corpus import claim_like_sentences, read_texts
from bot.settings import load_settings

TARGET_RATE = 200.0
_NUMBER = re.compile(r"\d+")


def write_pairs(texts_dir: Path, path: Path, *, pairs: int, seed: int = 2) -> None:
    sentences = claim_like_sentences([t for _, t in read_texts(texts_dir)], limit=max(200, pairs + 1))
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(pairs):
            a = sentences[i % len(sentences)]
            if i % 2:
                b = sentences[(i + 1) % len(sentences)]
            elif _NUMBER.search(a):
                b = _NUMBER.sub(lambda m: str(int(m.group()) + 3), a, count=1)
            else:
                words = a.split()
                del words[rng.randrange(len(words))]
                b = " ".join(words)
            fh.write(json.dumps({"a": a, "b": b}) + "\n")


def time_compare(
    pairs_file: Path, *, judge: str, data_dir: Path, extra_env: dict[str, str]
) -> tuple[float, int]:
    """Runs ``claimbot compare --pairs``; returns (seconds, verdicts printed)."""
    claimbot = Path(os.environ.get("VIRTUAL_ENV", common.REPO_ROOT / ".venv")) / "bin" / "claimbot"
    env = (
        os.environ
        | {"CLAIMBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "CLAIMBOT_PAIR_JUDGE": judge}
        | extra_env
    )
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(claimbot), "compare", "--pairs", str(pairs_file), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"claimbot compare failed ({proc.returncode}): {proc.stderr[-2000:]}")
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if judge == "on" and lines and "judge" not in lines[0]:
        raise RuntimeError("the judge was on but compare printed no judge score")
    return elapsed, len(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.compare_rate", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=2_000)
    parser.add_argument("--small", type=int, default=50, help="pairs of the fixed-cost run")
    parser.add_argument("--judge", nargs="+", default=["on", "off"], choices=["on", "off"])
    parser.add_argument("--smoke", action="store_true", help="12 pairs, no fixed-cost run (CI)")
    parser.add_argument("--out", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    common.quiet_logs()
    args = parse_args(argv)
    if args.smoke:
        args.pairs, args.small = 12, 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="claimbot-compare-") as tmp:
        root = Path(tmp)
        big, small = root / "big.jsonl", root / "small.jsonl"
        write_pairs(args.texts, big, pairs=args.pairs)
        if args.small:
            write_pairs(args.texts, small, pairs=args.small, seed=3)
        for judge in args.judge:
            sampler = common.LoadSampler()
            t_small, n_small = 0.0, 0
            if args.small:
                t_small, n_small = time_compare(small, judge=judge, data_dir=root, extra_env=extra_env or {})
            t_big, n_big = time_compare(big, judge=judge, data_dir=root, extra_env=extra_env or {})
            steady = (n_big - n_small) / (t_big - t_small) if t_big > t_small else None
            rows.append(
                {
                    "judge": judge,
                    "embedding_precision": load_settings().embedding_precision,
                    "pairs": args.pairs,
                    "verdicts": n_big,
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
            f"claimbot compare --pairs of {args.pairs:,} pairs",
            ["judge", "verdicts", "wall", "pairs/s incl. start-up", "fixed cost", "steady pairs/s",
             f"≥ {TARGET_RATE:.0f}/s", "load 1m"],
            [
                [
                    r["judge"],
                    f"{r['verdicts']:,}",
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
    )  # fmt: skip
    result = {"runs": rows}
    path = common.write_result("compare", result, out_dir=args.out)
    common.console.print(f"results: {path}")
    return result


if __name__ == "__main__":
    main()
    raise SystemExit(0)
