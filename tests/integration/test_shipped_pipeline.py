"""The pipeline committed in models/claimbot_en loads offline from the repository and parses English.

Loaded once per session through the ``shipped_nlp`` fixture (tests/conftest.py).
"""

from __future__ import annotations

import json

import pytest
from spacy.language import Language

from bot.nlp.pipeline import (
    SHIPPED_PIPELINE_DIR,
    entity_label_map,
    load_pipeline,
    pipeline_label_scheme,
)

pytestmark = pytest.mark.slow

SENTENCE = (
    "The mayor of Sydney, Clover Moore, said on Monday that the bridge would reopen next week. "
    "Engineers were blamed for the delay."
)


@pytest.fixture(scope="module")
def parsed(shipped_nlp: Language):  # type: ignore[no-untyped-def]
    return shipped_nlp(SENTENCE)


def test_shipped_pipeline_is_claimbot_en_with_ud_labels(shipped_nlp: Language) -> None:
    assert shipped_nlp.meta["name"] == "claimbot_en"
    assert shipped_nlp.meta["license"] == "CC BY-SA 4.0"
    assert {"parser", "ner", "tagger", "morphologizer", "trainable_lemmatizer"} <= set(shipped_nlp.pipe_names)
    assert pipeline_label_scheme(shipped_nlp) == "ud"
    assert entity_label_map(shipped_nlp) == {"LOC": "LOC", "ORG": "ORG", "PER": "PER"}
    assert load_pipeline() is shipped_nlp  # None and "claimbot_en" share one cached pipeline


def test_shipped_pipeline_meta_records_its_accuracy() -> None:
    meta = json.loads((SHIPPED_PIPELINE_DIR / "meta.json").read_text(encoding="utf-8"))
    dev = meta["claimbot"]["accuracy"]["ewt_dev"]
    assert dev["dep_las"] > 70
    assert dev["tag_acc"] > 90


def test_every_token_has_head_dep_and_lemma(parsed) -> None:  # type: ignore[no-untyped-def]
    assert len(parsed) > 15
    for token in parsed:
        assert token.dep_, token.text
        assert token.lemma_, token.text
        assert token.head.i == token.i or token.head.sent == token.sent
    assert [t.text for t in parsed if t.dep_ == "ROOT"] == ["said", "blamed"]


def test_sentence_boundaries(parsed) -> None:  # type: ignore[no-untyped-def]
    sentences = [sent.text for sent in parsed.sents]
    assert sentences == [
        "The mayor of Sydney, Clover Moore, said on Monday that the bridge would reopen next week.",
        "Engineers were blamed for the delay.",
    ]


@pytest.mark.parametrize(
    ("word", "dep", "head", "lemma"),
    [
        ("mayor", "nsubj", "said", "mayor"),
        ("said", "ROOT", "said", "say"),
        ("reopen", "ccomp", "said", "reopen"),
        ("bridge", "nsubj", "reopen", "bridge"),
        pytest.param(
            "Engineers",
            "nsubj:pass",
            "blamed",
            "engineer",
            # known weakness: the edit-tree lemmatizer keeps sentence-initial capitals ("Engineer")
            marks=pytest.mark.xfail(strict=True, reason="capitalised lemma of sentence-initial noun"),
        ),
        ("were", "aux:pass", "blamed", "be"),
    ],
)
def test_ud_dependencies_and_lemmas(parsed, word: str, dep: str, head: str, lemma: str) -> None:  # type: ignore[no-untyped-def]
    token = next(t for t in parsed if t.text == word)
    assert (token.dep_, token.head.text, token.lemma_) == (dep, head, lemma)


def test_entity_spans(parsed) -> None:  # type: ignore[no-untyped-def]
    entities = {(ent.text, ent.label_) for ent in parsed.ents}
    assert ("Sydney", "LOC") in entities
    assert "Clover Moore" in {ent.text for ent in parsed.ents}


# The recognizer alone labels many unseen people LOC (UNER dev PER F 57.4); the person-name pass
# after it (bot.nlp.person_names) relabels a name that opens with a sure first name (PER F 61.6).
def test_person_entity_label(parsed) -> None:  # type: ignore[no-untyped-def]
    assert ("Clover Moore", "PER") in {(ent.text, ent.label_) for ent in parsed.ents}


def test_half_precision_weights_on_disk_are_widened_on_load(shipped_nlp: Language) -> None:
    import srsly

    from bot.nlp.pipeline import SHIPPED_PIPELINE_DIR, widen_half_precision

    stored = srsly.msgpack_loads((SHIPPED_PIPELINE_DIR / "tok2vec" / "model").read_bytes())
    assert {str(array.dtype) for params in stored["params"] for array in params.values()} == {"float16"}
    dtypes = {
        str(node.get_param(name).dtype)
        for _, pipe in shipped_nlp.pipeline
        if hasattr(getattr(pipe, "model", None), "walk")
        for node in pipe.model.walk()
        for name in node.param_names
        if node.has_param(name)
    }
    assert dtypes == {"float32"}
    assert widen_half_precision(shipped_nlp) == 0  # already widened: nothing left to do
