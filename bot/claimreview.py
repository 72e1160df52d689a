"""schema.org ``ClaimReview`` → ``KnownClaim``: reading fact-check archives in their published format.

Fact-checkers publish ClaimReview as JSON-LD: one object, several inside ``@graph`` or a
``DataFeed``, a JSON array of them, or (aggregators) one object per line. Real feeds vary,
so this reader is lenient where it can be and counts what it cannot use instead of
failing: unknown fields are ignored, a review without ``claimReviewed`` is skipped with a
reason, and only a file that is not JSON at all is refused (``BadInput``).

Pure: text in, typed results out; the CLI reads the file and the service stores the claims.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from bot.errors import BadInput
from bot.models import FactCheck, KnownClaim

log = logging.getLogger(__name__)

ImportFormat = Literal["jsonl", "claimreview"]
FORMATS = ("auto", "jsonl", "claimreview")

# skip reasons, worded for "skipped 3 (2 without claimReviewed, 1 not JSON)"
NO_CLAIM = "without claimReviewed"
NOT_JSON = "not JSON"
NOT_A_REVIEW = "not a ClaimReview"
NOT_AN_OBJECT = "not a JSON object"
REPEATED = "repeated in the file"
MALFORMED = "malformed"

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")  # "<p>", "</em>": markup some feeds leave in text
_SPACE = re.compile(r"\s+")
# soft hyphen, zero-width spaces and joiners, direction marks, word joiner, BOM
_INVISIBLE = dict.fromkeys([0x00AD, *range(0x200B, 0x2010), 0x2060, 0xFEFF])


@dataclass(frozen=True, slots=True)
class ParsedReviews:
    """The reviews read from one file, and why the others were left out."""

    claims: tuple[KnownClaim, ...]
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def skipped_words(skipped: Counter[str]) -> str:
    """ "2 without claimReviewed, 1 not JSON" (most frequent first), or "" when nothing was skipped."""
    return ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])))


def import_line(*, imported: int, updated: int, skipped: Counter[str]) -> str:
    """What ``claimbot import`` says when it is done: "imported 12, updated 3, skipped 2 (2 without
    claimReviewed)"; "updated" only when there were updates, "skipped" only when there were skips."""
    line = f"imported {imported:,}"
    if updated:
        line += f", updated {updated:,}"
    total = sum(skipped.values())
    if total:
        line += f", skipped {total:,} ({skipped_words(skipped)})"
    return line


# ---------------------------------------------------------------------------- format detection
def detect_format(text: str) -> ImportFormat:
    """``claimreview`` when the content holds a ClaimReview anywhere, else ``jsonl``.

    Raises ``BadInput`` when no part of the text is JSON.
    """
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    else:
        return "claimreview" if any(True for _ in _reviews_in(whole)) else "jsonl"
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        return "claimreview" if any(True for _ in _reviews_in(row)) else "jsonl"
    raise BadInput("not JSON: expected JSON lines or schema.org ClaimReview JSON-LD")


# ---------------------------------------------------------------------------- parsing
def parse_claimreviews(text: str) -> ParsedReviews:
    """Every ClaimReview in a JSON-LD document, a JSON array, or JSON lines of them.

    Raises ``BadInput`` when the text is not JSON at all, or holds no ClaimReview anywhere.
    """
    skipped: Counter[str] = Counter()
    records = _records(text, skipped)
    reviews: list[dict[str, Any]] = []
    seen_any = False
    for record in records:
        if not isinstance(record, dict | list):
            skipped[NOT_AN_OBJECT] += 1
            continue
        found = list(_reviews_in(record))
        if not found:
            skipped[NOT_A_REVIEW] += 1
            continue
        seen_any = True
        reviews.extend(found)
    if not seen_any:
        raise BadInput("no schema.org ClaimReview objects found")
    claims: dict[str, KnownClaim] = {}
    claims_per_url: dict[str, list[str]] = {}
    for review in reviews:
        try:
            claim = review_to_claim(review)
        except _Skip as exc:
            skipped[exc.reason] += 1
            continue
        except (TypeError, ValueError, AttributeError, OverflowError):
            # a shape no reader foresaw: that review is left out, never the whole import
            log.warning("skipping a malformed ClaimReview (url %r)", review.get("url"), exc_info=True)
            skipped[MALFORMED] += 1
            continue
        external_id = _external_id(claim, claims_per_url)
        if external_id in claims:
            skipped[REPEATED] += 1  # the later copy wins: feeds append corrections
        claims[external_id] = _with_id(claim, external_id)
    return ParsedReviews(claims=tuple(claims.values()), skipped=skipped)


def _records(text: str, skipped: Counter[str]) -> list[Any]:
    """The top-level items: a document's own object or array items, else one per JSON line."""
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        pass
    else:
        return list(whole) if isinstance(whole, list) else [whole]
    records: list[Any] = []
    parsed_lines = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
            parsed_lines += 1
        except json.JSONDecodeError:
            skipped[NOT_JSON] += 1
    if parsed_lines == 0:
        raise BadInput("not JSON: expected schema.org ClaimReview JSON-LD or JSON lines")
    return records


