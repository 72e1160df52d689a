"""Shared plumbing of the benchmarks: timing statistics, machine load, results, tables.

Every benchmark prints a rich table and writes one JSON file under ``bench/results/``
(git-ignored) carrying the numbers, the parameters and the machine's load while it ran:
on a shared 2-core machine an absolute time means little without the load beside it.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "bench" / "results"
CACHE_DIR = Path(os.environ.get("CLAIMBOT_BENCH_CACHE", Path.home() / ".cache" / "claimbot-bench"))
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

console = Console(width=170)


def quiet_logs() -> None:
    """The product logs every model load at INFO; a benchmark's output is its table."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass(frozen=True, slots=True)
class Stats:
    n: int
    median_s: float
    p95_s: float
    mean_s: float
    min_s: float
    max_s: float

    def as_dict(self) -> dict[str, float]:
        return {
            "n": self.n,
            "median_s": self.median_s,
            "p95_s": self.p95_s,
            "mean_s": self.mean_s,
            "min_s": self.min_s,
            "max_s": self.max_s,
        }


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), without numpy's import cost."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def stats(samples: Sequence[float]) -> Stats:
    if not samples:
        nan = float("nan")
        return Stats(0, nan, nan, nan, nan, nan)
    return Stats(
        n=len(samples),
        median_s=statistics.median(samples),
        p95_s=percentile(samples, 95),
        mean_s=statistics.fmean(samples),
        min_s=min(samples),
        max_s=max(samples),
    )


def load_average() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:  # pragma: no cover - not on Linux
        return (float("nan"),) * 3


@dataclass
class LoadSampler:
    """Notes the 1-minute load average at start and end of a measurement (the machine is shared)."""

    start: tuple[float, float, float] = field(default_factory=load_average)
    end: tuple[float, float, float] | None = None

    def stop(self) -> dict[str, Any]:
        self.end = load_average()
        return self.as_dict()

    def as_dict(self) -> dict[str, Any]:
        end = self.end or load_average()
        return {"loadavg_1m_start": round(self.start[0], 2), "loadavg_1m_end": round(end[0], 2)}


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg": [round(x, 2) for x in load_average()],
    }


def rss_bytes() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process in bytes, from /proc (VmRSS, VmHWM)."""
    current = peak = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not on Linux
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return current, peak


@contextmanager
def timer() -> Iterator[list[float]]:
    """``with timer() as t: ...`` then ``t[0]`` is the elapsed seconds."""
    out: list[float] = []
    start = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - start)


def write_result(name: str, payload: dict[str, Any], *, out_dir: Path | None = None) -> Path:
    """Writes ``{out_dir}/{name}-{UTC timestamp}.json`` and ``{name}-latest.json``; returns the first."""
    directory = out_dir or RESULTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **payload,
    }
    text = json.dumps(document, indent=2, default=str)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{name}-{stamp}.json"
    path.write_text(text)
    (directory / f"{name}-latest.json").write_text(text)
    return path


def ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:,.1f} ms"  # NaN check


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    out = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        out.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        out.add_row(*(str(cell) for cell in row))
    return out


def verdict(ok: bool | None) -> str:
    if ok is None:
        return "[yellow]n/a[/]"
    return "[green]met[/]" if ok else "[red]missed[/]"
