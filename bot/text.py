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
"""

from __future__ import annotations

import csv
import hashlib
import html as html_lib
import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

from bot.errors import BadInput, NotEnglish
from bot.words import TYPOGRAPHIC_QUOTES

logger = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class ExtractedHtml:
    text: str
    title: str | None
    published: date | None


# --------------------------------------------------------------------------- decoding

# Control characters that do not occur in text (tab, newlines, form feed and escape excepted).
# The longest text taken in one check: about 80,000 words, far beyond any article, and the most
# that one check reads in under a minute on two cores (990,000 characters took 98-110 s:
# bench.big_input). Longer texts are refused with their length and this limit.
MAX_TEXT_CHARS = 500_000

_TEXT_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
_MAX_CONTROL_RATIO = 0.01  # a text file with more than 1 % control bytes is not a text file
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a byte-order mark, recognised by where its NUL bytes fall.

    Latin-script text in UTF-16 has a NUL in (nearly) every second byte and none in the
    others: little-endian in the odd positions, big-endian in the even. Binary data has NULs
    anywhere. None when the bytes are not such text.
    """
    if len(raw) < 4 or len(raw) % 2:
        return None
    sample = raw[:65536]
    half = len(sample) // 2
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nuls >= 0.7 * half and even_nuls <= 0.01 * half:
        encoding = "utf-16-le"
    elif even_nuls >= 0.7 * half and odd_nuls <= 0.01 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_bytes(raw: bytes) -> str:
    """Decodes bytes as UTF-8 (BOM aware; UTF-16 with or without a BOM too), else cp1252/latin-1.

    The legacy fallback is used only when the bytes look like text; anything else is
    refused as binary.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadInput("this looks like a binary file, not text") from exc
    utf16 = _utf16_without_bom(raw) if b"\x00" in raw else None
    if utf16 is not None:
        return utf16
    if b"\x00" in raw:
        raise BadInput("this looks like a binary file, not text (it contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    sample = raw[:65536]
    control = sum(1 for byte in sample if byte in _TEXT_CONTROL_BYTES)
    if control > _MAX_CONTROL_RATIO * len(sample):
        raise BadInput("this looks like a binary file, not text")
    # Text in a legacy Western encoding: cp1252 is what Windows editors write; latin-1
    # covers the five bytes cp1252 leaves undefined.
    if any(byte in _CP1252_UNDEFINED for byte in raw):
        return raw.decode("latin-1")
    return raw.decode("cp1252")


def _check_printable(text: str) -> None:
    if "\x00" in text:
        raise BadInput("this looks like a binary file, not text (it contains NUL bytes)")
    sample = text[:65536]
    odd = sum(
        1
        for char in sample
        if unicodedata.category(char) in {"Cc", "Co", "Cs", "Cn"} and char not in "\t\n\r\f\x1b"
    )
    # U+FFFD marks bytes that could not be decoded somewhere upstream
    odd += sample.count("\ufffd")
    if odd > _MAX_CONTROL_RATIO * len(sample) + 2:
        raise BadInput("this looks like binary data, not text (too many unprintable characters)")


# --------------------------------------------------------------------------- invisible characters

# Format characters that show nothing: soft hyphen, Mongolian vowel separator, zero-width
# space/non-joiner/joiner, direction marks and embeddings, word joiner, invisible operators,
# direction isolates, a byte-order mark inside the text, the combining grapheme joiner and
# language tags. Inserted into an article they make it look new to a byte comparison.
INVISIBLE_CHARS = (
    "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f\ufeff"
)
_INVISIBLE_RE = re.compile(f"[{INVISIBLE_CHARS}\U000e0001\U000e0020-\U000e007f]")


def drop_invisible(text: str) -> str:
    """``text`` without invisible format characters (``INVISIBLE_CHARS`` and Unicode tag characters)."""
    return _INVISIBLE_RE.sub("", text)


# --------------------------------------------------------------------------- not prose

_JSON_KEY_RE = re.compile(r'"\s*:')
_ENCODED_TOKEN_RE = re.compile(r"[A-Za-z0-9+/=_-]{32,}")
_PROSE_WORD_RE = re.compile(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*")  # "it's", "U.S", "well-known"
_NUMBER_TOKEN_RE = re.compile(r"[$€£]?\d[\d,.:%/\-]*(?:[a-z]{1,3})?", re.I)
_TOKEN_LEAD = "\"'“”‘’«»([{<*_#@-–—"
_TOKEN_TRAIL = "\"'“”‘’«».,;:!?)]}>*_…-–—"
_MIN_PROSE_SHARE = 0.5  # prose runs at 85-95 % words and numbers; base64 and code far below
_TABLE_DELIMITERS = {
    ",": "comma-separated",
    "\t": "tab-separated",
    ";": "semicolon-separated",
    "|": "|-separated",
}


def _is_prose_token(token: str) -> bool:
    core = token.strip(_TOKEN_LEAD).rstrip(_TOKEN_TRAIL).strip(_TOKEN_LEAD)
    if not core:
        return True  # a lone dash or quote mark between words
    return bool(_PROSE_WORD_RE.fullmatch(core) or _NUMBER_TOKEN_RE.fullmatch(core))


def _table_kind(lines: list[str]) -> str | None:
    """ "comma-separated" (...) when the lines are rows of a table: the same number of cells on
    nearly every line, short cells, few lines that end a sentence, and either three columns or
    more or a number or a quoted cell in most rows (verse with one comma a line is no table)."""
    if len(lines) < 3:
        return None
    rows = lines[:300]
    for delimiter, kind in _TABLE_DELIMITERS.items():
        if sum(1 for line in rows if delimiter in line) < 0.8 * len(rows):
            continue
        cells = [next(csv.reader([line], delimiter=delimiter), []) for line in rows]
        width, count = Counter(len(row) for row in cells).most_common(1)[0]
        if width < 2 or count < 0.8 * len(rows):
            continue
        # a number or a quoted cell ("a,b" with the quotes CSV puts round it) marks a data row
        data_rows = sum(
            1
            for line, row in zip(rows, cells, strict=True)
            if f'{delimiter}"' in line
            or line.startswith('"')
            or any(_NUMBER_TOKEN_RE.fullmatch(cell.strip()) for cell in row)
        )
        if width == 2 and data_rows < 0.5 * len(rows):
            continue
        mean_cell = sum(len(line) for line in rows) / (len(rows) * width)
        sentence_ends = sum(1 for line in rows if line.rstrip().endswith((".", "!", "?", "”", '."')))
        if mean_cell <= 40 and sentence_ends <= 0.5 * len(rows):
            return kind
    return None


def not_prose_reason(text: str) -> str | None:
    """Why ``text`` is not an article at all (a PDF, a table, JSON, encoded data, no words), or None.

    Checked on the first 200,000 characters. Prose is words and numbers with punctuation
    around them; what these formats are made of is something else.
    """
    head = text.lstrip()[:2048]
    if head.startswith("%PDF-"):
        return "this is a PDF file, not text: copy the article's text out of it and check that"
    sample = text[:200_000]
    tokens = sample.split()
    if not any(len(word) > 1 for token in tokens for word in _PROSE_WORD_RE.findall(token)):
        return "there are no words in this text"
    if head[:1] in "{[":
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict | list) or len(_JSON_KEY_RE.findall(sample)) >= max(
            3, sample.count("\n") // 4
        ):
            return "this is JSON data, not an article"
    lines = [line for line in sample.splitlines() if line.strip()]
    table = _table_kind(lines)
    if table is not None:
        return f"this looks like a table ({table} values), not an article"
    characters = sum(len(token) for token in tokens)
    encoded = sum(len(token) for token in tokens if _ENCODED_TOKEN_RE.fullmatch(token))
    if encoded >= 0.5 * characters:
        return "this looks like encoded data (base64 or hex), not an article"
    tokens = [token for token in tokens if not _URL_OR_EMAIL_RE.fullmatch(token)]  # neither prose nor not
    characters = sum(len(token) for token in tokens)
    if len(tokens) >= 20:
        prose = sum(len(token) for token in tokens if _is_prose_token(token))
        if prose < _MIN_PROSE_SHARE * characters:
            return f"this does not look like prose: only {prose / characters:.0%} of it is words and numbers"
    return None


# --------------------------------------------------------------------------- HTML

_HTML_DOC_RE = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S
)
_HTML_TAG_RE = re.compile(
    r"</?(?:p|div|span|a|br|hr|b|i|em|strong|ul|ol|li|table|tr|td|th|h[1-6]|article|section|"
    r"header|footer|nav|main|aside|figure|figcaption|img|script|style|meta|link|blockquote|"
    r"title|body|head|html|time|iframe|form|input|button|label|noscript|picture|source)"
    r"(?:\s[^<>]*)?/?>",
    re.I,
)


def looks_like_html(text: str) -> bool:
    """True for an HTML document or fragment pasted as text.

    A whole document (``<!doctype html>``, ``<html>``) is HTML. A fragment is HTML when it
    has several known tags including a closing one; an English article that mentions one
    ``<p>`` tag in passing is not.
    """
    head = text[:4096]
    if _HTML_DOC_RE.match(head):
        return True
    tags = _HTML_TAG_RE.findall(text[:200_000])
    if len(tags) < 2:
        return False
    has_closing = any(tag.startswith("</") or tag.endswith("/>") for tag in tags)
    markup_chars = sum(len(tag) for tag in tags)
    return has_closing and markup_chars >= 0.01 * min(len(text), 200_000)


_DROP_ELEMENTS_RE = re.compile(
    r"<(script|style|noscript|template|head)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S
)
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|tr|table|h[1-6]|article|section|header|footer|blockquote|"
    r"figure|figcaption|main|aside|nav|title)\b[^>]*>",
    re.I,
)
_ANY_TAG_RE = re.compile(r"<[^<>]*>")
_TITLE_RE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)


def _strip_tags(markup: str) -> str:
    """Plain tag-stripping fallback: keeps block boundaries as line breaks."""
    body = _DROP_ELEMENTS_RE.sub(" ", markup)
    body = _BLOCK_TAG_RE.sub("\n", body)
    body = _ANY_TAG_RE.sub("", body)
    body = html_lib.unescape(body)
    lines = (" ".join(line.split()) for line in body.splitlines())
    return "\n".join(line for line in lines if line)


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def extract_html(markup: str | bytes, url: str | None = None) -> ExtractedHtml:
    """Main text, title and date of an HTML page (trafilatura; a tag-strip when it finds nothing).

    Never raises on broken markup: trafilatura's failures fall back to the tag-strip.
    """
    import trafilatura  # imported lazily: it is slow to import and only HTML needs it

    text = ""
    title: str | None = None
    published: date | None = None
    try:
        document = trafilatura.bare_extraction(
            markup, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    except Exception:  # trafilatura/lxml may raise on pathological markup; the fallback copes
        logger.debug("trafilatura failed; falling back to tag stripping", exc_info=True)
        document = None
    if document is not None:
        text = (getattr(document, "text", None) or "").strip()
        title = getattr(document, "title", None) or None
        published = _parse_date(getattr(document, "date", None))
    if not text or title is None:
        markup_text = markup if isinstance(markup, str) else markup.decode("utf-8", errors="replace")
        if not text:
            text = _strip_tags(markup_text)
        if title is None:
            found = _TITLE_RE.search(markup_text)
            if found:
                title = " ".join(html_lib.unescape(found.group(1)).split()) or None
    return ExtractedHtml(text=text, title=title, published=published)


# --------------------------------------------------------------------------- language

_URL_OR_EMAIL_RE = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+", re.I)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _words(listing: str) -> frozenset[str]:
    return frozenset(listing.split())


# Frequent function words per language. English is what we accept; the others exist so
# a French text is called French (and a short English text with few function words is
# not refused just for having few: it must lose to another language to be refused).
_STOPWORDS: dict[str, frozenset[str]] = {
    "English": _words(
        """the of and to a in is that for it was on with as he she his her by at be this
        are from or have has had an they not but which were their been would will there
        we you i its who said also more than after about into over when can could should
        what all one up out if no so do does did them these those our my your him me us
        says while because before under between against during without most other some such
        only new just first two how where why then now being may might must any each
        """
    ),
    "French": _words(
        """le la les de des du un une et est en que qui dans pour pas sur au aux avec ce
        cette ces il elle ils elles nous vous je sont été être ont mais ou où par plus se
        sa son ses leur leurs lui y ne même aussi tout très fait comme était selon après
        dit avait sous entre depuis
        """
    ),
    "German": _words(
        """der die das und ist nicht ein eine einen dem den des zu mit sich auf für von im
        auch es an sie er wir ihr wie als bei noch nach aus wird werden wurde hat haben
        sind war dass oder aber nur über vor so kein keine um einem einer durch sei sagte
        unter gegen seit sein seine ihre diese dieser mehr
        """
    ),
    "Spanish": _words(
        """el la los las de del y en que un una es por con para no se su sus al lo como
        más pero fue ha son está están era ser este esta estos sobre entre también muy
        cuando donde porque sin hay ya o ni le les nos desde según dijo ella él bajo
        estaba tiene hace todo todos otro
        """
    ),
    "Italian": _words(
        """il lo la gli le di del della dei delle e è un una che per con non si sono nel
        nella al alla da dal ma anche come più questo questa essere stato ha hanno
        """
    ),
    "Portuguese": _words(
        """o a os as de do da dos das e é um uma que em no na nos nas por para com não se
        seu sua ao mais como mas foi são está ele ela também pelo pela
        """
    ),
    "Dutch": _words(
        """de het een en van in is dat op te zijn met voor niet aan er die maar om ook als
        bij door was worden wordt werd naar uit heeft hebben zij wij ze hij
        """
    ),
}

_SCRIPT_NAMES = {
    "CYRILLIC": "Russian or another language in Cyrillic script",
    "GREEK": "Greek",
    "ARABIC": "Arabic script",
    "HEBREW": "Hebrew",
    "CJK": "Chinese or Japanese",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
    "DEVANAGARI": "Hindi or another language in Devanagari script",
    "THAI": "Thai",
    "ARMENIAN": "Armenian",
    "GEORGIAN": "Georgian",
}

_MIN_WORDS_FOR_LANGUAGE = 6  # below this we cannot tell and do not refuse
_MIN_FOREIGN_HITS = 3  # another language must show at least this many of its function words
_MIN_FOREIGN_RATIO = 0.12  # ... and make up this share of the words (prose runs at 30-50 %)


def _dominant_script(sample: str) -> str | None:
    """The non-Latin script most letters are written in, or None when Latin dominates."""
    counts: dict[str, int] = {}
    letters = 0
    for char in sample:
        if not char.isalpha():
            continue
        letters += 1
        if char.isascii():
            continue
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0]
        if script in _SCRIPT_NAMES:
            counts[script] = counts.get(script, 0) + 1
    if not counts or letters == 0:
        return None
    script, count = max(counts.items(), key=lambda item: item[1])
    return script if count > 0.5 * letters else None


def detect_language(text: str, *, sample_chars: int = 20_000) -> str | None:
    """The language a text is written in: "English", another name, or None when too short to tell.

    A dependency-free test: the dominant script first, then which language's function
    words are most frequent. It names only languages it knows and says "English" unless
    another language clearly wins.
    """
    sample = text[:sample_chars]
    script = _dominant_script(sample)
    if script is not None:
        return _SCRIPT_NAMES[script]
    prose = _URL_OR_EMAIL_RE.sub(" ", sample)  # "un.org/ha/..." is not Spanish
    words = [word.casefold().replace("’", "'") for word in _WORD_RE.findall(prose)]
    if len(words) < _MIN_WORDS_FOR_LANGUAGE:
        return None
    # Single letters ("a", "e", "o", "y") are initials and list markers as often as words.
    counted = [word for word in words if len(word) > 1]
    hits = {
        language: sum(1 for word in counted if word in stopwords)
        for language, stopwords in _STOPWORDS.items()
    }
    english = hits.pop("English")
    best_other, best_hits = max(hits.items(), key=lambda item: item[1])
    # A short sentence has few function words: two suffice when not one of them is English.
    needed = _MIN_FOREIGN_HITS if english else _MIN_FOREIGN_HITS - 1
    if best_hits >= needed and best_hits > english and best_hits >= _MIN_FOREIGN_RATIO * len(words):
        return best_other
    return "English"


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
    _check_printable(text)

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
