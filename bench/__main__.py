"""Every benchmark in order (``make bench``): stores, throughput, latency, memory, burst, import.

    .venv/bin/python -m bench --data ../shared/data [--sizes 10000 100000 1000000] [--quick]

``--quick`` stops at 100k claims and takes fewer samples (about 10 minutes on 2 idle cores
once the stores exist); the full run builds the 1M stores first if they are not cached.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bench import burst, import_rate, latency, memory, stores, throughput


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data directory")
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    train = str(args.data / "polnear" / "train" / "text")
    dev = str(args.data / "polnear" / "dev" / "text")
    sizes = [
        str(s) for s in (args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]))
    ]
    largest = sizes[-1]
    stores.main(["--texts", train, "--sizes", *sizes, "--backends", *args.backends, "--copy-index"])
    throughput.main(["--texts", train, "--limit", "30" if args.quick else "100"])
    latency.main(
        ["--texts", train, "--queries-from", dev, "--sizes", *sizes, "--backends", *args.backends]
        + (["--articles", "10", "--queries", "40"] if args.quick else [])
    )
    memory.main(["--texts", train, "--articles-from", dev, "--sizes", sizes[0], largest])
    burst.main(
        ["--texts", train, "--articles-from", dev, "--size", sizes[0]]
        + (["--burst", "50"] if args.quick else [])
    )
    import_rate.main(["--texts", train, "--lines", "2000" if args.quick else "10000"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
