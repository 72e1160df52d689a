"""The shipped span tagger (models/attribution_tagger.npz) on the packaged MiniLM, offline:
both runtimes load and agree, and the product's extractor keeps every rule statement (with
its speaker; a reported statement's extent may be refined) and adds one the rules miss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language

from bot.inference.extractor import load_extractor
from bot.inference.span_tagger import TAGGER_PATH, AttributionSpanTagger
from bot.models import ExtractedClaim
from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.quotes import normalise_text
from bot.nlp.tagged_spans import HEADS
from bot.settings import Settings

pytestmark = pytest.mark.slow

ARTICLE = """Portmere council approved the harbour budget on Tuesday after a long debate.

Mayor Ana Lopez made it clear she had serious doubts about the cost of the new bridge.

Councillor Tom Berg again refused to promise that the tolls would stay at their current level.

"We will not sell the ferry," Lopez said."""

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "examples" / "ukraine-2021-12-18.txt"


@pytest.fixture(scope="module")
def int8_tagger(tmp_path_factory: pytest.TempPathFactory) -> AttributionSpanTagger:
    return AttributionSpanTagger(
        precision="int8", model_cache_dir=tmp_path_factory.mktemp("cache"), num_threads=1
    )


def test_shipped_weights_are_small_and_present() -> None:
    assert TAGGER_PATH.is_file()
    assert TAGGER_PATH.stat().st_size < 10_000_000


def test_int8_export_agrees_with_float32(int8_tagger: AttributionSpanTagger, tmp_path: Path) -> None:
    text = normalise_text(ARTICLE)
    p8, offsets8 = int8_tagger.probabilities(text)
    p32, offsets32 = AttributionSpanTagger(precision="float32").probabilities(text)
    assert np.array_equal(offsets8, offsets32)
    assert p8.shape == (len(offsets8), len(HEADS), 3)
    assert np.allclose(p8.sum(-1), 1.0, atol=1e-4)
    assert (p8.argmax(-1) == p32.argmax(-1)).mean() >= 0.95
    # derived once, then read from the cache
    assert len(list((int8_tagger._model_cache_dir or tmp_path).glob("span-tagger-int8-*.onnx"))) == 1


def test_empty_and_tiny_texts(int8_tagger: AttributionSpanTagger) -> None:
    assert int8_tagger.tag("") == {"content": [], "source": [], "cue": []}
    assert set(int8_tagger.tag("Hello.")) == set(HEADS)


def test_long_text_is_read_in_windows(int8_tagger: AttributionSpanTagger) -> None:
    text = normalise_text("\n\n".join([ARTICLE] * 20))
    probs, offsets = int8_tagger.probabilities(text)
    assert len(offsets) > 1000
    assert np.allclose(probs.sum(-1), 1.0, atol=1e-4)


def test_product_extractor_adds_what_the_rules_miss(shipped_nlp: Language, tmp_path: Path) -> None:
    settings = Settings(model_cache_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.attribution_tagger
    product = load_extractor(settings)
    product.nlp = shipped_nlp
    rules_only = SpacyClaimExtractor(shipped_nlp)
    with_tagger = product.extract(ARTICLE)
    rules = rules_only.extract(ARTICLE)
    # the rules read "approved" as a cue (its content less the occasion, "after a long debate");
    # the tagger's narrower object, "the harbour budget", is a bare object and no statement
    bare = "the harbour budget on Tuesday"
    assert bare in {c.content.text for c in rules}
    assert not [c for c in with_tagger if "harbour" in c.content.text]
    _assert_every_rule_statement_kept([r for r in rules if r.content.text != bare], with_tagger)
    added = [c for c in with_tagger if not any(_same_statement(c, r) for r in rules)]
    # "made it clear" is no cue of the rules'; the tagger finds what she made clear, and who
    assert [c.speaker for c in added] == ["Ana Lopez"]
    assert added[0].content.text.endswith("doubts about the cost of the new bridge")
    for claim in with_tagger:
        for span in (claim.content, claim.cue, claim.speaker_mention):
            if span is not None:
                assert ARTICLE[span.start : span.end] == span.text


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="../shared/examples is not beside the repo")
def test_example_article_keeps_its_rule_statements(
    shipped_nlp: Language, int8_tagger: AttributionSpanTagger
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    rules = SpacyClaimExtractor(shipped_nlp).extract(text)
    both = SpacyClaimExtractor(shipped_nlp, span_tagger=int8_tagger).extract(text)
    _assert_every_rule_statement_kept(rules, both)
    assert all(c.speaker != "PA" for c in both)
    assert not [c.content.text for c in both if c.content.text.startswith("that ")]


def _same_statement(a: ExtractedClaim, b: ExtractedClaim) -> bool:
    # "Lopez" may become "Ana Lopez" once the tagger has found her named in full
    first, second = a.speaker or "", b.speaker or ""
    same_speaker = first == second or (bool(first and second) and first.split()[-1] == second.split()[-1])
    return same_speaker and a.content.start < b.content.end and b.content.start < a.content.end


def _assert_every_rule_statement_kept(rules: list[ExtractedClaim], product: list[ExtractedClaim]) -> None:
    """Each rule statement is still there, with its speaker; the tagger may move where a
    reported statement ends."""
    for claim in rules:
        assert any(_same_statement(claim, other) for other in product), claim.content.text
    assert sum(c.content.text == r.content.text for c in product for r in rules) >= len(rules) // 2
