"""The extractor as the product runs it: the shipped spaCy pipeline, the learned span tagger
(ONNX Runtime or PyTorch, one thread beside the parser) and the statement-confidence model,
chosen by the settings. The extractor itself (``bot.nlp.extractor``) takes them ready-made.
"""

from __future__ import annotations

import logging
from dataclasses import replace

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
    confidence = load_statement_confidence(settings)
    return SpacyClaimExtractor(
        load_pipeline(settings.spacy_model), span_tagger=tagger, statement_confidence=confidence
    )


def load_statement_confidence(settings: Settings) -> StatementConfidence | None:
    """The shipped statement-confidence model, with the keep-back threshold the settings ask for
    (``CLAIMBOT_STATEMENT_CONFIDENCE``) in place of its tuned one."""
    if not CONFIDENCE_PATH.is_file():
        logger.warning("no statement-confidence model at %s: every statement is shown", CONFIDENCE_PATH)
        return None
    confidence = StatementConfidence.load()
    if settings.statement_confidence is not None:
        confidence = replace(confidence, threshold=settings.statement_confidence)
        logger.info("statements scoring below %.2f are kept back", confidence.threshold)
    return confidence
