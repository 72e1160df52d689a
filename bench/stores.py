"""Build (once) and open the cached benchmark stores: 10k, 100k, 1M claims, SQLite or PostgreSQL.

    .venv/bin/python -m bench.stores --texts ../shared/data/polnear/train/text \\
        --sizes 10000 100000 1000000 --backends sqlite postgres

Stores live OUTSIDE the repository under ``~/.cache/claimbot-bench/stores/`` (override with
``CLAIMBOT_BENCH_CACHE``); a PostgreSQL store is a database ``claimbot_bench_<size>_<key>``
on the server given by ``--postgres`` plus a directory for its vector index. A store is
complete when its ``manifest.json`` exists; an interrupted build resumes where it stopped.

Claims go in through the product's own ``SqlStore.import_claims`` (the path of ``claimbot
import`` minus the MiniLM encoding, since the vectors are derived, see ``bench.synth``), in
batches of 10,000, and that import is timed: claims per second, including the catch-up of
the on-disk vector index that ``import_claims`` does after each batch.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import common
from bench.corpus import claim_like_sentences, read_texts
from bench.synth import CHUNK, BaseSet, base_digest, generate, load_base_set, speaker_pool
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)

TENANT = "bench"
GENERATOR_VERSION = 1
EMBEDDING_DIM = 384


@dataclass(frozen=True, slots=True)
class StoreSpec:
    backend: str  # "sqlite" | "postgres"
    size: int
    key: str  # generator identity: base set, seed, version
    root: Path  # cache directory of this store

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def database_name(self) -> str:
        return f"claimbot_bench_{self.size}_{self.key[:8]}"

    def url(self, postgres_url: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.data_dir / 'claimbot.db'}"
        return (
            sa.make_url(postgres_url).set(database=self.database_name).render_as_string(hide_password=False)
        )

    def settings(self, postgres_url: str, **overrides: Any) -> Settings:
        return load_settings(data_dir=self.data_dir, database_url=self.url(postgres_url), **overrides)

    def manifest(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text())
            return data
        except (OSError, ValueError):
            return None


def store_spec(backend: str, size: int, key: str, cache_dir: Path | None = None) -> StoreSpec:
    root = (cache_dir or common.CACHE_DIR) / "stores" / f"{backend}-{size}-{key}"
    return StoreSpec(backend=backend, size=size, key=key, root=root)


@dataclass
class Generator:
    """What a store is generated from (shared by every size and backend of one run)."""

    base: BaseSet
    speakers: list[str]
    seed: int

    @property
    def key(self) -> str:
        digest = base_digest(self.base.sentences, f"v{GENERATOR_VERSION}-seed{self.seed}")
        return digest[:12]


def make_generator(
    texts_dir: Path,
    *,
    base_size: int,
    seed: int = 1,
    cache_dir: Path | None = None,
    encoder: Any = None,
    model: str = "all-MiniLM-L6-v2",
) -> Generator:
    """Reads the texts, picks ``base_size`` sentences and embeds them (cached)."""
    texts = [t for _, t in read_texts(texts_dir)]
    sentences = claim_like_sentences(texts, limit=base_size)
    if encoder is None:
        from bot.inference.encoder import load_encoder

        encoder = load_encoder(load_settings())
    cache = cache_dir or common.CACHE_DIR
    base = load_base_set(sentences, encoder, cache_dir=cache, model=model)
    return Generator(base=base, speakers=speaker_pool(texts), seed=seed)


def _postgres_admin(postgres_url: str) -> sa.Engine:
    return sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


def postgres_reachable(postgres_url: str) -> str | None:
    """None when the server answers, else the reason."""
    engine = _postgres_admin(postgres_url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return None
    except sa.exc.SQLAlchemyError as exc:
        return str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    finally:
        engine.dispose()


def _create_database(postgres_url: str, name: str, *, drop: bool) -> None:
    engine = _postgres_admin(postgres_url)
    try:
        with engine.connect() as conn:
            if drop:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def drop_store(spec: StoreSpec, postgres_url: str) -> None:
    if spec.backend == "postgres":
        engine = _postgres_admin(postgres_url)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{spec.database_name}" WITH (FORCE)'))
        finally:
            engine.dispose()
    shutil.rmtree(spec.root, ignore_errors=True)


def ensure_store(
    spec: StoreSpec,
    generator: Generator,
    *,
    postgres_url: str = common.DEFAULT_POSTGRES_URL,
    rebuild: bool = False,
    progress: bool = True,
    reuse_index_from: StoreSpec | None = None,
) -> dict[str, Any]:
    """Builds the store unless its manifest says it is complete; returns the manifest.

    ``reuse_index_from``: a complete SQLite store of the same size and generator whose vector
    index (snapshotted when it was built) is copied in instead of built again. Claim ids are
    the same in both databases (a fresh database numbers the imported rows 1..N in order),
    which ``_install_index`` verifies on a sample before using it; the store itself then
    checks the count on load, as it always does.
    """
    from storage import open_store

    if rebuild:
        drop_store(spec, postgres_url)
    manifest = spec.manifest()
    if manifest is not None and manifest.get("claims") == spec.size:
        if spec.backend == "postgres":
            analyze_if_never(spec.url(postgres_url))
        return manifest
    spec.data_dir.mkdir(parents=True, exist_ok=True)
    if spec.backend == "postgres":
        _create_database(postgres_url, spec.database_name, drop=False)
    settings = spec.settings(postgres_url)
    store = open_store(settings, embedding_dim=generator.base.dim)
    index_seconds = 0.0
    snapshot = _index_snapshot(reuse_index_from) if reuse_index_from is not None else None
    if snapshot is not None and store.count_claims(tenant=TENANT) == 0:
        log.warning("%s: the vector index comes from %s (same ids, same vectors)", spec.root.name, snapshot)
    else:
        snapshot = None
    try:
        have = store.count_claims(tenant=TENANT)
        start = (have // CHUNK) * CHUNK
        if have:
            log.warning("%s: resuming at %d claims (%d stored)", spec.root.name, start, have)
        sampler = common.LoadSampler()
        imported = skipped = 0
        import_seconds = generate_seconds = 0.0
        t_gen = time.perf_counter()
        for claims, vectors in generate(
            generator.base, generator.speakers, total=spec.size, seed=generator.seed, start=start
        ):
            generate_seconds += time.perf_counter() - t_gen
            t0 = time.perf_counter()
            added, dupes = store.import_claims(
                tenant=TENANT, claims=list(zip(claims, vectors, strict=True)), sync_index=False
            )
            # the catch-up import_claims would do, timed apart; skipped when the index is copied
            # in afterwards, so the build measures the database alone
            if added and snapshot is None:
                t_index = time.perf_counter()
                store.index_size(tenant=TENANT)
                index_seconds += time.perf_counter() - t_index
            import_seconds += time.perf_counter() - t0
            imported += added
            skipped += dupes
            if progress:
                done = start + imported + skipped
                rate = imported / import_seconds if import_seconds else 0.0
                common.console.print(
                    f"  {spec.backend} {spec.size:>9,}: {done:>9,} claims, {rate:,.0f} claims/s "
                    f"(index {index_seconds:.0f} s of {import_seconds:.0f} s), "
                    f"load {common.load_average()[0]:.1f}"
                )
            t_gen = time.perf_counter()
        count = store.count_claims(tenant=TENANT)
        if snapshot is not None:
            _install_index(store, snapshot, count)
        t0 = time.perf_counter()
        indexed = store.index_size(tenant=TENANT)
        index_seconds += time.perf_counter() - t0
    finally:
        store.close()
    if spec.backend == "sqlite" and count >= spec.size:
        _snapshot_index(spec)
    manifest = {
        "backend": spec.backend,
        "size": spec.size,
        "claims": count,
        "indexed": indexed,
        "generator_key": spec.key,
        "resumed_from": start,
        "imported_this_run": imported,
        "import_seconds": round(import_seconds, 2),
        "index_sync_seconds": round(index_seconds, 2),
        "claims_per_second": round(imported / import_seconds, 1) if import_seconds else None,
        "generate_seconds": round(generate_seconds, 2),
        "index_copied_from": str(snapshot) if snapshot is not None else None,
        "database": spec.database_name if spec.backend == "postgres" else str(spec.data_dir / "claimbot.db"),
        **sampler.stop(),
    }
    if spec.backend == "postgres":
        analyze_if_never(spec.url(postgres_url))
    if count >= spec.size:
        spec.manifest_path.write_text(json.dumps(manifest, indent=2))
    return manifest


def analyze_if_never(url: str) -> bool:
    """ANALYZE a bulk-loaded PostgreSQL database whose claims table has no statistics yet.

    Autovacuum would do it on a normal server; without statistics the planner walks the id
    index backwards for full-text queries with ``ORDER BY id DESC LIMIT`` and a rare word
    costs a scan of the table. Returns whether it ran.
    """
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            analysed = conn.execute(
                sa.text(
                    "SELECT coalesce(last_analyze, last_autoanalyze) IS NOT NULL "
                    "FROM pg_stat_user_tables WHERE relname = 'claims'"
                )
            ).scalar()
            if analysed:
                return False
            log.warning("ANALYZE %s (no planner statistics yet)", sa.make_url(url).database)
            conn.execute(sa.text("ANALYZE"))
            return True
    finally:
        engine.dispose()


def _index_snapshot(spec: StoreSpec) -> Path | None:
    """The index file a SQLite build left in ``{root}/index-snapshot`` (a hard link), if any."""
    files = sorted((spec.root / "index-snapshot").glob("*.usearch"))
    return files[-1] if files and spec.manifest() is not None else None


def _snapshot_index(spec: StoreSpec) -> None:
    """Hard-links the just-built index file: later saves replace it, the link keeps this one."""
    target = spec.root / "index-snapshot"
    if target.is_dir() and any(target.iterdir()):
        return
    target.mkdir(parents=True, exist_ok=True)
    for path in (spec.data_dir / "index").glob("*.usearch"):
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)


def _install_index(store: Any, snapshot: Path, count: int) -> None:
    """Puts ``snapshot`` where ``store`` looks for its tenant's index, after checking the ids."""
    import random

    from storage.tables import T_CLAIMS
    from storage.vector_index import SUFFIX, index_stem

    ref = store._tenant(TENANT, create=False)
    with store.engine.connect() as conn:
        first, last = conn.execute(
            sa.select(sa.func.min(T_CLAIMS.c.id), sa.func.max(T_CLAIMS.c.id)).where(
                T_CLAIMS.c.tenant_id == ref.id
            )
        ).one()
        sample = random.Random(0).sample(range(first, last + 1), min(200, count))
        rows = conn.execute(
            sa.select(T_CLAIMS.c.id, T_CLAIMS.c.external_id).where(T_CLAIMS.c.id.in_(sample))
        ).all()
    watermark = int(snapshot.name.split(".")[-2])
    same_ids = (first, last, watermark) == (1, count, count) and all(
        ext == f"bench-{pk - 1}" for pk, ext in rows
    )
    if not same_ids:
        log.warning("ids differ from the SQLite build; building the index instead of copying it")
        return
    directory = store.index_dir
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(snapshot, directory / f"{index_stem(TENANT, ref.identity)}.{watermark}{SUFFIX}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.stores", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True, help="directory of real article *.txt files")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--base-size", type=int, default=10_000, help="real sentences embedded with MiniLM")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=common.DEFAULT_POSTGRES_URL, help="server URL (any database)")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the stores")
    parser.add_argument(
        "--copy-index",
        action="store_true",
        help="PostgreSQL stores copy the vector index of the finished SQLite store of the same size",
    )
    parser.add_argument("--base-only", action="store_true", help="only embed (and cache) the base set")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    common.quiet_logs()
    args = parse_args(argv)
    sampler = common.LoadSampler()
    t0 = time.perf_counter()
    generator = make_generator(args.texts, base_size=args.base_size, seed=args.seed)
    base_seconds = time.perf_counter() - t0
    common.console.print(
        f"base set: {len(generator.base.sentences):,} real sentences, "
        + (
            f"embedded in {generator.base.encode_seconds:.0f} s"
            if generator.base.encode_seconds
            else "cached"
        )
        + f"; {len(generator.speakers)} speakers; generator {generator.key}"
    )
    results: list[dict[str, Any]] = []
    if not args.base_only:
        for backend in args.backends:
            if backend == "postgres" and (reason := postgres_reachable(args.postgres)):
                common.console.print(f"[red]PostgreSQL unreachable, skipped: {reason}[/]")
                continue
            for size in args.sizes:
                spec = store_spec(backend, size, generator.key)
                donor = store_spec("sqlite", size, generator.key) if args.copy_index else None
                results.append(
                    ensure_store(
                        spec,
                        generator,
                        postgres_url=args.postgres,
                        rebuild=args.rebuild,
                        reuse_index_from=donor if backend == "postgres" else None,
                    )
                )
    rows = [
        [
            f"{r['backend']} {r['size']:,}",
            f"{r['claims']:,}",
            f"{r['imported_this_run']:,}",
            f"{r['claims_per_second']:,}" if r.get("claims_per_second") else "cached",
            f"{r['import_seconds']:.0f} s",
            f"{r['index_sync_seconds']:.0f} s",
            f"{r.get('loadavg_1m_start', '-')}→{r.get('loadavg_1m_end', '-')}",
        ]
        for r in results
    ]
    common.console.print(
        common.table(
            "Store builds (import with precomputed embeddings, via SqlStore.import_claims)",
            ["store", "claims", "imported now", "claims/s", "import time", "of which index", "load 1m"],
            rows,
        )
    )
    path = common.write_result(
        "stores",
        {
            "base_sentences": len(generator.base.sentences),
            "base_encode_seconds": round(generator.base.encode_seconds, 1),
            "base_setup_seconds": round(base_seconds, 1),
            "generator_key": generator.key,
            "stores": results,
            **sampler.stop(),
        },
    )
    common.console.print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
