"""From token ranges to character spans, and the quotes around them."""

from __future__ import annotations

import bisect
import logging

from spacy.tokens import Doc

from bot.nlp.attribution.records import ArticleContext, CharSpan
from bot.nlp.quotes import Quote

logger = logging.getLogger(__name__)


def trimmed_char_span(doc: Doc, start: int, end: int) -> CharSpan | None:
    """Character extent of tokens [start, end) without surrounding spaces/punctuation."""
    while start < end and (doc[start].is_space or doc[start].text in {",", ";", "-", "—", "–"}):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in {",", ";", "-", "—", "–", ":"}):
        end -= 1
    if start >= end:
        return None
    return CharSpan((doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)))


def quote_covering(ctx: ArticleContext, char: int) -> Quote | None:
    for quote in ctx.quotes:
        if quote.start <= char < quote.end:
            return quote
    return None


def extend_to_quotes(ctx: ArticleContext, frag: CharSpan) -> CharSpan:
    """Grows a content fragment to whole quotes it cuts (quotes spanning sentences)."""
    start, end = frag
    for quote in ctx.quotes:
        if quote.start < end and start < quote.end:
            start = min(start, quote.start)
            end = max(end, quote.end)
    return CharSpan((start, end))


def trim_final_punct(doc: Doc, start: int, end: int) -> int:
    """End token index without the sentence-final period (keeps closing quote marks)."""
    while (
        end > start
        and doc[end - 1].text in {".", "!", "?"}
        and not any(q in doc[end - 1].text for q in ('"', "”"))
    ):
        end -= 1
    return end


def token_at_or_after(ctx: ArticleContext, char: int, limit: int) -> int:
    index = bisect.bisect_left(ctx.token_starts, char)
    return index if index < len(ctx.token_starts) else limit


def is_direct(content: tuple[CharSpan, ...], quotes: list[Quote]) -> bool:
    """Direct when quoted text covers nearly all of the content."""
    total = sum(e - s for s, e in content)
    if total == 0:
        return False
    covered = 0
    for s, e in content:
        for quote in quotes:
            lo, hi = max(s, quote.start), min(e, quote.end)
            if hi > lo:
                covered += hi - lo
    return covered >= 0.8 * total
