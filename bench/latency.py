"""Benchmarks 2 and 3: ``check`` latency of a 1,000-word article and ``search`` latency, by store size.

    .venv/bin/python -m bench.latency --texts ../shared/data/polnear/train/text \\
        --queries-from ../shared/data/polnear/dev/text --sizes 10000 100000 1000000 \\
        --backends sqlite postgres

For each backend and size the cached store (``bench.stores``; built first if missing) is
opened through ``adapters.bootstrap`` exactly as the bot opens it, with the real spaCy
pipeline and MiniLM loaded once for all stores. After a warm-up (which also loads the
vector index: timed separately as ``index_load_s``), it times:

* ``check`` of ``--articles`` distinct ~1,000-word articles composed of real paragraphs of
  the ``--queries-from`` texts (stored, as the bot does; a run-id byline keeps a re-run from
  being answered as a duplicate) → median and p95;
* ``search`` (top 5) of ``--queries`` real sentences from the same texts → median and p95,
  plus the store's share: ``nearest_claims`` (k=50) and ``text_search`` (k=50, normalised query,
  cosines from stored vectors) alone, as ``search`` calls them, with the query vector computed
  beforehand.

The same articles and queries are used for every store, so the 1M ÷ 10k ratio compares like
with like. Targets: check ≤ 0.5 s median at 1M; search at 1M ≤ 2 × search at 10k.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.corpus import articles_of_length, claim_like_sentences, read_texts, word_count
from bench.stores import (
    TENANT,
    Generator,
    StoreSpec,
    ensure_store,
    make_generator,
    postgres_reachable,
    store_spec,
)
from bot.matching.compare import PairScorer
from bot.matching.retrieval import normalise_query
from bot.models import ArticleInput
from bot.ports import ClaimExtractor, Encoder

CHECK_TARGET_S = 0.5
SEARCH_RATIO_TARGET = 2.0


def forget_cached_vectors(encoder: Encoder) -> None:
    """Empties the encoder's LRU cache of sentence vectors (MiniLMEncoder keeps 4,096).

    The same articles and queries run against every store; without this the second store
    would find their vectors cached and look faster than the first for no reason of its own.
    """
    cache = getattr(encoder, "_cache", None)
    if cache is not None and hasattr(cache, "clear"):
        cache.clear()


def measure_store(
    spec: StoreSpec,
    *,
    postgres_url: str,
    extractor: ClaimExtractor,
    encoder: Encoder,
    articles: Sequence[str],
    queries: Sequence[str],
    warmup: int = 2,
    judge: PairScorer | None = None,
) -> dict[str, Any]:
    """Opens one cached store as the bot does and times check and search on it."""
    from adapters.bootstrap import bootstrap
    from storage import SqlStore

    settings = spec.settings(postgres_url)
    forget_cached_vectors(encoder)  # every store starts cold: no vectors left over from the last one
    app = bootstrap(settings, extractor=extractor, encoder=encoder, judge=judge)
    store = app.service.store
    assert isinstance(store, SqlStore)
    try:
        stored_before = store.count_claims(tenant=TENANT)
        t0 = time.perf_counter()
        store.index_size(tenant=TENANT)  # loads (or rebuilds) the vector index, as a first query would
        index_load_s = time.perf_counter() - t0
        for text in articles[:warmup]:
            app.service.check(tenant=TENANT, article=ArticleInput(text=text))
        for query in queries[:warmup]:
            app.service.search(tenant=TENANT, query=query)

        sampler = common.LoadSampler()
        check_times: list[float] = []
        claims = repeats = changed = 0
        for text in articles[warmup:]:
            t = time.perf_counter()
            report = app.service.check(tenant=TENANT, article=ArticleInput(text=text))
            check_times.append(time.perf_counter() - t)
            claims += report.summary.claims
            repeats += report.summary.repeat
            changed += report.summary.changed
        search_times: list[float] = []
        for query in queries[warmup:]:
            t = time.perf_counter()
            app.service.search(tenant=TENANT, query=query, top_k=5)
            search_times.append(time.perf_counter() - t)
        vectors = np.asarray(encoder.encode(list(queries[warmup:])), dtype=np.float32)
        nearest_times: list[float] = []
        text_times: list[float] = []
        pool = app.service.limits.search_pool
        for query, vector in zip(queries[warmup:], vectors, strict=True):
            t = time.perf_counter()
            store.nearest_claims(tenant=TENANT, embedding=vector, k=pool)
            nearest_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            store.text_search(tenant=TENANT, query=normalise_query(query), k=pool, embedding=vector)
            text_times.append(time.perf_counter() - t)
        load = sampler.stop()
    finally:
        app.close()
    n_articles = max(1, len(articles) - warmup)
    return {
        "backend": spec.backend,
        "size": spec.size,
        "stored_claims": stored_before,
        "index_load_s": round(index_load_s, 3),
        "check": common.stats(check_times).as_dict(),
        "article_words_mean": round(sum(word_count(a) for a in articles[warmup:]) / n_articles),
        "claims_per_article": round(claims / n_articles, 1),
        "repeat_per_article": round(repeats / n_articles, 2),
        "changed_per_article": round(changed / n_articles, 2),
        "search": common.stats(search_times).as_dict(),
        "nearest_claims": common.stats(nearest_times).as_dict(),
        "text_search": common.stats(text_times).as_dict(),
        **load,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Search ratios (largest ÷ smallest size) and target verdicts per backend."""
    out: dict[str, Any] = {}
    for backend in sorted({r["backend"] for r in rows}):
        mine = sorted((r for r in rows if r["backend"] == backend), key=lambda r: r["size"])
        small, large = mine[0], mine[-1]
        ratio = large["search"]["median_s"] / small["search"]["median_s"] if len(mine) > 1 else None
        out[backend] = {
            "smallest": small["size"],
            "largest": large["size"],
            "search_ratio_largest_vs_smallest": round(ratio, 2) if ratio else None,
            "nearest_ratio": round(
                large["nearest_claims"]["median_s"] / small["nearest_claims"]["median_s"], 2
            )
            if len(mine) > 1
            else None,
            "text_search_ratio": round(large["text_search"]["median_s"] / small["text_search"]["median_s"], 2)
            if len(mine) > 1
            else None,
            "search_target_met": (ratio <= SEARCH_RATIO_TARGET) if ratio else None,
            "check_median_largest_s": large["check"]["median_s"],
            "check_target_met": large["check"]["median_s"] <= CHECK_TARGET_S,
        }
    return out


