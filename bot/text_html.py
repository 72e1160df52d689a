"""HTML pasted as text: recognised (``looks_like_html``) and replaced by its main text, title
and date (``extract_html``: trafilatura, else a plain tag-strip).
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from dataclasses import dataclass
from datetime import date

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractedHtml:
    text: str
    title: str | None
    published: date | None


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
