"""An on-disk usearch HNSW index of one tenant's claim embeddings (a cache of the database).

Keys are claim integer ids. Vectors are quantised to int8 with the cosine metric: 384 bytes
a vector instead of 1,536, which is what keeps a million claims well under the memory budget.

The file name carries the watermark (the highest claim id the file contains), so index and
watermark are written in one atomic ``os.replace`` and two processes sharing a data
directory can never pair one's index with the other's watermark. A missing, unreadable or
inconsistent file is simply ignored: the store rebuilds it from the stored embeddings.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from usearch.index import BatchMatches, Index, MetricKind, ScalarKind

log = logging.getLogger(__name__)

SUFFIX = ".usearch"
# measured on 20k random 384-d unit vectors (a worst case for HNSW) on this 2-core machine:
# expansion_add 64 adds ~1,100 vectors/s (128: ~650/s) and expansion_search 128 still finds
# 99% of near duplicates (cosine 0.7) in the top 20, at ~2 ms a query
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128
# Below this many vectors a brute-force scan is about as fast as the graph and never misses:
# HNSW can return fewer than k hits when k is close to the index size (seen: 38 of 40).
EXACT_BELOW = 5_000
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def index_stem(tenant: str, identity: str | None = None) -> str:
    """A file-name-safe, collision-free stem for a tenant ("discord:1" vs "discord_1").

    ``identity`` (e.g. the tenant's row id and creation time) separates the files of two
    databases that happen to share a data directory and a tenant name.
    """
    digest = hashlib.sha1((identity or tenant).encode()).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', tenant)[:60]}-{digest}"


@dataclass(frozen=True, slots=True)
class Hit:
    key: int
    cosine: float  # approximate (int8); the store recomputes exact cosines from float16


class VectorIndex:
    """A tenant's HNSW index plus the watermark of what it contains; not thread-safe by itself."""

    def __init__(self, directory: Path | None, tenant: str, dim: int, identity: str | None = None) -> None:
        """``directory``: where its files live; None keeps the index in memory only (an
        in-memory database's: ``load`` finds nothing and ``save`` writes nothing)."""
        self.directory = directory
        self.tenant = tenant
        self.stem = index_stem(tenant, identity)
        self.dim = dim
        self.watermark = 0  # highest claim id added
        self.unsaved = 0  # additions since the last save
        self._index = self._new_index(dim)

    @staticmethod
    def _new_index(dim: int) -> Index:
        return Index(
            ndim=dim,
            metric=MetricKind.Cos,
            dtype=ScalarKind.I8,
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )

    def __len__(self) -> int:
        return len(self._index)

    @property
    def _exact(self) -> bool:
        return len(self._index) < EXACT_BELOW

    def __contains__(self, key: int) -> bool:
        return bool(self._index.contains(key))

    # ----------------------------------------------------------------------------- data
    def add(self, keys: npt.NDArray[np.int64], vectors: npt.NDArray[np.floating]) -> None:
        """Adds rows; keys must be new. Advances the watermark to the highest key."""
        if len(keys) == 0:
            return
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected vectors of shape (n, {self.dim}), got {vectors.shape}")
        self._index.add(keys.astype(np.uint64), np.ascontiguousarray(vectors, dtype=np.float32))
        self.watermark = max(self.watermark, int(keys.max()))
        self.unsaved += len(keys)

    def search(self, vector: npt.NDArray[np.floating], count: int) -> list[Hit]:
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.dim:
            raise ValueError(f"query has {query.shape[0]} dimensions, the index has {self.dim}")
        return self.search_many(query.reshape(1, -1), count)[0]

    def search_many(self, vectors: npt.NDArray[np.floating], count: int) -> list[list[Hit]]:
        """``search`` for each row of ``vectors`` in one call (usearch spreads the rows over cores)."""
        queries = np.ascontiguousarray(vectors, dtype=np.float32)
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(f"queries have shape {queries.shape}, the index has {self.dim} dimensions")
        if len(self._index) == 0 or count <= 0 or queries.shape[0] == 0:
            return [[] for _ in range(queries.shape[0])]
        matches = self._index.search(queries, min(count, len(self._index)), exact=self._exact)
        if not isinstance(matches, BatchMatches):  # a single row comes back as plain Matches
            return [self._hits(matches.keys, matches.distances)]
        found: list[list[Hit]] = []
        for row in range(queries.shape[0]):
            hits = int(matches.counts[row])
            found.append(self._hits(matches.keys[row][:hits], matches.distances[row][:hits]))
        return found

    @staticmethod
    def _hits(keys: Any, distances: Any) -> list[Hit]:
        return [
            Hit(key=int(key), cosine=float(1.0 - dist)) for key, dist in zip(keys, distances, strict=True)
        ]

    # ----------------------------------------------------------------------------- files
    def _files(self) -> list[tuple[int, Path]]:
        """This tenant's index files, highest watermark first."""
        found: list[tuple[int, Path]] = []
        if self.directory is None or not self.directory.is_dir():
            return found
        pattern = re.compile(rf"^{re.escape(self.stem)}\.(\d+){re.escape(SUFFIX)}$")
        for path in self.directory.iterdir():
            match = pattern.match(path.name)
            if match:
                found.append((int(match.group(1)), path))
        return sorted(found, reverse=True)

    def load(self) -> bool:
        """Replaces the contents with the newest readable file; False when there is none."""
        for watermark, path in self._files():
            try:
                meta = Index.metadata(str(path))
                if (
                    meta is None
                    or meta["dimensions"] != self.dim
                    or meta["kind_scalar"] != ScalarKind.I8
                    or meta["kind_metric"] != MetricKind.Cos
                ):
                    log.warning("ignoring index file %s: built with other settings", path)
                    continue
                index = Index.restore(
                    str(path),
                    connectivity=CONNECTIVITY,
                    expansion_add=EXPANSION_ADD,
                    expansion_search=EXPANSION_SEARCH,
                )
            except (ValueError, RuntimeError, OSError, KeyError) as exc:
                log.warning("ignoring unreadable index file %s: %s", path, exc)
                continue
            if index is None:
                log.warning("ignoring unreadable index file %s", path)
                continue
            self._index = index
            self.watermark = watermark
            self.unsaved = 0
            return True
        return False

    def reset(self) -> None:
        self._index = self._new_index(self.dim)
        self.watermark = 0
        self.unsaved = 0

    def save(self) -> Path | None:
        """Writes ``{stem}.{watermark}.usearch`` atomically and removes older files (None: in memory only)."""
        if self.directory is None:
            self.unsaved = 0
            return None
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"{self.stem}.{self.watermark}{SUFFIX}"
        tmp = self.directory / f".{self.stem}.{os.getpid()}.{id(self)}.tmp"
        try:
            self._index.save(str(tmp))
            os.replace(tmp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self.unsaved = 0
        for watermark, path in self._files():
            if watermark < self.watermark:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        return final

    def delete_files(self) -> None:
        for _, path in self._files():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


__all__ = ["Hit", "VectorIndex", "index_stem"]
