"""Check-worthiness of a sentence: is it a factual claim worth checking?

Used for the sentences an article asserts itself (no speaker): "Prices rose 5 % in
November" is check-worthy, "It was a cold morning in Kyiv" is not.

A logistic regression over hashed word unigrams/bigrams plus a few cheap shape features
(numbers, percentages, years, money, capitalised words, pronouns, question marks,
length). Trained by ``scripts/train_checkworthy.py`` on ClaimBuster; at run time it is pure
numpy: weights in ``models/checkworthy/weights.npz``, settings and measured figures in
``models/checkworthy/meta.json``.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MODEL_DIR",
    "FEATURE_VERSION",
    "SHAPE_FEATURES",
    "CheckworthinessModel",
    "SparseFeatures",
    "featurize",
    "featurize_many",
    "shape_features",
]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "checkworthy"
FEATURE_VERSION = 1  # bump when featurize() changes; the loader refuses mismatched weights

_TOKEN_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d[\d,.]*%?|[%$£€?!]")
_NUMBER_RE = re.compile(r"\d")
_PERCENT_RE = re.compile(r"\d\s?%|\bper\s?cent\b|\bpercent(?:age)?\b", re.I)
_YEAR_RE = re.compile(r"\b(?:1[89]\d\d|20\d\d)s?\b")
_MONEY_RE = re.compile(r"[$£€]\s?\d|\b(?:dollars?|pounds|euros?|cents?)\b", re.I)
_MAGNITUDE_RE = re.compile(r"\b(?:hundred|thousand|million|billion|trillion|dozens?)\b", re.I)
_NUMBER_WORD_RE = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|half|"
    r"third|quarter|twice|double|triple)\b",
    re.I,
)
_COMPARATIVE_RE = re.compile(
    r"\b(?:more|less|fewer|most|least|than|higher|lower|increase[ds]?|decrease[ds]?|rose|fell|"
    r"cut|raised|doubled|tripled|record)\b",
    re.I,
)
# "I" only in capitals; "US" (the country) must not count as "us"
_FIRST_PERSON_RE = re.compile(
    r"\b(?:I|I'm|I've|I'll|[Mm]e|[Mm]y|[Mm]ine|[Ww]e|[Ww]e're|[Ww]e've|[Uu]s|[Oo]urs?)\b"
)
_SECOND_PERSON_RE = re.compile(r"\b(?:you|your|yours|you're|you've)\b", re.I)
_CAPITALISED_RE = re.compile(r"(?<=[a-z,;:]\s)[A-Z][a-z]+|(?<=\s)[A-Z]{2,}\b")

SHAPE_FEATURES = (
    "has_number",
    "has_percent",
    "has_year",
    "has_money",
    "has_magnitude",
    "has_number_word",
    "has_comparative",
    "has_capitalised_word",
    "has_first_person",
    "has_second_person",
    "is_question",
    "has_exclamation",
    "log_tokens",
    "short_under_6_tokens",
    "long_over_30_tokens",
)


@dataclass(frozen=True, slots=True)
class SparseFeatures:
    """A batch of hashed features in coordinate form (row, column, value)."""

    rows: npt.NDArray[np.int64]
    columns: npt.NDArray[np.int64]
    values: npt.NDArray[np.float32]
    shapes: npt.NDArray[np.float32]  # (n, len(SHAPE_FEATURES))
    count: int


def _bucket(feature: str, buckets: int) -> int:
    # crc32 is stable across processes and Python versions (unlike hash())
    return zlib.crc32(feature.encode("utf-8")) % buckets


def _normalise_token(token: str) -> str:
    if token[0].isdigit():
        return "<pct>" if token.endswith("%") else "<num>"
    return token.casefold().replace("’", "'")


_PREFIX_CHARS = 5  # a crude stem: "increased", "increases" -> "incre"


def featurize(text: str, buckets: int) -> dict[int, float]:
    """Hashed features of one sentence: unigrams, 5-letter prefixes of longer words, bigrams.

    Presence (not counts), scaled by 1/sqrt(token count) so long sentences do not win on
    length alone. Numbers become ``<num>`` / ``<pct>``: the value never matters, its presence does.
    """
    tokens = ["<s>", *(_normalise_token(token) for token in _TOKEN_RE.findall(text)), "</s>"]
    features: set[str] = set()
    for token in tokens[1:-1]:
        features.add("u:" + token)
        if len(token) > _PREFIX_CHARS and not token.startswith("<"):
            features.add("p:" + token[:_PREFIX_CHARS])
    for left, right in itertools.pairwise(tokens):
        features.add(f"b:{left} {right}")
    scale = 1.0 / math.sqrt(max(1, len(tokens) - 2))
    indices: dict[int, float] = {}
    for feature in features:
        index = _bucket(feature, buckets)
        indices[index] = indices.get(index, 0.0) + scale
    return indices


def shape_features(text: str) -> list[float]:
    """The SHAPE_FEATURES of one sentence, each in [0, 1]-ish."""
    token_count = len(_TOKEN_RE.findall(text))
    stripped = text.strip()
    flags = [
        _NUMBER_RE.search(text) is not None,
        _PERCENT_RE.search(text) is not None,
        _YEAR_RE.search(text) is not None,
        _MONEY_RE.search(text) is not None,
        _MAGNITUDE_RE.search(text) is not None,
        _NUMBER_WORD_RE.search(text) is not None,
        _COMPARATIVE_RE.search(text) is not None,
        _CAPITALISED_RE.search(text) is not None,
        _FIRST_PERSON_RE.search(text) is not None,
        _SECOND_PERSON_RE.search(text) is not None,
        stripped.endswith("?"),
        "!" in stripped,
    ]
    return [
        *(float(flag) for flag in flags),
        math.log1p(token_count) / 4.0,
        float(token_count < 6),
        float(token_count > 30),
    ]


def featurize_many(texts: Sequence[str], buckets: int) -> SparseFeatures:
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, text in enumerate(texts):
        for column, value in featurize(text, buckets).items():
            rows.append(row)
            columns.append(column)
            values.append(value)
    shapes = np.array([shape_features(text) for text in texts], dtype=np.float32).reshape(
        len(texts), len(SHAPE_FEATURES)
    )
    return SparseFeatures(
        rows=np.array(rows, dtype=np.int64),
        columns=np.array(columns, dtype=np.int64),
        values=np.array(values, dtype=np.float32),
        shapes=shapes,
        count=len(texts),
    )


def linear_scores(
    features: SparseFeatures,
    hashed_weights: npt.NDArray[np.float32],
    shape_weights: npt.NDArray[np.float32],
    bias: float,
) -> npt.NDArray[np.float64]:
    """Logits of a batch: hashed part via bincount (no dense matrix), plus the shape part."""
    hashed = np.bincount(
        features.rows,
        weights=hashed_weights[features.columns].astype(np.float64) * features.values,
        minlength=features.count,
    )
    return hashed + features.shapes.astype(np.float64) @ shape_weights.astype(np.float64) + bias


def sigmoid(logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = 0.5 * (1.0 + np.tanh(0.5 * logits))  # overflow-free
    return result


class CheckworthinessModel:
    """Probability that a sentence is a check-worthy factual claim; ``threshold`` is tuned for F1."""

    def __init__(
        self,
        *,
        hashed_weights: npt.NDArray[np.float32],
        shape_weights: npt.NDArray[np.float32],
        bias: float,
        threshold: float,
        metadata: dict[str, object] | None = None,
    ) -> None:
        if shape_weights.shape != (len(SHAPE_FEATURES),):
            raise ValueError(f"expected {len(SHAPE_FEATURES)} shape weights, got {shape_weights.shape}")
        self.hashed_weights = hashed_weights.astype(np.float32)
        self.shape_weights = shape_weights.astype(np.float32)
        self.bias = float(bias)
        self.threshold = float(threshold)
        self.metadata = dict(metadata or {})

    @property
    def buckets(self) -> int:
        return int(self.hashed_weights.shape[0])

    @classmethod
    def load(cls, path: Path | None = None) -> CheckworthinessModel:
        """Loads ``weights.npz`` + ``meta.json`` from a directory (default: the shipped model)."""
        directory = Path(path) if path is not None else DEFAULT_MODEL_DIR
        meta_path = directory / "meta.json"
        weights_path = directory / "weights.npz"
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        if metadata.get("feature_version") != FEATURE_VERSION:
            raise ValueError(
                f"{directory} was trained with feature version {metadata.get('feature_version')}, "
                f"this code computes version {FEATURE_VERSION}; retrain with scripts/train_checkworthy.py"
            )
        with np.load(weights_path) as weights:
            model = cls(
                hashed_weights=weights["hashed"],
                shape_weights=weights["shape"],
                bias=float(weights["bias"]),
                threshold=float(metadata["threshold"]),
                metadata=metadata,
            )
        logger.debug("loaded check-worthiness model from %s (%d buckets)", directory, model.buckets)
        return model

    def save(self, path: Path) -> None:
        """Writes ``weights.npz`` (hashed weights as float16: half the size) and ``meta.json``."""
        path.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path / "weights.npz",
            hashed=self.hashed_weights.astype(np.float16),
            shape=self.shape_weights.astype(np.float32),
            bias=np.float32(self.bias),
        )
        metadata = {
            **self.metadata,
            "feature_version": FEATURE_VERSION,
            "buckets": self.buckets,
            "shape_features": list(SHAPE_FEATURES),
            "threshold": self.threshold,
        }
        (path / "meta.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")

    def score(self, texts: Sequence[str]) -> list[float]:
        """Probability, per sentence, that it is a check-worthy factual claim."""
        if not texts:
            return []
        features = featurize_many(texts, self.buckets)
        logits = linear_scores(features, self.hashed_weights, self.shape_weights, self.bias)
        return [float(probability) for probability in sigmoid(logits)]

    def is_checkworthy(self, texts: Sequence[str]) -> list[bool]:
        return [probability >= self.threshold for probability in self.score(texts)]
