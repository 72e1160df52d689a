"""Features of a candidate statement for the learned cue model."""

from __future__ import annotations

import logging
import math

from spacy.tokens import Doc

from bot.models import ClaimKind
from bot.nlp.attribution.lexicon import AttributionModels
from bot.nlp.attribution.records import Attribution
from bot.nlp.tokens import token_tag as _tag

logger = logging.getLogger(__name__)


FEATURE_NAMES = (
    "prior", "prior_sq", "log_content_chars", "direct", "no_cue", "source_pronoun", "source_named",
    "inherited", "tag_VBD", "tag_VBZ", "tag_VBP", "tag_VBG", "tag_VBN", "tag_VB", "according",
    "colon", "that_clause", "trailing", "fragments", "log_source_chars", "content_has_verb",
)  # fmt: skip


def attribution_features(
    doc: Doc, attribution: Attribution, lexicon: AttributionModels, *, text: str | None = None
) -> list[float]:
    """Features of one candidate statement for the learned cue model (see FEATURE_NAMES)."""
    text = doc.text if text is None else text
    cue_text = text[attribution.cue[0] : attribution.cue[1]] if attribution.cue else ""
    first = cue_text.split()[0] if cue_text.split() else ""
    prior = lexicon.prior(first.strip(":")) if first else 0.0
    cue_token = doc.char_span(*attribution.cue, alignment_mode="expand") if attribution.cue else None
    tag = _tag(cue_token[0]) if cue_token is not None and len(cue_token) else ""
    source_text = text[attribution.source[0] : attribution.source[1]] if attribution.source else ""
    content_chars = sum(e - s for s, e in attribution.content)
    after_cue = text[attribution.cue[1] : attribution.cue[1] + 6].strip().lower() if attribution.cue else ""
    content_span = doc.char_span(attribution.start, attribution.end, alignment_mode="expand")
    has_verb = content_span is not None and any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in content_span)
    return [
        prior,
        prior * prior,
        math.log1p(content_chars),
        float(attribution.kind is ClaimKind.DIRECT),
        float(attribution.cue is None),
        float(source_text.strip().lower() in {"he", "she", "they", "it", "we", "i", "you"}),
        float(any(w[:1].isupper() for w in source_text.split())),
        float(attribution.inherited),
        float(tag == "VBD"),
        float(tag == "VBZ"),
        float(tag == "VBP"),
        float(tag == "VBG"),
        float(tag == "VBN"),
        float(tag == "VB"),
        float(first.lower() == "according"),
        float(cue_text.strip() == ":"),
        float(after_cue.startswith("that")),
        float(attribution.cue is not None and attribution.start < attribution.cue[0]),
        float(len(attribution.content) > 1),
        math.log1p(len(source_text)),
        float(has_verb),
    ]
