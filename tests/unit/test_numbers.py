"""Number parsing and comparison tables for ``bot.matching.numbers``."""

from __future__ import annotations

import pytest

from bot.matching.numbers import compare_numbers, digits_changed_in_place, extract_numbers, words_to_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("about 70,000 troops", [(70_000, "number")]),
        ("70k troops", [(70_000, "number")]),
        ("1.5 million people", [(1_500_000, "number")]),
        ("seventy thousand soldiers", [(70_000, "number")]),
        ("twenty-five people died", [(25, "number")]),
        ("two hundred and five votes", [(205, "number")]),
        ("12% of voters", [(12, "percent")]),
        ("12 per cent of voters", [(12, "percent")]),
        ("forty percent", [(40, "percent")]),
        ("$2.5 billion in 1998", [(2_500_000_000, "money"), (1998, "year")]),
        ("3.5bn euros", [(3_500_000_000, "money")]),
        ("£40 million", [(40_000_000, "money")]),
        ("on January 2, 2020", [(2, "number"), (2020, "year")]),
        ("COVID-19 and the F-35", []),
        ("one of them said so", []),
        # clock times say when, not how many
        ("rose 1.2 percent to 931.12 as of 12:01 p.m. in New York", [(1.2, "percent"), (931.12, "number")]),
        ("the vote closes at 5pm with 3 seats open", [(3, "number")]),
        ("at 9.30 a.m. on Monday", []),
        ("a 3:1 majority", [(3, "number"), (1, "number")]),
        ("no numbers at all", []),
    ],
)
def test_extract_numbers(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(q.value, q.kind) for q in extract_numbers(text)] == expected


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("seventy", 70),
        ("seventy thousand", 70_000),
        ("one hundred and one", 101),
        ("three million", 3_000_000),
        ("nonsense", None),
    ],
)
def test_words_to_number(words: str, value: float | None) -> None:
    assert words_to_number(words) == value


@pytest.mark.parametrize(
    ("a", "b", "conflict", "reason"),
    [
        ("about 70,000 troops", "about 100,000 troops", True, "numbers differ: 70,000 vs 100,000"),
        ("about 70,000 troops", "seventy thousand troops", False, None),
        ("70k troops", "70,000 troops", False, None),
        ("$2.5 billion", "2.5 billion dollars", False, None),
        ("in 2019", "in 2020", True, "numbers differ: 2019 vs 2020"),
        ("40% of people", "40 people", False, "different quantities: 40% vs 40"),
        ("1,000 jobs were cut", "jobs were cut", False, "only one mentions 1,000"),
        ("12% of voters", "15 percent of voters", True, "numbers differ: 12% vs 15 percent"),
        ("60,000 years", "59,619 years", False, None),  # rounding, not a change
        ("13 cents to $19.72", "1.5 percent", False, "different quantities: 13, $19.72 vs 1.5 percent"),
        # a year is not a count: "the two major parties" vs "since 1972"
        ("the two major parties", "the custom since 1972", False, "different quantities: two vs 1972"),
    ],
)
def test_compare_numbers(a: str, b: str, conflict: bool, reason: str | None) -> None:
    check = compare_numbers(a, b)
    assert check.conflict is conflict
    assert check.reason() == reason


@pytest.mark.parametrize(
    ("a", "b", "figures"),
    [
        (
            "Unemployment fell to 4.2 percent in March.",
            "The jobless rate dropped to 4.2% in March.",
            ["4.2 percent"],
        ),
        ("about 70,000 troops", "seventy thousand soldiers", ["70,000"]),
        ("It cost $48 million, 5% over budget, 5% more", "48 million dollars, up 5%", ["$48 million", "5%"]),
        # which fact a pair reports is not told by a year, a small count or a bare scale
        ("The city lost 12,000 jobs in 2019.", "In 2019 the city saw 12,000 people laid off.", ["12,000"]),
        ("the two major parties", "both of the two parties", []),
        ("donated millions of dollars", "gave millions", []),
        ("about 70,000 troops", "about 100,000 troops", []),
        # rounded figures may be another poll's, or these with the candidates swapped
        (
            "Clinton beats Trump by 46 percent to 42 percent",
            "a four-point lead for Trump, with 46.2 percent to Clinton's 42.1 percent",
            [],
        ),
    ],
)
def test_shared_figures_are_the_quantities_both_give_that_say_which_fact(
    a: str, b: str, figures: list[str]
) -> None:
    assert [q.display() for q in compare_numbers(a, b).shared_figures] == figures
    assert len(compare_numbers(b, a).shared_figures) == len(figures)


@pytest.mark.parametrize(
    ("a", "b", "changed"),
    [
        (
            "The show airs from 6:00AM to 9:00AM EST",
            "The show airs from 6:00AM to 11:00AM EST",
            ("9:00am", "11:00am"),
        ),
        ("Polls closed at 11 p.m. in the east", "Polls closed at 8 p.m. in the east", ("11", "8")),
        ("the city recovered from 9/11", "the city recovered from 9/16", ("9/11", "9/16")),
        ("a lawyer using EB-5 funding", "a lawyer using EB-8 funding", ("eb-5", "eb-8")),
        ("It opens at 9:00 on Monday", "It opens at 9 on Monday", None),  # the same time
        ("It opens at 9:00 on Monday", "It opens at 9:00 on Monday", None),
        ("the F-35 costs more", "the plane costs more", None),  # a word dropped, not replaced
    ],
)
def test_digits_changed_in_place(a: str, b: str, changed: tuple[str, str] | None) -> None:
    assert digits_changed_in_place(a, b) == changed
