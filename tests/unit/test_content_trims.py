"""Words at the edges of a reported statement's content that are not what was said
(``bot.nlp.content_trims``): text, cue and content -> the content a reader sees."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Span, Token

from bot.nlp.content_trims import (
    after_circumstances,
    after_cue_preposition,
    without_circumstances,
    without_stray_bracket,
)


def _content_and_cue(nlp: Language, text: str, content: str, cue: str) -> tuple[Span, Token]:
    """The parsed ``content`` of ``text`` and its ``cue`` token."""
    doc = nlp(text)
    start = text.index(content)
    span = doc.char_span(start, start + len(content))
    assert span is not None
    return span, next(t for t in doc if t.text == cue)


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
    span, cue_token = _content_and_cue(shipped_nlp, text, content, cue)
    assert text[span.start_char : without_circumstances(span, cue_token)] == expected


# a day of the news or an occasion of the saying that opens the content right after the cue
OPENING_CIRCUMSTANCES = [
    pytest.param(
        "Clinton said on Monday the economy was strong.",
        "said",
        "on Monday the economy was strong",
        "the economy was strong",
        id="on-a-weekday",
    ),
    pytest.param(
        "Clinton said Monday night the vote was rigged.",
        "said",
        "Monday night the vote was rigged",
        "the vote was rigged",
        id="weekday-night",
    ),
    pytest.param(
        "Sanders told a packed crowd in Windham on Monday that he would win.",
        "told",
        "on Monday that he would win",
        "he would win",
        id="before-that",
    ),
    pytest.param(
        "The governor said in a statement, the plan would cut taxes.",
        "said",
        "in a statement, the plan would cut taxes",
        "the plan would cut taxes",
        id="in-a-statement",
    ),
    # a named programme or outlet, then the day: where the speaker spoke
    pytest.param(
        "Clinton told ABC’s “Good Morning America” on Monday the tone of the interview was cordial.",
        "told",
        "ABC’s “Good Morning America” on Monday the tone of the interview was cordial",
        "the tone of the interview was cordial",
        id="named-programme-and-day",
    ),
    pytest.param(
        "Trump said On CNN Tuesday he never promised to pay the fees.",
        "said",
        "On CNN Tuesday he never promised to pay the fees",
        "he never promised to pay the fees",
        id="on-an-outlet-and-day",
    ),
    # a named thing with a verb before the day is a clause of the content
    pytest.param(
        "The mayor said Congress met on Monday and passed the bill.",
        "said",
        "Congress met on Monday and passed the bill",
        "Congress met on Monday and passed the bill",
        id="a-clause-before-the-day",
    ),
    # a day that is the content's own stays
    pytest.param(
        "Clinton said Tuesday's vote was rigged.",
        "said",
        "Tuesday's vote was rigged",
        "Tuesday's vote was rigged",
        id="the-day's-noun",
    ),
    pytest.param(
        "Reagan's son said Saturday would have been his father's birthday.",
        "said",
        "Saturday would have been his father's birthday",
        "Saturday would have been his father's birthday",
        id="the-day-as-subject",
    ),
    pytest.param(
        "The senator said tonight he is a step closer to the nomination.",
        "said",
        "tonight he is a step closer to the nomination",
        "tonight he is a step closer to the nomination",
        id="tonight-may-be-the-speaker's",
    ),
]


@pytest.mark.parametrize(("text", "cue", "content", "expected"), OPENING_CIRCUMSTANCES)
def test_an_opening_circumstance_of_the_saying_is_not_content(
    shipped_nlp: Language, text: str, cue: str, content: str, expected: str
) -> None:
    span, cue_token = _content_and_cue(shipped_nlp, text, content, cue)
    assert text[after_circumstances(span, cue_token) : span.end_char] == expected


# a closing bracket the content never opened closes the writer's parenthesis around it
STRAY_BRACKETS = [
    pytest.param(
        "(Aides denied that she has pneumonia).", "she has pneumonia)", "she has pneumonia", id="paren"
    ),
    pytest.param(
        "(They called them ''Manchurian anchors'').",
        "them ''Manchurian anchors'')",
        "them ''Manchurian anchors''",
        id="after-a-quote",
    ),
    pytest.param(
        "[He said the vote was rigged, ]", "the vote was rigged, ]", "the vote was rigged", id="bracket"
    ),
    pytest.param(
        "He said Rep. John Culberson (R-TX) would lose.",
        "Rep. John Culberson (R-TX)",
        "Rep. John Culberson (R-TX)",
        id="balanced-stays",
    ),
]


@pytest.mark.parametrize(("text", "content", "expected"), STRAY_BRACKETS)
def test_a_stray_closing_bracket_is_not_content(text: str, content: str, expected: str) -> None:
    start = text.index(content)
    assert text[start : without_stray_bracket(text, start, start + len(content))] == expected


# a preposition the cue takes before what was said ("focused | on | ..."): never content
CUE_PREPOSITIONS = [
    pytest.param(
        "Clinton focused on the NRA's opposition to wider background checks.",
        "focused",
        "on the NRA's opposition to wider background checks",
        "the NRA's opposition to wider background checks",
        id="focused-on",
    ),
    pytest.param(
        "The senator called on Congress to pass the bill this year.",
        "called",
        "on Congress to pass the bill this year",
        "Congress to pass the bill this year",
        id="called-on",
    ),
    pytest.param(
        "Clinton focused on Iran.",
        "focused",
        "on Iran",
        "on Iran",  # what would be left is too short to be a statement: as it is
        id="too-short-left",
    ),
    pytest.param(
        "The mayor said on Monday the bridge would stay open.",
        "said",
        "the bridge would stay open",
        "the bridge would stay open",
        id="no-preposition",
    ),
]


@pytest.mark.parametrize(("text", "cue", "content", "expected"), CUE_PREPOSITIONS)
def test_a_preposition_of_the_cue_is_not_content(
    shipped_nlp: Language, text: str, cue: str, content: str, expected: str
) -> None:
    span, cue_token = _content_and_cue(shipped_nlp, text, content, cue)
    cue_span = span.doc[cue_token.i : cue_token.i + 1]
    assert text[after_cue_preposition(span, cue_span) : span.end_char] == expected
