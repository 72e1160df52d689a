"""Does following speakers slow a check down? ``check`` with 50 follows in the tenant vs none.

    .venv/bin/python -m bench.follows --texts ../shared/data/polnear/dev/text --articles 15

Two tenants of one fresh SQLite store (``--db`` for another database) get the same
``--articles`` real articles (the ones with numbers in them), so their stores are equal. One
tenant then follows ``--follows`` speakers (its most frequent ones; the same speaker from
several channels when it has fewer); the other follows nobody. Then each
article is checked again in both tenants with every number in it changed (and a run-id
byline, so it is no duplicate): the followed speakers' statements come back *changed*, so the
follows tenant really selects and stores alerts. The two checks of an article run back to
back, in alternating order, with the real pipeline and encoder loaded once for both.

Each article is checked ``--repeats`` times in each tenant (a new byline each time) and its
fastest check counts: a single check of one article varies by a factor of two on this machine
(garbage collection, the WAL checkpoint, the other core), which drowned the difference looked
for. Reported: the median of those times per tenant (same run, same articles), the median of
the paired differences, the time the follow step itself took inside each check
(``FollowService.record_alerts``: reading the follows, storing the alerts), and the alerts
queued. Target (issue 22): with follows no slower than without; "met" allows 5 % for noise.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common
from bench.corpus import read_texts, word_count
from bot.models import ArticleInput
from bot.ports import ClaimExtractor, Encoder

WITHOUT, WITH = "bench:no-follows", "bench:follows"
NOISE_ALLOWANCE = 1.05
_NUMBER = re.compile(r"\b\d[\d,]*\b")


def changed_numbers(text: str) -> str:
    """Every number in the text, one higher: the same statements, each "numbers differ"."""
    return _NUMBER.sub(lambda m: str(int(m.group().replace(",", "")) + 1), text)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.follows", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True, help="real articles (e.g. PolNeAR dev texts)")
    parser.add_argument("--articles", type=int, default=15)
    parser.add_argument("--follows", type=int, default=50)
    parser.add_argument(
        "--repeats", type=int, default=3, help="checks per article and tenant; the fastest counts"
    )
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--smoke", action="store_true", help="4 articles, 10 follows (CI)")
    parser.add_argument("--out", type=Path, default=None)
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    extractor: ClaimExtractor | None = None,
    encoder: Encoder | None = None,
) -> dict[str, Any]:
    common.quiet_logs()
    args = parse_args(argv)
    if args.smoke:
        args.articles, args.follows, args.repeats = 4, 10, 1
    texts = [t for _, t in read_texts(args.texts) if _NUMBER.search(t)][: args.articles]
    with tempfile.TemporaryDirectory(prefix="claimbot-bench-follows-") as tmp:
        result = run(
            texts,
            follows=args.follows,
            repeats=args.repeats,
            data_dir=Path(tmp),
            db=args.db,
            extractor=extractor,
            encoder=encoder,
        )
    path = common.write_result("follows", result, out_dir=args.out)
    without, with_ = result["without_follows"], result["with_follows"]
    common.console.print(
        common.table(
            f"check with {result['follows']} follows vs none ({result['articles']} articles, "
            f"load {result['load']['loadavg_1m_start']}→{result['load']['loadavg_1m_end']})",
            ["tenant", "median", "p95", "alerts queued"],
            [
                ["no follows", common.ms(without["median_s"]), common.ms(without["p95_s"]), 0],
                [
                    f"{result['follows']} follows",
                    common.ms(with_["median_s"]),
                    common.ms(with_["p95_s"]),
                    result["alerts_queued"],
                ],
            ],
        )
    )
    common.console.print(
        f"paired difference (with − without), median: {common.ms(result['paired_difference_median_s'])}; "
        f"ratio of medians {result['ratio']:.3f}: {common.verdict(result['met'])}; the follow step "
        f"itself: median {common.ms(result['follow_step_with_follows']['median_s'])}, "
        f"max {common.ms(result['follow_step_with_follows']['max_s'])} per check  → {path}"
    )
    return result


def run(
    texts: Sequence[str],
    *,
    follows: int,
    repeats: int,
    data_dir: Path,
    db: str | None,
    extractor: ClaimExtractor | None,
    encoder: Encoder | None,
) -> dict[str, Any]:
    from adapters.bootstrap import bootstrap
    from bot.settings import load_settings

    settings = load_settings(data_dir=data_dir, database_url=db or f"sqlite:///{data_dir / 'bench.db'}")
    app = bootstrap(settings, extractor=extractor, encoder=encoder)
    service = app.service
    step_times: dict[str, list[float]] = {WITHOUT: [], WITH: []}
    record_alerts = service.follows.record_alerts

    def timed_record_alerts(*, report: Any) -> int:
        started = time.perf_counter()
        try:
            return record_alerts(report=report)
        finally:
            step_times.setdefault(report.article.tenant, []).append(time.perf_counter() - started)

    service.follows.record_alerts = timed_record_alerts  # type: ignore[method-assign]
    try:
        for i, text in enumerate(texts):  # the same store in both tenants
            for tenant in (WITHOUT, WITH):
                service.check(tenant=tenant, article=ArticleInput(text=text, title=f"seed {i}"))
        followed = follow_most_frequent(app, count=follows)
        run_id = uuid.uuid4().hex[:8]
        service.check(tenant=WITHOUT, article=ArticleInput(text=f"Warm-up {run_id}. " + texts[0]))
        service.check(tenant=WITH, article=ArticleInput(text=f"Warm-up {run_id}. " + texts[0]))
        samples: dict[str, list[float]] = {WITHOUT: [], WITH: []}
        for times in step_times.values():
            times.clear()
        load = common.LoadSampler()
        for i, text in enumerate(texts):
            fastest = {WITHOUT: float("inf"), WITH: float("inf")}
            for r in range(repeats):
                article = changed_numbers(text) + f"\n\n(Benchmark run {run_id}, article {i}, check {r}.)"
                for tenant in (WITHOUT, WITH) if (i + r) % 2 == 0 else (WITH, WITHOUT):
                    started = time.perf_counter()
                    service.check(tenant=tenant, article=ArticleInput(text=article, title=f"article {i}"))
                    fastest[tenant] = min(fastest[tenant], time.perf_counter() - started)
            for tenant, seconds in fastest.items():
                samples[tenant].append(seconds)
        loads = load.stop()
        queued = pending_alerts(app)
    finally:
        app.close()
    without, with_ = common.stats(samples[WITHOUT]), common.stats(samples[WITH])
    ratio = with_.median_s / without.median_s if without.median_s else float("nan")
    return {
        "articles": len(texts),
        "words_median": statistics.median(word_count(t) for t in texts) if texts else 0,
        "follows": followed,
        "database": "sqlite" if db is None else db.split(":", 1)[0],
        "without_follows": without.as_dict(),
        "with_follows": with_.as_dict(),
        "paired_difference_median_s": statistics.median(
            w - o for w, o in zip(samples[WITH], samples[WITHOUT], strict=True)
        ),
        "ratio": ratio,
        "met": ratio <= NOISE_ALLOWANCE,
        "alerts_queued": queued,
        "repeats": repeats,
        "follow_step_without_follows": common.stats(step_times[WITHOUT]).as_dict(),
        "follow_step_with_follows": common.stats(step_times[WITH]).as_dict(),
        "load": loads,
    }


def follow_most_frequent(app: Any, *, count: int) -> int:
    """Follows ``count`` times in the WITH tenant: its speakers with the most statements first,
    again from a further channel when it has fewer speakers than that."""
    from collections import Counter

    service = app.service
    claims_by_speaker = Counter(c.speaker for c in service.export(tenant=WITH) if c.speaker)
    ranked = [name for name, _ in claims_by_speaker.most_common()]
    if not ranked:
        raise SystemExit("the seed articles gave no attributed statements to follow")
    done = 0
    for i in range(count):
        name = ranked[i % len(ranked)]
        channel = f"C{i // len(ranked)}"  # a speaker is followed once per channel
        try:
            service.follows.follow(tenant=WITH, platform="slack", channel_id=channel, name=name)
            done += 1
        except Exception as exc:  # a name another speaker's alias shadows: follow the next one
            common.log.info("could not follow %s: %s", name, exc)
    return done


def pending_alerts(app: Any) -> int:
    from datetime import UTC, datetime

    alerts = app.service.follows.take_alerts(
        platform="slack", owner="bench", now=datetime.now(UTC), tenant=WITH, limit=100_000
    )
    return len(alerts)


if __name__ == "__main__":
    main()
