"""Long texts read in pieces, and claims found in a piece moved back into the whole text.

A text longer than ``PIECE_CHARS`` is cut at paragraph breaks (``pieces_of``), the pieces are
parsed a few at a time (``batches``), and each piece's claims get their spans shifted by the
piece's offset (``shifted``), so every offset points into the text as given.
"""

from __future__ import annotations

from bot.models import ExtractedClaim, Span
from bot.nlp.drafts import replace_claim

# Longer than nearly any article (the longest of PolNeAR's 924 is 33,672 characters, a long
# feature about 60,000): a text beyond it is read in pieces. The parse and the statement passes
# grow with the length of one Doc: a 990,000-character text peaked at 4.3 GB read whole; in
# 50,000-character pieces 1.0 GB (100,000: 1.5 GB for short lines).
PIECE_CHARS = 50_000


def pieces_of(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) pairs of at most ``limit`` characters, cut after a paragraph
    break, else a line break, else a sentence end, else a space; one piece when it is short."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = -1
        for mark in ("\n\n", "\n", ". ", " "):
            cut = window.rfind(mark, limit // 2)
            if cut >= 0:
                cut += len(mark)
                break
        if cut <= 0:
            cut = limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def batches(
    pieces: list[tuple[int, int, str]], *, max_items: int, max_chars: int
) -> list[list[tuple[int, int, str]]]:
    """Consecutive pieces, at most ``max_items`` and (beyond the first) ``max_chars`` a batch."""
    grouped: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    chars = 0
    for piece in pieces:
        if current and (len(current) >= max_items or chars + len(piece[2]) > max_chars):
            grouped.append(current)
            current, chars = [], 0
        current.append(piece)
        chars += len(piece[2])
    if current:
        grouped.append(current)
    return grouped


def _moved(span: Span | None, offset: int) -> Span | None:
    return None if span is None else Span(span.start + offset, span.end + offset, span.text)


def shifted(claim: ExtractedClaim, offset: int) -> ExtractedClaim:
    """A claim found in a piece of a text, with its spans pointing into the whole text."""
    content = _moved(claim.content, offset)
    assert content is not None
    return replace_claim(
        claim,
        content=content,
        cue=_moved(claim.cue, offset),
        speaker_mention=_moved(claim.speaker_mention, offset),
        restatements=tuple(Span(r.start + offset, r.end + offset, r.text) for r in claim.restatements),
        content_fragments=tuple(
            Span(f.start + offset, f.end + offset, f.text) for f in claim.content_fragments
        ),
    )