def _is_review(node: dict[str, Any]) -> bool:
    kinds = node.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    # "ClaimReview", "schema:ClaimReview", "https://schema.org/ClaimReview"
    return any(isinstance(k, str) and re.split(r"[/:#]", k)[-1] == "ClaimReview" for k in names)


def _reviews_in(node: Any) -> Iterator[dict[str, Any]]:
    """ClaimReview objects anywhere in ``node``: itself, ``@graph``, a DataFeed's items, a list."""
    if isinstance(node, dict):
        if _is_review(node):
            yield node
            return
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _reviews_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _reviews_in(item)


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def review_to_claim(review: dict[str, Any]) -> KnownClaim:
    """One ClaimReview → a ``KnownClaim`` carrying its ``FactCheck`` (external id: the review's url).

    Raises ``_Skip`` for a review that names no claim.
    """
    claim_text = review.get("claimReviewed")
    if isinstance(claim_text, list):  # a few publishers wrap it in a one-item list
        claim_text = next((t for t in claim_text if isinstance(t, str)), None)
    text = _clean(claim_text) if isinstance(claim_text, str) else ""
    if not text:
        raise _Skip(NO_CLAIM)
    item = _first_object(review.get("itemReviewed"))
    rating_field = review.get("reviewRating")
    # a few feeds give the verdict as plain text instead of a Rating
    rating = {"alternateName": rating_field} if isinstance(rating_field, str) else _first_object(rating_field)
    url = _clean(review.get("url")) or None
    review_date = _date(review.get("datePublished"))
    fact_check = FactCheck(
        verdict=_verdict_words(rating),
        by=_name(review.get("author")),
        url=url,
        date=review_date,
        rating=_number(rating.get("ratingValue")),
        best_rating=_number(rating.get("bestRating")),
        worst_rating=_number(rating.get("worstRating")),
    )
    return KnownClaim(
        external_id=url or "",
        text=text,
        speaker=_name(item.get("author")),
        # when the claim was made; the fact-check's own date when the feed does not say
        date=_date(item.get("datePublished")) or review_date,
        source=url,
        title=_clean(review.get("headline")) or None,
        fact_check=fact_check,
    )


def _external_id(claim: KnownClaim, claims_per_url: dict[str, list[str]]) -> str:
    """The review's identity across imports: its url, so a re-import updates it.

    One fact-check page often reviews several claims under one url: the second and later
    distinct claims of a url get ``#2``, ``#3``... in the order the feed lists them. A review
    without a url is keyed by its claim and fact-checker, so re-reading it is still idempotent.
    """
    if not claim.external_id:
        key = f"{_SPACE.sub(' ', claim.text.casefold())}|{claim.fact_check.by if claim.fact_check else ''}"
        return "claimreview:" + hashlib.sha256(key.encode()).hexdigest()[:20]
    texts = claims_per_url.setdefault(claim.external_id, [])
    key = claim.text.casefold()
    if key not in texts:
        texts.append(key)
    position = texts.index(key) + 1
    return claim.external_id if position == 1 else f"{claim.external_id}#{position}"


def _with_id(claim: KnownClaim, external_id: str) -> KnownClaim:
    return KnownClaim(
        external_id=external_id,
        text=claim.text,
        speaker=claim.speaker,
        date=claim.date,
        source=claim.source,
        title=claim.title,
        fact_check=claim.fact_check,
    )


# ---------------------------------------------------------------------------- field readers
def _clean(value: Any) -> str:
    """Text as shown: HTML entities decoded ("&amp;" → "&"), tags and invisible marks dropped,
    whitespace collapsed."""
    if not isinstance(value, str):
        return ""
    # the checks first: most feed text has no entity and no tag, and archives are large
    if "&" in value:
        value = html.unescape(value)
    if "<" in value:
        value = _TAG.sub(" ", value)
    return " ".join(value.translate(_INVISIBLE).split())


def _first_object(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else {}


def _name(value: Any) -> str | None:
    """``author``: an object with a name, a list of them (the first named), or plain text."""
    if isinstance(value, str):
        return _clean(value) or None
    if isinstance(value, list):
        return next((n for n in (_name(v) for v in value) if n), None)
    if isinstance(value, dict):
        return _clean(value.get("name")) or None
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _verdict_words(rating: dict[str, Any]) -> str | None:
    """The verdict in words: ``alternateName``; else ``name``; else a ratingValue that is words."""
    for key in ("alternateName", "name"):
        words = _clean(rating.get(key))
        if words:
            return words
    value = rating.get("ratingValue")
    if isinstance(value, str) and _number(value) is None:
        return _clean(value) or None
    return None


def _date(value: Any) -> date | None:
    """ "2026-11-03", "2026-11-03T10:00:00Z": the day; anything else: unknown (never fatal)."""
    if not isinstance(value, str) or len(value.strip()) < 10:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


__all__ = [
    "FORMATS",
    "ImportFormat",
    "ParsedReviews",
    "detect_format",
    "import_line",
    "parse_claimreviews",
    "review_to_claim",
    "skipped_words",
]
