"""Where a statement's content ends: cut points, features, the learned choice."""

from __future__ import annotations

import json

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from bot.nlp.attribution import LEXICON_PATH, Attribution, boundary_example, find_attributions, load_lexicon
from bot.nlp.boundaries import FEATURE_NAMES, BoundaryModel, choose_end, content_end, cut_features, cut_points
from bot.nlp.quotes import find_quotes


@pytest.fixture(scope="module")
def nlp(shipped_nlp: Language) -> Language:
    return shipped_nlp


def _index(doc: Doc, word: str) -> int:
    return next(t.i for t in doc if t.text == word)


def _model(**weights: float) -> BoundaryModel:
    return BoundaryModel(tuple(weights.get(name, 0.0) for name in FEATURE_NAMES), 0.0)


def test_cut_points_never_split_a_quote_and_always_offer_the_full_span(nlp: Language) -> None:
    text = 'Lopez said the plan, "in every detail, with all costs," was ready in June.'
    doc = nlp(text)
    start = _index(doc, "said") + 1
    end = len(doc) - 1  # without the final period
    quotes = [(q.start, q.end) for q in find_quotes(text)]
    cuts = cut_points(doc, quotes, start, end)
    assert cuts[-1] == end
    inside = [k for k in cuts if quotes[0][0] < doc[k].idx < quotes[0][1]]
    assert inside == []
    assert _index(doc, "in") not in cuts  # "in every detail" is quoted
    assert cuts[0] == _index(doc, ",")  # the comma after "the plan"


def test_content_end_drops_trailing_punctuation_and_conjunctions(nlp: Language) -> None:
    doc = nlp("He said the bridge is safe , and then left .")
    start = 2
    and_index = _index(doc, "and")
    assert content_end(doc, start, and_index + 1) == _index(doc, ",")
    assert content_end(doc, start, start + 1) == start + 1  # never below one token


def test_features_match_the_declared_names(nlp: Language) -> None:
    doc = nlp("Berg said the plan would fail in the spring, according to aides.")
    cue = _index(doc, "said")
    features = cut_features(doc, cue, cue + 1, _index(doc, "in"), len(doc) - 1, clausal=True, first=True)
    assert len(features) == len(FEATURE_NAMES)
    named = dict(zip(FEATURE_NAMES, features, strict=True))
    assert named["preposition"] == 1.0
    assert named["first_cut"] == 1.0
    assert named["bias_end"] == 0.0
    at_end = cut_features(doc, cue, cue + 1, len(doc) - 1, len(doc) - 1, clausal=True)
    assert dict(zip(FEATURE_NAMES, at_end, strict=True))["bias_end"] == 1.0


def test_choose_end_follows_the_model(nlp: Language) -> None:
    text = "Berg said the plan would fail, and left the room in a hurry."
    doc = nlp(text)
    cue = _index(doc, "said")
    end = len(doc) - 1
    keep_all = _model(bias_end=5.0)
    cut_first = _model(first_cut=5.0)
    assert choose_end(keep_all, doc, [], cue, cue + 1, end, clausal=True) == end
    assert doc[choose_end(cut_first, doc, [], cue, cue + 1, end, clausal=True) - 1].text == "fail"


def test_boundary_example_offers_each_cut_with_features(nlp: Language) -> None:
    text = "Berg said the plan would fail in the spring, according to aides."
    doc = nlp(text)
    lexicon = load_lexicon(threshold=0.1, use_model=False)
    attributions = [a for a in find_attributions(doc, lexicon=lexicon, raw_text=text) if a.cue is not None]
    said = next(a for a in attributions if a.cue and text[a.cue[0] : a.cue[1]] == "said")
    example = boundary_example(doc, said, raw_text=text)
    assert example is not None
    assert example.start_char == text.index("the plan")
    assert len(example.cut_end_chars) == len(example.features) >= 2
    assert text[example.start_char : example.cut_end_chars[0]] == "the plan would fail"
    assert all(len(row) == len(FEATURE_NAMES) for row in example.features)


def test_boundary_example_skips_content_before_the_cue(nlp: Language) -> None:
    text = "The bridge is safe, Berg said."
    doc = nlp(text)
    trailing = Attribution(
        kind=find_attributions(doc, lexicon=load_lexicon(), raw_text=text)[0].kind,
        content=((0, text.index(",")),),
        cue=(text.index("said"), text.index("said") + 4),
        source=(text.index("Berg"), text.index("Berg") + 4),
    )
    assert boundary_example(doc, trailing, raw_text=text) is None


def test_shipped_boundary_model_fits_the_features() -> None:
    """Changing the features without retraining (scripts/train_attribution.py) fails here."""
    payload = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    assert len(payload["boundary"]["weights"]) == len(FEATURE_NAMES)
    assert load_lexicon().boundary is not None
