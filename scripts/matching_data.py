"""Loaders and an on-disk embedding cache shared by ``eval_matching.py`` and ``tune_matching.py``.

Not part of the product: reads ``../shared/data`` (path given on the command line).
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from bot.matching.encoder import MiniLMEncoder, TorchRunner
from bot.ports import Encoder

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class MrpcPair:
    a: str
    b: str
    label: int


@dataclass(frozen=True)
class CheckThat:
    claim_ids: list[str]
    claims: list[str]
    titles: list[str]
    queries: dict[str, dict[str, str]]  # split -> tweet id -> text
    qrels: dict[str, dict[str, set[str]]]  # split -> tweet id -> relevant claim ids


def load_mrpc(data: Path) -> list[MrpcPair]:
    pairs: list[MrpcPair] = []
    with (data / "mrpc" / "msr_paraphrase_train.txt").open(encoding="utf-8-sig") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5:
                pairs.append(MrpcPair(parts[3], parts[4], int(parts[0])))
    return pairs


def _read_tsv(path: Path, *, quoted: bool = False) -> list[list[str]]:
    # The claims file quotes fields that hold tabs, quotes or line breaks; the tweet files do not.
    with path.open(encoding="utf-8", newline="") as fh:
        if quoted:
            return list(csv.reader(fh, delimiter="\t"))
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_checkthat(data: Path) -> CheckThat:
    root = data / "checkthat2020-task2"
    ids, claims, titles = [], [], []
    for row in _read_tsv(root / "verified_claims.docs.tsv", quoted=True)[1:]:
        if len(row) >= 2:
            ids.append(row[0])
            claims.append(" ".join(row[1].split()))
            titles.append(row[2] if len(row) > 2 else "")
    queries: dict[str, dict[str, str]] = {}
    qrels: dict[str, dict[str, set[str]]] = {}
    for split in ("train", "dev"):
        queries[split] = {
            r[0]: r[1] for r in _read_tsv(root / split / "tweets.queries.tsv")[1:] if len(r) >= 2
        }
        rel: dict[str, set[str]] = defaultdict(set)
        for r in _read_tsv(root / split / "tweet-vclaim-pairs.qrels"):
            if len(r) >= 4 and r[3].strip() == "1":
                rel[r[0]].add(r[2])
        qrels[split] = dict(rel)
    return CheckThat(ids, claims, titles, queries, qrels)


class EmbeddingCache:
    """Vectors keyed by the SHA-1 of the text, kept in one ``.npz`` under ``build/``."""

    def __init__(self, path: Path, encoder: Encoder) -> None:
        self.path = path
        self.encoder = encoder
        self._vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as npz:
                keys, mat = npz["keys"], npz["vectors"]
            self._vectors = {str(k): mat[i].copy() for i, k in enumerate(keys)}
        self._dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def encode(self, texts: list[str], desc: str = "embedding", chunk: int = 256) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self._vectors))
        if missing:
            for start in tqdm(range(0, len(missing), chunk), desc=desc, unit="chunk"):
                part = missing[start : start + chunk]
                for text, vec in zip(part, self.encoder.encode(part), strict=True):
                    self._vectors[self.key(text)] = vec.astype(np.float32)
                self._dirty = True
                if (start // chunk) % 8 == 7:
                    self.save()
            self.save()
        return (
            np.stack([self._vectors[self.key(t)] for t in texts]) if texts else np.zeros((0, 384), np.float32)
        )

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():  # another run may have added vectors meanwhile: keep them
            with np.load(self.path) as npz:
                keys, mat = npz["keys"], npz["vectors"].copy()
            for i, k in enumerate(keys):
                self._vectors.setdefault(str(k), mat[i].copy())
        keys = np.array(list(self._vectors), dtype="U40")
        mat = np.stack(list(self._vectors.values())).astype(np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=mat)
        tmp.replace(self.path)
        self._dirty = False


OVERLAY_NAME = "minilm_top_layers"


def apply_overlay(model: Any, path: Path) -> None:
    """Replace the parameters stored in ``path`` (safetensors, named as in ``model.state_dict()``),
    refusing a file that names a parameter the model lacks or gives it another shape."""
    from safetensors.torch import load_file

    tensors = load_file(str(path))
    own = model.state_dict()
    bad = [k for k, v in tensors.items() if k not in own or own[k].shape != v.shape]
    if bad or not tensors:
        raise RuntimeError(f"embedding overlay {path} does not fit the model: {bad[:3] or 'empty'}")
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in tensors.items()}, strict=False)


class OverlayMiniLMEncoder(MiniLMEncoder):
    """The product's MiniLM with fine-tuned top layers from ``finetune_encoder.py`` laid over it
    (an experiment: the product does not ship them; see ``finetune_encoder.py``)."""

    def __init__(self, overlay: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.overlay = overlay

    def _load(self) -> None:
        if self._runner is not None:
            return
        super()._load()
        if not isinstance(self._runner, TorchRunner):
            raise RuntimeError("a fine-tuned overlay needs the PyTorch encoder (float32 or bfloat16)")
        apply_overlay(self._runner.model, self.overlay)
