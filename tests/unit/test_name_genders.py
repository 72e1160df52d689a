"""The first-name table and what names and honorifics say of the pronoun for a person."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest

from bot.nlp.name_genders import (
    PronounGender,
    first_name_genders,
    first_name_leanings,
    gender_of_first_name,
    gender_of_words,
    leaning_of_first_name,
)
from scripts.build_name_genders import SOURCE_MEMBER, decisive_names, main, write_table

F, M = PronounGender.FEMALE, PronounGender.MALE


@pytest.mark.parametrize(
    ("words", "gender"),
    [
        (["Mrs.", "Clinton"], F),
        (["Ms", "Lynch"], F),
        (["the", "spokeswoman"], F),
        (["Mr.", "King"], M),
        (["congressman"], M),
        (["Sen.", "Warren"], None),  # a title, not a gender
        (["Mr.", "and", "Mrs.", "Smith"], None),  # both: nothing
        ([], None),
    ],
)
def test_honorifics_and_roles(words: list[str], gender: PronounGender | None) -> None:
    assert gender_of_words(words) is gender


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("Loretta E. Lynch", F),
        ("Donald Trump", M),
        ("Rival Hillary Clinton", F),  # the first word the table knows
        ("Chris Christie", None),  # given to both often enough to decide nothing
        ("Clinton", None),  # a surname alone, though also a first name
        ("Rakeyia Scott", None),  # a name the table does not hold
        ("Will Clinton", None),  # a sentence's first word, not a first name
        ("May Trump", None),
    ],
)
def test_first_names_of_the_shipped_table(name: str, gender: PronounGender | None) -> None:
    assert gender_of_first_name(name.split()) is gender


def test_shipped_table_is_large_and_small() -> None:
    table = first_name_genders()
    assert len(table) > 50_000
    assert table["mary"] is F
    assert table["john"] is M
    assert "jordan" not in table


@pytest.mark.parametrize("content", [b"", b"not gzip at all", b"\x1f\x8b\x08\x00broken"])
def test_unreadable_table_means_no_hint_not_a_crash(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "names.tsv.gz"
    path.write_bytes(content)
    assert first_name_genders(path) == {}


def test_missing_table_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert first_name_genders(tmp_path / "missing.tsv.gz") == {}
    assert "unreadable" in caplog.text


NAME_DATA = {
    "mary": [30, 100_000, 0.995, 3],
    "john": [30, 100_000, 0.004, 3],
    "jordan": [30, 100_000, 0.108, 3],  # too unsure
    "zyx": [1, 3, 1.0, 3],  # too rare
    "&amp;me": [1, 500, 0.0, 3],  # not a name
    "broken": [1, "many", 0.0, 3],
}


def test_decisive_names_keep_only_sure_common_names() -> None:
    assert decisive_names(NAME_DATA, min_count=50, max_uncertainty=0.1) == {"mary": "F", "john": "M"}
    assert "jordan" in decisive_names(NAME_DATA, min_count=50, max_uncertainty=0.15)


def test_leaning_names_are_kept_apart_from_sure_ones(tmp_path: Path) -> None:
    table = decisive_names(NAME_DATA, min_count=50, max_uncertainty=0.1, max_leaning_uncertainty=0.2)
    assert table == {"mary": "F", "john": "M", "jordan": "m"}
    path = tmp_path / "names.tsv.gz"
    write_table(table, path, source="test")
    assert first_name_genders(path) == {"mary": F, "john": M}
    assert first_name_leanings(path) == {"jordan": M}


@pytest.mark.parametrize(
    ("name", "leaning"),
    [("Bernie Sanders", M), ("Chris Christie", M), ("Donald Trump", None), ("Sanders", None)],
)
def test_leanings_of_the_shipped_table(name: str, leaning: PronounGender | None) -> None:
    # a sure name has no leaning: the resolver asks for one only when nothing is sure
    assert leaning_of_first_name(name.split()) is leaning


def test_written_table_reads_back_and_is_reproducible(tmp_path: Path) -> None:
    table = {"mary": "F", "john": "M"}
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    write_table(table, first, source="test")
    write_table(table, second, source="test")
    assert first.read_bytes() == second.read_bytes()
    assert first_name_genders(first) == {"mary": F, "john": M}


def test_recipe_reads_the_wheel(tmp_path: Path) -> None:
    wheel = tmp_path / "nomquamgender-0.1.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(SOURCE_MEMBER, json.dumps(NAME_DATA))
    out = tmp_path / "names.tsv.gz"
    assert main(["--wheel", str(wheel), "--out", str(out)]) == 0
    assert first_name_genders(out) == {"mary": F, "john": M}
    assert main(["--wheel", str(tmp_path / "missing.whl"), "--out", str(out)]) == 2
