"""The real all-MiniLM-L6-v2 from the installed package, offline."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from bot.matching import MiniLMEncoder, compare_statements, load_encoder
from bot.models import Verdict
from bot.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def encoder(monkeypatch_module: pytest.MonkeyPatch) -> MiniLMEncoder:
    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch_module.setenv("TRANSFORMERS_OFFLINE", "1")
    return load_encoder(Settings(), num_threads=1)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_vectors_are_normalised_float32(encoder: MiniLMEncoder) -> None:
    vectors = encoder.encode(["Ukraine is not part of NATO", "", "A third sentence."])
    assert vectors.shape == (3, 384) == (3, encoder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_reworded_pair_scores_above_unrelated(encoder: MiniLMEncoder) -> None:
    a, reworded, unrelated = encoder.encode(
        [
            "Ukraine is not part of NATO",
            "Ukraine doesn't belong to NATO",
            "The bakery sells fresh bread daily",
        ]
    )
    assert float(a @ reworded) > 0.8
    assert float(a @ reworded) > float(a @ unrelated) + 0.5


def test_deterministic_and_cached(encoder: MiniLMEncoder) -> None:
    texts = ["Russia has massed 100,000 troops", "Inflation fell to 2%"]
    first = encoder.encode(texts)
    fresh = MiniLMEncoder(encoder.model_path, num_threads=1, cache_size=0).encode(list(reversed(texts)))
    np.testing.assert_allclose(first, fresh[::-1], atol=1e-5)


def test_verdicts_with_the_real_model(encoder: MiniLMEncoder) -> None:
    assert (
        compare_statements(
            "Ukraine is not part of NATO", "Ukraine doesn't belong to NATO", encoder=encoder
        ).verdict
        == Verdict.REPEAT
    )
    changed = compare_statements(
        "Russia has about 70,000 troops at the border",
        "Russia has about 100,000 troops at the border",
        encoder=encoder,
    )
    assert changed.verdict == Verdict.CHANGED
    assert (
        compare_statements(
            "Russia has troops at the border", "The bakery sells fresh bread daily", encoder=encoder
        ).verdict
        == Verdict.DIFFERENT
    )


def test_unknown_model_path_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"no config\.json"):
        load_encoder(Settings(embedding_model="/nonexistent/model"))
