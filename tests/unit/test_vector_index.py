"""The on-disk usearch index on its own: search quality, files, watermark, damaged files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storage.vector_index import EXACT_BELOW, VectorIndex, index_stem

DIM = 48


def unit_rows(n: int, seed: int = 3) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def filled(tmp_path: Path, n: int = 500, tenant: str = "local") -> tuple[VectorIndex, np.ndarray]:
    index = VectorIndex(tmp_path, tenant, DIM)
    rows = unit_rows(n)
    index.add(np.arange(1, n + 1, dtype=np.int64), rows)
    return index, rows


def test_search_finds_each_vector_first_with_a_cosine_near_one(tmp_path: Path) -> None:
    index, rows = filled(tmp_path)
    for key in (1, 77, 250, 500):
        hits = index.search(rows[key - 1], 5)
        assert hits[0].key == key
        assert hits[0].cosine == pytest.approx(1.0, abs=0.02)  # int8 quantisation
        assert [h.cosine for h in hits] == sorted((h.cosine for h in hits), reverse=True)


def test_recall_at_10_against_brute_force(tmp_path: Path) -> None:
    index, rows = filled(tmp_path, n=EXACT_BELOW + 1_000)  # big enough for the HNSW graph
    queries = unit_rows(50, seed=99)
    found = 0
    for query in queries:
        exact = set(np.argsort(-(rows @ query))[:10] + 1)
        found += len(exact & {h.key for h in index.search(query, 10)})
    assert found / (10 * len(queries)) >= 0.9


def test_watermark_and_size(tmp_path: Path) -> None:
    index, _ = filled(tmp_path, n=20)
    assert (len(index), index.watermark, index.unsaved) == (20, 20, 20)
    assert 7 in index
    assert 21 not in index


def test_empty_index_and_zero_count_return_nothing(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path, "local", DIM)
    assert index.search(unit_rows(1)[0], 5) == []
    filled_index, rows = filled(tmp_path)
    assert filled_index.search(rows[0], 0) == []


@pytest.mark.parametrize(
    ("keys", "vectors"),
    [
        (np.array([1]), np.zeros((1, DIM + 1), dtype=np.float32)),
        (np.array([1]), np.zeros(DIM, dtype=np.float32)),
    ],
)
def test_wrong_shapes_are_refused(tmp_path: Path, keys: np.ndarray, vectors: np.ndarray) -> None:
    index = VectorIndex(tmp_path, "local", DIM)
    with pytest.raises(ValueError, match="shape"):
        index.add(keys, vectors)
    assert len(index) == 0


def test_save_and_load_round_trip_keeps_the_watermark(tmp_path: Path) -> None:
    index, rows = filled(tmp_path, n=300)
    path = index.save()
    assert path.name.endswith(".300.usearch")
    assert index.unsaved == 0
    again = VectorIndex(tmp_path, "local", DIM)
    assert again.load()
    assert (len(again), again.watermark) == (300, 300)
    assert again.search(rows[41], 1)[0].key == 42


def test_saving_a_newer_watermark_removes_older_files(tmp_path: Path) -> None:
    index, _ = filled(tmp_path, n=10)
    index.save()
    index.add(np.array([11, 12], dtype=np.int64), unit_rows(2, seed=5))
    index.save()
    assert [p.name.split(".")[-2] for p in tmp_path.glob("*.usearch")] == ["12"]


def test_load_prefers_the_newest_readable_file(tmp_path: Path) -> None:
    index, _ = filled(tmp_path, n=10)
    older = index.save()
    kept = older.read_bytes()
    index.add(np.array([11], dtype=np.int64), unit_rows(1, seed=5))
    newer = index.save()
    older.write_bytes(kept)  # both files present (e.g. another process wrote one)
    fresh = VectorIndex(tmp_path, "local", DIM)
    assert fresh.load()
    assert fresh.watermark == 11
    newer.write_bytes(b"\x00garbage" * 50)  # the newest is damaged: fall back to the older
    fresh = VectorIndex(tmp_path, "local", DIM)
    assert fresh.load()
    assert (fresh.watermark, len(fresh)) == (10, 10)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b"usearch?" + b[8:64], id="garbage"),
    ],
)
def test_damaged_file_is_ignored(tmp_path: Path, damage: object) -> None:
    index, _ = filled(tmp_path, n=50)
    path = index.save()
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    fresh = VectorIndex(tmp_path, "local", DIM)
    assert not fresh.load()
    assert (len(fresh), fresh.watermark) == (0, 0)


def test_file_of_another_width_is_ignored(tmp_path: Path) -> None:
    index, _ = filled(tmp_path, n=5)
    index.save()
    assert not VectorIndex(tmp_path, "local", DIM * 2).load()


def test_tenants_and_databases_get_distinct_files(tmp_path: Path) -> None:
    assert index_stem("discord:1") != index_stem("discord_1")
    assert index_stem("local", "local|1|2026-01-01") != index_stem("local", "local|1|2026-02-01")
    assert "/" not in index_stem("../../etc/passwd")
    a, _ = filled(tmp_path, n=5, tenant="discord:1")
    a.save()
    assert not VectorIndex(tmp_path, "discord_1", DIM).load()
    assert VectorIndex(tmp_path, "discord:1", DIM).load()


def test_delete_files(tmp_path: Path) -> None:
    index, _ = filled(tmp_path, n=5)
    index.save()
    index.delete_files()
    assert list(tmp_path.glob("*.usearch")) == []


def test_a_small_index_returns_every_vector_when_asked_for_all(tmp_path: Path) -> None:
    index, _ = filled(tmp_path, n=40)
    for query in unit_rows(20, seed=5):
        hits = index.search(query, 40)
        assert len(hits) == 40
        assert {h.key for h in hits} == set(range(1, 41))


@pytest.mark.parametrize("n", [300, EXACT_BELOW + 500])
def test_search_many_equals_search_row_by_row(tmp_path: Path, n: int) -> None:
    index, _ = filled(tmp_path, n=n)
    queries = unit_rows(7, seed=11)
    batched = index.search_many(queries, 10)
    assert [[h.key for h in row] for row in batched] == [
        [h.key for h in index.search(q, 10)] for q in queries
    ]
    assert index.search_many(queries[:1], 10)[0] == index.search(queries[0], 10)
    assert index.search_many(np.zeros((0, DIM), dtype=np.float32), 10) == []
    with pytest.raises(ValueError, match="shape"):
        index.search_many(np.zeros((2, DIM + 1), dtype=np.float32), 10)
