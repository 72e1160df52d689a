"""What the biggest accepted input costs: seconds and peak memory of one check (issue 23, item 5).

    .venv/bin/python -m bench.big_input --texts ../shared/data/polnear/train/text [--chars 990000]

Two inputs at the size limit (``CLAIMBOT_MAX_TEXT_CHARS``, 500,000 characters): real prose
(articles of ``--texts`` joined by blank lines) and a text of short lines ("Tax rose." again
and again: every line a paragraph). Each is checked by the real ``claimbot check --dry-run`` in
a FRESH process, so its peak RSS (``ru_maxrss`` of the child) is the check's own, models
included. Targets: at most 1.5 GB and 60 s for any accepted input.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import console, table, write_result

RSS_TARGET_MB = 1536
SECONDS_TARGET = 60.0


def prose_of(texts: Path, chars: int) -> str:
    parts: list[str] = []
    total = 0
    for path in sorted(texts.glob("*.txt")):
        text = path.read_text(encoding="utf-8").strip()
        if total + len(text) + 2 > chars:
            break
        parts.append(text)
        total += len(text) + 2
    return "\n\n".join(parts)


def short_lines_of(chars: int) -> str:
    return "\n".join("Tax rose." for _ in range(chars // 10))


def check_in_a_fresh_process(path: Path, data_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "CLAIMBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "adapters.console.cli", "check", str(path), "--dry-run", "--json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest so far
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        stderr.seek(0)
        tail = stderr.read().decode(errors="replace")[-300:]
    return {
        "exit": child.returncode,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "stderr_tail": tail,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True, help="a directory of .txt articles")
    parser.add_argument("--chars", type=int, default=495_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = []
    results: dict[str, Any] = {"chars": args.chars}
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (
            ("short lines", short_lines_of(args.chars)),
            ("prose", prose_of(args.texts, args.chars)),
        ):
            path = Path(tmp) / f"{name.replace(' ', '-')}.txt"
            path.write_text(text, encoding="utf-8")
            result = check_in_a_fresh_process(path, Path(tmp) / "data") | {"input_chars": len(text)}
            results[name] = result
            ok = result["exit"] == 0 and result["peak_rss_mb"] <= RSS_TARGET_MB
            ok = ok and result["seconds"] <= SECONDS_TARGET
            rows.append(
                [name, f"{len(text):,}", result["exit"], result["seconds"], result["peak_rss_mb"], ok]
            )
    console.print(
        table(
            "one check of the biggest accepted input", ["input", "chars", "exit", "s", "peak MB", "ok"], rows
        )
    )
    write_result("big_input", results, out_dir=args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
