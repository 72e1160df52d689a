"""Restatements: the same statement made twice in one article, in other words, folded into one
claim. Two statements are one when most of their content words are shared (``RESTATEMENT_OVERLAP``
of the shorter one's), their stances agree and they do not have two different speakers.
"""

from __future__ import annotations

import re

from bot.models import ClaimKind, ExtractedClaim, Span
from bot.nlp.drafts import replace_claim

RESTATEMENT_OVERLAP = 0.6
# function words: two different statements share them as often as two restatements do
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "it's",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "not",
        "no",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "will",
        "would",
        "can",
        "could",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "so",
        "than",
        "then",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "only",
        "own",
        "same",
        "too",
        "very",
        "just",
        "also",
        "into",
        "about",
        "against",
        "between",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "up",
        "down",
        "out",
        "off",
        "over",
        "under",
        "again",
        "further",
        "once",
        "n't",
        "'s",
        "'re",
        "'ve",
        "'ll",
        "'d",
    ]
)


def content_words(text: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))
    return frozenset(w for w in words if w not in _STOPWORDS and len(w) > 1)


def restatement_similarity(a: str, b: str) -> float:
    """Content-word overlap of two statements, relative to the shorter one."""
    return _word_overlap(content_words(a), content_words(b))


def _word_overlap(wa: frozenset[str], wb: frozenset[str]) -> float:
    if len(wa) < 4 or len(wb) < 4:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def in_headline(text: str, span: Span) -> bool:
    """Whether ``span`` lies on a line with no sentence-final punctuation (a headline)."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.start)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    return bool(line) and line[-1] not in ".!?\"”'’"


def merge_restatements(claims: list[ExtractedClaim], text: str | None = None) -> list[ExtractedClaim]:
    """Folds statements made twice in one article into one claim (``mentions == 2``).

    The kept occurrence is the best attributed one: with a cue over without, with a speaker
    over without, direct over indirect, in the body over in a headline (headlines clip
    statements: "repairs to cost £48 million"; needs ``text``), then the earlier.
    """

    def rank(claim: ExtractedClaim) -> tuple[int, int, int, int, int]:
        return (
            0 if claim.cue else 1,
            0 if claim.speaker else 1,
            0 if claim.kind is ClaimKind.DIRECT else 1,
            1 if text is not None and in_headline(text, claim.content) else 0,
            claim.content.start,
        )

    groups: list[list[int]] = []
    assigned: dict[int, int] = {}
    words = [content_words(claim.text) for claim in claims]  # once per claim, not per pair
    for i, claim in enumerate(claims):
        for j in range(i):
            other = claims[j]
            if claim.speaker and other.speaker and claim.speaker != other.speaker and claim.cue and other.cue:
                continue
            if claim.stance is not other.stance:
                continue  # a denial and an assertion of the same words are two statements
            if _word_overlap(words[i], words[j]) >= RESTATEMENT_OVERLAP:
                group = assigned[j]
                groups[group].append(i)
                assigned[i] = group
                break
        else:
            assigned[i] = len(groups)
            groups.append([i])
    merged: list[ExtractedClaim] = []
    for indices in groups:
        members = sorted((claims[i] for i in indices), key=rank)
        primary, others = members[0], members[1:]
        if others:
            primary = replace_claim(
                primary, restatements=tuple(sorted((o.content for o in others), key=lambda s: s.start))
            )
        merged.append(primary)
    merged.sort(key=lambda c: c.content.start)
    return merged
