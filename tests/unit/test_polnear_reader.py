"""The PolNeAR brat reader, on a tiny fixture written here (never the shared data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlp.polnear import find_compartment, parse_ann, read_compartment

TEXT = 'The mayor said the bridge is safe. "It will open in May," she added, "and stay open."\n'
ANN = (
    "T1\tSource 0 9\tThe mayor\n"
    "T2\tCue 10 14\tsaid\n"
    "T3\tContent 15 33\tthe bridge is safe\n"
    "T4\tAttribution 10 14\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    'T5\tContent 35 56;68 84\t"It will open in May," "and stay open."\n'
    "T6\tSource 57 60\tshe\n"
    "T7\tCue 61 66\tadded\n"
    "T8\tAttribution 61 66\tadded\n"
    "E2\tAttribution:T8 Cue:T7 Source:T6 Content:T5\n"
    "T9\tContent 0 3\tThe\n"
    "T10\tCue 4 9\tmayor\n"
    "T11\tAttribution-no-source 4 9\tmayor\n"
    "E3\tAttribution-no-source:T11 Content:T9 Cue:T10\n"
    "#1\tAnnotatorNotes T1\ta note\n"
    "a stray pasted line of article text\n"
)


def test_parse_ann_reads_events_roles_and_discontinuous_spans() -> None:
    attributions = parse_ann(ANN)
    assert len(attributions) == 3
    first, second, third = attributions
    assert (first.source, first.cue, first.content) == (((0, 9),), ((10, 14),), ((15, 33),))
    assert TEXT[first.content[0][0] : first.content[0][1]] == "the bridge is safe"
    assert second.content == ((35, 56), (68, 84))
    assert (second.content_start, second.content_end) == (35, 84)
    assert second.source == ((57, 60),)
    assert third.source == ()


@pytest.mark.parametrize(
    ("ann", "expected"),
    [
        ("", 0),
        ("T1\tContent 0 3\tThe\n", 0),  # a span that no event uses is not an attribution
        ("T1\tCue 0 3\tThe\nT2\tAttribution 0 3\tThe\nE1\tAttribution:T2 Cue:T1\n", 0),  # no content
        ("T1\tContent 0 3\tThe\nE1\tDiscard:T1\n", 0),
    ],
)
def test_parse_ann_skips_incomplete_events(ann: str, expected: int) -> None:
    assert len(parse_ann(ann)) == expected


def _write_compartment(root: Path) -> Path:
    compartment = root / "polnear" / "dev"
    (compartment / "text").mkdir(parents=True)
    (compartment / "attributions").mkdir()
    (compartment / "text" / "paper_2016-01-01_bridge.txt").write_text(TEXT, encoding="utf-8")
    (compartment / "attributions" / "paper_2016-01-01_bridge_ab12.ann").write_text(ANN, encoding="utf-8")
    (compartment / "attributions" / "paper_2016-01-01_bridge_cd34.ann").write_text(ANN, encoding="utf-8")
    (compartment / "attributions" / "orphan_ef56.ann").write_text(ANN, encoding="utf-8")
    return compartment


def test_read_compartment_pairs_text_and_annotations_once_per_article(tmp_path: Path) -> None:
    compartment = _write_compartment(tmp_path)
    articles = list(read_compartment(compartment))
    assert [(a.name, a.annotator) for a in articles] == [("paper_2016-01-01_bridge", "ab12")]
    assert articles[0].text == TEXT
    assert len(articles[0].attributions) == 3
    everyone = list(read_compartment(compartment, all_annotators=True))
    assert [a.annotator for a in everyone] == ["ab12", "cd34"]


@pytest.mark.parametrize("relative", ["", "polnear", "polnear/dev"])
def test_find_compartment_accepts_data_root_corpus_root_or_compartment(tmp_path: Path, relative: str) -> None:
    compartment = _write_compartment(tmp_path)
    assert find_compartment(tmp_path / relative if relative else tmp_path, "dev") == compartment


def test_find_compartment_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="dev"):
        find_compartment(tmp_path, "dev")