def print_result(rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    table_rows = [
        [
            f"{r['backend']} {r['size']:,}",
            f"{r['stored_claims']:,}",
            common.ms(r["check"]["median_s"]),
            common.ms(r["check"]["p95_s"]),
            f"{r['claims_per_article']}",
            common.ms(r["search"]["median_s"]),
            common.ms(r["search"]["p95_s"]),
            common.ms(r["nearest_claims"]["median_s"]),
            common.ms(r["text_search"]["median_s"]),
            f"{r['index_load_s']:.1f} s",
            f"{r['loadavg_1m_start']}→{r['loadavg_1m_end']}",
        ]
        for r in rows
    ]
    common.console.print(
        common.table(
            "check (≈1,000-word article) and search (top 5) latency, warm",
            [
                "store",
                "claims",
                "check med",
                "check p95",
                "claims/art",
                "search med",
                "search p95",
                "nearest(50)",
                "fulltext(50)",
                "index load",
                "load 1m",
            ],
            table_rows,
        )
    )
    for backend, s in summary.items():
        common.console.print(
            f"{backend}: check median at {s['largest']:,} = {common.ms(s['check_median_largest_s'])} "
            f"(target ≤ {CHECK_TARGET_S * 1000:.0f} ms): {common.verdict(s['check_target_met'])}; "
            f"search {s['largest']:,} ÷ {s['smallest']:,} = {s['search_ratio_largest_vs_smallest']} "
            f"(target ≤ {SEARCH_RATIO_TARGET}): {common.verdict(s['search_target_met'])} "
            f"[nearest {s['nearest_ratio']}, full-text {s['text_search_ratio']}]"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True, help="texts the stores are generated from")
    parser.add_argument("--queries-from", type=Path, default=None, help="texts for articles and queries")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--postgres-sizes", type=int, nargs="+", default=None, help="default: --sizes")
    parser.add_argument("--articles", type=int, default=20, help="timed checks per store")
    parser.add_argument("--queries", type=int, default=100, help="timed searches per store")
    parser.add_argument("--words", type=int, default=1_000, help="article length in words")
    parser.add_argument("--base-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=common.DEFAULT_POSTGRES_URL)
    parser.add_argument("--spacy-model", default=None)
    parser.add_argument("--smoke", action="store_true", help="tiny stores and few samples (CI)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--cache", type=Path, default=None, help="store cache (default ~/.cache/claimbot-bench)"
    )
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    extractor: ClaimExtractor | None = None,
    encoder: Encoder | None = None,
) -> dict[str, Any]:
    """Runs the benchmark; the smoke test passes fakes of the extractor and encoder."""
    common.quiet_logs()
    args = parse_args(argv)
    if args.smoke:
        args.articles, args.queries, args.words = 3, 5, 300
    from bot.settings import load_settings

    settings = load_settings(**({"spacy_model": args.spacy_model} if args.spacy_model else {}))
    if extractor is None:
        from bot.inference.extractor import load_extractor

        extractor = load_extractor(settings)
    if encoder is None:
        from bot.inference.encoder import load_encoder

        encoder = load_encoder(settings)
    # the pair judge as the bot runs it (CLAIMBOT_PAIR_JUDGE); the smoke run's fakes go without
    from adapters.bootstrap import _default_judge

    judge = None if args.smoke else _default_judge(settings)
    generator: Generator = make_generator(
        args.texts, base_size=args.base_size, seed=args.seed, cache_dir=args.cache, encoder=encoder
    )
    source_texts = [t for _, t in read_texts(args.queries_from or args.texts)]
    warmup = 2
    articles = articles_of_length(
        source_texts, count=args.articles + warmup, words=args.words, nonce=uuid.uuid4().hex[:8]
    )
    sentences = claim_like_sentences(source_texts)
    step = max(1, len(sentences) // (args.queries + warmup))
    queries = sentences[::step][: args.queries + warmup]

    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for backend in args.backends:
        if backend == "postgres" and (reason := postgres_reachable(args.postgres)):
            skipped[backend] = reason
            common.console.print(f"[red]PostgreSQL unreachable, skipped: {reason}[/]")
            continue
        sizes = args.postgres_sizes if backend == "postgres" and args.postgres_sizes else args.sizes
        for size in sizes:
            spec = store_spec(backend, size, generator.key, args.cache)
            build = ensure_store(spec, generator, postgres_url=args.postgres, progress=not args.smoke)
            row = measure_store(
                spec,
                postgres_url=args.postgres,
                extractor=extractor,
                encoder=encoder,
                articles=articles,
                queries=queries,
                warmup=warmup,
                judge=judge,
            )
            row["build"] = build
            row["pair_judge"] = judge is not None
            rows.append(row)
            common.console.print(
                f"  {backend} {size:,}: check median {common.ms(row['check']['median_s'])}, "
                f"search median {common.ms(row['search']['median_s'])}"
            )
    summary = summarise(rows) if rows else {}
    if rows:
        print_result(rows, summary)
    result = {
        "spacy_model": settings.spacy_model,
        "encoder": type(encoder).__name__,
        "encoder_precision": str(getattr(encoder, "precision", "")) or None,
        "extractor": type(extractor).__name__,
        "articles": args.articles,
        "queries": args.queries,
        "words": args.words,
        "generator_key": generator.key,
        "stores": rows,
        "summary": summary,
        "skipped": skipped,
    }
    path = common.write_result("latency", result, out_dir=args.out)
    common.console.print(f"results: {path}")
    return result


if __name__ == "__main__":
    main()
    raise SystemExit(0)
