"""The PolNeAR scoring behind the figures in README: matching, speaker accuracy, clean names."""

from __future__ import annotations

import pytest

from bot.models import ClaimKind, ExtractedClaim, Span
from bot.nlp.polnear import GoldAttribution, PolnearArticle
from bot.nlp.tagged_spans import TaggedSpan
from scripts.eval_attribution import (
    Scores,
    claim_labels,
    one_to_one_matches,
    score_article,
    strict_overlap,
    tagger_alone,
)

TEXT = (
    "The decision was risky for Ana Lopez, who said the budget would be cut by half. "
    "Tom Berg warned that fares would rise."
)


def _at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def _claim(content: str, *, mention: str | None, speaker: str | None) -> ExtractedClaim:
    s, e = _at(content)
    m = _at(mention) if mention else None
    return ExtractedClaim(
        text=content,
        kind=ClaimKind.INDIRECT,
        content=Span(s, e, content),
        speaker_mention=Span(m[0], m[1], mention) if m and mention else None,
        speaker=speaker,
    )


ARTICLE = PolnearArticle(
    name="t",
    annotator="a",
    text=TEXT,
    attributions=(
        GoldAttribution(
            content=(_at("the budget would be cut by half"),), cue=(_at("said"),), source=(_at("Ana Lopez"),)
        ),
        GoldAttribution(content=(_at("fares would rise"),), cue=(_at("warned"),), source=(_at("Tom Berg"),)),
    ),
)


@pytest.mark.parametrize(
    ("pred", "gold", "expected"),
    [
        ([frozenset({1, 2, 3, 4})], [frozenset({1, 2, 3, 4})], [(0, 0)]),
        # half of the longer side is enough, less is not
        ([frozenset({1, 2})], [frozenset({1, 2, 3, 4})], [(0, 0)]),
        ([frozenset({1})], [frozenset({1, 2, 3, 4})], []),
        # one to one: the closer prediction takes the gold
        ([frozenset({1, 2, 3}), frozenset({1, 2, 3, 4})], [frozenset({1, 2, 3, 4})], [(1, 0)]),
    ],
)
def test_one_to_one_matches(
    pred: list[frozenset[int]], gold: list[frozenset[int]], expected: list[tuple[int, int]]
) -> None:
    assert one_to_one_matches(pred, gold) == expected


def test_score_counts_matches_misses_and_extra_claims() -> None:
    scores = Scores()
    claims = [
        _claim("the budget would be cut by half", mention="Ana Lopez, who", speaker="Ana Lopez"),
        _claim("The decision was risky", mention=None, speaker=None),
    ]
    score_article(ARTICLE, claims, scores)
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (1, 1, 1)
    assert scores.overall.speaker_ok == 1


SPLIT = (
    "“The bridge opens in May,” said Ana Lopez, the transport minister who has led the project "
    "since its first plans were drawn up in the spring of 2019. “Nobody should doubt it.”"
)


def test_a_split_quote_is_scored_on_its_pieces_not_the_writers_words_between() -> None:
    first, second = "“The bridge opens in May,”", "“Nobody should doubt it.”"
    a, b = SPLIT.index(first), SPLIT.index(second)
    pieces = (Span(a, a + len(first), first), Span(b, b + len(second), second))
    article = PolnearArticle(
        name="s",
        annotator="a",
        text=SPLIT,
        attributions=(GoldAttribution(content=tuple((p.start, p.end) for p in pieces), cue=(), source=()),),
    )
    whole = Span(a, b + len(second), SPLIT[a : b + len(second)])
    as_one = ExtractedClaim(text="x", kind=ClaimKind.DIRECT, content=whole)
    in_pieces = ExtractedClaim(text="x", kind=ClaimKind.DIRECT, content=whole, content_fragments=pieces)
    scores = Scores()
    score_article(article, [as_one], scores)
    assert scores.overall.tp == 0  # the long clause between them is no part of the quote
    scores = Scores()
    score_article(article, [in_pieces], scores)
    assert scores.overall.tp == 1


def test_a_speaker_name_run_wide_is_counted_unclean_though_its_mention_overlaps() -> None:
    scores = Scores()
    claims = [
        _claim(
            "the budget would be cut by half",
            mention="risky for Ana Lopez, who",
            speaker="risky for Ana Lopez",
        ),
        _claim("fares would rise", mention="Tom Berg", speaker="Tom Berg"),
    ]
    score_article(ARTICLE, claims, scores)
    assert scores.overall.speaker_ok == 2  # the mention overlaps the gold source
    assert scores.speaker_names_clean() == {"clean": 1, "named": 2, "share": 0.5}


class _FixedTagger:
    """Tags every text with the same content spans (our own port, faked)."""

    def __init__(self, spans: list[TaggedSpan]) -> None:
        self.spans = spans

    def tag(self, text: str) -> dict[str, list[TaggedSpan]]:
        return {"content": self.spans, "source": [], "cue": []}


def test_tagger_alone_scores_sure_spans_of_four_words_or_more() -> None:
    budget, fares, short = _at("the budget would be cut by half"), _at("fares would rise"), _at("Tom Berg")
    tagger = _FixedTagger(
        [TaggedSpan(*budget, confidence=0.95), TaggedSpan(*fares, confidence=0.6), TaggedSpan(*short, 0.99)]
    )
    result = tagger_alone(tagger, [ARTICLE])
    # "fares would rise" is three words: never counted; the budget span only when sure enough
    assert result["confidence>=0.5"] == result["confidence>=0.9"]
    assert (result["confidence>=0.9"]["tp"], result["confidence>=0.9"]["fp"]) == (1, 0)
    assert result["confidence>=0.9"]["fn"] == 1
    # the ceiling: the gold labels decoded as the tagger's output, with the same length rule
    assert (result["gold labels"]["tp"], result["gold labels"]["fp"]) == (1, 0)


# ----------------------------------------------------------------------------- the strict measure
@pytest.mark.parametrize(
    ("pred", "gold", "strict"),
    [
        (frozenset(range(10)), frozenset(range(10)), True),
        (frozenset(range(10)), frozenset(range(8)), True),  # 8 of 10: 80 % both ways
        (frozenset(range(10)), frozenset(range(7)), False),  # the prediction runs wide
        (frozenset(range(7)), frozenset(range(10)), False),  # the prediction stops short
        (frozenset(range(5)), frozenset(range(5, 10)), False),
    ],
)
def test_strict_overlap_is_80_percent_both_ways(
    pred: frozenset[int], gold: frozenset[int], strict: bool
) -> None:
    assert strict_overlap(pred, gold) is strict


def test_strict_needs_the_span_and_the_speaker_right() -> None:
    claims = [
        # span right, speaker right: strict
        _claim("the budget would be cut by half", mention="Ana Lopez", speaker="Ana Lopez"),
        # half the span and the right speaker: lenient only
        _claim("fares would", mention="Tom Berg", speaker="Tom Berg"),
    ]
    assert claim_labels(ARTICLE, claims) == [(True, True), (True, False)]
    wrong_speaker = [_claim("the budget would be cut by half", mention="The decision", speaker="decision")]
    assert claim_labels(ARTICLE, wrong_speaker) == [(True, False)]
    scores = Scores()
    score_article(ARTICLE, claims, scores)
    strict = scores.strict.as_dict()
    assert (strict["tp"], strict["fp"], strict["fn"]) == (1, 1, 1)
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (2, 0, 0)
