"""The sentences an article asserts itself, beside the statements it reports.

A sentence no statement covers is the article's own when it reads as prose (not a caption,
credit line, byline, dateline, question or boilerplate); it becomes an unattributed claim when
it is check-worthy, and a lost quote of a neighbouring speaker when it is in the first person.
``structural_checkworthiness`` scores sentences while no learned model is available.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from spacy.tokens import Doc

from bot.models import ClaimKind
from bot.nlp.attribution import SentenceUnit
from bot.nlp.drafts import QUOTE_CHARS, Draft
from bot.nlp.speakers import DATELINE

Scorer = Callable[[Sequence[str]], list[float]]

CHECKWORTHY_THRESHOLD = 0.5
MIN_UNATTRIBUTED_WORDS = 6
_BOILERPLATE = re.compile(
    r"(click here|sign up|subscribe|newsletter|all rights reserved|copyright|follow us|"
    r"read more|contributed to this report|for more information|advertisement|cookie|"
    r"terms of (use|service)|privacy policy|share this|related:|photo:|image:|pictured)",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(by|from|written by|reporting by|edited by)\s+[A-Z]", re.IGNORECASE)
_CREDIT_TAIL = re.compile(r"\([^()]{1,80}\)\s*$")
_FIRST_PERSON = re.compile(r"\b(I|we|We|our|Our|us|my|My|I'm|we're|We're|I've|we've)\b")
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion"
    r"|percent|per cent|half|dozen)\b",
    re.IGNORECASE,
)
_CAUSAL = re.compile(
    r"\b(because|due to|led to|caused|causes|as a result|resulted in|since|after|so that|thanks to)\b",
    re.IGNORECASE,
)


def _has_finite_verb(doc: Doc, start: int, end: int) -> bool:
    """A verb, or a sentence long enough that a tagger's miss is likelier than a verbless line."""
    tokens = doc[start:end]
    if any(t.tag_.startswith(("VB", "MD")) or t.pos_ in {"VERB", "AUX"} for t in tokens):
        return True
    return sum(1 for t in tokens if t.is_alpha) >= 8


def structural_checkworthiness(sentence: str) -> float:
    """Fallback score while no learned check-worthiness model is available."""
    score = 0.3
    if _NUMBER.search(sentence):
        score += 0.3
    if _CAUSAL.search(sentence):
        score += 0.2
    if re.search(r"\b[A-Z][a-z]+", sentence[1:]):
        score += 0.1
    return min(score, 1.0)


def unattributed_drafts(
    doc: Doc, raw: str, drafts: list[Draft], units: Sequence[SentenceUnit], get_scorer: Callable[[], Scorer]
) -> list[Draft]:
    """Drafts of the sentences the article asserts itself, outside ``drafts`` (the statements it
    reports): check-worthy ones (a score at least ``CHECKWORTHY_THRESHOLD``) as unattributed
    claims, first-person ones as lost quotes of a neighbouring speaker. ``get_scorer`` is called
    only when there is a sentence to score, as the model behind it loads on first use."""
    taken = bytearray(len(raw) + 1)
    for draft in drafts:
        for start, end in (*draft.content, *(x for x in (draft.cue, draft.source) if x)):
            taken[start:end] = b"\x01" * (end - start)
    candidates: list[tuple[int, int]] = []
    for unit in units:
        tokens = [t for t in doc[unit.start : unit.end] if not t.is_space]
        if not tokens:
            continue
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        if any(taken[start:end]):
            continue
        if not asserts_something(doc, raw, unit.start, unit.end, start, end):
            continue
        match = DATELINE.match(raw[start:end])
        if match:
            start += match.end()
        candidates.append((start, end))
    if not candidates:
        return []
    # first-person sentences outside quotes are lost quotes of a neighbouring speaker
    result: list[Draft] = []
    plain: list[tuple[int, int]] = []
    for start, end in candidates:
        if _FIRST_PERSON.search(raw[start:end]):
            result.append(Draft(ClaimKind.DIRECT, ((start, end),), None, None, None, continues="near"))
        else:
            plain.append((start, end))
    scores = get_scorer()([raw[s:e] for s, e in plain]) if plain else []
    for (start, end), score in zip(plain, scores, strict=True):
        if score >= CHECKWORTHY_THRESHOLD:
            result.append(Draft(ClaimKind.UNATTRIBUTED, ((start, end),), None, None, None))
    return result


def asserts_something(doc: Doc, raw: str, tok_start: int, tok_end: int, start: int, end: int) -> bool:
    """Whether the sentence at ``start:end`` (tokens ``tok_start:tok_end``) reads as prose the
    article asserts: in a paragraph that ends a sentence, long enough, no question, no
    boilerplate or byline, with a verb."""
    sentence = raw[start:end]
    paragraph_start = raw.rfind("\n", 0, start) + 1
    paragraph_end = raw.find("\n", end)
    paragraph = raw[paragraph_start : paragraph_end if paragraph_end >= 0 else len(raw)].strip()
    if not paragraph or paragraph[-1] not in ".!\"”'’" or paragraph.endswith("?"):
        return False  # headline, caption, byline, credit line, dateline-only line
    if paragraph.startswith("(") and paragraph.rstrip(".").endswith(")"):
        return False  # "(PA wire)"
    if _CREDIT_TAIL.search(paragraph.rstrip(".")) and "/" in paragraph[paragraph.rfind("(") :]:
        return False  # "... on Monday (Frank Augstein/PA)."
    if sentence.rstrip(QUOTE_CHARS).endswith("?"):
        return False
    if len(sentence.split()) < MIN_UNATTRIBUTED_WORDS:
        return False
    if _BOILERPLATE.search(sentence) or _BYLINE.match(sentence):
        return False
    return _has_finite_verb(doc, tok_start, tok_end)
