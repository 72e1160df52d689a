"""The learned cue model: cue priors, the statement model and the boundary model, loaded
from ``models/attribution/cue_lexicon.json``."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.nlp.attribution.vocabulary import SEED_CUES
from bot.nlp.boundaries import BoundaryModel

logger = logging.getLogger(__name__)


LEXICON_PATH = Path(__file__).resolve().parents[3] / "models" / "attribution" / "cue_lexicon.json"


DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class CueModel:
    """Logistic regression over :func:`attribution_features`, trained on PolNeAR train."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


@dataclass(frozen=True, slots=True)
class AttributionModels:
    """The learned attribution models: each word form's cue prior (``prior``, ``is_cue`` at
    ``threshold``), the statement model scoring candidates (``model``) and the boundary model
    ending complements (``boundary``); the last two are None when not trained or not used."""

    priors: dict[str, float]
    threshold: float
    model: CueModel | None = None
    boundary: BoundaryModel | None = None  # where a complement ends (bot.nlp.boundaries)

    def prior(self, form: str) -> float:
        lower = form.lower()
        if lower in SEED_CUES:
            return max(self.priors.get(lower, 0.0), 0.75)
        return self.priors.get(lower, 0.0)

    def is_cue(self, form: str) -> bool:
        return self.prior(form) >= self.threshold


@lru_cache(maxsize=4)
def load_lexicon(
    path: Path = LEXICON_PATH, threshold: float | None = None, *, use_model: bool = True
) -> AttributionModels:
    """Loads the attribution models (cue priors, statement and boundary models); with no file,
    only the seed cues count."""
    if not path.exists():
        logger.warning("no cue lexicon at %s; using the seed cue list only", path)
        return AttributionModels({}, threshold if threshold is not None else DEFAULT_THRESHOLD)
    payload = json.loads(path.read_text(encoding="utf-8"))
    model = None
    boundary = None
    if payload.get("model") and use_model:
        spec = payload["model"]
        model = CueModel(tuple(spec["weights"]), float(spec["bias"]), float(spec["threshold"]))
        default = float(spec.get("candidate_threshold", payload.get("threshold", DEFAULT_THRESHOLD)))
    else:
        default = float(payload.get("threshold", DEFAULT_THRESHOLD))
    if payload.get("boundary") and use_model:
        boundary = BoundaryModel(tuple(payload["boundary"]["weights"]), float(payload["boundary"]["bias"]))
    chosen = threshold if threshold is not None else default
    return AttributionModels(dict(payload["priors"]), chosen, model, boundary)
