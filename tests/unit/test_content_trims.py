"""Words at the end of a reported statement's content that are not what was said
(``bot.nlp.content_trims``): text, cue and content -> the content a reader sees."""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.nlp.content_trims import without_circumstances

# a circumstance of the saying the parser hangs on the cue: the occasion or the day of the news
CIRCUMSTANCES_OF_THE_SAYING = [
    pytest.param(
        "Pence touted his endorsements from retired generals and admirals Tuesday.",
        "touted",
        "his endorsements from retired generals and admirals Tuesday",
        "his endorsements from retired generals and admirals",
        id="day-of-the-news",
    ),
    pytest.param(
        "The governor announced the plan via Facebook on Friday.",
        "announced",
        "the plan via Facebook on Friday",
        "the plan",
        id="medium-then-day",
    ),
    pytest.param(
        "Clinton praised the deal in an interview with Latina magazine.",
        "praised",
        "the deal in an interview with Latina magazine",
        "the deal",
        id="interview",
    ),
    pytest.param(
        "Trump criticized the Affordable Care Act as a crazy system during a campaign stop in Flint.",
        "criticized",
        "the Affordable Care Act as a crazy system during a campaign stop in Flint",
        "the Affordable Care Act as a crazy system",
        id="campaign-stop",
    ),
    # a phrase that may belong to the content, or that hangs inside it, stays
    pytest.param(
        "Sanders said he would cut taxes in 2017.",
        "said",
        "he would cut taxes in 2017",
        "he would cut taxes in 2017",
        id="year-inside-the-clause",
    ),
    pytest.param(
        "Clinton cited the Syrian migrant crisis in Europe.",
        "cited",
        "the Syrian migrant crisis in Europe",
        "the Syrian migrant crisis in Europe",
        id="place-not-an-occasion",
    ),
]


@pytest.mark.parametrize(("text", "cue", "content", "expected"), CIRCUMSTANCES_OF_THE_SAYING)
def test_a_circumstance_of_the_saying_is_not_content(
    shipped_nlp: Language, text: str, cue: str, content: str, expected: str
) -> None:
    doc = shipped_nlp(text)
    start = text.index(content)
    span = doc.char_span(start, start + len(content))
    assert span is not None
    cue_token = next(t for t in doc if t.text == cue)
    assert text[start : without_circumstances(span, cue_token)] == expected
