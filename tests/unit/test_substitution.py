"""One word swapped for another (``bot.matching.substitution``) and what it does to a verdict."""

from __future__ import annotations

import pytest

from bot.matching.compare import judge_pair
from bot.matching.substitution import SWAP_SIMILARITY, SwappedWord, swapped_word, word_swap_difference
from bot.models import Verdict

# word pairs as MiniLM scores them (measured: stay/remain 0.65, raising/answering 0.30)
SIMILAR = {frozenset({"stay", "remain"}): 0.65, frozenset({"delayed", "cancelled"}): 0.12}


def fake_similarity(x: str, y: str) -> float:
    return SIMILAR.get(frozenset({x, y}), 0.9)


@pytest.mark.parametrize(
    ("a", "b", "swap"),
    [
        ("The council had delayed the repairs.", "The council had cancelled the repairs.",
         SwappedWord("delayed", "cancelled")),
        ("The bridge would stay open.", "The bridge would remain open.", SwappedWord("stay", "remain")),
        # not one content word: two words, a stop word, a number, a negation, a name, a form
        ("The council had delayed the repairs.", "The mayor had cancelled the repairs.", None),
        ("The council had delayed the repairs.", "The council has delayed the repairs.", None),
        ("The council delayed 12 repairs.", "The council delayed 14 repairs.", None),
        ("The council had delayed the repairs.", "The council had not the repairs.", None),
        ("Smith praised Jones on Monday.", "Smith praised Brown on Monday.", None),
        ("The mayor says the bridge is safe.", "The mayor said the bridge is safe.", None),
        ("The council delayed the repairs.", "The council delayed the repairs again.", None),
        ("Delayed.", "Cancelled.", None),
    ],
)  # fmt: skip
def test_swapped_word(a: str, b: str, swap: SwappedWord | None) -> None:
    assert swapped_word(a, b) == swap
    assert swapped_word(b, a) == (swap and SwappedWord(swap.after, swap.before))


def test_only_words_far_apart_are_a_difference() -> None:
    delayed, cancelled = "The council had delayed the repairs.", "The council had cancelled the repairs."
    assert fake_similarity("delayed", "cancelled") < SWAP_SIMILARITY
    assert (
        word_swap_difference(delayed, cancelled, fake_similarity) == "a different word: delayed vs cancelled"
    )
    stay, remain = "The bridge would stay open.", "The bridge would remain open."
    assert word_swap_difference(stay, remain, fake_similarity) is None
    assert word_swap_difference(delayed, cancelled, None) is None  # no way to compare words


@pytest.mark.parametrize(
    ("a", "b", "without", "with_words"),
    [
        # cosine and overlap call it a repeat; the swapped verb makes it a change
        ("The council had delayed the repairs.", "The council had cancelled the repairs.",
         Verdict.REPEAT, Verdict.CHANGED),
        # a rewording stays a repeat
        ("The bridge would stay open.", "The bridge would remain open.", Verdict.REPEAT, Verdict.REPEAT),
    ],
)  # fmt: skip
def test_a_swapped_verb_is_a_change_not_a_repeat(
    a: str, b: str, without: Verdict, with_words: Verdict
) -> None:
    assert judge_pair(a, b, 0.93).verdict is without
    result = judge_pair(a, b, 0.93, word_similarity=fake_similarity)
    assert result.verdict is with_words
    if with_words is Verdict.CHANGED:
        assert result.reasons == ("a different word: delayed vs cancelled",)


def test_a_swap_adds_nothing_to_a_pair_another_check_already_calls_changed() -> None:
    a, b = "The senator supports the new pipeline.", "The senator opposes the new pipeline."
    result = judge_pair(a, b, 0.9, word_similarity=lambda x, y: 0.0)
    assert result.verdict is Verdict.CHANGED
    assert not any(r.startswith("a different word") for r in result.reasons)
