"""Quote marks: length-preserving normalisation and conservative quote pairing.

No parser needed. Pairing works on the raw text, paragraph by paragraph:

* curly marks say which way they face; a straight ``"`` opens when it follows a space,
  the start of a paragraph or an opening bracket/dash, and closes otherwise;
* a quote may span sentences but not paragraphs, except for the newspaper convention
  where a quote that runs on to the next paragraph leaves the first one unclosed and
  reopens the next one (“... \\n\\n“... ”);
* anything unbalanced is dropped: we never invent a quote running to the end of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.words import TYPOGRAPHIC_QUOTES

# One character in, one character out: offsets into the normalised text are offsets into
# the input text. Curly apostrophes become straight ones so "doesn’t" tokenizes as "does n't".
_NORMALISE = str.maketrans({**TYPOGRAPHIC_QUOTES, "\u00a0": " ", "\u2009": " ", "\u202f": " "})

OPENING_MARKS = frozenset("“„‟«")
CLOSING_MARKS = frozenset("”»")
STRAIGHT_MARKS = frozenset('"″')
DOUBLED_MARKS = frozenset({"''", "``", "’’", "‘‘"})  # typewriter-style double quotes (NYT archive)
_OPEN_CONTEXT = frozenset(" \t\n([{—–-/:")
_PARAGRAPH = re.compile(r"[^\n]+")


def normalise_text(text: str) -> str:
    """Length-preserving normalisation of quote marks, apostrophes and odd spaces."""
    normalised = text.translate(_NORMALISE)
    assert len(normalised) == len(text)
    return normalised


@dataclass(frozen=True, slots=True)
class Quote:
    """A quoted passage: ``start``/``end`` include the marks, ``inner_*`` exclude them."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    closed: bool  # False for a paragraph-continued quote (closed by the next paragraph)

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end


def _faces_open(text: str, i: int, par_start: int, width: int = 1) -> bool | None:
    mark = text[i : i + width]
    if mark in OPENING_MARKS or mark == "``":
        return True
    before = text[i - 1] if i > par_start else " "
    after = text[i + width] if i + width < len(text) else " "
    if mark in CLOSING_MARKS:
        # a closing mark used to open (”Mr. Trump ...): after a space and before a word
        return before in _OPEN_CONTEXT and after.isalnum()
    if before in _OPEN_CONTEXT and not after.isspace():
        return True
    if not before.isspace() and (after.isspace() or not after.isalnum()):
        return False
    return None  # ambiguous (e.g. `a"b`): let the pairing state decide


def find_quotes(text: str) -> list[Quote]:
    """Returns the balanced double-quoted passages of ``text`` in order."""
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]
    quotes: list[Quote] = []
    for index, (p_start, p_end) in enumerate(paragraphs):
        open_at: int | None = None
        open_width = 1
        i = p_start
        while i < p_end:
            ch = text[i]
            pair = text[i : i + 2]
            width = 2 if pair in DOUBLED_MARKS else 1
            i += width
            at = i - width
            if (
                width == 1
                and ch not in OPENING_MARKS
                and ch not in CLOSING_MARKS
                and ch not in STRAIGHT_MARKS
            ):
                continue
            if ch == "″" and at > p_start and text[at - 1].isdigit():
                continue  # inches/seconds, not a quote
            faces = _faces_open(text, at, p_start, width)
            if open_at is None:
                if faces is not False:
                    open_at, open_width = at, width
                continue
            if faces is True and (ch in OPENING_MARKS or pair == "``"):
                open_at, open_width = at, width  # two opening marks: the first one was stray
                continue
            if text[open_at + open_width : at].strip():  # marks around nothing but spaces quote nothing
                quotes.append(Quote(open_at, at + width, open_at + open_width, at, True))
            open_at = None
        if open_at is not None and index + 1 < len(paragraphs):
            next_start = paragraphs[index + 1][0]
            first = text[next_start : paragraphs[index + 1][1]].lstrip()
            if first[:1] in OPENING_MARKS or first[:1] in STRAIGHT_MARKS:
                end = p_end
                while end > open_at and text[end - 1].isspace():
                    end -= 1
                if end - open_at > 1:
                    quotes.append(Quote(open_at, end, open_at + 1, end, False))
    return quotes


def quote_at(quotes: list[Quote], offset: int) -> Quote | None:
    for quote in quotes:
        if quote.start <= offset < quote.end:
            return quote
        if quote.start > offset:
            break
    return None


# a closing mark that ends a quoted phrase, not an apostrophe inside or after a word ("Trump’s")
_CLOSERS = {"‘": re.compile(r"’(?!\w)"), "“": re.compile(r"”(?!\w)")}


def close_open_quote(text: str, start: int, end: int) -> int:
    """``end`` past the closing mark (and the stop inside it) of a quote that ``text[start:end]``
    opens but does not close: a headline's "Rip Trump As A ‘Disgusting Fraud.’" ends after
    the mark, as a reader reads the phrase. ``end`` as it is otherwise."""
    piece = text[start:end]
    for opener, closer in _CLOSERS.items():
        if piece.count(opener) > len(closer.findall(piece)):
            after = re.match(r"[.,!?]?" + closer.pattern, text[end : end + 3])
            if after is not None:
                return end + after.end()
    return end
