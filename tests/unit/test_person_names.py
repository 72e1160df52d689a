"""Person names the shipped recognizer misses or mislabels, found by their first names."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span

from bot.nlp.person_names import COMPONENT_NAME, person_name_entities


def _doc(words: list[str], pos: list[str], ents: list[tuple[int, int, str]]) -> Doc:
    """A hand-built Doc, so the test sees this module's rule and not the recognizer's mood."""
    doc = Doc(spacy.blank("en").vocab, words=words, pos=pos)
    doc.ents = [Span(doc, start, end, label=label) for start, end, label in ents]
    return doc


def _ents(doc: Doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in person_name_entities(doc)]


@pytest.mark.parametrize(
    ("words", "pos", "ents", "expected"),
    [
        pytest.param(
            ["Hillary", "Clinton", "spoke"],
            ["PROPN", "PROPN", "VERB"],
            [(0, 2, "LOC")],
            [("Hillary Clinton", "PER")],
            id="a-person-labelled-a-place",
        ),
        pytest.param(
            ["Brandon", "Luna", "spoke"],
            ["PROPN", "PROPN", "VERB"],
            [],
            [("Brandon Luna", "PER")],
            id="a-person-the-recognizer-missed",
        ),
        pytest.param(
            ["Senator", "Tom", "Udall", "spoke"],
            ["PROPN", "PROPN", "PROPN", "VERB"],
            [(1, 2, "PER")],
            [("Tom Udall", "PER")],
            id="a-person-cut-after-the-first-name-gets-the-surname",
        ),
        pytest.param(
            ["Tom", "Hall", "opened"],
            ["PROPN", "PROPN", "VERB"],
            [(0, 1, "PER")],
            [("Tom", "PER")],
            id="a-first-name-before-a-place-word-stays-alone",
        ),
        pytest.param(
            ["Jackson", "County", "voted"],
            ["PROPN", "PROPN", "VERB"],
            [(0, 2, "LOC")],
            [("Jackson County", "LOC")],
            id="a-place-named-after-a-person",
        ),
        pytest.param(
            ["Grace", "Church", "opened"],
            ["PROPN", "PROPN", "VERB"],
            [],
            [],
            id="a-body-named-with-a-first-name",
        ),
        pytest.param(
            ["Will", "Smith", "win", "?"],
            ["AUX", "PROPN", "VERB", "PUNCT"],
            [(1, 2, "PER")],
            [("Smith", "PER")],
            id="a-sentence-opening-word-is-no-first-name",
        ),
        pytest.param(
            ["Chris", "Novak", "spoke"],
            ["PROPN", "PROPN", "VERB"],
            [(0, 2, "ORG")],
            [("Chris Novak", "ORG")],
            id="a-first-name-given-to-both-decides-nothing",
        ),
        pytest.param(
            ["West", "Virginia", "voted"],
            ["PROPN", "PROPN", "VERB"],
            [(0, 2, "LOC")],
            [("West Virginia", "LOC")],
            id="a-state-opens-with-a-direction",
        ),
        pytest.param(
            ["Virginia", "Tech", "won"],
            ["PROPN", "PROPN", "VERB"],
            [(0, 2, "ORG")],
            [("Virginia Tech", "ORG")],
            id="a-state's-name-opens-a-body",
        ),
        pytest.param(
            ["Chief", "Justice", "Roberts", "spoke"],
            ["PROPN", "PROPN", "PROPN", "VERB"],
            [],
            [],
            id="a-title-is-no-first-name",
        ),
        pytest.param(
            ["Al", "Qaeda", "claimed"],
            ["PROPN", "PROPN", "VERB"],
            [(0, 2, "ORG")],
            [("Al Qaeda", "ORG")],
            id="a-particle-is-no-first-name",
        ),
        pytest.param(
            ["Florida", "Friday", "rallies"],
            ["PROPN", "PROPN", "NOUN"],
            [(0, 2, "LOC")],
            [("Florida Friday", "LOC")],
            id="a-weekday-is-no-surname",
        ),
        pytest.param(
            ["Hillary", "Clinton", "Speaks"],
            ["PROPN", "PROPN", "VERB"],
            [(0, 3, "LOC")],
            [("Hillary Clinton Speaks", "LOC")],
            id="a-headline-verb-is-no-surname",
        ),
        pytest.param(
            ["the", "mary", "rose"],
            ["DET", "NOUN", "VERB"],
            [],
            [],
            id="lower-case-words-are-no-name",
        ),
    ],
)
def test_person_names(
    words: list[str], pos: list[str], ents: list[tuple[int, int, str]], expected: list[tuple[str, str]]
) -> None:
    assert _ents(_doc(words, pos, ents)) == expected


def test_the_component_runs_in_a_pipeline() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe(COMPONENT_NAME)
    doc = nlp.make_doc("Loretta Lynch spoke")
    for token, pos in zip(doc, ["PROPN", "PROPN", "VERB"], strict=True):
        token.pos_ = pos
    assert [(e.text, e.label_) for e in nlp.get_pipe(COMPONENT_NAME)(doc).ents] == [("Loretta Lynch", "PER")]
