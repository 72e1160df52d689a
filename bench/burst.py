"""Benchmark 5: a burst of 200 articles arriving at once through the core's ``CheckQueue``.

    .venv/bin/python -m bench.burst --texts ../shared/data/polnear/train/text \\
        --articles-from ../shared/data/polnear/dev/text --size 100000

This mimics a chat adapter: an asyncio event loop receives ``--burst`` article events at the
same instant; each handler acknowledges as the adapters do (hand the check to the queue with
``CheckQueue.submit``, which returns at once or raises ``QueueFull`` → a "busy, retry" reply)
and then awaits the result. Measured:

* ack wait: from the event's arrival to its acknowledgement (median, max) — Slack wants it
  within 3 s, and it competes for the GIL with the worker running spaCy and MiniLM;
* event-loop lag: a 100 ms heartbeat task's worst lateness while the queue drains (a
  late heartbeat is what makes Discord drop a connection);
* time to drain: arrival → last check finished; queue wait: the longest any job waited
  for a worker (``QueueStats.max_wait_s``); accepted / refused by the bound.

It runs once per ``--capacities`` value (default: the shipped ``queue_size`` 100, then 200
so the whole burst is accepted), on the cached store of ``--size`` claims (SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common
from bench.corpus import articles_of_length, read_texts
from bot.errors import QueueFull
from bot.models import ArticleInput
from bot.ports import ClaimExtractor, Encoder

ACK_LIMIT_S = 3.0
HEARTBEAT_S = 0.1


async def _burst(app: Any, tenant: str, articles: Sequence[str]) -> dict[str, Any]:
    queue = app.queue
    loop = asyncio.get_running_loop()
    ack_waits: list[float] = []
    done_at: list[float] = []
    refused = 0
    lags: list[float] = []
    draining = True

    async def heartbeat() -> None:
        while draining:
            expected = loop.time() + HEARTBEAT_S
            await asyncio.sleep(HEARTBEAT_S)
            lags.append(max(0.0, loop.time() - expected))

    async def handle(text: str, arrived: float) -> None:
        nonlocal refused
        try:
            future = queue.submit(app.service.check, tenant=tenant, article=ArticleInput(text=text))
        except QueueFull:
            refused += 1
            ack_waits.append(time.perf_counter() - arrived)  # the "busy, retry" reply is the ack
            return
        ack_waits.append(time.perf_counter() - arrived)
        await asyncio.wrap_future(future)
        done_at.append(time.perf_counter())

    beat = asyncio.create_task(heartbeat())
    arrived = time.perf_counter()
    await asyncio.gather(*(handle(text, arrived) for text in articles))
    drained = time.perf_counter()
    draining = False
    await beat
    stats = queue.stats()
    accepted = len(articles) - refused
    return {
        "burst": len(articles),
        "accepted": accepted,
        "refused": refused,
        "time_to_drain_s": round(drained - arrived, 2),
        "per_article_s": round((drained - arrived) / accepted, 3) if accepted else None,
        "ack_wait_median_s": round(statistics.median(ack_waits), 4),
        "ack_wait_max_s": round(max(ack_waits), 4),
        "ack_within_3s": max(ack_waits) <= ACK_LIMIT_S,
        "loop_lag_max_s": round(max(lags), 4) if lags else 0.0,
        "loop_lag_p95_s": round(common.percentile(lags, 95), 4) if lags else 0.0,
        "queue_max_wait_s": round(stats.max_wait_s, 2),
        "completed": stats.completed,
    }


def run(
    *,
    url: str,
    data_dir: Path,
    articles: Sequence[str],
    capacity: int,
    workers: int,
    extractor: ClaimExtractor | None,
    encoder: Encoder | None,
    tenant: str,
) -> dict[str, Any]:
    from adapters.bootstrap import bootstrap
    from bot.settings import load_settings

    settings = load_settings(data_dir=data_dir, database_url=url, queue_size=capacity, workers=workers)
    app = bootstrap(settings, extractor=extractor, encoder=encoder)
    try:
        app.warm()
        app.service.check(tenant=tenant, article=ArticleInput(text=articles[0]))  # loads the index too
        sampler = common.LoadSampler()
        result = asyncio.run(_burst(app, tenant, articles[1:]))
        return {"capacity": capacity, "workers": workers, **result, **sampler.stop()}
    finally:
        app.close()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True, help="texts the store is generated from")
    parser.add_argument("--articles-from", type=Path, default=None, help="texts of the burst's articles")
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--words", type=int, default=600, help="words per article (PolNeAR's mean is ~700)")
    parser.add_argument("--size", type=int, default=100_000, help="claims in the (cached) SQLite store")
    parser.add_argument("--capacities", type=int, nargs="+", default=None, help="default: queue_size, 200")
    parser.add_argument("--workers", type=int, default=None, help="default: the workers setting")
    parser.add_argument("--base-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spacy-model", default=None)
    parser.add_argument("--smoke", action="store_true", help="a burst of 8 on a tiny store (CI)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None)
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    extractor: ClaimExtractor | None = None,
    encoder: Encoder | None = None,
) -> dict[str, Any]:
    common.quiet_logs()
    args = parse_args(argv)
    from bench.stores import TENANT, ensure_store, make_generator, store_spec
    from bot.settings import load_settings

    overrides = {"spacy_model": args.spacy_model} if args.spacy_model else {}
    settings = load_settings(**overrides)
    if args.spacy_model:
        os.environ["CLAIMBOT_SPACY_MODEL"] = args.spacy_model  # bootstrap reads the settings anew
    if args.smoke:
        args.burst, args.words = 8, 150
    capacities = args.capacities or (
        [max(1, args.burst // 2), args.burst] if args.smoke else [settings.queue_size, args.burst]
    )
    workers = args.workers or settings.workers
    generator = make_generator(
        args.texts, base_size=args.base_size, seed=args.seed, cache_dir=args.cache, encoder=encoder
    )
    spec = store_spec("sqlite", args.size, generator.key, args.cache)
    ensure_store(spec, generator, progress=not args.smoke)
    texts = [t for _, t in read_texts(args.articles_from or args.texts)]
    rows = []
    for capacity in dict.fromkeys(capacities):
        articles = articles_of_length(
            texts, count=args.burst + 1, words=args.words, nonce=f"{os.urandom(4).hex()}-{capacity}"
        )
        rows.append(
            run(
                url=spec.url(common.DEFAULT_POSTGRES_URL),
                data_dir=spec.data_dir,
                articles=articles,
                capacity=capacity,
                workers=workers,
                extractor=extractor,
                encoder=encoder,
                tenant=TENANT,
            )
        )
    common.console.print(
        common.table(
            f"Burst of {args.burst} articles (~{args.words} words) through CheckQueue, "
            f"SQLite store of {args.size:,} claims",
            [
                "queue",
                "accepted",
                "refused",
                "drain",
                "per article",
                "ack max",
                "ack median",
                "loop lag max",
                "queue wait max",
                "load 1m",
            ],
            [
                [
                    f"cap {r['capacity']}, {r['workers']} worker(s)",
                    r["accepted"],
                    r["refused"],
                    f"{r['time_to_drain_s']:.1f} s",
                    f"{r['per_article_s'] or 0:.2f} s",
                    common.ms(r["ack_wait_max_s"]),
                    common.ms(r["ack_wait_median_s"]),
                    common.ms(r["loop_lag_max_s"]),
                    f"{r['queue_max_wait_s']:.1f} s",
                    f"{r['loadavg_1m_start']}→{r['loadavg_1m_end']}",
                ]
                for r in rows
            ],
        )
    )
    result = {
        "burst": args.burst,
        "words": args.words,
        "size": args.size,
        "extractor": type(extractor).__name__ if extractor else "SpacyClaimExtractor",
        "encoder": type(encoder).__name__ if encoder else "MiniLMEncoder",
        "runs": rows,
    }
    path = common.write_result("burst", result, out_dir=args.out)
    common.console.print(f"results: {path}")
    return result


if __name__ == "__main__":
    main()
    raise SystemExit(0)
