"""Check-worthiness: the shipped model's behaviour, its features, saving/loading, the trainer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.nlp.checkworthy import (
    DEFAULT_MODEL_DIR,
    SHAPE_FEATURES,
    CheckworthinessModel,
    featurize,
    featurize_many,
    shape_features,
)
from scripts.train_checkworthy import fit, prf


@pytest.fixture(scope="module")
def shipped() -> CheckworthinessModel:
    return CheckworthinessModel.load()


CHECK_WORTHY = [
    "Russia has massed about 100,000 troops near the border with Ukraine.",
    "Unemployment fell to 4.2% in March, the lowest level since 2008.",
    "The government spent $3 billion on the programme last year.",
    "Crime in London rose by 12 per cent last year.",
    "The bill was passed by the Senate in 2019 with 62 votes.",
    "Inflation has doubled since the last election.",
]

NOT_CHECK_WORTHY = [
    "Thank you very much.",
    "What do you think about that?",
    "I love this country and its people.",
    "Good evening, everyone.",
    "Read more about this story on our website.",
    "He smiled and walked away.",
    "Let me be clear about that.",
]


def test_shipped_model_loads_with_its_measurements(shipped: CheckworthinessModel) -> None:
    assert 0.0 < shipped.threshold < 1.0
    assert shipped.buckets == shipped.metadata["buckets"]
    test_figures = shipped.metadata["test"]
    assert isinstance(test_figures, dict)
    # the shipped model must beat the "has a number" rule it is reported against
    assert test_figures["model"]["f1"] > test_figures["baseline_has_number"]["f1"]
    size = sum(path.stat().st_size for path in DEFAULT_MODEL_DIR.iterdir())
    assert size < 2 * 1024 * 1024


@pytest.mark.parametrize("sentence", CHECK_WORTHY)
def test_factual_claims_are_check_worthy(shipped: CheckworthinessModel, sentence: str) -> None:
    assert shipped.score([sentence])[0] >= shipped.threshold


@pytest.mark.parametrize("sentence", NOT_CHECK_WORTHY)
def test_pleasantries_and_opinions_are_not(shipped: CheckworthinessModel, sentence: str) -> None:
    assert shipped.score([sentence])[0] < shipped.threshold


@pytest.mark.parametrize(
    ("factual", "vague"),
    [
        ("Unemployment rose to 9% in 2010.", "Unemployment is a terrible thing for families."),
        ("The army has 70,000 soldiers.", "The army has brave soldiers."),
        ("Taxes went up by $2,000 per family.", "Do you want your taxes to go up?"),
    ],
)
def test_a_factual_version_scores_higher_than_a_vague_one(
    shipped: CheckworthinessModel, factual: str, vague: str
) -> None:
    factual_score, vague_score = shipped.score([factual, vague])
    assert factual_score > vague_score


def test_batch_scores_equal_single_scores(shipped: CheckworthinessModel) -> None:
    sentences = CHECK_WORTHY + NOT_CHECK_WORTHY + [""]
    batch = shipped.score(sentences)
    assert batch == pytest.approx([shipped.score([sentence])[0] for sentence in sentences])
    assert all(0.0 <= probability <= 1.0 for probability in batch)
    assert shipped.is_checkworthy(sentences) == [p >= shipped.threshold for p in batch]
    assert shipped.score([]) == []


@pytest.mark.parametrize(
    ("text", "expected_on"),
    [
        ("The army has 70,000 troops.", {"has_number", "short_under_6_tokens"}),  # "The" opens it
        ("The army told Reuters it has 70,000 troops.", {"has_number", "has_capitalised_word"}),
        (
            "Prices rose 5% in 2021.",
            {"has_number", "has_percent", "has_year", "has_comparative", "short_under_6_tokens"},
        ),
        ("It cost $3 billion, he said.", {"has_number", "has_money", "has_magnitude"}),
        (
            "Two thirds of voters said we are wrong!",
            {"has_number_word", "has_first_person", "has_exclamation"},
        ),
        ("Do you agree?", {"has_second_person", "is_question", "short_under_6_tokens"}),
        ("The US said so.", {"has_capitalised_word", "short_under_6_tokens"}),  # "US" is not "us"
    ],
)
def test_shape_features(text: str, expected_on: set[str]) -> None:
    values = dict(zip(SHAPE_FEATURES, shape_features(text), strict=True))
    flags_on = {
        name for name, value in values.items() if name.startswith(("has_", "is_", "short_")) and value
    }
    assert flags_on == expected_on


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("The army has 70,000 troops.", "The army has 100,000 troops.", True),  # the value never matters
        ("The ARMY has 5% more.", "the army has 7% more.", True),
        ("The army has troops.", "The navy has troops.", False),
    ],
)
def test_featurize_abstracts_numbers_and_case(a: str, b: str, same: bool) -> None:
    assert (featurize(a, 1 << 18) == featurize(b, 1 << 18)) is same


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    model = CheckworthinessModel(
        hashed_weights=rng.normal(size=1024).astype(np.float32),
        shape_weights=rng.normal(size=len(SHAPE_FEATURES)).astype(np.float32),
        bias=-0.5,
        threshold=0.42,
        metadata={"note": "random"},
    )
    model.save(tmp_path)
    loaded = CheckworthinessModel.load(tmp_path)
    assert loaded.threshold == 0.42
    assert loaded.metadata["note"] == "random"
    sentences = CHECK_WORTHY + NOT_CHECK_WORTHY
    assert loaded.score(sentences) == pytest.approx(model.score(sentences), abs=2e-3)


def test_load_refuses_weights_from_other_features(tmp_path: Path) -> None:
    CheckworthinessModel(
        hashed_weights=np.zeros(16, dtype=np.float32),
        shape_weights=np.zeros(len(SHAPE_FEATURES), dtype=np.float32),
        bias=0.0,
        threshold=0.5,
    ).save(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    meta["feature_version"] = -1
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="feature version"):
        CheckworthinessModel.load(tmp_path)


def test_trainer_learns_a_separable_toy_set() -> None:
    positives = [
        f"The army has {n} troops at the border in {year}."
        for n, year in zip(range(10, 30), range(1990, 2010), strict=True)
    ]
    negatives = [f"Thank you all, {name}, it is good to be here." for name in "abcdefghijklmnopqrst"]
    texts = positives + negatives
    labels = np.array([1.0] * len(positives) + [0.0] * len(negatives))
    hashed, shape, bias = fit(featurize_many(texts, 1 << 18), labels, l2=1e-4)
    model = CheckworthinessModel(hashed_weights=hashed, shape_weights=shape, bias=bias, threshold=0.5)
    predicted = np.array(
        model.is_checkworthy(["The navy has 12 ships at the port in 2001.", "Thank you, Bob."])
    )
    assert predicted.tolist() == [True, False]
    assert prf(np.array(model.is_checkworthy(texts)), labels).f1 == 1.0
