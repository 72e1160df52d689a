"""The span tagger's pure parts: windows, span decoding, and pairing tagged spans into
statements the rules missed (with a fake tagger, our own port)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language

from bot.inference.span_tagger import _packed, tagger_arrays
from bot.nlp.attribution import find_attributions, load_lexicon
from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.quotes import find_quotes, normalise_text
from bot.nlp.tagged_attribution import refine_contents, tagged_attributions
from bot.nlp.tagged_spans import WINDOW, TaggedSpan, decode_spans, windows


@pytest.mark.parametrize("n", [1, 10, WINDOW, WINDOW + 1, 3 * WINDOW + 17, 5000])
def test_windows_cover_every_piece_with_overlap(n: int) -> None:
    spans = windows(n)
    covered = np.zeros(n, dtype=int)
    for lo, hi in spans:
        assert 0 <= lo < hi <= n
        assert hi - lo <= WINDOW
        covered[lo:hi] += 1
    assert covered.min() >= 1
    assert spans[-1][1] == n
    if n > WINDOW:
        assert all(b[0] < a[1] for a, b in itertools.pairwise(spans))


def test_no_pieces_no_windows() -> None:
    assert windows(0) == []


def _probs(tags: str) -> np.ndarray:
    """One row per piece: 'O', 'B' or 'I' with probability 0.9."""
    rows = []
    for tag in tags:
        row = np.full(3, 0.05, dtype=np.float32)
        row["OBI".index(tag)] = 0.9
        rows.append(row)
    return np.array(rows)


def test_decode_spans_reads_runs_and_widens_to_whole_words() -> None:
    text = "Officials warned prices rise sharply"
    # pieces: Officials | warned | prices | ri | ##se | sharply
    offsets = np.array([[0, 9], [10, 16], [17, 23], [24, 26], [26, 28], [29, 36]])
    spans = decode_spans(_probs("OOBIIO"), offsets, text)
    assert [(text[s.start : s.end]) for s in spans] == ["prices rise"]
    assert spans[0].confidence == pytest.approx(0.95)
    # an I after O starts a run; a piece inside a word is widened to the word
    spans = decode_spans(_probs("OOOIOO"), offsets, text)
    assert [text[s.start : s.end] for s in spans] == ["rise"]
    assert decode_spans(_probs("OOOOOO"), offsets, text) == []


class FakeSpanTagger:
    """Tags the first occurrence of each phrase; in "[Lopez] is also" only the bracketed part."""

    def __init__(self, **roles: Sequence[tuple[str, float]]) -> None:
        self.roles = roles
        self.calls = 0

    def tag(self, text: str) -> Mapping[str, Sequence[TaggedSpan]]:
        self.calls += 1
        result: dict[str, list[TaggedSpan]] = {}
        for role, items in self.roles.items():
            for phrase, confidence in items:
                context = phrase.replace("[", "").replace("]", "")
                start = text.index(context) + max(0, phrase.find("["))
                length = len(phrase.split("]")[0].lstrip("[")) if "[" in phrase else len(phrase)
                result.setdefault(role, []).append(TaggedSpan(start, start + length, confidence))
        return result


# The rules find Berg's statement; "is confident" is no cue of theirs.
TEXT = (
    "Mayor Ana Lopez is confident the new bridge will open before the winter floods arrive. "
    "Berg said the tolls would rise next year."
)


@pytest.mark.slow
def test_tagged_content_gets_the_nearest_tagged_source_in_its_sentence(shipped_nlp: Language) -> None:
    doc = shipped_nlp(normalise_text(TEXT))
    found = find_attributions(doc, lexicon=load_lexicon(), raw_text=TEXT)
    tags = {
        "content": [TaggedSpan(*_at("the new bridge will open before the winter floods arrive"), 0.9)],
        "source": [TaggedSpan(*_at("Mayor Ana Lopez"), 0.9), TaggedSpan(*_at("Berg"), 0.9)],
        "cue": [TaggedSpan(*_at("is confident"), 0.9)],
    }
    added = tagged_attributions(doc, tags, found, find_quotes(TEXT))
    assert len(added) == 1
    a = added[0]
    assert (
        TEXT[a.content[0][0] : a.content[0][1]] == "the new bridge will open before the winter floods arrive"
    )
    assert a.source is not None
    assert TEXT[a.source[0] : a.source[1]] == "Mayor Ana Lopez"
    assert a.source_head is not None
    assert TEXT[a.source_head[0] : a.source_head[1]].endswith("Ana Lopez")
    assert a.cue is not None
    assert TEXT[a.cue[0] : a.cue[1]] == "is confident"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "subject", "owner"),
    [
        ("Politifact seized on Trump’s claim that there were thousands of shootings.", "Politifact", "Trump"),
        (
            "Politifact checked Donald Trump’s claim that there were thousands of shootings.",
            "Politifact",
            "Donald Trump",
        ),
        (
            "Several experts rejected his claim that the new tariffs would bring jobs back.",
            "Several experts",
            "his",
        ),
    ],
)
def test_a_noun_cue_is_its_possessors(shipped_nlp: Language, text: str, subject: str, owner: str) -> None:
    """The tagger's nearest source is the clause's subject; the claim is the possessor's."""
    doc = shipped_nlp(normalise_text(text))
    content = text[text.index("that ") + 5 : -1]
    tags = {
        "content": [TaggedSpan(*_span_of(text, content), 0.9)],
        "source": [TaggedSpan(*_span_of(text, subject), 0.9)],
        "cue": [TaggedSpan(*_span_of(text, "claim"), 0.9)],
    }
    added = tagged_attributions(doc, tags, [], find_quotes(text))
    assert len(added) == 1
    source = added[0].source
    assert source is not None
    assert text[source[0] : source[1]] == owner


