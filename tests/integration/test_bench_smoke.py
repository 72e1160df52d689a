"""A smoke run of every benchmark script on tiny stores, so the scripts never rot.

No timings are asserted (speed is what the scripts report, not what tests check): each
test asserts that the benchmark ran end to end, measured what it says it measures, and
wrote its JSON. Where the model is not the thing measured, fakes of OUR ports stand in
(``tests.fakes``); the throughput smoke runs the real shipped spaCy pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import burst, compare_rate, encoder_size, import_rate, latency, memory, stores, throughput
from bench.corpus import articles_of_length, claim_like_sentences, split_sentences, word_count
from bench.synth import BaseSet, generate_chunk
from bot.nlp.pipeline import SHIPPED_PIPELINE_DIR
from tests.fakes import HashingEncoder, SaidThatExtractor

SPEAKERS = ["Maria Lopez", "John Carter", "Aisha Khan", "Peter Novak", "Laura Chen", "Tom Fischer"]
TOPICS = [
    ("the harbour bridge", "will cost {n} million dollars", "is years behind schedule"),
    ("the new budget", "adds {n} teachers to public schools", "does not raise taxes"),
    ("unemployment", "fell to {n} percent last year", "is lower than at any time since 2001"),
    ("the city council", "approved {n} new bus lines", "did not consult the residents"),
    ("the hospital", "treated {n} patients in March", "needs more nurses than ever"),
    ("the trade deal", "will create {n} jobs in the region", "was signed without a public debate"),
]


def _article(i: int) -> str:
    paragraphs = []
    for j in range(6):
        speaker = SPEAKERS[(i + j) % len(SPEAKERS)]
        subject, numeric, plain = TOPICS[(i * 2 + j) % len(TOPICS)]
        paragraphs.append(
            f"{speaker} said that {subject} {numeric.format(n=(i + 1) * (j + 3) * 7)}. "
            f"Officials in the capital met on Tuesday to discuss {subject} and its consequences. "
            f"{SPEAKERS[(i + j + 1) % len(SPEAKERS)]} said {subject} {plain}."
        )
    return f"Report number {i} on local affairs\n\n" + "\n\n".join(paragraphs)


@pytest.fixture(scope="module")
def texts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bench-texts")
    for i in range(12):
        (directory / f"article-{i:02d}.txt").write_text(_article(i), encoding="utf-8")
    return directory


def _latest(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}-latest.json").read_text())


# ----------------------------------------------------------------------------- pure parts
def test_sentences_and_articles_come_from_the_texts(texts_dir: Path) -> None:
    texts = [p.read_text() for p in sorted(texts_dir.glob("*.txt"))]
    sentences = claim_like_sentences(texts)
    assert "Maria Lopez said that the harbour bridge will cost 21 million dollars." in sentences
    assert split_sentences("He left. She said “No.” Then 3 men came.") == [
        "He left.",
        "She said “No.”",
        "Then 3 men came.",
    ]
    articles = articles_of_length(texts, count=3, words=200, nonce="abc")
    assert len(set(articles)) == 3
    for i, article in enumerate(articles):
        assert 200 <= word_count(article) <= 260
        assert article.endswith(f"(Compiled for benchmark run abc, article {i}.)")


def test_generated_claims_are_deterministic_recombinations_with_unit_vectors() -> None:
    sentences = [f"Speaker {i} said the figure was {i * 10} in the year {2000 + i}." for i in range(50)]
    rng_vectors = HashingEncoder().encode(sentences)
    base = BaseSet(sentences, rng_vectors, 0.0)
    claims, vectors = generate_chunk(base, ["A B"], chunk=0, size=200, seed=5)
    again, vectors_again = generate_chunk(base, ["A B"], chunk=0, size=200, seed=5)
    assert [c.text for c in claims] == [c.text for c in again]
    assert (vectors == vectors_again).all()
    assert vectors.shape == (200, base.dim)
    assert abs(float((vectors**2).sum(axis=1).mean()) - 1.0) < 1e-4
    assert len({c.external_id for c in claims}) == 200
    # every generated claim is made of the words of one or two base sentences
    vocabulary = {w for s in sentences for w in s.split()} | {
        "reportedly",
        "clearly",
        "still",
        "now",
        "again",
        "never",
    }
    numbers_changed = sum(
        any(w not in vocabulary for w in c.text.split()) for c in claims
    )  # only a changed number may bring a new word
    assert all(all(w in vocabulary or any(ch.isdigit() for ch in w) for w in c.text.split()) for c in claims)
    assert numbers_changed > 0
    other_chunk, _ = generate_chunk(base, ["A B"], chunk=1, size=200, seed=5)
    assert other_chunk[0].external_id == "bench-10000"


# ----------------------------------------------------------------------------- each benchmark
def test_store_build_is_measured_cached_and_resumable(texts_dir: Path, tmp_path: Path) -> None:
    generator = stores.make_generator(texts_dir, base_size=60, cache_dir=tmp_path, encoder=HashingEncoder())
    spec = stores.store_spec("sqlite", 300, generator.key, tmp_path)
    built = stores.ensure_store(spec, generator, progress=False)
    assert built["claims"] == 300
    assert built["indexed"] == 300
    assert built["claims_per_second"] > 0
    assert spec.manifest_path.is_file()
    again = stores.ensure_store(spec, generator, progress=False)
    assert again == built  # cached: not imported a second time


@pytest.mark.postgres
def test_postgres_store_can_reuse_the_sqlite_index(texts_dir: Path, tmp_path: Path) -> None:
    url = stores.common.DEFAULT_POSTGRES_URL
    if reason := stores.postgres_reachable(url):
        pytest.skip(f"PostgreSQL unreachable ({reason})")
    generator = stores.make_generator(texts_dir, base_size=60, cache_dir=tmp_path, encoder=HashingEncoder())
    donor = stores.store_spec("sqlite", 250, generator.key, tmp_path)
    stores.ensure_store(donor, generator, progress=False)
    spec = stores.store_spec("postgres", 250, generator.key, tmp_path)
    try:
        built = stores.ensure_store(spec, generator, postgres_url=url, progress=False, reuse_index_from=donor)
        assert built["index_copied_from"] is not None
        assert (built["claims"], built["indexed"]) == (250, 250)
        # the copied index answers for the PostgreSQL rows: a stored claim's vector finds that claim
        from bench.synth import generate_chunk
        from storage import open_store

        claims, vectors = generate_chunk(generator.base, generator.speakers, chunk=0, size=250, seed=1)
        store = open_store(spec.settings(url))
        try:
            for i in (0, 137, 249):
                (best,) = store.nearest_claims(tenant=stores.TENANT, embedding=vectors[i], k=1)
                assert (best.claim.external_id, best.claim.text) == (f"bench-{i}", claims[i].text)
        finally:
            store.close()
    finally:
        stores.drop_store(spec, url)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_latency_smoke(texts_dir: Path, tmp_path: Path, backend: str) -> None:
    if backend == "postgres" and (reason := stores.postgres_reachable(stores.common.DEFAULT_POSTGRES_URL)):
        pytest.skip(f"PostgreSQL unreachable ({reason})")
    out = tmp_path / "results"
    encoder = HashingEncoder()
    try:
        result = latency.main(
            [
                "--texts",
                str(texts_dir),
                "--sizes",
                "200",
                "400",
                "--backends",
                backend,
                "--base-size",
                "60",
                "--smoke",
                "--out",
                str(out),
                "--cache",
                str(tmp_path / "cache"),
            ],
            extractor=SaidThatExtractor(),
            encoder=encoder,
        )
    finally:
        if backend == "postgres":
            generator = stores.make_generator(
                texts_dir, base_size=60, cache_dir=tmp_path / "cache", encoder=encoder
            )
            for size in (200, 400):
                stores.drop_store(
                    stores.store_spec(backend, size, generator.key, tmp_path / "cache"),
                    stores.common.DEFAULT_POSTGRES_URL,
                )
    assert [(r["backend"], r["size"]) for r in result["stores"]] == [(backend, 200), (backend, 400)]
    for row in result["stores"]:
        assert row["stored_claims"] >= row["size"]
        assert row["check"]["n"] == 3
        assert row["search"]["n"] == 5
        assert row["claims_per_article"] > 0  # the fake extractor found the "X said that" claims
    assert result["summary"][backend]["search_ratio_largest_vs_smallest"] > 0
    assert _latest(out, "latency")["stores"][0]["size"] == 200


def test_memory_smoke(texts_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = memory.main(
        [
            "--texts",
            str(texts_dir),
            "--sizes",
            "200",
            "--base-size",
            "60",
            "--smoke",
            "--out",
            str(out),
            "--cache",
            str(tmp_path / "cache"),
        ],
        generator_encoder=HashingEncoder(),
    )
    (row,) = result["stores"]
    assert row["peak_rss_mb"] >= row["rss_after_models_mb"] > 10
    assert row["startup_to_first_reply_s"] > 0
    assert list(row["phases_s"]) == [
        "imported",
        "bootstrapped",
        "models_loaded",
        "first_reply",
        "steady",
        "closed",
    ]
    assert _latest(out, "memory")["fake_models"] is True


def test_burst_smoke(texts_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = burst.main(
        [
            "--texts",
            str(texts_dir),
            "--size",
            "200",
            "--base-size",
            "60",
            "--smoke",
            "--out",
            str(out),
            "--cache",
            str(tmp_path / "cache"),
        ],
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
    )
    half, whole = result["runs"]
    assert (half["capacity"], half["burst"]) == (4, 8)
    assert half["accepted"] + half["refused"] == 8
    assert half["accepted"] >= 4  # at least the capacity; a finished job frees its slot at once
    assert (whole["accepted"], whole["refused"], whole["completed"]) == (8, 0, 8)
    assert whole["time_to_drain_s"] > 0
    assert whole["ack_wait_max_s"] >= whole["ack_wait_median_s"] >= 0


def test_import_rate_smoke(texts_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = import_rate.main(["--texts", str(texts_dir), "--smoke", "--out", str(out)])
    (row,) = result["runs"]
    assert row["imported"] == row["lines"] == 40
    assert row["rate_including_startup"] > 0


@pytest.mark.slow
@pytest.mark.skipif(not (SHIPPED_PIPELINE_DIR / "config.cfg").exists(), reason="models/claimbot_en not built")
def test_throughput_smoke_with_the_shipped_pipeline(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    for i in range(4):
        (texts / f"a{i}.txt").write_text(_article(i), encoding="utf-8")
    out = tmp_path / "results"
    result = throughput.main(
        ["--texts", str(texts), "--smoke", "--spacy-model", "claimbot_en", "--out", str(out)],
        encoder=HashingEncoder(),
    )
    assert result["articles"] == 3
    assert result["words"] > 300
    assert result["claims"] > 0  # the real pipeline found the attributed statements
    for stage in ("parse", "extract", "check"):
        assert result["stages"][stage]["words_per_s"] > 0
    assert result["ratio_check_vs_parse"] > 0
    assert _latest(out, "throughput")["spacy_model"] == "claimbot_en"


def test_encoder_size_smoke(texts_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = encoder_size.main(["--texts", str(texts_dir), "--smoke", "--threads", "1", "--out", str(out)])
    assert [r["encoder"] for r in result["runs"]] == ["minilm-4", "minilm-6", "base-12"]
    four, six, _ = result["runs"]
    assert six["parameters"] > four["parameters"]  # the whole MiniLM, not the cut one
    assert all(r["median_s"] > 0 for r in result["runs"])
    assert _latest(out, "encoder_size")["windows"] == result["windows"] >= 1


@pytest.mark.slow
def test_compare_rate_smoke_with_the_judge_on_and_off(texts_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = compare_rate.main(["--texts", str(texts_dir), "--smoke", "--out", str(out)])
    runs = {row["judge"]: row for row in result["runs"]}
    assert set(runs) == {"on", "off"}
    for row in runs.values():
        assert row["verdicts"] == row["pairs"] == 12
        assert row["rate_including_startup"] > 0
    assert _latest(out, "compare")["runs"][0]["judge"] == "on"


@pytest.mark.slow
def test_big_input_bench_checks_both_inputs_in_fresh_processes(texts_dir: Path, tmp_path: Path) -> None:
    from bench import big_input

    assert big_input.main(["--texts", str(texts_dir), "--chars", "3000", "--out", str(tmp_path)]) == 0
    result = _latest(tmp_path, "big_input")
    for name in ("short lines", "prose"):
        assert result[name]["exit"] == 0, result[name]["stderr_tail"]
        assert 0 < result[name]["input_chars"] <= 3000
        assert result[name]["peak_rss_mb"] > 100  # the models were loaded: a real check ran


def test_follows_bench_times_checks_with_and_without_follows(texts_dir: Path, tmp_path: Path) -> None:
    from bench import follows

    out = tmp_path / "results"
    result = follows.main(
        ["--texts", str(texts_dir), "--smoke", "--out", str(out)],
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
    )
    assert (result["articles"], result["follows"]) == (4, 10)
    assert result["without_follows"]["n"] == result["with_follows"]["n"] == 4
    assert result["without_follows"]["median_s"] > 0
    assert result["with_follows"]["median_s"] > 0
    assert result["alerts_queued"] > 0  # the follows tenant really selected and stored alerts
    assert _latest(out, "follows")["follows"] == 10
