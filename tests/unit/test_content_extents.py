"""Where a statement's content starts and ends: text -> the content pieces of its statements.

Each table holds one extent rule, checked against PolNeAR's convention for where a content
span stops (the sentences are written for these tests). The shipped pipeline is loaded once
per session.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.models import ClaimKind
from bot.nlp.extractor import SpacyClaimExtractor


@pytest.fixture(scope="session")
def extractor(shipped_nlp: Language) -> SpacyClaimExtractor:
    return SpacyClaimExtractor(shipped_nlp, checkworthiness=False, merge_restatements=False)


def _pieces(extractor: SpacyClaimExtractor, text: str) -> list[list[str]]:
    claims = [c for c in extractor.extract(text) if c.kind is not ClaimKind.UNATTRIBUTED]
    return [[piece.text for piece in claim.content_pieces] for claim in claims]


# a quote that goes on after "“X,” Name said, <participle> …" continues the quote, not the
# writer's aside the participle opens
CONTINUED_AFTER_A_PARTICIPLE = [
    pytest.param(
        "“One of us ran against the governor,” Sanders said, invoking the 2008 race. "
        "“I was not that candidate.”",
        ["“One of us ran against the governor,”", "“I was not that candidate.”"],
        id="invoking",
    ),
    pytest.param(
        "“The principal died at the school,” Clinton said, drawing gasps from the crowd. "
        "“And she died trying to protect her students.”",
        ["“The principal died at the school,”", "“And she died trying to protect her students.”"],
        id="drawing",
    ),
    pytest.param(
        "“The plan is dead,” Mayor Ana Lopez said. “We will start again in May.”",
        ["“The plan is dead,”", "“We will start again in May.”"],
        id="plain-split-quote-unchanged",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CONTINUED_AFTER_A_PARTICIPLE)
def test_a_quote_continues_past_a_participle_aside(
    extractor: SpacyClaimExtractor, text: str, expected: list[str]
) -> None:
    assert expected in _pieces(extractor, text)


# a paragraph that is all quote, right after a paragraph that ends a speaker's quote, goes on
# with that quote (PolNeAR marks the two as one statement); one with a cue of its own does not
QUOTE_PARAGRAPH_GOING_ON = [
    pytest.param(
        "“The report sheds light on the agency’s lax security,” said Lamar Smith, who chairs the "
        "committee.\n\n“The agency’s intent to evade oversight is a serious offense.”",
        [
            [
                "“The report sheds light on the agency’s lax security,”",
                "“The agency’s intent to evade oversight is a serious offense.”",
            ]
        ],
        id="next-paragraph-joins",
    ),
    pytest.param(
        "“The network has done an awful job,” Barkley said.\n\n“It has sold its soul for ratings.”",
        [["“The network has done an awful job,”", "“It has sold its soul for ratings.”"]],
        id="short-attribution",
    ),
    pytest.param(
        "“There are two big differences between the candidates,” Bozell says.\n\n"
        "“First, it was Trump picking a fight with Cruz,” Bozell said later.",
        [
            ["“There are two big differences between the candidates,”"],
            ["“First, it was Trump picking a fight with Cruz,”"],
        ],
        id="own-cue-stays-apart",
    ),
]


@pytest.mark.parametrize(("text", "expected"), QUOTE_PARAGRAPH_GOING_ON)
def test_a_quote_paragraph_goes_on_with_the_quote_before(
    extractor: SpacyClaimExtractor, text: str, expected: list[list[str]]
) -> None:
    assert _pieces(extractor, text) == expected
