"""bot.nlp.pipeline: loading by name, clear errors, caching, label-scheme and entity-label detection.

Uses small blank pipelines written to tmp_path, never the shipped model (that is the integration test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from bot.errors import ClaimbotError
from bot.nlp import pipeline as pipeline_module
from bot.nlp.pipeline import (
    MAX_TEXT_LENGTH,
    PipelineNotFound,
    PipelineUnsuitable,
    clear_pipeline_cache,
    entity_label_map,
    load_pipeline,
    pipeline_label_scheme,
    resolve_pipeline_location,
)

UD_LABELS = ["ROOT", "nsubj", "nsubj:pass", "obj", "obl", "ccomp", "flat", "aux:pass", "punct"]
CLEAR_LABELS = ["ROOT", "nsubj", "nsubjpass", "dobj", "pobj", "prep", "ccomp", "auxpass", "punct"]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    clear_pipeline_cache()
    yield
    clear_pipeline_cache()


def blank_pipeline(parser_labels: list[str] | None, ner_labels: tuple[str, ...] = ()) -> Language:
    """An untrained pipeline whose parser / NER know ``*_labels`` (no initialize(): labels suffice)."""
    nlp = spacy.blank("en")
    if parser_labels is not None:
        parser = nlp.add_pipe("parser")
        for label in parser_labels:
            parser.add_label(label)
    if ner_labels:
        ner = nlp.add_pipe("ner")
        for label in ner_labels:
            ner.add_label(label)
    return nlp


@pytest.fixture(scope="module")
def saved_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Pipelines on disk, written once: two UD-parser pipelines and one without a parser."""
    root = tmp_path_factory.mktemp("pipelines")
    dirs = {}
    for name, labels in (("ud", UD_LABELS), ("ud_copy", UD_LABELS), ("no_parser", None)):
        nlp = blank_pipeline(labels)
        nlp.initialize()
        nlp.to_disk(root / name)
        dirs[name] = root / name
    return dirs


def test_unknown_name_raises_error_naming_the_setting() -> None:
    with pytest.raises(PipelineNotFound, match="CLAIMBOT_SPACY_MODEL") as caught:
        load_pipeline("en_no_such_pipeline_xyz")
    assert "en_no_such_pipeline_xyz" in caught.value.reason
    assert isinstance(caught.value, ClaimbotError)


def test_missing_directory_path_raises_pipeline_not_found(tmp_path: Path) -> None:
    with pytest.raises(PipelineNotFound, match="CLAIMBOT_SPACY_MODEL"):
        load_pipeline(str(tmp_path / "nowhere"))


def test_missing_shipped_pipeline_says_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "SHIPPED_PIPELINE_DIR", tmp_path / "claimbot_en")
    with pytest.raises(PipelineNotFound, match="make model"):
        load_pipeline()


@pytest.mark.parametrize("name", [None, "claimbot_en"])
def test_default_names_resolve_to_the_shipped_directory(name: str | None) -> None:
    location = resolve_pipeline_location(name)
    assert isinstance(location, Path)
    assert location.parts[-2:] == ("models", "claimbot_en")
    assert (location.parent.parent / "bot" / "nlp" / "pipeline.py").exists()


def test_other_names_go_to_spacy_load_unchanged() -> None:
    assert resolve_pipeline_location("en_core_web_trf") == "en_core_web_trf"


def test_pipeline_without_parser_is_refused(saved_dirs: dict[str, Path]) -> None:
    with pytest.raises(PipelineUnsuitable, match="no dependency parser"):
        load_pipeline(str(saved_dirs["no_parser"]))


def test_loaded_pipeline_is_cached_per_name(saved_dirs: dict[str, Path]) -> None:
    first = load_pipeline(str(saved_dirs["ud"]))
    assert load_pipeline(str(saved_dirs["ud"])) is first
    assert load_pipeline(str(saved_dirs["ud_copy"])) is not first
    clear_pipeline_cache()
    assert load_pipeline(str(saved_dirs["ud"])) is not first


def test_loaded_pipeline_is_ready_for_long_texts_with_ud_labels(saved_dirs: dict[str, Path]) -> None:
    nlp = load_pipeline(str(saved_dirs["ud"]))
    assert nlp.max_length >= MAX_TEXT_LENGTH >= 1_000_000
    assert pipeline_label_scheme(nlp) == "ud"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (UD_LABELS, "ud"),
        (CLEAR_LABELS, "clear"),
        (["ROOT", "nsubj", "obj", "iobj", "dobj"], "ud"),  # a stray label does not flip the verdict
        (["ROOT", "nsubj", "dobj", "pobj", "obj"], "clear"),
    ],
)
def test_label_scheme_detection(labels: list[str], expected: str) -> None:
    assert pipeline_label_scheme(blank_pipeline(labels)) == expected


@pytest.mark.parametrize(
    ("ner_labels", "expected"),
    [
        (["PER", "ORG", "LOC"], {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}),
        (
            ["PERSON", "ORG", "GPE", "NORP", "FAC", "DATE", "MONEY", "CARDINAL"],
            {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "NORP": "ORG", "FAC": "LOC"},
        ),
        ([], {}),
    ],
)
def test_entity_label_map(ner_labels: list[str], expected: dict[str, str]) -> None:
    assert entity_label_map(blank_pipeline(UD_LABELS, tuple(ner_labels))) == expected


def test_only_the_shipped_pipeline_gets_the_person_name_pass(tmp_path: Path) -> None:
    from bot.nlp.person_names import COMPONENT_NAME

    for name, expected in (("claimbot_en", True), ("someone_elses", False)):
        nlp = blank_pipeline(UD_LABELS, ner_labels=("PER", "ORG", "LOC"))
        nlp.initialize()
        nlp.meta["name"] = name
        nlp.to_disk(tmp_path / name)
        loaded = load_pipeline(str(tmp_path / name))
        assert (COMPONENT_NAME in loaded.pipe_names) is expected
        assert loaded.pipe_names[-1] == (COMPONENT_NAME if expected else "ner")
