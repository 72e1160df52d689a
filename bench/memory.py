"""Benchmark 4: peak memory (RSS) of the bot process with the models and a big store; start-up time.

    .venv/bin/python -m bench.memory --texts ../shared/data/polnear/train/text --sizes 10000 1000000

Each measurement is a FRESH child process (so nothing of the parent's memory counts) doing
what a bot does at start: import, ``bootstrap(settings)`` on the cached store, ``app.warm()``
(both models), then answer a first ``check`` (which loads the tenant's vector index), then
a few more checks and searches to reach a steady state. The parent times the child from
spawn to its first reply; the child reports its own phase times and its peak RSS
(``VmHWM`` from /proc) and current RSS. Target: peak RSS ≤ 1.5 GB at 1M claims.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common

RSS_TARGET_BYTES = 1.5 * 1024**3
MB = 1024**2


def child(args: argparse.Namespace) -> int:
    """Runs inside the measured process; prints one JSON line per phase."""
    t_start = time.perf_counter()

    def say(event: str, **data: Any) -> None:
        current, peak = common.rss_bytes()
        line = {"event": event, "t": round(time.perf_counter() - t_start, 3), "rss": current, "peak": peak}
        print(json.dumps(line | data), flush=True)

    common.quiet_logs()
    from adapters.bootstrap import bootstrap
    from bench.corpus import articles_of_length, claim_like_sentences, read_texts
    from bench.stores import TENANT
    from bot.models import ArticleInput
    from bot.settings import load_settings

    say("imported")
    overrides: dict[str, Any] = {"data_dir": args.data_dir, "database_url": args.url}
    if args.spacy_model:
        overrides["spacy_model"] = args.spacy_model
    extractor = encoder = None
    if args.fake_models:  # smoke test only: the models are not what is measured there
        from tests.fakes import HashingEncoder, SaidThatExtractor

        extractor, encoder = SaidThatExtractor(), HashingEncoder()
    app = bootstrap(load_settings(**overrides), extractor=extractor, encoder=encoder)
    say("bootstrapped")
    app.warm()
    say("models_loaded")
    texts = [t for _, t in read_texts(args.articles_from, limit=40)]
    articles = articles_of_length(texts, count=6, words=1_000, nonce=args.nonce)
    app.service.check(tenant=TENANT, article=ArticleInput(text=articles[0]))
    say("first_reply")
    for article in articles[1:]:
        app.service.check(tenant=TENANT, article=ArticleInput(text=article))
    for query in claim_like_sentences(texts, limit=5):
        app.service.search(tenant=TENANT, query=query)
    say("steady")
    app.close()
    say("closed")
    return 0


def measure(
    url: str, data_dir: Path, *, articles_from: Path, spacy_model: str | None, fake_models: bool
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "bench.memory",
        "--child",
        "--url",
        url,
        "--data-dir",
        str(data_dir),
        "--articles-from",
        str(articles_from),
        "--nonce",
        os.urandom(4).hex(),
    ]
    if spacy_model:
        cmd += ["--spacy-model", spacy_model]
    if fake_models:
        cmd.append("--fake-models")
    events: dict[str, dict[str, Any]] = {}
    t0 = time.perf_counter()
    first_reply_wall: float | None = None
    with subprocess.Popen(
        cmd, cwd=common.REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            events[event["event"]] = event
            if event["event"] == "first_reply":
                first_reply_wall = time.perf_counter() - t0
        stderr = proc.stderr.read() if proc.stderr else ""
        code = proc.wait()
    if code != 0 or "steady" not in events:
        raise RuntimeError(f"child failed ({code}): {stderr[-2000:]}")
    peak = max(e["peak"] for e in events.values())
    return {
        "startup_to_first_reply_s": round(first_reply_wall or float("nan"), 2),
        "phases_s": {name: e["t"] for name, e in events.items()},
        "rss_after_models_mb": round(events["models_loaded"]["rss"] / MB, 1),
        "rss_after_first_reply_mb": round(events["first_reply"]["rss"] / MB, 1),
        "rss_steady_mb": round(events["steady"]["rss"] / MB, 1),
        "peak_rss_mb": round(peak / MB, 1),
        "peak_rss_target_met": peak <= RSS_TARGET_BYTES,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, help="texts the stores are generated from")
    parser.add_argument("--articles-from", type=Path, default=None, help="texts for the checks")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite"], choices=["sqlite", "postgres"])
    parser.add_argument("--base-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=common.DEFAULT_POSTGRES_URL)
    parser.add_argument("--spacy-model", default=None)
    parser.add_argument("--smoke", action="store_true", help="a tiny store and fake models (CI)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None)
    # child-process arguments (internal)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--nonce", default="", help=argparse.SUPPRESS)
    parser.add_argument("--fake-models", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, generator_encoder: Any = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.child:
        raise SystemExit(child(args))
    common.quiet_logs()
    if args.texts is None:
        raise SystemExit("--texts is required")
    from bench.stores import ensure_store, make_generator, postgres_reachable, store_spec

    generator = make_generator(
        args.texts, base_size=args.base_size, seed=args.seed, cache_dir=args.cache, encoder=generator_encoder
    )
    rows: list[dict[str, Any]] = []
    for backend in args.backends:
        if backend == "postgres" and (reason := postgres_reachable(args.postgres)):
            common.console.print(f"[red]PostgreSQL unreachable, skipped: {reason}[/]")
            continue
        for size in args.sizes:
            spec = store_spec(backend, size, generator.key, args.cache)
            ensure_store(spec, generator, postgres_url=args.postgres, progress=not args.smoke)
            sampler = common.LoadSampler()
            row = measure(
                spec.url(args.postgres),
                spec.data_dir,
                articles_from=args.articles_from or args.texts,
                spacy_model=args.spacy_model,
                fake_models=args.smoke,
            )
            rows.append({"backend": backend, "size": size, **row, **sampler.stop()})
    common.console.print(
        common.table(
            "Bot process memory and start-up (fresh process each)",
            [
                "store",
                "to 1st reply",
                "models loaded",
                "RSS models",
                "RSS 1st reply",
                "RSS steady",
                "peak RSS",
                "≤ 1.5 GB",
                "load 1m",
            ],
            [
                [
                    f"{r['backend']} {r['size']:,}",
                    f"{r['startup_to_first_reply_s']:.1f} s",
                    f"{r['phases_s']['models_loaded']:.1f} s",
                    f"{r['rss_after_models_mb']:,.0f} MB",
                    f"{r['rss_after_first_reply_mb']:,.0f} MB",
                    f"{r['rss_steady_mb']:,.0f} MB",
                    f"{r['peak_rss_mb']:,.0f} MB",
                    common.verdict(r["peak_rss_target_met"]),
                    f"{r['loadavg_1m_start']}→{r['loadavg_1m_end']}",
                ]
                for r in rows
            ],
        )
    )
    result = {"stores": rows, "fake_models": args.smoke, "spacy_model": args.spacy_model or "default"}
    path = common.write_result("memory", result, out_dir=args.out)
    common.console.print(f"results: {path}")
    return result


if __name__ == "__main__":
    main()
    raise SystemExit(0)
