"""Query building and lexical scores of storage.lexical (pure functions, no database)."""

from __future__ import annotations

import pytest

from storage.lexical import coverage, fts5_query, query_words, rank_pool, tsquery


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("Ukraine is not part of NATO", "Ukraine is not part of NATO", 1.0),
        ("Ukraine NATO", "Ukraine does not belong to NATO", 1.0),
        ("Ukraine NATO", "NATO grows", 0.5),
        ("troops crossing the border", "Troops crossed the borders", 1.0),  # light stemming
        ("troops crossing the border", "Soldiers crossed", 1 / 3),
        ("the of and", "anything", 0.0),
        ("", "anything", 0.0),
        ("Taxes", "nothing in common", 0.0),
    ],
)
def test_coverage(query: str, text: str, expected: float) -> None:
    assert coverage(query, text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("Is Ukraine part of NATO?", ["ukraine", "part", "nato"]),
        ('"NATO" OR (', ["nato"]),
        ("NEAR(a b)", ["near", "b"]),
        ("'; DROP TABLE claims; --", ["drop", "table", "claims"]),
        ("don't", ["don", "t"]),
        ("the of and", []),
    ],
)
def test_query_words_leave_no_operators(query: str, words: list[str]) -> None:
    assert query_words(query) == words


def test_match_expressions() -> None:
    assert fts5_query(["ukraine", "nato"], tenant="t5", every_word=True) == (
        'tenant : "t5" AND ("ukraine" AND "nato")'
    )
    assert fts5_query(["nato"], tenant="t5", every_word=False) == 'tenant : "t5" AND ("nato")'
    assert tsquery(["ukraine", "nato"], every_word=False) == "ukraine | nato"
    assert tsquery(["ukraine", "nato"], every_word=True) == "ukraine & nato"


def test_rank_pool_prefers_rare_words_then_newer_claims() -> None:
    pool = [
        (1, "Zelensky visited Kyiv"),
        (2, "The economy grew fast"),
        (3, "The economy grew slowly"),
        (4, "Zelensky said the economy grew"),
        (5, "Zelensky spoke"),
    ]
    ranked = rank_pool("Zelensky economy grew", pool)
    assert ranked[0] == (4, pytest.approx(1.0))
    # each word is in 3 of the 5 claims (equal weights): two words beat one, then newer first
    assert [pk for pk, _ in ranked[1:]] == [3, 2, 5, 1]
    rare = rank_pool("Zelensky economy", [(1, "Zelensky spoke"), *((i, "economy news") for i in range(2, 6))])
    assert rare[0][0] == 1  # the rare word outweighs the common one
    assert all(0.0 <= score <= 1.0 for _, score in ranked)
    assert rank_pool("the of", pool) == []