@pytest.mark.slow
def test_a_clause_after_its_cue_is_said_by_the_source_before_the_cue(shipped_nlp: Language) -> None:
    """The nearest tagged source is the next clause's subject; who said it stands before "said"."""
    text = (
        "Republicans said they are increasingly convinced the department mishandled the inquiry "
        "and Democrats accused the party of stoking the issue."
    )
    doc = shipped_nlp(normalise_text(text))
    tags = {
        "content": [
            TaggedSpan(
                *_span_of(text, "they are increasingly convinced the department mishandled the inquiry"), 0.9
            )
        ],
        "source": [
            TaggedSpan(*_span_of(text, "Republicans"), 0.9),
            TaggedSpan(*_span_of(text, "Democrats"), 0.9),
        ],
        "cue": [TaggedSpan(*_span_of(text, "said"), 0.9)],
    }
    added = tagged_attributions(doc, tags, [], find_quotes(text))
    assert len(added) == 1
    source = added[0].source
    assert source is not None
    assert text[source[0] : source[1]] == "Republicans"


def _span_of(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def _at(phrase: str) -> tuple[int, int]:
    return _span_of(TEXT, phrase)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "confidence", "why"),
    [
        ("the tolls would rise next year", 0.95, "the rules already found it"),
        ("the new bridge will open before the winter floods arrive", 0.4, "not sure enough"),
        ("bridge will", 0.95, "too short to be a statement"),
    ],
)
def test_tagged_content_is_not_added(
    shipped_nlp: Language, content: str, confidence: float, why: str
) -> None:
    doc = shipped_nlp(normalise_text(TEXT))
    found = find_attributions(doc, lexicon=load_lexicon(), raw_text=TEXT)
    tags = {"content": [TaggedSpan(*_at(content), confidence)]}
    assert tagged_attributions(doc, tags, found, find_quotes(TEXT)) == [], why


REPORTED = "Berg said that the tolls would rise next year, when the council meets again in Oslo."


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tagged", "confidence", "expected"),
    [
        ("the tolls would rise next year", 0.9, "the tolls would rise next year"),
        # the leading complementiser is no part of the statement
        ("that the tolls would rise next year", 0.9, "the tolls would rise next year"),
        # cut in the middle of a phrase ("when" opens a clause that goes on): the rules' end stands
        ("the tolls would rise next year, when", 0.9, None),
        ("the tolls would rise next year, when the council meets again in", 0.9, None),
        ("the tolls would rise next year", 0.5, None),  # not sure enough: the rules' extent stays
        ("Berg said that the tolls", 0.95, None),  # runs into the cue and the source
    ],
)
def test_the_tagger_refines_where_a_reported_statement_ends(
    shipped_nlp: Language, tagged: str, confidence: float, expected: str | None
) -> None:
    doc = shipped_nlp(normalise_text(REPORTED))
    found = find_attributions(doc, lexicon=load_lexicon(), raw_text=REPORTED)
    assert len(found) == 1
    rules = found[0]
    tags = {"content": [TaggedSpan(*_span_of(REPORTED, tagged), confidence)]}
    (refined,) = refine_contents(doc, found, tags)
    assert (refined.cue, refined.source, refined.kind) == (rules.cue, rules.source, rules.kind)
    start, end = refined.content[0]
    if expected is None:
        assert refined == rules
    else:
        assert REPORTED[start:end] == expected
        assert refined.content != rules.content  # the rules read on to "... in Oslo"


