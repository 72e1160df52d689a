"""The extractor as the product runs it: the shipped spaCy pipeline, the learned span tagger
(ONNX Runtime or PyTorch, one thread beside the parser) and the statement-confidence model,
chosen by the settings. The extractor itself (``bot.nlp.extractor``) takes them ready-made.
"""

from __future__ import annotations

import logging

from bot.inference.span_tagger import AttributionSpanTagger
from bot.nlp.confidence import CONFIDENCE_PATH, StatementConfidence
from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.pipeline import load_pipeline
from bot.settings import Settings

logger = logging.getLogger(__name__)


def load_extractor(settings: Settings) -> SpacyClaimExtractor:
    tagger = None
    if settings.attribution_tagger:
        # one thread: it runs beside the parser (see extract_many), not instead of it
        tagger = AttributionSpanTagger(
            precision=settings.embedding_precision,
            model_cache_dir=settings.model_cache_dir,
            num_threads=1,
        )
    confidence = StatementConfidence.load() if CONFIDENCE_PATH.is_file() else None
    if confidence is None:
        logger.warning("no statement-confidence model at %s: every statement is shown", CONFIDENCE_PATH)
    return SpacyClaimExtractor(
        load_pipeline(settings.spacy_model), span_tagger=tagger, statement_confidence=confidence
    )
