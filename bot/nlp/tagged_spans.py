"""What the learned span tagger (``bot.inference.span_tagger``) gives the extractor: character
spans per role with a confidence, decoded from per-word-piece B/I/O probabilities read in
overlapping windows. Pure: no model here; the extractor and the tests use these types and rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

HEADS = ("content", "source", "cue")
WINDOW = 254  # word pieces per window, plus [CLS] and [SEP]
STRIDE = 238
O, B, I = 0, 1, 2  # noqa: E741 - the usual names of the three tags


@dataclass(frozen=True, slots=True)
class TaggedSpan:
    """Characters ``start:end`` of one role; ``confidence`` is the mean inside-probability."""

    start: int
    end: int
    confidence: float


def windows(n: int, window: int = WINDOW, stride: int = STRIDE) -> list[tuple[int, int]]:
    """Half-open piece ranges covering ``0:n``; the last one ends at ``n``."""
    if n <= window:
        return [(0, n)] if n else []
    spans = [(lo, lo + window) for lo in range(0, n - window, stride)]
    spans.append((n - window, n))
    return spans


def decode_spans(
    probs: npt.NDArray[np.float32], offsets: npt.NDArray[np.int64], text: str
) -> list[TaggedSpan]:
    """B/I runs of one head (``probs``: pieces × 3) as character spans widened to whole words."""
    tags = probs.argmax(-1)
    runs: list[list[int]] = []
    for i, tag in enumerate(tags):
        if tag == B or (tag == I and (not runs or runs[-1][1] != i - 1)):
            runs.append([i, i])
        elif tag == I:
            runs[-1][1] = i
    spans = []
    for a, b in runs:
        start, end = int(offsets[a, 0]), int(offsets[b, 1])
        # A run may start or stop inside a word ("##s"); a span is whole words.
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        spans.append(TaggedSpan(start, end, float(probs[a : b + 1, 1:].sum(-1).mean())))
    return spans
