"""Load the spaCy pipeline the attribution code runs on, and describe its label conventions.

The default is claimbot's own pipeline, trained on UD English-EWT + UNER and shipped in
``models/claimbot_en``: UD dependency labels (``nsubj``, ``obj``, ``nsubj:pass``) and PER / ORG / LOC
entities. Any installed spaCy package or pipeline directory works too (``CLAIMBOT_SPACY_MODEL``), e.g.
``en_core_web_trf`` with ClearNLP labels (``dobj``, ``nsubjpass``) and OntoNotes entities (``PERSON``,
``GPE``...). The attribution code asks :func:`pipeline_label_scheme` and :func:`entity_label_map`
instead of assuming either convention.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy
import spacy
from spacy.language import Language
from spacy.pipeline import DependencyParser, EntityRecognizer, EntityRuler, SpanRuler

from bot.errors import ClaimbotError

logger = logging.getLogger(__name__)

SHIPPED_PIPELINE_NAME = "claimbot_en"
SHIPPED_PIPELINE_DIR = Path(__file__).resolve().parents[2] / "models" / SHIPPED_PIPELINE_NAME
SETTING_NAME = "CLAIMBOT_SPACY_MODEL"
# Articles pasted whole: the input limit (settings.max_text_chars) is 500,000 characters.
MAX_TEXT_LENGTH = 2_000_000

LabelScheme = Literal["ud", "clear"]
CanonicalEntity = Literal["PER", "ORG", "LOC"]

# Labels only one convention uses; a pipeline's parser labels are checked against both sets.
_UD_ONLY_LABELS = frozenset(
    {"obj", "iobj", "obl", "nsubj:pass", "csubj:pass", "aux:pass", "flat", "compound:prt",
     "nmod:poss", "fixed", "orphan", "obl:tmod", "obl:npmod", "nmod:tmod", "discourse", "vocative"}
)  # fmt: skip
_CLEAR_ONLY_LABELS = frozenset(
    {"dobj", "nsubjpass", "csubjpass", "auxpass", "pobj", "prep", "poss", "pcomp", "attr", "dative",
     "npadvmod", "prt", "agent", "acomp", "oprd", "relcl", "quantmod", "neg", "intj", "predet"}
)  # fmt: skip

# Entity labels of the usual English pipelines, mapped to the three kinds attribution cares about.
_ENTITY_LABELS: Mapping[str, CanonicalEntity] = {
    "PER": "PER",
    "PERSON": "PER",
    "ORG": "ORG",
    "NORP": "ORG",  # "Democrats", "Republicans": groups that speak like organisations
    "LOC": "LOC",
    "GPE": "LOC",
    "FAC": "LOC",
}

_cache: dict[str, Language] = {}
_cache_lock = threading.Lock()


class PipelineNotFound(ClaimbotError):
    """The configured spaCy pipeline cannot be loaded; the message names the setting to fix."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PipelineUnsuitable(ClaimbotError):
    """The pipeline loads but lacks what attribution needs (a dependency parser)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def resolve_pipeline_location(name: str | None) -> str | Path:
    """Where ``load_pipeline(name)`` loads from: the shipped directory for the default name."""
    if name is None or name == SHIPPED_PIPELINE_NAME:
        return SHIPPED_PIPELINE_DIR
    return name


def load_pipeline(name: str | None = None) -> Language:
    """Load (once per name, then from cache) the pipeline named by ``CLAIMBOT_SPACY_MODEL``.

    ``None`` or ``"claimbot_en"`` → the pipeline shipped in the repository; anything else goes to
    :func:`spacy.load` (an installed package name or a directory). Raises :class:`PipelineNotFound`
    or :class:`PipelineUnsuitable`.
    """
    key = SHIPPED_PIPELINE_NAME if name is None else name
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        nlp = _load_uncached(key)
        _cache[key] = nlp
        return nlp


def widen_half_precision(nlp: Language) -> int:
    """Casts float16 weights to float32 in place; returns how many were widened.

    The shipped pipeline stores its tok2vec tables as float16 to halve the repository's model
    (thinc's CPU kernels only run on float32), so it must be loaded through this module rather
    than a bare ``spacy.load``. Pipelines with float32 weights are left untouched.
    """
    widened = 0
    seen: set[int] = set()
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if id(node) in seen:
                continue
            seen.add(id(node))
            for param in node.param_names:
                if node.has_param(param):
                    value = node.get_param(param)
                    if value.dtype == numpy.float16:
                        node.set_param(param, value.astype(numpy.float32))
                        widened += 1
    return widened


def clear_pipeline_cache() -> None:
    """Forget loaded pipelines (tests; reloading after a model update)."""
    with _cache_lock:
        _cache.clear()


def _load_uncached(name: str) -> Language:
    location = resolve_pipeline_location(name)
    if isinstance(location, Path) and not (location / "config.cfg").exists():
        raise PipelineNotFound(
            f"the shipped spaCy pipeline {name!r} is missing from {location}; run `make model` "
            f"or set {SETTING_NAME} to an installed pipeline such as en_core_web_sm"
        )
    logger.info("loading spaCy pipeline %s", location)
    try:
        nlp = spacy.load(location)
    except OSError as error:
        raise PipelineNotFound(
            f"spaCy pipeline {name!r} not found: install it or set {SETTING_NAME} to an installed "
            f"pipeline or a pipeline directory (default: {SHIPPED_PIPELINE_NAME})"
        ) from error
    widen_half_precision(nlp)
    check_pipeline(nlp, name)
    add_person_names(nlp)
    nlp.max_length = max(nlp.max_length, MAX_TEXT_LENGTH)
    logger.info(
        "spaCy pipeline %s loaded: components %s, label scheme %s",
        name,
        nlp.pipe_names,
        pipeline_label_scheme(nlp),
    )
    return nlp


def add_person_names(nlp: Language) -> None:
    """Gives the shipped pipeline its person-name pass after the recognizer (see
    :mod:`bot.nlp.person_names`); another pipeline's recognizer is left as it is."""
    from bot.nlp.person_names import COMPONENT_NAME

    shipped = nlp.meta.get("name") == SHIPPED_PIPELINE_NAME
    if shipped and "ner" in nlp.pipe_names and COMPONENT_NAME not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT_NAME, after="ner")


