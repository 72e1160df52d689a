"""Pair verdicts with reasons (``bot.matching.compare``), on hand-written sentences.

``judge_pair`` takes the cosine as input, so these tables pin the cosine to a value typical of
MiniLM for such pairs and test the lexical and explicit checks on top of it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.compare import MatchThresholds, compare_statements, judge_pair, may_match
from bot.matching.features import entity_mismatch
from bot.matching.negation import compare_negation, compare_stance, negation_cues
from bot.models import Verdict
from bot.settings import Settings


class BagOfWordsEncoder:
    """A fake ``Encoder``: hashed bag of words, L2-normalised (shared words -> high cosine)."""

    dim = 64

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9']+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            out[row] /= max(1e-9, float(np.linalg.norm(out[row])))
        return out


@pytest.mark.parametrize(
    ("a", "b", "cosine", "verdict", "reason"),
    [
        ("Ukraine is not part of NATO", "Ukraine is not part of NATO", 1.0, Verdict.REPEAT, "same wording"),
        ("Ukraine is not part of NATO", "Ukraine doesn't belong to NATO", 0.93, Verdict.REPEAT, "reworded"),
        (
            "The government will raise taxes on fuel next year",
            "Next year the government will raise fuel taxes",
            0.95,
            Verdict.REPEAT,
            "mostly the same words",
        ),
        (
            "Russia has massed about 70,000 troops on the border",
            "Russia has massed about 100,000 troops on the border",
            0.97,
            Verdict.CHANGED,
            "numbers differ: 70,000 vs 100,000",
        ),
        (
            "Unemployment fell to 4% in 2019",
            "Unemployment fell to 4% in 2021",
            0.96,
            Verdict.CHANGED,
            "numbers differ: 2019 vs 2021",
        ),
        (
            "Britain will send troops to Estonia",
            "Britain will not send troops to Estonia",
            0.9,
            Verdict.CHANGED,
            "negation: only one says 'not'",
        ),
        (
            "We will send troops to Estonia",
            "We won't send troops to Estonia",
            0.9,
            Verdict.CHANGED,
            "negation: only one says 'won't'",
        ),
        (
            "The senator supports the new climate bill",
            "The senator opposes the new climate bill",
            0.88,
            Verdict.CHANGED,
            "opposite wording: 'supports' vs 'opposes'",
        ),
        (
            "Inflation rose sharply last month",
            "Inflation fell sharply last month",
            0.85,
            Verdict.CHANGED,
            "opposite wording: 'rose' vs 'fell'",
        ),
        (
            "Biden won Pennsylvania by a narrow margin",
            "Trump won Pennsylvania by a narrow margin",
            0.8,
            Verdict.CHANGED,
            "names differ: biden vs trump",
        ),
        (
            "The minister said the hospital will close",
            "Football season starts in August",
            0.05,
            Verdict.DIFFERENT,
            "different statements",
        ),
        (
            "Taxes on fuel will rise next year",
            "The price of bread doubled in Cairo",
            0.2,
            Verdict.DIFFERENT,
            "different statements",
        ),
        (
            "Russia has 70,000 troops at the border",
            "Apples cost 100,000 dollars in a fairy tale",
            0.05,
            Verdict.DIFFERENT,
            "different statements",
        ),
    ],
)
def test_judge_pair(a: str, b: str, cosine: float, verdict: Verdict, reason: str) -> None:
    result = judge_pair(a, b, cosine, thresholds=MatchThresholds())
    assert result.verdict == verdict, result
    assert any(reason in r for r in result.reasons), result.reasons
    assert 0.0 <= result.similarity <= 1.0


def test_similarity_grows_with_cosine_and_overlap() -> None:
    a, b = "The bridge will reopen in spring", "In spring the bridge reopens"
    low = judge_pair(a, b, 0.4).similarity
    high = judge_pair(a, b, 0.9).similarity
    assert high > low
    unrelated = judge_pair(a, "Voters rejected the measure", 0.9).similarity
    assert high > unrelated


def test_repeat_threshold_is_respected() -> None:
    a, b = "Ukraine is not part of NATO", "Ukraine doesn't belong to NATO"
    assert judge_pair(a, b, 0.93, thresholds=MatchThresholds(repeat=0.999)).verdict == Verdict.DIFFERENT


def test_changed_needs_the_same_topic() -> None:
    a, b = "Britain will send 500 troops", "Spain will not raise 20 taxes"
    assert judge_pair(a, b, 0.1, thresholds=MatchThresholds(changed=0.6)).verdict == Verdict.DIFFERENT


def test_thresholds_from_settings() -> None:
    settings = Settings(repeat_threshold=0.81, changed_threshold=0.55)
    thresholds = MatchThresholds.from_settings(settings)
    assert (thresholds.repeat, thresholds.changed) == (0.81, 0.55)


def test_compare_statements_uses_the_encoder() -> None:
    encoder = BagOfWordsEncoder()
    same = compare_statements("Russia has 70,000 troops", "Russia has 70,000 troops", encoder=encoder)
    assert same.verdict == Verdict.REPEAT
    changed = compare_statements(
        "Russia has about 70,000 troops near Ukraine",
        "Russia has about 100,000 troops near Ukraine",
        encoder=encoder,
    )
    assert changed.verdict == Verdict.CHANGED
    assert "numbers differ: 70,000 vs 100,000" in changed.reasons
    different = compare_statements("Russia has troops near Ukraine", "Bread prices doubled", encoder=encoder)
    assert different.verdict == Verdict.DIFFERENT


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("Ukraine is not part of NATO", ["not"]),
        ("Ukraine doesn't belong to NATO", ["doesn't"]),
        ("He never said that", ["never"]),
        ("The ministry denied the report", ["denied"]),
        ("No troops will be sent", ["no"]),
        ("Troops will be sent", []),
    ],
)
def test_negation_cues(text: str, cues: list[str]) -> None:
    assert negation_cues(text) == cues


@pytest.mark.parametrize(
    ("a", "b", "mismatch"),
    [
        ("Ukraine is not part of NATO", "Ukraine doesn't belong to NATO", False),
        ("We will send troops", "We will not send troops", True),
        ("Ukraine is not part of NATO", "Ukraine is part of NATO", True),
        ("A Republican who did not want to be named said it", "A Republican said it", False),  # an aside
        ("Not surprisingly, Korea leads in broadband", "Korea leads in broadband", False),
        ("He denied the report", "He confirmed the report", True),
        # litotes: a negated word against its plainly stated opposite is agreement
        (
            "We will not close the crossing to people on foot",
            "The crossing will stay open to people on foot",
            False,
        ),
        ("The shops will not open on Sunday", "The shops will close on Sunday", False),
        ("The shops will not open on Sunday", "The shops will open on Sunday", True),
        # the other side negates in a word of its own
        ("Jordan Green said he had no comment", "Jordan Green declined to comment", False),
        (
            "Evans did not respond to requests for an interview",
            "Evans had declined requests for an interview",
            False,
        ),
        # ... unless that word is the one negated here
        ("The bank did not fail the stress test", "The bank failed the stress test", True),
        # a negation added in place, wherever it stands and whatever other negation both share
        (
            "Leaders who have not been the strongest opponents embraced the idea",
            "Leaders who have been the strongest opponents embraced the idea",
            True,
        ),
        ("Nobody has the guts to talk about it", "Nobody has not the guts to talk about it", True),
        ("The press doesn't have to take the bait", "The press does have to take the bait", True),
        ("He said they would not refuse to leave", "He said they would refuse to leave", True),
        ("He wants to but can't because he is audited", "He wants to but can because he is audited", True),
        ("He would not say whether it was true", "He did not say whether it was true", False),
        ("They never said it", "They did not say it", False),
    ],
)
def test_compare_negation(a: str, b: str, mismatch: bool) -> None:
    assert compare_negation(a, b).mismatch is mismatch


@pytest.mark.parametrize(
    ("a", "b", "mismatch"),
    [
        ("The union supports the deal", "The union opposes the deal", True),
        ("Sales increased in May", "Sales decreased in May", True),
        ("Sales increased in May", "Sales grew in May", False),
        ("The court ruled it legal", "The court ruled it illegal", True),
        ("The team won the final", "The team won the final again", False),
        # under a negation a stance word says the opposite
        ("We will not close the crossing", "The crossing will stay open", False),
        ("The council does not oppose the plan", "The council supports the plan", False),
        # a word in more than one pair of opposites: "lost" is against "gained" and "won"
        ("Obama won the state twice", "Obama lost the state twice", True),
        ("Ratings were 57 percent lower", "Ratings were 57 percent higher", True),
        # across whole sentences only a word's first pair counts: "more" is no opposite of "lower"
        (
            "It's hard to imagine a tax code more complicated than the one we have",
            "He wants to simplify the tax code and lower tax rates",
            False,
        ),
        # opposites in place, when the word is used elsewhere too or both sides negate it
        (
            "Some tended to support Clinton and others tended to support Sanders",
            "Some tended to support Clinton and others tended to oppose Sanders",
            True,
        ),
        ("He can't lose, plain and simple", "He can't win, plain and simple", True),
        ("You may not agree with what he did", "You may not disagree with what he did", True),
        ("The team won the final and lost the cup", "The team won the final and lost the cup", False),
    ],
)
def test_compare_stance(a: str, b: str, mismatch: bool) -> None:
    assert compare_stance(a, b).mismatch is mismatch


# --- may_match: the pre-filter must never drop a pair judge_pair would call repeat/changed

_PREFILTER_PARTS = [
    "Russia has massed",
    "about 70,000 troops",
    "about 100,000 troops",
    "near the border",
    "Ukraine is not part of NATO",
    "Ukraine belongs to NATO",
    "the minister said",
    "Biden",
    "Trump",
    "supports the plan",
    "opposes the plan",
    "the bridge will stay open",
    "the bridge will not close",
    "costs rose to £61m",
    "in 2023",
    "never",
    "inflation fell to 2%",
    "the council denied any wrongdoing",
]


@given(
    a=st.lists(st.sampled_from(_PREFILTER_PARTS), min_size=1, max_size=5).map(" ".join),
    b=st.lists(st.sampled_from(_PREFILTER_PARTS), min_size=1, max_size=5).map(" ".join),
    cosine=st.floats(min_value=-0.2, max_value=1.0),
    repeat=st.sampled_from([0.3, 0.53, 0.8]),
    changed=st.sampled_from([0.4, 0.6, 0.9]),
)
@settings(max_examples=400, deadline=None)
def test_may_match_never_drops_a_repeat_or_change(
    a: str, b: str, cosine: float, repeat: float, changed: float
) -> None:
    thresholds = MatchThresholds(repeat=repeat, changed=changed)
    if not may_match(a, b, cosine, thresholds=thresholds):
        assert judge_pair(a, b, cosine, thresholds=thresholds).verdict is Verdict.DIFFERENT


def test_may_match_filters_unrelated_pairs_and_keeps_close_ones() -> None:
    assert not may_match("Inflation fell to 2% in October", "The council denied any wrongdoing", 0.12)
    assert may_match("Ukraine is not part of NATO", "Ukraine doesn't belong to NATO", 0.85)
    assert may_match("Russia has 70,000 troops", "Russia has 70,000 troops", 0.1)  # same wording
    # low cosine but nearly the same words: the bound keeps it for judge_pair
    assert may_match("the bridge will stay open", "the bridge will stay open today", 0.3)


@pytest.mark.parametrize(
    ("a", "b", "only_a", "only_b"),
    [
        # apostrophes and a possessive 's are spelling, not another name
        ("a revival of Eugene O'Neill's drama", "a revival of Eugene ONeills drama", set(), set()),
        # an acronym names what the other side spells out
        (
            "ATA spokeswoman Diana Cronan said",
            "Air Transport Association spokeswoman Diana Cronan said",
            set(),
            set(),
        ),
        ("Biden won Georgia", "Trump won Georgia", {"biden"}, {"trump"}),
    ],
)
def test_entity_mismatch(a: str, b: str, only_a: set[str], only_b: set[str]) -> None:
    assert entity_mismatch(a, b) == (only_a, only_b)
