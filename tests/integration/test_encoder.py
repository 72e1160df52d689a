"""The real all-MiniLM-L6-v2 from the installed package, offline."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from spacy.language import Language

from bot.inference.encoder import MiniLMEncoder, load_encoder
from bot.inference.model_files import Precision
from bot.matching import compare_statements
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
    fresh = MiniLMEncoder(
        encoder.model_path, precision=encoder.precision, num_threads=1, cache_size=0
    ).encode(list(reversed(texts)))
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


SENTENCES = [
    "Russia has massed about 100,000 troops near the border with Ukraine.",
    "The minister said the bridge would stay open during the repairs.",
    "Inflation fell to 2% in October, the statistics office said.",
    "Ukraine is not part of NATO.",
    "The council denied any wrongdoing.",
    "Officials expect the works to cost £61m, up from £48m.",
]


@pytest.fixture(scope="module")
def float32_vectors() -> np.ndarray:
    return MiniLMEncoder(precision=Precision.FLOAT32, num_threads=1, cache_size=0).encode(SENTENCES)


def test_bfloat16_vectors_match_float32(float32_vectors: np.ndarray) -> None:
    bf16 = MiniLMEncoder(precision=Precision.BFLOAT16, num_threads=1, cache_size=0)
    vectors = bf16.encode(SENTENCES)
    # without native bfloat16 the encoder says so and runs float32 (identical vectors)
    assert bf16.precision in (Precision.BFLOAT16, Precision.FLOAT32)
    cosines = (vectors * float32_vectors).sum(axis=1)
    assert cosines.min() > 0.999


def test_int8_is_exported_once_and_stays_close(
    tmp_path: Path,
    float32_vectors: np.ndarray,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    int8 = MiniLMEncoder(precision=Precision.INT8, num_threads=1, cache_size=0, model_cache_dir=tmp_path)
    vectors = int8.encode(SENTENCES)
    files = list(tmp_path.glob("minilm-int8-*.onnx"))
    assert len(files) == 1
    assert not list(tmp_path.glob(".export-*"))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * float32_vectors).sum(axis=1)
    assert cosines.min() > 0.97
    assert cosines.mean() > 0.985
    # unrelated statements stay far apart
    assert float(vectors[3] @ vectors[1]) < 0.3
    stamp = files[0].stat().st_mtime_ns
    # a CPU without VNNI gets a note naming the setting (the vectors are still made): a warning
    # when the int8 file is made, with -v (INFO) after that, so stderr stays one line an error
    monkeypatch.setattr("bot.inference.encoder.cpu_has_vnni", lambda: False)
    again = MiniLMEncoder(precision=Precision.INT8, cache_size=0, model_cache_dir=tmp_path)
    with caplog.at_level(logging.INFO, logger="bot.inference.encoder"):
        np.testing.assert_allclose(again.encode(SENTENCES), vectors, atol=1e-5)
    assert "CLAIMBOT_EMBEDDING_PRECISION" in caplog.text
    assert files[0].stat().st_mtime_ns == stamp  # reused, not exported again


@pytest.mark.parametrize("threads", [1, 2])
def test_an_int8_vector_does_not_depend_on_the_texts_encoded_with_it(tmp_path: Path, threads: int) -> None:
    # ONNX Runtime quantises a batch's activations with one range: in a batch, a sentence's vector
    # moved with its neighbours (cosine 0.98), and so did its verdicts
    int8 = MiniLMEncoder(
        precision=Precision.INT8, num_threads=threads, cache_size=0, model_cache_dir=tmp_path
    )
    alone = np.stack([int8.encode([sentence])[0] for sentence in SENTENCES])
    together = int8.encode([*SENTENCES, "A much longer sentence " * 20, "Short."])[: len(SENTENCES)]
    reversed_order = int8.encode(SENTENCES[::-1])[::-1]
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(reversed_order, alone)


def test_precision_setting_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMBOT_EMBEDDING_PRECISION", "int4")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("CLAIMBOT_EMBEDDING_PRECISION", "int8")
    monkeypatch.setenv("CLAIMBOT_MODEL_CACHE_DIR", "~/somewhere")
    settings = Settings()
    assert settings.embedding_precision == "int8"
    assert settings.model_cache_dir == Path.home() / "somewhere"


def test_int8_runtime_loads_after_the_vector_index_library() -> None:
    # The store imports usearch long before the encoder imports onnxruntime; some usearch wheels
    # (2.26.2+) export a static libstdc++ that makes that import crash the whole process.
    done = subprocess.run(
        [sys.executable, "-c", "import usearch.index, onnxruntime; print('ok')"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"process died with {done.returncode}: {done.stderr[-500:]}"
    assert done.stdout.strip() == "ok"


def test_a_denial_read_from_an_article_and_a_later_confirmation_are_a_change(
    encoder: MiniLMEncoder, shipped_nlp: Language
) -> None:
    """The denial is the claim's stance: "any preparations for aggression" denied, then
    "confirmed preparations for aggression" asserted, is a reversal, not a repeat."""
    from bot.matching.stance import with_stances
    from bot.models import Stance
    from bot.nlp.extractor import SpacyClaimExtractor

    extractor = SpacyClaimExtractor(shipped_nlp, checkworthiness=False)
    (denial,) = extractor.extract("The Kremlin denied any preparations for aggression.")
    (confirmation,) = extractor.extract("The Kremlin confirmed preparations for aggression.")
    assert (denial.stance, denial.text) == (Stance.DENIES, "any preparations for aggression")
    assert confirmation.stance is Stance.ASSERTS
    judged = compare_statements(denial.text, confirmation.text, encoder=encoder)
    verdict = with_stances(
        judged, new_text=confirmation.text, old_text=denial.text, new=confirmation.stance, old=denial.stance
    )
    assert verdict.verdict is Verdict.CHANGED
    assert verdict.reasons[0] == "denied before, now says"