@pytest.mark.slow
@pytest.mark.parametrize("tagged", ["that delivery times in the", "delivery times in the old town"])
def test_a_tagged_span_that_stops_before_the_verb_leaves_the_rules_extent(
    shipped_nlp: Language, tagged: str
) -> None:
    """The demo article's "warning that | delivery times in the old town | could double" was
    shown as "warning that delivery times in the old town": the subject without its claim."""
    text = "Natarajan spoke on Monday, warning that delivery times in the old town could double."
    doc = shipped_nlp(normalise_text(text))
    found = [a for a in find_attributions(doc, lexicon=load_lexicon(), raw_text=text) if a.cue]
    assert [text[a.start : a.end] for a in found] == ["delivery times in the old town could double"]
    tags = {"content": [TaggedSpan(*_span_of(text, tagged), 0.93)]}
    assert refine_contents(doc, found, tags) == found


@pytest.mark.slow
def test_a_reported_statement_the_tagger_does_not_see_is_dropped(shipped_nlp: Language) -> None:
    text = "Berg watched the tolls rise all year. Lopez said the ferry would stay."
    doc = shipped_nlp(normalise_text(text))
    found = find_attributions(doc, lexicon=load_lexicon(), raw_text=text)
    # as if the rules took "watched" for a cue; the tagger reads only Lopez's statement
    watched = dataclasses.replace(found[0], content=((text.index("the tolls"), text.index(" all")),))
    lopez = [a for a in found if text[a.start : a.end].startswith("the ferry")]
    assert lopez
    tags = {"content": [TaggedSpan(*_span_of(text, "the ferry would stay"), 0.95)]}
    assert refine_contents(doc, [watched, *lopez], tags) == lopez
    # no tags at all: the tagger did not run, or failed; nothing is dropped
    assert refine_contents(doc, [watched, *lopez], {}) == [watched, *lopez]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("head", "confidence"),
    [("Engineers found", 0.74), ("Engineers found", 0.89), ("Engineers", 0.74)],
    ids=["unsure", "runs-on-into-it", "unsure-apart"],
)
def test_a_nested_statement_keeps_its_outer_extent(
    shipped_nlp: Language, head: str, confidence: float
) -> None:
    """The tagger splitting "the council said engineers found corrosion ..." into a nested
    statement must not give the council only the engineers' finding."""
    text = "Engineers found corrosion in 14 of the supports in March, the council said."
    doc = shipped_nlp(normalise_text(text))
    found = find_attributions(doc, lexicon=load_lexicon(), raw_text=text)
    assert len(found) == 1
    rest = text.index("corrosion")
    tags = {
        "content": [
            TaggedSpan(0, len(head), confidence),
            TaggedSpan(rest, text.index(", the council"), 0.93),
        ]
    }
    assert refine_contents(doc, found, tags) == found
    assert refine_contents(doc, found, {"content": tags["content"][1:]}) != found


@pytest.mark.slow
def test_two_sure_statements_run_together_are_cut_to_the_larger(shipped_nlp: Language) -> None:
    text = "Berg said the tolls would rise next year, and Lopez said that the ferry would stay."
    doc = shipped_nlp(normalise_text(text))
    (berg, *_) = find_attributions(doc, lexicon=load_lexicon(), raw_text=text)
    # as if the rules had run Berg's statement on to the end of the sentence
    start = text.index("the tolls")
    run_on = dataclasses.replace(berg, content=((start, len(text) - 1),))
    ferry = text.index("the ferry")
    tags = {
        "content": [
            TaggedSpan(start, text.index(", and"), 0.9),
            TaggedSpan(ferry, len(text) - 1, 0.95),
        ]
    }
    (refined,) = refine_contents(doc, [run_on], tags)
    assert text[refined.start : refined.end] == "the tolls would rise next year"
    assert (refined.cue, refined.source) == (berg.cue, berg.source)


