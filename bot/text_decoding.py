"""Bytes to text: decode what the user gave us, refuse binary data, drop invisible characters.

``decode_bytes`` reads UTF-8 (and UTF-16, with or without a byte-order mark), else a legacy
Western encoding when the bytes look like text; ``check_printable`` refuses decoded text that
is binary data all the same; ``drop_invisible`` removes the format characters that show
nothing, so the same article with zero-width spaces sprinkled in is the same article.
"""

from __future__ import annotations

import re
import unicodedata

from bot.errors import BadInput

# Control characters that do not occur in text (tab, newlines, form feed and escape excepted).
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


def check_printable(text: str) -> None:
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
