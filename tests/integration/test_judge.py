"""The shipped pair judge (``models/judge``), rebuilt from the packaged MiniLM, offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.inference.encoder import MiniLMEncoder, load_encoder
from bot.inference.judge import JUDGE_WEIGHTS, PairJudge, judge_files, load_judge
from bot.matching import compare_statements
from bot.models import Verdict
from bot.settings import Settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not JUDGE_WEIGHTS.is_file(), reason="models/judge not trained"),
]


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def judge(monkeypatch_module: pytest.MonkeyPatch, cache_dir: Path) -> PairJudge:
    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch_module.setenv("TRANSFORMERS_OFFLINE", "1")
    found = load_judge(Settings(model_cache_dir=cache_dir), num_threads=1)
    assert found is not None
    assert found.precision == "int8"  # ONNX Runtime, int8 matrix products, each pair alone
    return found


@pytest.fixture(scope="module")
def encoder(cache_dir: Path) -> MiniLMEncoder:
    return load_encoder(Settings(embedding_precision="int8", model_cache_dir=cache_dir), num_threads=1)


PAIRS = [
    ("Unemployment fell to 4.2 percent in March.", "The jobless rate dropped to 4.2% in March."),
    ("The bridge would stay open until May.", "The bridge would remain open until May."),
    ("Russia has about 70,000 troops near the border.", "The council approved the new bus lines on Tuesday."),
]


def test_each_committed_weights_file_stays_under_10_mb() -> None:
    files = judge_files(JUDGE_WEIGHTS)
    assert all(file.stat().st_size < 10_000_000 for file in files), files


def test_scores_do_not_depend_on_the_order(judge: PairJudge) -> None:
    forward = judge.score(PAIRS)
    fresh = PairJudge(precision=judge.precision, num_threads=1)
    backward = fresh.score([(b, a) for a, b in PAIRS])  # a new judge: no cached score to reuse
    np.testing.assert_allclose(forward, backward, atol=1e-5)


# Pairs of very different lengths: read together, the short ones are padded to the long one.
MIXED_LENGTHS = [
    *PAIRS,
    ("Taxes rose.", "Taxes fell."),
    (
        "The council said on Tuesday that the new bus lines, planned since 2019, would open in May "
        "after a public consultation that drew 4,000 replies from residents of the eastern districts.",
        "After a consultation that drew 4,000 replies, the bus lines planned since 2019 will open in "
        "May, the council said on Tuesday, first in the eastern districts and then in the west.",
    ),
]


@pytest.mark.parametrize(("precision", "threads"), [("float32", 1), ("int8", 1), ("int8", 3)])
@pytest.mark.parametrize("batch_size", [1, 2, 8])
def test_a_score_does_not_depend_on_the_other_pairs_of_the_batch(
    cache_dir: Path, batch_size: int, precision: str, threads: int
) -> None:
    """``claimbot compare --pairs`` judges hundreds of pairs at once, sorted by length, in small
    batches (float32) or side by side on threads (int8): a pair must get the score it gets alone,
    whatever else (and padding) is read with it."""
    one_by_one = PairJudge(precision=precision, num_threads=1, model_cache_dir=cache_dir)
    alone = np.array([one_by_one.score([pair])[0] for pair in MIXED_LENGTHS])
    together = PairJudge(
        precision=precision, num_threads=threads, model_cache_dir=cache_dir, batch_size=batch_size
    )
    np.testing.assert_allclose(together.score(MIXED_LENGTHS), alone, atol=1e-5)


def test_the_int8_judge_stays_close_to_float32(judge: PairJudge, cache_dir: Path) -> None:
    """Measured on 2,700 STS-B dev and MRPC pairs: median |int8 - float32| 0.013-0.016, 99th
    percentile 0.10, the largest 0.17-0.22, on CPUs with and without VNNI (one of these five
    pairs moves 0.12 on a CPU without it); a broken export or quantisation moves scores far
    more."""
    reference = PairJudge(precision="float32", num_threads=1, model_cache_dir=cache_dir)
    drift = np.abs(judge.score(MIXED_LENGTHS) - reference.score(MIXED_LENGTHS))
    assert float(np.median(drift)) < 0.03, drift
    assert float(np.max(drift)) < 0.25, drift


def test_paraphrases_score_above_unrelated_statements(judge: PairJudge) -> None:
    jobless, bridge, unrelated = judge.score(PAIRS)
    assert min(jobless, bridge) > 0.54 > unrelated


@pytest.mark.parametrize(
    ("a", "b", "verdicts"),
    [
        # a reworded statement the combined similarity misses: the judge promotes it, as both give
        # the same figure (without one its promotions in news were wrong nine times in ten)
        ("Unemployment fell to 4.2 percent in March.", "The jobless rate dropped to 4.2% in March.",
         {Verdict.REPEAT}),
        ("Russia has massed 70,000 troops at the border.",
         "Russia has massed seventy thousand soldiers at the border.", {Verdict.REPEAT}),
        ("The Kremlin denied any preparations for aggression.",
         "The Kremlin again denied that it was preparing any aggression against its neighbour.",
         {Verdict.REPEAT, Verdict.CHANGED}),
        # make demo's pair stays a repeat
        ("The bridge would stay open.", "The bridge would remain open.", {Verdict.REPEAT}),
        # the edit kinds: a number, a negation, an opposite word -> changed
        ("Russia has about 70,000 troops stationed near the border.",
         "Russia has about 100,000 troops stationed near the border.", {Verdict.CHANGED}),
        ("Ofcom has singled out RT for breaching impartiality rules.",
         "Ofcom has not singled out RT for breaching impartiality rules.", {Verdict.CHANGED}),
        ("The senator supports the new pipeline.", "The senator opposes the new pipeline.",
         {Verdict.CHANGED}),
        # the same frame, another proposition: never a repeat. The judge vetoes some; a noun or
        # verb swapped for a word MiniLM reads as far apart is a change (bot.matching.substitution)
        ("The council had delayed the repairs.", "The council had delayed the salaries.",
         {Verdict.CHANGED}),
        ("Smith leaked the memo to reporters.", "Smith wrote the memo.",
         {Verdict.DIFFERENT, Verdict.CHANGED}),
        ("The hospital turned patients away during the strike.",
         "The hospital fired nurses during the strike.", {Verdict.DIFFERENT, Verdict.CHANGED}),
        ("The bank laundered money for the cartel.", "The bank closed the cartel's accounts.",
         {Verdict.DIFFERENT, Verdict.CHANGED}),
        # known misses: two verbs MiniLM puts too close (0.34) for the swap check, and a verb
        # phrase put for another; the judge reads both pairs as one statement
        pytest.param("The council had delayed the repairs.", "The council had funded the repairs.",
                     {Verdict.DIFFERENT, Verdict.CHANGED},
                     marks=pytest.mark.xfail(strict=True, reason="read as a repeat")),
        pytest.param("The governor knew about the contract.", "The governor signed the contract.",
                     {Verdict.DIFFERENT, Verdict.CHANGED},
                     marks=pytest.mark.xfail(strict=True, reason="read as a repeat")),
        # another statement of the same article -> different
        ("The mayor said the bridge will reopen in May.",
         "Residents complained about the noise of the construction work at night.", {Verdict.DIFFERENT}),
    ],
)  # fmt: skip
def test_verdicts_with_the_judge(
    judge: PairJudge, encoder: MiniLMEncoder, a: str, b: str, verdicts: set[Verdict]
) -> None:
    for first, second in ((a, b), (b, a)):
        result = compare_statements(first, second, encoder=encoder, judge=judge)
        assert result.verdict in verdicts, result
        assert result.judge is not None