@pytest.mark.slow
def test_a_refined_statement_stays_in_its_paragraph(shipped_nlp: Language) -> None:
    text = "Bridge bill rises to £61m\n\nThe bill has risen to £61m this spring, the council said."
    doc = shipped_nlp(normalise_text(text))
    found = find_attributions(doc, lexicon=load_lexicon(), raw_text=text)
    assert [text[a.start : a.end] for a in found] == ["The bill has risen to £61m this spring"]
    # the tagger reads the headline and the statement as one span
    tags = {"content": [TaggedSpan(0, text.index(" this spring"), 0.95)]}
    (refined,) = refine_contents(doc, found, tags)
    assert text[refined.start : refined.end] == "The bill has risen to £61m"


@pytest.mark.slow
def test_quotes_keep_their_marks_as_bounds(shipped_nlp: Language) -> None:
    text = 'Berg said: "The tolls will rise next year." The council agreed.'
    doc = shipped_nlp(normalise_text(text))
    found = find_attributions(doc, lexicon=load_lexicon(), raw_text=text)
    tags = {"content": [TaggedSpan(*_span_of(text, "The tolls will rise"), 0.99)]}
    assert refine_contents(doc, found, tags) == found


@pytest.mark.slow
@pytest.mark.parametrize("question", ["if that meant the bridge would close", "why the tolls were rising?"])
def test_reported_questions_are_not_added(shipped_nlp: Language, question: str) -> None:
    text = f"When asked {question} Mayor Ana Lopez said nothing at all about the harbour."
    doc = shipped_nlp(normalise_text(text))
    start = text.index(question)
    tags = {
        "content": [TaggedSpan(start, start + len(question), 0.95)],
        "source": [TaggedSpan(text.index("Mayor"), text.index(" said"), 0.95)],
    }
    assert tagged_attributions(doc, tags, [], find_quotes(text)) == []


@pytest.mark.slow
def test_extractor_adds_tagged_statements_with_resolved_speakers(shipped_nlp: Language) -> None:
    text = TEXT + " Lopez is also sure the city can pay for it."
    tagger = FakeSpanTagger(
        content=[
            ("the new bridge will open before the winter floods arrive", 0.9),
            ("the tolls would rise next year", 0.9),
            ("the city can pay for it", 0.9),
        ],
        source=[("Mayor Ana Lopez", 0.9), ("[Lopez] is also", 0.9)],
    )
    extractor = SpacyClaimExtractor(
        shipped_nlp, checkworthiness=False, include_unattributed=False, span_tagger=tagger
    )
    claims = extractor.extract(text)
    by_text = {c.content.text: c for c in claims}
    assert tagger.calls == 1
    assert by_text["the new bridge will open before the winter floods arrive"].speaker == "Ana Lopez"
    assert by_text["the city can pay for it"].speaker == "Ana Lopez"
    assert by_text["the tolls would rise next year"].speaker == "Berg"
    without = SpacyClaimExtractor(shipped_nlp, checkworthiness=False, include_unattributed=False)
    assert len(without.extract(text)) < len(claims)


class BrokenSpanTagger:
    def tag(self, text: str) -> Mapping[str, Sequence[TaggedSpan]]:
        raise RuntimeError("model file damaged")


@pytest.mark.slow
def test_a_failing_tagger_leaves_the_rules_statements(
    shipped_nlp: Language, caplog: pytest.LogCaptureFixture
) -> None:
    rules = SpacyClaimExtractor(shipped_nlp, checkworthiness=False).extract(TEXT)
    broken = SpacyClaimExtractor(shipped_nlp, checkworthiness=False, span_tagger=BrokenSpanTagger())
    assert broken.extract(TEXT) == rules
    doc = shipped_nlp(normalise_text(TEXT))
    assert broken.claims_from_doc(doc, TEXT) == rules
    assert "span tagger failed" in caplog.text


def test_tagger_files_store_matrices_as_int8_and_read_back_close(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    matrix = rng.normal(0, 0.05, size=(384, 384)).astype(np.float32)
    bias = rng.normal(0, 0.05, size=384).astype(np.float32)
    path = tmp_path / "tagger.npz"
    arrays = {"frozen": np.array(0), **_packed("m", matrix), **_packed("b", bias)}
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy's stub, as in save_tagger
    assert np.load(path)["m"].dtype == np.int8
    back = tagger_arrays(path)
    assert set(back) == {"frozen", "m", "b"}
    step = np.abs(matrix).max(axis=1, keepdims=True) / 127
    assert (np.abs(back["m"] - matrix) <= step / 2 + 1e-7).all()
    assert np.allclose(back["b"], bias, atol=1e-4)
