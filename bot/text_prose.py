"""What is not prose at all: a PDF's bytes, a table, JSON, encoded data, a text without words.

``not_prose_reason`` says why such a text is no article, before any model sees it.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

# links and addresses are neither prose nor not: the prose share and the language leave them out
URL_OR_EMAIL_RE = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+", re.I)
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
    tokens = [token for token in tokens if not URL_OR_EMAIL_RE.fullmatch(token)]  # neither prose nor not
    characters = sum(len(token) for token in tokens)
    if len(tokens) >= 20:
        prose = sum(len(token) for token in tokens if _is_prose_token(token))
        if prose < _MIN_PROSE_SHARE * characters:
            return f"this does not look like prose: only {prose / characters:.0%} of it is words and numbers"
    return None
