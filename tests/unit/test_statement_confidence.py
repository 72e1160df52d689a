"""Statements kept back when the extractor is unsure of their speaker or their words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.models import ClaimKind, ExtractedClaim, Span, SpeakerKind
from bot.nlp.confidence import CONFIDENCE_PATH, StatementConfidence, fits_a_speaker, statement_features

P, ORG, G, U = SpeakerKind.PERSON, SpeakerKind.ORGANISATION, SpeakerKind.GROUP, SpeakerKind.UNKNOWN


@pytest.mark.parametrize(
    ("name", "kind", "fits"),
    [
        ("Donald Trump", P, True),
        ("Kremlin", ORG, True),
        ("Critics", G, True),
        (None, U, True),  # no speaker: the statement is judged on its own
        # descriptions and documents the recognizer gave no kind
        ("New York businessman", U, True),
        ("Republican presidential nominee", U, True),
        ("latest Reuters/Ipsos opinion poll released Friday", U, True),
        ("experts I interviewed", U, True),
        ("reporter for USA Today", U, True),
        ("Citizens for Tax Justice", U, True),
        ("ruling", U, True),
        # times, abstract nouns and pieces of sentences are nobody
        ("Monday night", U, False),
        ("Jan. 1", U, False),
        ("debate Monday", U, False),
        ("day", U, False),
        ("Monday", P, False),  # a time even where the recognizer said person
        ("truth", U, False),
        ("relationship between the two", U, False),
        ("body mass index", U, False),
        ("amount of time", U, False),
        ("audio", U, False),
        ("whose support", U, False),
        ("Details aside", U, False),
        ("Following initial reports of the explosion", U, False),
        ("many new social programs she", U, False),
        ("of RT", U, False),
        ("two men spent months lobbing", U, False),
        ("Clinton email matter", U, False),
        ("No leader", U, False),
        ("Republican attorney general of Oklahoma", U, True),
        ("one Twitter user @nycsouthpaw", U, True),
        ("Experts on North Korea and nuclear nonproliferation", U, True),
        ("India and Pakistan", U, True),
        ("vast majority of them", U, True),
        # pieces of sentences the recognizer took for names (PolNeAR dev, `claimbot speakers`)
        ("which companies", G, False),
        ("whose leaders", G, False),
        ("wake of the New York Times", ORG, False),
        ("merits of the EB-5 program", ORG, False),
        ("Based on the evidence of a New York Times article", ORG, False),
        ("Tex)", P, False),
        ("Some", P, False),
        ("Mr.", P, False),
        ("Having", P, False),
        ("Dr. Mehmet Oz", P, True),
        ("Whitfield", P, True),
        # a kind the recognizer gave, contradicted by the words (PolNeAR dev, `claimbot speakers`)
        ("racial issues", G, False),
        ("many cases", G, False),
        ("eight of 10 voters", G, True),
        ("plan's costs", G, False),
        ("ones", G, False),
        ("recent news conference", ORG, False),
        ("dressing-down of Salem Radio's Hugh Hewitt", P, False),
        ("Clinton's N.Y.U. speech", P, False),
        ("party's bylaws", G, True),
        ("submission to the court", ORG, True),
        ("our enemies", G, True),
        ("environmentalists", G, True),
        ("high school administrators", G, True),
        ("two countries", G, True),
        ("news media", ORG, True),
        ("the agency", ORG, True),
        ("Bill de Blasio", P, True),
        ("de Blasio", P, True),
        ("the former first lady", P, True),
        ("Barack Obama and his wife Michelle", P, True),
        # names before a common noun: the noun says whether it is someone
        ("Brexit and Trump's threats", G, False),
        ("Super PAC donations", G, False),
        ("Obama and Clinton's gut", G, False),
        ("Trump avoids", G, False),
        ("none of his arguments", G, False),
        ("Clinton supporters", G, True),
        ("E.U. leaders", G, True),
        ("Companies and individuals", G, True),
        ("Many people involved in the negotiations", G, True),
        ("Obama's former campaign strategist", ORG, True),
        ("Washington Post database", ORG, True),
        ("New York Times and the Gannett newspaper chain", ORG, True),
    ],
)
def test_fits_a_speaker(name: str | None, kind: SpeakerKind, fits: bool) -> None:
    assert fits_a_speaker(name, kind) is fits


RAW = 'Ana Lopez said the bridge will close. "It will reopen in 2027," she said.\n'


def claim(
    text: str, *, kind: ClaimKind = ClaimKind.INDIRECT, speaker: str | None = "Ana Lopez"
) -> ExtractedClaim:
    start = RAW.find(text) if text in RAW else 0
    return ExtractedClaim(
        text=text,
        kind=kind,
        content=Span(start, start + len(text), text),
        cue=Span(10, 14, "said"),
        speaker_mention=Span(0, 9, "Ana Lopez") if speaker else None,
        speaker=speaker,
        speaker_kind=P if speaker else U,
    )


def test_keep_drops_what_scores_below_the_threshold_and_never_the_articles_own() -> None:
    # a model that only trusts statements with a speaker
    model = StatementConfidence(weights={"no_speaker": -10.0}, bias=2.0, threshold=0.5)
    named = claim("the bridge will close")
    nameless = claim("the bridge will close", speaker=None)
    own = claim("the bridge will close", kind=ClaimKind.UNATTRIBUTED, speaker=None)
    assert model.keep([named, nameless, own], RAW) == [named, own]


def test_keep_drops_a_speaker_that_is_no_speaker_whatever_the_score() -> None:
    model = StatementConfidence(weights={}, bias=10.0, threshold=0.5)
    timed = ExtractedClaim(
        text="the bridge will close",
        kind=ClaimKind.INDIRECT,
        content=Span(15, 36, RAW[15:36]),
        speaker="Monday night",
        speaker_kind=U,
    )
    assert model.keep([timed], RAW) == []


def test_the_shipped_model_scores_every_feature_it_was_fitted_on(tmp_path: Path) -> None:
    data = json.loads(CONFIDENCE_PATH.read_text(encoding="utf-8"))
    features = statement_features(claim("the bridge will close"), RAW)
    assert set(data["weights"]) == set(features)
    assert 0.0 < data["threshold"] < 1.0
    model = StatementConfidence.load()
    assert 0.0 <= model.score(claim("the bridge will close"), RAW) <= 1.0
    # a quote with its speaker is surer than the same words with nobody named
    quoted = claim("It will reopen in 2027", kind=ClaimKind.DIRECT)
    assert model.score(quoted, RAW) > model.score(claim("It will reopen in 2027", speaker=None), RAW)


@pytest.mark.parametrize("asked", [None, 0.6, 0.9])
def test_the_setting_replaces_the_shipped_threshold(asked: float | None) -> None:
    from bot.inference.extractor import load_statement_confidence
    from bot.settings import Settings

    shipped = StatementConfidence.load()
    loaded = load_statement_confidence(Settings(statement_confidence=asked))
    assert loaded is not None
    assert loaded.threshold == (shipped.threshold if asked is None else asked)
    assert loaded.weights == shipped.weights


def _placed(raw: str, content: str) -> dict[str, float]:
    start = raw.index(content)
    found = ExtractedClaim(
        text=content, kind=ClaimKind.INDIRECT, content=Span(start, start + len(content), content)
    )
    features = statement_features(found, raw)
    names = ("starts_a_sentence", "ends_a_sentence", "ends_at_a_comma", "cut_before_a_connective")
    return {name: features[name] for name in names}


@pytest.mark.parametrize(
    ("raw", "content", "expected"),
    [
        # a whole sentence, quoted or not
        ('"The bridge will close," she said.', "The bridge will close", (1, 0, 1, 0)),
        ("She said the bridge will close.\n", "the bridge will close", (0, 1, 0, 0)),
        # cut before a clause that goes on: likely a piece of a longer statement
        ("He said the plan works, which critics doubt.", "the plan works", (0, 0, 1, 1)),
        ("He said the plan works but costs more.", "the plan works", (0, 0, 0, 1)),
        ("He said the plan works; and it is cheap.", "the plan works", (0, 0, 1, 1)),
        # a statement at the very end of the text ends there
        ("Polls show the race is close", "the race is close", (0, 1, 0, 0)),
    ],
)  # fmt: skip
def test_where_a_content_stands_in_its_sentence(
    raw: str, content: str, expected: tuple[int, int, int, int]
) -> None:
    assert tuple(_placed(raw, content).values()) == expected
