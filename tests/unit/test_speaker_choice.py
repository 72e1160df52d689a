"""Who a statement is given to: text -> the speaker of each attributed statement.

Each table holds one rule that picks (or withholds) the speaker a cue's statement is given
to, checked against PolNeAR's convention (the sentences are written for these tests). The
shipped pipeline is loaded once per session.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.models import ClaimKind
from bot.nlp.extractor import SpacyClaimExtractor


@pytest.fixture(scope="session")
def extractor(shipped_nlp: Language) -> SpacyClaimExtractor:
    return SpacyClaimExtractor(shipped_nlp, checkworthiness=False, merge_restatements=False)


def _speakers(extractor: SpacyClaimExtractor, text: str) -> dict[str, str | None]:
    claims = [c for c in extractor.extract(text) if c.kind is not ClaimKind.UNATTRIBUTED]
    return {c.text: c.speaker for c in claims}


def _speaker_of(extractor: SpacyClaimExtractor, text: str, words: str) -> str | None:
    found = _speakers(extractor, text)
    matching = [speaker for content, speaker in found.items() if words in content]
    assert matching, f"no statement with {words!r} in {found}"
    return matching[0]


# a time right before the cue ("on Wednesday", "last month", "in 2010") is not who speaks:
# the speaker is the subject before it
TIME_BEFORE_THE_CUE = [
    pytest.param(
        "Sen. Maria Ortega on Wednesday said that the budget deal would collapse.",
        "budget deal",
        "Maria Ortega",
        id="on-weekday",
    ),
    pytest.param(
        "The Teamsters union just this month announced that it would back the new contract.",
        "back the new contract",
        "Teamsters union",
        id="just-this-month",
    ),
    pytest.param(
        "Senator Dan Hale, who in 2010 said that the tax would fail, now backs it.",
        "tax would fail",
        "Dan Hale",
        id="who-in-a-year",
    ),
    pytest.param(
        "Investigators had last month concluded that the fire was set on purpose.",
        "fire was set",
        "Investigators",
        id="aux-last-month",
    ),
]


@pytest.mark.parametrize(("text", "words", "speaker"), TIME_BEFORE_THE_CUE)
def test_a_time_before_the_cue_is_stepped_over(
    extractor: SpacyClaimExtractor, text: str, words: str, speaker: str
) -> None:
    assert _speaker_of(extractor, text, words) == speaker


def test_a_place_before_the_time_is_not_a_speaker(extractor: SpacyClaimExtractor) -> None:
    found = _speakers(
        extractor,
        "People removed from a rally in Concord, N.C., on Monday included a man in a red shirt.",
    )
    assert "Concord" not in found.values()
