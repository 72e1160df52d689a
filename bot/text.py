"""Input preparation: decode, refuse what we cannot read, extract HTML, check the language.

Everything here is a pure function. The article text that comes out (``PreparedText.text``)
is the text every character offset refers to:

* plain text is returned as decoded, less a leading byte-order mark (part of the encoding)
  and invisible format characters (zero-width spaces and joiners, soft hyphens, direction
  marks: ``INVISIBLE_CHARS``), so offsets are into the text as the user sees it and the
  same article with zero-width spaces sprinkled in is the same article;
* HTML pasted as text is replaced by its extracted main text, and offsets are into that.

Refusals raise ``BadInput`` (``NotEnglish`` for the language check) with a one-line reason.
What is not prose at all (a PDF's bytes, a table, JSON, base64, a text without words) is
refused by ``not_prose_reason`` before any model sees it.

The steps live beside this module: ``bot.text_decoding`` (bytes, invisible characters),
``bot.text_html``, ``bot.text_prose`` (what is not prose) and ``bot.text_language``; their
public names are re-exported here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from bot.errors import BadInput, NotEnglish
from bot.text_decoding import INVISIBLE_CHARS, check_printable, decode_bytes, drop_invisible
from bot.text_html import ExtractedHtml, extract_html, looks_like_html
from bot.text_language import detect_language
from bot.text_prose import not_prose_reason
from bot.words import TYPOGRAPHIC_QUOTES

__all__ = [
    "INVISIBLE_CHARS",
    "ExtractedHtml",
    "PreparedText",
    "content_hash",
    "decode_bytes",
    "decode_input",
    "detect_language",
    "drop_invisible",
    "extract_html",
    "looks_like_html",
    "not_prose_reason",
    "prepare_text",
]


@dataclass(frozen=True, slots=True)
class PreparedText:
    text: str  # the text the article is analysed as; claim offsets point into it
    was_html: bool
    title: str | None = None
    notes: tuple[str, ...] = ()  # things worth telling the user, never reasons to refuse


# The longest text taken in one check: about 80,000 words, far beyond any article, and the most
# that one check reads in under a minute on two cores (990,000 characters took 98-110 s:
# bench.big_input). Longer texts are refused with their length and this limit.
MAX_TEXT_CHARS = 500_000


# --------------------------------------------------------------------------- sentences

# A "sentence" for the length limit: a run of text without a sentence end or a line break.
_SENTENCE_RUN_RE = re.compile(r"[^.!?…。\n\r]+")


def _longest_sentence(text: str) -> tuple[int, int]:
    """(start, length) of the longest run without a sentence end or line break."""
    best_start, best_length = 0, 0
    for run in _SENTENCE_RUN_RE.finditer(text):
        length = run.end() - run.start()
        if length > best_length:
            best_start, best_length = run.start(), length
    return best_start, best_length


# --------------------------------------------------------------------------- quotes

_OPENING_CURLY = "“"
_CLOSING_CURLY = "”"


def _quote_note(text: str) -> str | None:
    """A note when quote marks do not pair up; extraction still runs, less precisely."""
    straight = text.count('"')
    opening, closing = text.count(_OPENING_CURLY), text.count(_CLOSING_CURLY)
    if straight % 2 == 0 and opening == closing:
        return None
    return (
        "the quote marks in this text do not pair up "
        f'({straight} straight ", {opening} “ and {closing} ”); quotes may be cut imprecisely'
    )


# --------------------------------------------------------------------------- entry point


def decode_input(raw: bytes, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The text of a file's bytes; refuses binary data and bytes too many for ``max_chars``."""
    # Cheap size check before decoding: no encoding needs more than 4 bytes a character.
    if len(raw) > 4 * max_chars:
        raise BadInput(f"text is {len(raw):,} bytes; the limit is {max_chars:,} characters — split it")
    return decode_bytes(raw)


def prepare_text(
    raw: bytes | str, *, max_chars: int = MAX_TEXT_CHARS, max_sentence_chars: int = 5_000
) -> PreparedText:
    """Turns what the user gave us into the text we analyse, or refuses it with a reason.

    Order of checks: decode (binary refused), invisible characters dropped, size, emptiness,
    HTML extraction, what is not prose at all, size of the longest sentence, language.

    A sentence longer than ``max_sentence_chars`` (a run of text with no sentence end and
    no line break, e.g. a 50,000-character sentence) is REFUSED, not split: splitting
    would invent sentence boundaries the author never wrote and attribute the pieces
    wrongly, and such text is almost always a paste of data or minified markup rather
    than prose. The message says where the run starts so the user can fix it.
    """
    text = decode_input(raw, max_chars=max_chars) if isinstance(raw, bytes) else raw
    if text.startswith("\ufeff"):
        text = text[1:]
    text = drop_invisible(text)
    if len(text) > max_chars:
        raise BadInput(f"text is {len(text):,} characters; the limit is {max_chars:,} — split it")
    if not text.strip():
        raise BadInput("the text is empty")
    check_printable(text)

    was_html = looks_like_html(text)
    title: str | None = None
    notes: list[str] = []
    if was_html:
        extracted = extract_html(text)
        if not extracted.text.strip():
            raise BadInput("this HTML has no readable text in it")
        text, title = extracted.text, extracted.title
        notes.append("the text was HTML; claims point into its extracted main text")

    not_prose = not_prose_reason(text)
    if not_prose is not None:
        raise BadInput(not_prose)

    start, length = _longest_sentence(text)
    if length > max_sentence_chars:
        raise BadInput(
            f"a sentence of {length:,} characters starts at character {start:,}; "
            f"the limit is {max_sentence_chars:,} — this does not look like prose"
        )

    language = detect_language(text)
    if language is not None and language != "English":
        raise NotEnglish(f"this text looks like {language}, not English; claimbot reads English only")

    quote_note = _quote_note(text)
    if quote_note:
        notes.append(quote_note)
    return PreparedText(text=text, was_html=was_html, title=title, notes=tuple(notes))


# --------------------------------------------------------------------------- duplicates

# one kind of quote mark, and the primes and accents pasted for apostrophes
_QUOTE_TRANSLATION = str.maketrans({**TYPOGRAPHIC_QUOTES, "′": "'", "`": "'", "´": "'"})


def content_hash(text: str) -> str:
    """sha256 (hex) of the normalised text, to recognise the same article posted twice.

    Normalisation: invisible characters dropped, Unicode NFKC, casefold, one kind of quote
    mark, whitespace collapsed.
    """
    normalised = unicodedata.normalize("NFKC", drop_invisible(text)).translate(_QUOTE_TRANSLATION).casefold()
    normalised = " ".join(normalised.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


HEADLINE_WORDS = 14


def headline_of(text: str) -> str | None:
    """A title for an article pasted without one: its first line when that reads as a headline
    (no sentence-final full stop, at most ``HEADLINE_WORDS`` words), else its first words."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        words = line.split()
        if len(words) <= HEADLINE_WORDS and not line.endswith((".", ",", ";", ":")):
            return line
        return " ".join(words[:8]) + "…"
    return None
