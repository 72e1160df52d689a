"""Texts far longer than an article are read in pieces, so memory stays flat."""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.pieces import pieces_of

PARAGRAPH = (
    "The council said on Monday that the bridge will close for two years. "
    '"We have no choice," said Mayor Ana Lopez.\n\n'
)


@pytest.mark.parametrize(
    ("text", "limit", "cuts"),
    [
        ("short", 100, [0]),
        ("a" * 40 + "\n\n" + "b" * 40 + "\n\n" + "c" * 40, 100, [0, 84]),  # after the paragraph break
        ("a" * 60 + "\n" + "b" * 60, 100, [0, 61]),  # a line break when there is no paragraph
        ("word " * 50, 100, [0, 100, 200]),  # a space when nothing else
        ("x" * 250, 100, [0, 100, 200]),  # cut hard in a run with no break at all
    ],
)
def test_pieces_cover_the_text_in_order(text: str, limit: int, cuts: list[int]) -> None:
    pieces = pieces_of(text, limit)
    assert [offset for offset, _ in pieces] == cuts
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= limit for _, piece in pieces)


@pytest.mark.slow
def test_a_long_text_gives_each_pieces_statements_at_their_place(
    shipped_nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.nlp.extractor as extractor_module

    extractor = SpacyClaimExtractor(shipped_nlp, checkworthiness=False, merge_restatements=False)
    text = PARAGRAPH * 12
    whole = extractor.extract(text)
    monkeypatch.setattr(extractor_module, "PIECE_CHARS", len(PARAGRAPH) * 3)  # four pieces
    pieced = extractor.extract(text)
    assert len(pieced) == len(whole) == 24
    for claim in pieced:
        assert text[claim.content.start : claim.content.end] == claim.content.text
        assert claim.speaker_mention is not None
        assert text[claim.speaker_mention.start : claim.speaker_mention.end] == claim.speaker_mention.text
    assert [(c.text, c.speaker, c.content.start) for c in pieced] == [
        (c.text, c.speaker, c.content.start) for c in whole
    ]
