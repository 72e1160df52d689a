"""CheckThat 2020 task 2 MAP@5 through the product itself: `claimbot import` + `claimbot search`.

The verified claims are imported into a throwaway store with the installed ``claimbot``
command, every tweet of the split is searched with ``claimbot search --queries FILE --json``
in one process, and MAP@5 is computed from what the command printed. This is the number
issue 2's target is about; ``scripts/eval_matching.py`` measures the scoring in isolation.

    python -m scripts.eval_search_cli --data ../shared/data [--split dev] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.eval_matching import average_precision
from scripts.matching_data import load_checkthat

ROOT = Path(__file__).resolve().parents[1]


def _claimbot(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "adapters.console.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"claimbot {args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary folder)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "eval_search_cli.json")
    args = parser.parse_args()

    ct = load_checkthat(args.data)
    work = Path(tempfile.mkdtemp(prefix="claimbot-checkthat-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CLAIMBOT_DATA_DIR": str(work / "data")}
    if args.db:
        env["CLAIMBOT_DATABASE_URL"] = args.db
    try:
        archive = work / "verified_claims.jsonl"
        with archive.open("w", encoding="utf-8") as fh:
            for claim_id, text, title in zip(ct.claim_ids, ct.claims, ct.titles, strict=True):
                fh.write(json.dumps({"id": claim_id, "text": text, "title": title}) + "\n")
        started = time.perf_counter()
        _claimbot(["import", str(archive)], env)
        import_s = time.perf_counter() - started
        print(f"imported {len(ct.claims):,} claims in {import_s:.0f} s", file=sys.stderr)

        tweet_ids = sorted(ct.qrels[args.split])
        queries = work / "queries.txt"
        # one query per line: tweets can hold line breaks and tabs
        queries.write_text(
            "\n".join(" ".join(ct.queries[args.split][t].split()) for t in tweet_ids) + "\n", encoding="utf-8"
        )
        started = time.perf_counter()
        done = _claimbot(["search", "--queries", str(queries), "--json", "--top", "5"], env)
        search_s = time.perf_counter() - started
        lines = done.stdout.strip().splitlines()
        if len(lines) != len(tweet_ids):
            raise SystemExit(f"expected {len(tweet_ids)} result lines, got {len(lines)}")
        ap = [
            average_precision(
                [r["external_id"] for r in json.loads(line)["results"]], ct.qrels[args.split][t]
            )
            for t, line in zip(tweet_ids, lines, strict=True)
        ]
        result = {
            "split": args.split,
            "queries": len(tweet_ids),
            "claims": len(ct.claims),
            "map_at_5": round(sum(ap) / len(ap), 4),
            "import_seconds": round(import_s, 1),
            "import_claims_per_second": round(len(ct.claims) / import_s, 1),
            "search_seconds_all_queries": round(search_s, 1),
            "backend": "postgresql" if args.db and args.db.startswith("postgres") else "sqlite",
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
