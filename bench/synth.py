"""Synthetic stores made from real sentences: how a million claims are generated.

Embedding a million sentences with MiniLM on two CPU cores would take hours, so:

1. A *base set* of real sentences (e.g. 20,000 from PolNeAR) is embedded with the real
   encoder once and cached (``{cache}/base-{digest}.npz``).
2. Each generated claim is either a *recombination* (the first part of sentence A joined
   to the last part of sentence B, cut at word boundaries) or a *perturbation* of sentence A
   (a word dropped, two neighbours swapped, a number changed, a hedge inserted).
3. Its vector is derived, not encoded: recombination → ``normalise(w·v_A + (1−w)·v_B + ε)``
   with ``w`` the share of words taken from A; perturbation → ``normalise(v_A + ε)``; ε is
   Gaussian noise with σ = ``NOISE_SIGMA`` per dimension (cosine to the source ≈ 0.96).

So the store has realistic text (for full-text search and re-ranking) and realistic vector
geometry (clusters around real sentences, near-duplicates, blends) without a real encoding
of each claim. Generation is deterministic: chunk ``c`` of a store is seeded by
``(seed, c)``, so a 10k store is the first 10k claims of the 1M one.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.models import KnownClaim
from bot.ports import Encoder

log = logging.getLogger(__name__)

NOISE_SIGMA = 0.015
RECOMBINE_SHARE = 0.6
UNATTRIBUTED_SHARE = 0.25
SOURCE_SHARE = 0.2
CHUNK = 10_000
_NUMBER = re.compile(r"\d[\d,.]*")
_NAME = re.compile(r"\b([A-Z][a-z]+(?: [A-Z]\.)? [A-Z][a-z]{2,})\b")
_HEDGES = ("reportedly", "clearly", "still", "now", "again", "never")


@dataclass(frozen=True, slots=True)
class BaseSet:
    sentences: list[str]
    vectors: npt.NDArray[np.float32]  # (n, dim), rows L2-normalised
    encode_seconds: float  # 0 when read from the cache

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])


def base_digest(sentences: Sequence[str], model: str) -> str:
    h = hashlib.sha1(model.encode())
    for s in sentences:
        h.update(s.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def load_base_set(
    sentences: Sequence[str], encoder: Encoder, *, cache_dir: Path | None, model: str
) -> BaseSet:
    """The sentences' real embeddings, from the cache or encoded now (and cached)."""
    import time

    path = cache_dir / f"base-{base_digest(sentences, model)}.npz" if cache_dir else None
    if path is not None and path.is_file():
        data = np.load(path)
        return BaseSet(list(sentences), data["vectors"].astype(np.float32), 0.0)
    start = time.perf_counter()
    chunks = []
    for i in range(0, len(sentences), 1_000):
        chunks.append(np.asarray(encoder.encode(list(sentences[i : i + 1_000])), dtype=np.float32))
        log.warning("embedded %d/%d base sentences", min(i + 1_000, len(sentences)), len(sentences))
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, encoder.dim), dtype=np.float32)
    elapsed = time.perf_counter() - start
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, vectors=vectors.astype(np.float16))
        tmp.replace(path)
        vectors = vectors.astype(np.float16).astype(np.float32)  # what a cached run reads
    return BaseSet(list(sentences), vectors, elapsed)


def speaker_pool(texts: Sequence[str], size: int = 400) -> list[str]:
    """The corpus' most frequent capitalised two-word names (people, and some organisations)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_NAME.findall(text))
    return [name for name, _ in counts.most_common(size)] or ["Jane Doe"]


def _normalise(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _perturb(words: list[str], rng: np.random.Generator) -> list[str]:
    out = list(words)
    for _ in range(int(rng.integers(1, 3))):
        op = int(rng.integers(0, 4))
        if op == 0 and len(out) > 4:
            del out[int(rng.integers(1, len(out)))]
        elif op == 1 and len(out) > 3:
            i = int(rng.integers(1, len(out) - 1))
            out[i], out[i + 1] = out[i + 1], out[i]
        elif op == 2:
            numbered = [i for i, w in enumerate(out) if _NUMBER.search(w)]
            if numbered:
                i = numbered[int(rng.integers(0, len(numbered)))]
                out[i] = _NUMBER.sub(str(int(rng.integers(2, 100_000))), out[i], count=1)
            else:
                out.insert(int(rng.integers(1, len(out))), _HEDGES[int(rng.integers(0, len(_HEDGES)))])
        else:
            out.insert(int(rng.integers(1, len(out))), _HEDGES[int(rng.integers(0, len(_HEDGES)))])
    return out


def generate_chunk(
    base: BaseSet, speakers: Sequence[str], *, chunk: int, size: int, seed: int
) -> tuple[list[KnownClaim], npt.NDArray[np.float32]]:
    """Claims ``chunk*CHUNK`` .. ``chunk*CHUNK + size - 1`` with their derived vectors."""
    rng = np.random.default_rng([seed, chunk])
    n = len(base.sentences)
    a = rng.integers(0, n, size)
    b = rng.integers(0, n, size)
    recombine = rng.random(size) < RECOMBINE_SHARE
    weights = np.ones(size, dtype=np.float32)
    claims: list[KnownClaim] = []
    first_day = date(2023, 1, 1)
    for j in range(size):
        words_a = base.sentences[int(a[j])].split()
        if recombine[j]:
            words_b = base.sentences[int(b[j])].split()
            cut_a = int(rng.integers(max(1, len(words_a) // 3), max(2, 2 * len(words_a) // 3 + 1)))
            cut_b = int(rng.integers(len(words_b) // 3, max(1, 2 * len(words_b) // 3) + 1))
            words = words_a[:cut_a] + words_b[cut_b:]
            weights[j] = cut_a / max(1, len(words))
        else:
            words = _perturb(words_a, rng)
        index = chunk * CHUNK + j
        speaker = None if rng.random() < UNATTRIBUTED_SHARE else speakers[int(rng.integers(0, len(speakers)))]
        source = f"https://factcheck.example/{index}" if rng.random() < SOURCE_SHARE else None
        claims.append(
            KnownClaim(
                external_id=f"bench-{index}",
                text=" ".join(words),
                speaker=speaker,
                date=first_day + timedelta(days=int(rng.integers(0, 1_000))),
                source=source,
            )
        )
    w = weights[:, None]
    other = np.where(recombine[:, None], base.vectors[b], np.float32(0.0))
    mixed: npt.NDArray[np.float32] = (w * base.vectors[a] + (1.0 - w) * other).astype(np.float32)
    mixed += rng.normal(0.0, NOISE_SIGMA, mixed.shape).astype(np.float32)
    return claims, _normalise(mixed)


def generate(
    base: BaseSet, speakers: Sequence[str], *, total: int, seed: int = 1, start: int = 0
) -> Iterator[tuple[list[KnownClaim], npt.NDArray[np.float32]]]:
    """Chunks of (claims, vectors) for claims ``start`` .. ``total - 1`` (``start`` a chunk multiple)."""
    if start % CHUNK:
        raise ValueError(f"start must be a multiple of {CHUNK}")
    for chunk in range(start // CHUNK, (total + CHUNK - 1) // CHUNK):
        size = min(CHUNK, total - chunk * CHUNK)
        yield generate_chunk(base, speakers, chunk=chunk, size=size, seed=seed)