def check_pipeline(nlp: Language, name: str = "pipeline") -> None:
    """Refuse a pipeline without an enabled dependency parser: attribution walks the parse tree,
    and the parser is also what sets sentence boundaries."""
    if not any(isinstance(pipe, DependencyParser) for _, pipe in nlp.pipeline):
        raise PipelineUnsuitable(
            f"spaCy pipeline {name!r} has no dependency parser (components: {nlp.pipe_names}); "
            f"set {SETTING_NAME} to a pipeline with one"
        )


def parser_labels(nlp: Language) -> frozenset[str]:
    """The dependency labels the pipeline's parser predicts (empty when it has none)."""
    labels: set[str] = set()
    for _, pipe in nlp.pipeline:
        if isinstance(pipe, DependencyParser):
            labels.update(getattr(pipe, "labels", ()))
    return frozenset(labels)


def pipeline_label_scheme(nlp: Language) -> LabelScheme:
    """``"ud"`` for Universal Dependencies labels (``obj``, ``nsubj:pass``), ``"clear"`` for the
    ClearNLP / OntoNotes labels of ``en_core_web_*`` (``dobj``, ``nsubjpass``)."""
    labels = parser_labels(nlp)
    ud_votes = len(labels & _UD_ONLY_LABELS)
    clear_votes = len(labels & _CLEAR_ONLY_LABELS)
    if ud_votes == clear_votes == 0:
        # An untrained parser knows no labels yet; trust the model's own description instead.
        sources = " ".join(str(source.get("name", "")) for source in nlp.meta.get("sources", []))
        return "ud" if "universal dependencies" in sources.lower() else "clear"
    return "ud" if ud_votes > clear_votes else "clear"


def entity_label_map(nlp: Language) -> dict[str, CanonicalEntity]:
    """The pipeline's entity labels that name a person, organisation or place, mapped to PER/ORG/LOC.

    Labels with no counterpart (``DATE``, ``MONEY``...) are left out: they never name a speaker.
    """
    labels: set[str] = set()
    for _, pipe in nlp.pipeline:
        if isinstance(pipe, EntityRecognizer | EntityRuler | SpanRuler):
            labels.update(getattr(pipe, "labels", ()))
    return {label: _ENTITY_LABELS[label] for label in sorted(labels) if label in _ENTITY_LABELS}
