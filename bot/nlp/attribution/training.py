"""Training data for the boundary model (``scripts/train_attribution.py`` only)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from spacy.tokens import Doc

from bot.nlp.attribution.contents import is_clausal
from bot.nlp.attribution.records import Attribution
from bot.nlp.boundaries import candidate_cuts, content_end
from bot.nlp.quotes import find_quotes

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BoundaryExample:
    """The cut points of one statement's content after its cue, with their features
    (training data for :class:`bot.nlp.boundaries.BoundaryModel`)."""

    start_char: int
    cut_end_chars: tuple[int, ...]  # the content's end for each cut point, in characters
    features: tuple[tuple[float, ...], ...]


def boundary_example(
    doc: Doc, attribution: Attribution, *, raw_text: str | None = None
) -> BoundaryExample | None:
    """Cut points and features for a statement whose one content fragment follows its cue,
    as found with no boundary model (so the fragment runs as far as the rules let it)."""
    if attribution.cue is None or len(attribution.content) != 1:
        return None
    start_char, end_char = attribution.content[0]
    if start_char < attribution.cue[1]:
        return None
    cue_span = doc.char_span(*attribution.cue, alignment_mode="expand")
    content = doc.char_span(start_char, end_char, alignment_mode="expand")
    if cue_span is None or content is None or len(content) < 3:
        return None
    cue, start, end = cue_span.start, content.start, content.end
    quotes = [(q.start, q.end) for q in find_quotes(raw_text if raw_text is not None else doc.text)]
    cuts = candidate_cuts(doc, quotes, cue, start, end, clausal=is_clausal(doc, cue, start, end))
    ends = []
    for k, _ in cuts:
        last = doc[content_end(doc, start, k) - 1]
        ends.append(last.idx + len(last.text))
    return BoundaryExample(start_char, tuple(ends), tuple(tuple(features) for _, features in cuts))
