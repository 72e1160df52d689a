"""The pair judge's pure parts and its place in the verdicts: no model is loaded here
(``tests/integration/test_judge.py`` runs the shipped judge)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from bot.inference.judge import canonical, judge_arrays, judge_files, score_pairs, write_judge_arrays
from bot.matching.compare import (
    JUDGE_TOP_K,
    JudgeBlend,
    MatchThresholds,
    PairScorer,
    judge_pair,
)
from bot.models import ArticleInput, Status, Verdict
from bot.service import ClaimService
from tests.fakes import HashingEncoder, InMemoryStore, PagesFetcher, SaidThatExtractor

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from matching_data import EDIT_EXPECTED, edit_pairs, swap_pairs


class FakeTokenizer:
    """Enough of a tokenizer for ``score_pairs``: one id per word, then the second statement."""

    def __call__(self, first: list[str], second: list[str], **_: object) -> dict[str, npt.NDArray[np.int64]]:
        rows = [
            [len(w) for w in a.split()] + [0] + [len(w) * 7 for w in b.split()]
            for a, b in zip(first, second, strict=False)
        ]
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
        return {"input_ids": ids, "attention_mask": (ids > 0).astype(np.int64), "token_type_ids": ids * 0}


def order_sensitive_run(batch: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.float32]:
    """A 'model' whose logit depends on which statement comes first."""
    ids = batch["input_ids"].astype(np.float32)
    weights = np.linspace(1.0, 0.1, ids.shape[1], dtype=np.float32)
    return np.asarray((ids * weights).sum(axis=1) / 100.0 - 1.0, dtype=np.float32)


def test_judge_weights_are_split_into_shards_and_read_back_whole(tmp_path: Path) -> None:
    """Six tuned layers are ~20 MB: the weights go into files of at most ``shard_bytes`` each and
    come back whole, in float32; a smaller judge written later leaves no stale shard behind."""
    rng = np.random.default_rng(0)
    arrays = {"frozen": np.array(0)} | {
        f"layer{k}.weight": rng.standard_normal((64, 64)).astype(np.float16) for k in range(5)
    }
    path = tmp_path / "judge.npz"
    write_judge_arrays(path, arrays, shard_bytes=64 * 64 * 2 * 2)  # two layers a file
    files = judge_files(path)
    assert [f.name for f in files] == ["judge.npz", "judge.1.npz", "judge.2.npz"]
    back = judge_arrays(path)
    assert back.keys() == arrays.keys()
    for name, array in arrays.items():
        assert back[name].dtype == np.float32
        np.testing.assert_array_equal(back[name], array.astype(np.float32))
    write_judge_arrays(path, {"frozen": np.array(3), "layer0.weight": arrays["layer0.weight"]})
    assert sorted(f.name for f in tmp_path.iterdir()) == ["judge.npz"]
    assert judge_arrays(path).keys() == {"frozen", "layer0.weight"}


def test_canonical_order_is_the_same_for_both_orders() -> None:
    a, b = "The jobless rate dropped to 4.2% in March.", "Unemployment fell to 4.2 percent."
    assert canonical(a, b) == canonical(b, a) == (b, a)
    assert canonical("same", "same") == ("same", "same")
    assert canonical("bb", "aa") == ("aa", "bb")  # equal lengths: alphabetical


def test_scores_do_not_depend_on_the_order_of_the_statements() -> None:
    pairs = [
        ("Unemployment fell to 4.2 percent in March.", "The jobless rate dropped to 4.2% in March."),
        ("The bridge will stay open", "The bridge would remain open to traffic until May"),
        ("aa bb", "cc dd"),
    ]
    tok = FakeTokenizer()
    # the fake model itself is order-sensitive, so this test can fail
    raw = order_sensitive_run(tok([a for a, _ in pairs], [b for _, b in pairs]))
    raw_swapped = order_sensitive_run(tok([b for _, b in pairs], [a for a, _ in pairs]))
    assert not np.allclose(raw, raw_swapped)
    forward = score_pairs(pairs, order_sensitive_run, tok, batch_size=2)
    backward = score_pairs([(b, a) for a, b in pairs], order_sensitive_run, tok, batch_size=2)
    np.testing.assert_array_equal(forward, backward)
    assert forward.shape == (3,)
    assert np.all((forward > 0) & (forward < 1))


def batch_sensitive_run(batch: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.float32]:
    """A 'model' like the int8 judge in a batch: each logit is scaled by one range for the batch."""
    ids = batch["input_ids"].astype(np.float32)
    return np.asarray(ids.sum(axis=1) / ids.max(), dtype=np.float32)


@pytest.mark.parametrize("workers", [None, 1, 3])
def test_each_alone_a_score_does_not_depend_on_the_pairs_beside_it(workers: int | None) -> None:
    pairs = [("a bb ccc", "dddd e"), ("a", "b"), ("the council said so", "so said the council today")]
    tok = FakeTokenizer()
    batched = score_pairs(pairs, batch_sensitive_run, tok, batch_size=3)
    first_alone = score_pairs(pairs[:1], batch_sensitive_run, tok, batch_size=3)[0]
    assert batched[0] != pytest.approx(first_alone)  # the fake really is batch-sensitive
    pool = ThreadPoolExecutor(workers) if workers else None
    alone = [score_pairs([p], batch_sensitive_run, tok, each_alone=True)[0] for p in pairs]
    together = score_pairs(pairs, batch_sensitive_run, tok, each_alone=True, workers=pool)
    np.testing.assert_array_equal(together, np.array(alone, dtype=np.float32))
    swapped = score_pairs([(b, a) for a, b in pairs], batch_sensitive_run, tok, each_alone=True, workers=pool)
    np.testing.assert_array_equal(swapped, together)
    if pool:
        pool.shutdown()


def test_shift_moves_the_scores() -> None:
    pairs = [("a b c", "d e f")]
    tok = FakeTokenizer()
    plain = score_pairs(pairs, order_sensitive_run, tok)[0]
    shifted = score_pairs(pairs, order_sensitive_run, tok, shift=1.0)[0]
    z = np.log(plain / (1 - plain))
    assert shifted == pytest.approx(1 / (1 + np.exp(-(z + 1.0))), abs=1e-5)


# ----------------------------------------------------------------------------- verdicts with a score
@pytest.mark.parametrize(
    ("a", "b", "cosine", "score", "verdict"),
    [
        # the combined similarity says repeat, the judge agrees: repeat
        ("The mayor said the tunnel is safe.", "The mayor said that the tunnel is safe.",
         0.97, 0.9, Verdict.REPEAT),
        # same proposition, another number: changed
        ("Russia has about 70,000 troops at the border.", "Russia has about 100,000 troops at the border.",
         0.97, 0.95, Verdict.CHANGED),
        # a negation only one side has: changed
        ("The council will close the bridge.", "The council will not close the bridge.",
         0.93, 0.8, Verdict.CHANGED),
        # the judge says different: different, however close the cosine
        ("The council approved the budget.", "The council approved the budget for hours.",
         0.95, 0.1, Verdict.DIFFERENT),
        # the judge says different: an explicit difference on the same topic does not make it "changed"
        ("Russia has 70,000 troops at the border.", "Russia has 100,000 troops at the border.",
         0.95, 0.3, Verdict.DIFFERENT),
    ],
)  # fmt: skip
def test_the_judge_may_veto_a_match(a: str, b: str, cosine: float, score: float, verdict: Verdict) -> None:
    result = judge_pair(a, b, cosine, judge=score)
    assert result.verdict is verdict
    assert result.judge == pytest.approx(score)
    plain = judge_pair(a, b, cosine)
    if plain.verdict is not Verdict.DIFFERENT and verdict is Verdict.DIFFERENT:
        assert result.similarity == pytest.approx(score)  # the vetoed pair shows the judge's blend
    else:
        assert result.verdict is plain.verdict
        assert result.similarity == plain.similarity


JOBLESS = ("Unemployment fell to 4.2 percent in March.", "The jobless rate dropped to 4.2% in March.")


@pytest.mark.parametrize(
    ("a", "b", "cosine", "score", "verdict"),
    [
        # reworded, the same figure, one topic, and the judge reads the same statement: repeat
        (*JOBLESS, 0.62, 0.9, Verdict.REPEAT),
        ("Russia has massed 70,000 troops at the border.",
         "Some seventy thousand Russian soldiers now stand along the frontier.", 0.7, 0.8, Verdict.REPEAT),
        # the judge unsure: it stays different
        (*JOBLESS, 0.62, 0.3, Verdict.DIFFERENT),
        # not one topic by the cosine: the judge is not asked to promote
        (*JOBLESS, 0.55, 0.9, Verdict.DIFFERENT),
        # no figure both give: a judge sure of the same proposition does not promote a pair
        ("The bridge would stay open to pedestrians throughout the works.",
         "The crossing would remain open to people on foot for the whole repair programme.",
         0.62, 0.9, Verdict.DIFFERENT),
        # a year says when, a count under ten or a bare scale says little of which fact it is
        ("The city lost jobs in 2019.", "In 2019 the city saw people laid off.", 0.7, 0.9, Verdict.DIFFERENT),
        ("Two parties signed the trade deal on Monday.",
         "Both signatories to the agreement were the two parties.", 0.7, 0.9, Verdict.DIFFERENT),
        ("Countries that stand to benefit from the deal donated millions of dollars to the foundation.",
         "For years the foundation thrived largely on the generosity of foreign donors who gave millions.",
         0.7, 0.9, Verdict.DIFFERENT),
    ],
)  # fmt: skip
def test_the_judge_makes_a_match_only_of_a_pair_with_the_same_figures(
    a: str, b: str, cosine: float, score: float, verdict: Verdict
) -> None:
    assert judge_pair(a, b, cosine).verdict is Verdict.DIFFERENT  # the combined similarity misses it
    for first, second in ((a, b), (b, a)):
        result = judge_pair(first, second, cosine, judge=score)
        assert result.verdict is verdict
        assert result.judge == pytest.approx(score)
    if verdict is Verdict.REPEAT:
        assert result.similarity == pytest.approx(score)  # the judge's blend (here its score alone)
        assert any("same figures" in reason for reason in result.reasons), result.reasons


def test_the_repeat_threshold_is_the_judges_threshold() -> None:
    a, b = "The mayor said the tunnel is safe.", "The mayor said that the tunnel is safe."
    assert judge_pair(a, b, 0.97, judge=0.75).verdict is Verdict.REPEAT
    strict = MatchThresholds(repeat=0.8)
    assert judge_pair(a, b, 0.97, thresholds=strict).verdict is Verdict.REPEAT  # the judge aside
    assert judge_pair(a, b, 0.97, judge=0.75, thresholds=strict).verdict is Verdict.DIFFERENT


def test_changed_keeps_only_the_differences_as_reasons() -> None:
    result = judge_pair("He has 3 dogs.", "He has 5 dogs.", 0.95, judge=0.9)
    assert result.verdict is Verdict.CHANGED
    assert not any("judge" in r for r in result.reasons)  # bot.matching.stance reads them


def test_same_wording_needs_no_judge() -> None:
    assert judge_pair("Same words.", "same words", 1.0, judge=0.1).verdict is Verdict.REPEAT


# ----------------------------------------------------------------------------- the service
class RecordingJudge:
    """A fake judge: 'same' when the statements share their last word; records each call."""

    def __init__(self, blend: JudgeBlend | None = None) -> None:
        self.calls: list[list[tuple[str, str]]] = []
        self.blend = blend or JudgeBlend()

    def score(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        self.calls.append(list(pairs))
        return np.array([0.9 if a.split()[-1] == b.split()[-1] else 0.1 for a, b in pairs], dtype=np.float32)


class FixedJudge(RecordingJudge):
    """A fake judge that gives every pair the same score."""

    def __init__(self, score: float) -> None:
        super().__init__()
        self.fixed = score

    def score(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        self.calls.append(list(pairs))
        return np.full(len(pairs), self.fixed, dtype=np.float32)


FIRST = (
    "Ben Wallace said that Russia has about 70,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
    "Tom Reed said that the harbour ferry timetable changes every winter.\n"
)
FOLLOW_UP = (
    "Ben Wallace said that Russia has about 100,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge opens for cars in spring.\n"
    "Tom Reed said that the harbour ferry timetable changes every summer.\n"
)


def said_that_service(judge: PairScorer | None, *, store: InMemoryStore | None = None) -> ClaimService:
    """The service over "X said that ..." lines, bag-of-words vectors and ``judge``."""
    return ClaimService(
        store=store if store is not None else InMemoryStore(),
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher({}),
        judge=judge,
    )


def test_the_service_asks_the_judge_once_per_article_and_follows_it() -> None:
    judge = RecordingJudge()
    service = said_that_service(judge)
    service.check(tenant="t", article=ArticleInput(text=FIRST))
    assert judge.calls == []  # nothing stored yet: nothing to judge
    report = service.check(tenant="t", article=ArticleInput(text=FOLLOW_UP))
    assert len(judge.calls) == 1
    assert len(judge.calls[0]) <= 3 * JUDGE_TOP_K
    statuses = {c.claim.speaker: c.status for c in report.claims}
    # bridge: reworded, same last word -> repeat; troops: same + number -> changed;
    # ferry: the fake judge says different although most words are shared
    assert statuses == {"Ben Wallace": Status.CHANGED, "Maria Lopez": Status.REPEAT, "Tom Reed": Status.NEW}
    repeat = next(c for c in report.claims if c.status is Status.REPEAT)
    assert repeat.match is not None
    # a match the judge lets stand keeps the combined similarity it was found with
    assert repeat.match.similarity >= MatchThresholds().repeat


def test_the_judge_reads_only_the_closest_matches_of_each_statement() -> None:
    """In a store dense with near-duplicates every candidate is a match for the combined
    similarity: the judge still reads at most JUDGE_TOP_K of them per statement."""
    judge = RecordingJudge()
    store = InMemoryStore()
    service = said_that_service(judge, store=store)
    for n in range(8):
        text = f"Maria Lopez said that the new bridge will open to traffic in spring {2020 + n}.\n"
        service.check(tenant="t", article=ArticleInput(text=text))
    judge.calls.clear()
    service.check(
        tenant="t",
        article=ArticleInput(
            text="Maria Lopez said that the new bridge will open to traffic in spring 2031.\n"
        ),
    )
    assert len(judge.calls) == 1
    assert 1 <= len(judge.calls[0]) <= JUDGE_TOP_K


def test_a_veto_weighs_the_judges_score_with_the_cosine() -> None:
    blend = JudgeBlend(weight=0.5, offset=-0.08)
    a, b = "The mayor said the tunnel is safe.", "The mayor said that the tunnel is safe."
    assert judge_pair(a, b, 0.97).verdict is Verdict.REPEAT
    # a doubtful judge with a close cosine: 0.5 * 0.3 + 0.5 * 0.97 - 0.08 = 0.555, no veto
    kept = judge_pair(a, b, 0.97, judge=0.3, judge_blend=blend)
    assert kept.verdict is Verdict.REPEAT
    assert kept.judge == pytest.approx(0.3)
    # a judge sure they differ vetoes: 0.5 * 0.05 + 0.5 * 0.97 - 0.08 = 0.43
    vetoed = judge_pair(a, b, 0.97, judge=0.05, judge_blend=blend)
    assert vetoed.verdict is Verdict.DIFFERENT
    assert vetoed.similarity == pytest.approx(0.5 * 0.05 + 0.5 * 0.97 - 0.08)
    # the verdict does not depend on the order: the cosine is symmetric, the judge reads one order
    assert judge_pair(b, a, 0.97, judge=0.05, judge_blend=blend) == vetoed


def test_the_service_shows_a_match_the_judge_vetoed_as_new() -> None:
    judge = FixedJudge(0.0)  # sure that no pair is the same statement
    service = said_that_service(judge)
    service.check(tenant="t", article=ArticleInput(text=FIRST))
    report = service.check(tenant="t", article=ArticleInput(text=FIRST.replace("70,000", "90,000")))
    assert judge.calls  # the combined similarity found matches, the judge read them
    statuses = {c.claim.speaker: c.status for c in report.claims}
    # the changed number is vetoed; the same words are a repeat whatever the judge says
    assert statuses == {"Ben Wallace": Status.NEW, "Maria Lopez": Status.REPEAT, "Tom Reed": Status.REPEAT}


LAID_OFF = (
    "Ana Ruiz said that the city lost 12,000 jobs in 2019.\nTom Reed said that the city lost jobs in 2019.\n"
)
LAID_OFF_AGAIN = (
    "Ana Ruiz said that in 2019 the city saw 12,000 people laid off.\n"
    "Tom Reed said that in 2019 the city saw people laid off.\n"
)


@pytest.mark.parametrize(
    ("judge", "status"), [(FixedJudge(0.9), Status.REPEAT), (FixedJudge(0.0), Status.NEW), (None, Status.NEW)]
)
def test_the_service_lets_the_judge_promote_only_a_pair_with_the_same_figures(
    judge: RecordingJudge | None, status: Status
) -> None:
    """Both follow-up statements are reworded and the combined similarity misses them (for the
    hashing encoder they are one topic): with a judge sure they are the same, the one that gives
    the same figure is a repeat, the one that gives none stays new (the judge does not read it)."""
    service = said_that_service(judge)
    service.check(tenant="t", article=ArticleInput(text=LAID_OFF))
    report = service.check(tenant="t", article=ArticleInput(text=LAID_OFF_AGAIN))
    statuses = {c.claim.speaker: c.status for c in report.claims}
    assert statuses == {"Ana Ruiz": status, "Tom Reed": Status.NEW}
    if judge is not None:
        read = [pair for call in judge.calls for pair in call]
        assert ("in 2019 the city saw 12,000 people laid off", "the city lost 12,000 jobs in 2019") in read
        assert all("12,000" in a for a, _ in read)
    if status is Status.REPEAT:
        match = next(c.match for c in report.claims if c.claim.speaker == "Ana Ruiz")
        assert match is not None
        assert "reworded, same figures: 12,000" in match.reasons


def test_without_a_judge_the_combined_similarity_decides() -> None:
    service = said_that_service(None)
    service.check(tenant="t", article=ArticleInput(text=FIRST))
    report = service.check(tenant="t", article=ArticleInput(text=FOLLOW_UP))
    assert {c.claim.speaker: c.status for c in report.claims}["Ben Wallace"] is Status.CHANGED


# ----------------------------------------------------------------------------- generated edits
SENTENCES = [
    [
        "The senator said the bill would cost 70,000 dollars in 2015 and is supported by voters.",
        "But officials did not say when the new bridge will open to traffic.",
        "The governor believes the country needs a large increase in school funding.",
        "Police arrested 12 people after the protest in the capital on Tuesday.",
    ],
    [
        "The company has said it will close three factories before the end of the year.",
        "Many voters think the election was won by the stronger candidate.",
        "The report shows that unemployment rose to 5.4 percent in March.",
    ],
]


def test_generated_edits_are_what_their_kind_says() -> None:
    pairs = edit_pairs(SENTENCES * 5, seed=3, per_kind=4)
    kinds = {p.kind for p in pairs}
    assert kinds == set(EDIT_EXPECTED)
    for p in pairs:
        assert p.a != p.b
        assert p.expected == EDIT_EXPECTED[p.kind]
        assert p.same == (0 if p.kind == "other" else 1)
        if p.kind == "number":
            assert [w for w in p.a.split() if any(c.isdigit() for c in w)] != [
                w for w in p.b.split() if any(c.isdigit() for c in w)
            ]
        if p.kind == "negation":
            assert abs(len(p.a.split()) - len(p.b.split())) <= 1
        if p.kind == "other":
            assert {p.a, p.b} <= {s for article in SENTENCES for s in article}


def test_generated_edits_are_reproducible() -> None:
    assert edit_pairs(SENTENCES, seed=5, per_kind=3) == edit_pairs(SENTENCES, seed=5, per_kind=3)


@dataclass(frozen=True)
class FakeToken:
    """What ``swap_pairs`` reads of a spaCy token."""

    text: str
    idx: int
    tag_: str
    pos_: str
    dep_: str

    @property
    def lower_(self) -> str:
        return self.text.lower()

    @property
    def lemma_(self) -> str:
        return self.lower_

    @property
    def is_alpha(self) -> bool:
        return self.text.isalpha()

    @property
    def is_stop(self) -> bool:
        return self.lower_ in {"the", "had", "has", "a", "of"}


# a tagger for the sentences below: past verbs at the root, plural nouns as objects
_FAKE_TAGS = {
    "delayed": ("VBD", "VERB", "ROOT"), "funded": ("VBD", "VERB", "ROOT"),
    "cancelled": ("VBD", "VERB", "ROOT"), "repairs": ("NNS", "NOUN", "dobj"),
    "salaries": ("NNS", "NOUN", "dobj"), "schools": ("NNS", "NOUN", "dobj"),
}  # fmt: skip


class FakeTagger:
    def pipe(self, texts: list[str], batch_size: int = 64) -> list[list[FakeToken]]:
        docs = []
        for text in texts:
            tokens, start = [], 0
            for word in text.split(" "):
                bare = word.strip(".")
                tag, pos, dep = _FAKE_TAGS.get(bare.lower(), ("DT", "DET", "det"))
                tokens.append(FakeToken(bare, text.index(bare, start), tag, pos, dep))
                start += len(word) + 1
            docs.append(tokens)
        return docs


# each word twice: a word joins the pool of its tag only when tagged so more than once
SWAP_SENTENCES = [
    ["The council delayed the repairs.", "The mayor funded the salaries.", "The board cancelled the schools."]
] * 2


def test_a_swap_keeps_the_frame_and_changes_one_verb_or_noun_of_the_same_tag() -> None:
    pairs = swap_pairs(SWAP_SENTENCES, FakeTagger(), seed=3, count=4)
    assert len(pairs) == 4
    for p in pairs:
        assert (p.kind, p.expected, p.same) == ("swapped", "changed", 0)
        changed = [(x, y) for x, y in zip(p.a.split(), p.b.split(), strict=True) if x != y]
        assert len(changed) == 1, p
        (x, y) = changed[0]
        assert _FAKE_TAGS[x.strip(".").lower()][0] == _FAKE_TAGS[y.strip(".").lower()][0]


def test_swaps_are_reproducible() -> None:
    assert swap_pairs(SWAP_SENTENCES, FakeTagger(), seed=5, count=3) == swap_pairs(
        SWAP_SENTENCES, FakeTagger(), seed=5, count=3
    )
