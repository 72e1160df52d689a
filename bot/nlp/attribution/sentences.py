"""Sentence units: news sentences cut by punctuation and line breaks, not by the parser."""

from __future__ import annotations

import logging
import re

from spacy.tokens import Doc, Token

from bot.nlp.attribution.records import SentenceUnit
from bot.nlp.quotes import Quote

logger = logging.getLogger(__name__)


ABBREVIATIONS = frozenset(
    [
        "mr.",
        "mrs.",
        "ms.",
        "dr.",
        "prof.",
        "gen.",
        "lt.",
        "col.",
        "sen.",
        "rep.",
        "gov.",
        "st.",
        "jr.",
        "sr.",
        "inc.",
        "corp.",
        "co.",
        "ltd.",
        "no.",
        "vs.",
        "v.",
        "u.s.",
        "u.k.",
        "u.n.",
        "e.u.",
        "jan.",
        "feb.",
        "mar.",
        "apr.",
        "jun.",
        "jul.",
        "aug.",
        "sep.",
        "sept.",
        "oct.",
        "nov.",
        "dec.",
        "capt.",
        "sgt.",
        "adm.",
        "maj.",
        "rev.",
        "ft.",
        "mt.",
        "d.c.",
        "a.m.",
        "p.m.",
        "e.g.",
        "i.e.",
        "etc.",
        "al.",
        "approx.",
        "dept.",
        "est.",
        # titles before a name ("said Del. Stacey Plaskett"), which never end a sentence
        "del.",
        "sens.",
        "reps.",
        "govs.",
        "gens.",
        "atty.",
        "supt.",
        "cmdr.",
        "msgr.",
        "fr.",
        "pres.",
        "hon.",
    ]
)


_CLOSERS = frozenset({'"', "'", "”", "’", "''", ")", "]"})


def sentence_units(doc: Doc, quotes: list[Quote] | None = None) -> list[SentenceUnit]:
    """Sentences by punctuation and line breaks, not by the parser.

    News sentences end at ".", "!" or "?" (after any closing quote or bracket) followed by
    a capitalised word, a digit or an opening quote; abbreviations ("Mr.", "U.S.") do not end
    one. Rule-based on purpose: parser sentence boundaries trained on web text are much less
    reliable on news than this, and every content extent depends on them.
    """
    units: list[SentenceUnit] = []
    paragraph = 0
    start = 0
    n = len(doc)
    quote_ends = {q.end for q in quotes} if quotes is not None else None

    def closes(tok: Token) -> bool:
        if tok.text in {")", "]"}:
            return True
        if tok.text not in _CLOSERS:
            return False
        if quote_ends is not None:
            return tok.idx + len(tok.text) in quote_ends
        return not (tok.i > 0 and doc[tok.i - 1].whitespace_)

    i = 0
    while i < n:
        token = doc[i]
        boundary_after: int | None = None
        if token.is_space or "\n" in token.text_with_ws[len(token.text) :]:
            if "\n" in token.text_with_ws:
                boundary_after = i + 1
        elif token.text in {".", "!", "?", "...", "…"} or (
            token.text.endswith((".", "!", "?"))
            and len(token.text) > 1
            and token.lower_ not in ABBREVIATIONS
            and not re.fullmatch(r"(?:[A-Za-z]\.)+", token.text)
        ):
            j = i + 1
            while j < n and (closes(doc[j]) or doc[j].text in {".", "!", "?"}):
                j += 1
            nxt = doc[j] if j < n else None
            starts_sentence = (
                nxt is None
                or nxt.is_space
                or nxt.text[:1].isupper()
                or nxt.text[:1].isdigit()
                or (nxt.text[:1] in {'"', "“", "'", "‘", "(", "`"})
            )
            split_abbreviation = (  # "Mr" + "." tokenized apart
                token.text == "."
                and i > 0
                and doc[i - 1].lower_ + "." in ABBREVIATIONS
                and not doc[i - 1].whitespace_
            )
            if starts_sentence and not split_abbreviation:
                boundary_after = j
        if boundary_after is not None:
            if any(not t.is_space for t in doc[start:boundary_after]):
                units.append(SentenceUnit(start, boundary_after, paragraph))
            if "\n" in doc[boundary_after - 1].text_with_ws or doc[boundary_after - 1].is_space:
                paragraph += 1
            start = boundary_after
            i = boundary_after
            continue
        i += 1
    if start < n and any(not t.is_space for t in doc[start:n]):
        units.append(SentenceUnit(start, n, paragraph))
    return units


def after_dateline(doc: Doc, unit: SentenceUnit) -> int:
    """First token after a dateline ("OSLO (Reuters) —", "WASHINGTON --"), else the unit start."""
    i = unit.start
    while i < unit.end and doc[i].is_space:
        i += 1
    first = i
    while (
        i < unit.end
        and i - first < 6
        and (doc[i].text.isupper() or doc[i].text in {",", "."} or doc[i].is_digit)
    ):
        i += 1
    if i == first or not any(t.text.isupper() and len(t.text) > 1 for t in doc[first:i]):
        return unit.start
    if i < unit.end and doc[i].text == "(":
        close = next((k for k in range(i, min(unit.end, i + 8)) if doc[k].text == ")"), None)
        if close is None:
            return unit.start
        i = close + 1
    if i < unit.end and doc[i].text in {"—", "–", "--", "-", "―"} and i + 1 < unit.end:
        return i + 1
    return unit.start
