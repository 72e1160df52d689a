"""Query normalisation and re-ranking order (``bot.matching.retrieval``) on hand-built candidates."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from bot.matching.retrieval import collapse_same_wording, normalise_query, rerank, rerank_features
from bot.models import Candidate, ClaimKind, StoredClaim


def claim(cid: str, text: str) -> StoredClaim:
    return StoredClaim(
        id=cid,
        tenant="t",
        text=text,
        speaker=None,
        speaker_id=None,
        kind=ClaimKind.UNATTRIBUTED,
        first_seen=datetime(2024, 1, 1),
        source=None,
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Hurricane Dorian washed up bricks of cocaine pic.twitter.com/ApEtNvR7tb "
            "— NowThis (@nowthisnews) September 10, 2019",
            "Hurricane Dorian washed up bricks of cocaine (NowThis)",
        ),
        ("Big news https://t.co/abc123 for @someone today", "Big news for today"),
        ("Stop the #AustralianFires now", "Stop the Australian Fires now"),
        ("Tom &amp; Jerry &quot;won&quot;", 'Tom & Jerry "won"'),
        ("What did he say?#ImpeachTrump", "What did he say? Impeach Trump"),
        ("BREAKING: Senate passes the bill via @AP", "Senate passes the bill"),
        ('"Quoted ""field"" from a TSV"', 'Quoted "field" from a TSV'),
        ("plain sentence", "plain sentence"),
    ],
)
def test_normalise_query(raw: str, expected: str) -> None:
    assert normalise_query(raw) == expected
    assert normalise_query(expected) == expected


def test_normalise_query_is_idempotent_on_nested_signatures() -> None:
    raw = "Land is seized.”@FoxNews — Donald J. Trump (@realDonaldTrump) August 23, 2018"
    once = normalise_query(raw)
    assert normalise_query(once) == once
    assert "@" not in once


def test_rerank_prefers_lexical_and_number_agreement_when_cosines_tie() -> None:
    query = "Biden said 70,000 troops are at the Ukrainian border"
    candidates = [
        Candidate(claim("a", "Putin said the weather in Moscow is cold"), cosine=0.55),
        Candidate(claim("b", "Biden says 70,000 troops are massed at Ukraine's border"), cosine=0.55),
        Candidate(claim("c", "Biden says 100,000 troops are massed at Ukraine's border"), cosine=0.55),
    ]
    ranked = [c.claim.id for c, _ in rerank(query, None, candidates)]
    assert ranked == ["b", "c", "a"]


def test_rerank_uses_a_fact_checks_headline_when_the_query_is_worded_like_it() -> None:
    query = "Did Obama release 122 Guantanamo prisoners who returned to the battlefield?"
    candidates = [
        Candidate(claim("other", "Guantanamo Bay detainees were tortured under Obama"), cosine=0.50),
        Candidate(
            replace(
                claim("checked", "Detainees freed under the previous administration re-engaged"),
                title="Did 122 Prisoners Released from Guantanamo by Obama Return to the Battlefield?",
            ),
            cosine=0.50,
        ),
    ]
    assert [c.claim.id for c, _ in rerank(query, None, candidates)] == ["checked", "other"]
    # without its headline the same claim shares few words with the query
    bare = [candidates[0], Candidate(replace(candidates[1].claim, title=None), cosine=0.50)]
    assert [c.claim.id for c, _ in rerank(query, None, bare)] == ["other", "checked"]


def test_rerank_features_fall_back_to_the_claim_text_without_a_title() -> None:
    query = "tram fares rise to three pounds"
    plain = Candidate(claim("a", "Tram fares will rise to £3"), cosine=0.6)
    titled = Candidate(replace(plain.claim, title="Tram fares will rise to £3"), cosine=0.6)
    assert rerank_features(query, [plain]) == rerank_features(query, [titled])


def test_rerank_keeps_a_clear_cosine_winner_first() -> None:
    query = "Vaccines cause autism, a new study shows"
    candidates = [
        Candidate(claim("weak", "A study shows new cars cause pollution"), cosine=0.35),
        Candidate(claim("strong", "Vaccines have been shown to cause autism"), cosine=0.85),
    ]
    ranked = rerank(query, None, candidates)
    assert [c.claim.id for c, _ in ranked] == ["strong", "weak"]
    assert ranked[0][1] > ranked[1][1]
    assert all(0.0 < s < 1.0 for _, s in ranked)


def test_rerank_merges_duplicates_from_both_sources() -> None:
    text = "The moon landing was staged"
    candidates = [
        Candidate(claim("x", text), cosine=0.7, lexical=0.0),
        Candidate(claim("x", text), cosine=0.0, lexical=0.9),
        Candidate(claim("y", "Mars has two moons"), cosine=0.3),
    ]
    ranked = rerank("moon landing staged", None, candidates)
    assert [c.claim.id for c, _ in ranked] == ["x", "y"]
    assert ranked[0][0].cosine == 0.7
    assert ranked[0][0].lexical == 0.9


def test_rerank_recomputes_cosine_from_vectors() -> None:
    candidates = [
        Candidate(claim("p", "alpha beta delta"), cosine=0.0),
        Candidate(claim("q", "alpha beta gamma"), cosine=0.0),
    ]
    query_vec = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.1, 0.995], [0.99, 0.14]], dtype=np.float32)
    ranked = rerank("alpha beta", query_vec, candidates, candidate_vectors=vectors)
    assert [c.claim.id for c, _ in ranked] == ["q", "p"]


def test_rerank_shows_one_claim_stored_twice_once_as_its_oldest_copy() -> None:
    # a fact-check archive holding the same claim with 'single' and "double" quotes
    newer = claim("c10", "A 'newly uncovered' photograph shows the senator at a protest.")
    older = claim("c9", 'A "newly uncovered" photograph shows the senator at a protest.')
    other = claim("c11", "A photograph shows the senator at a rally in Texas.")
    candidates = [Candidate(newer, cosine=0.9), Candidate(other, cosine=0.6), Candidate(older, cosine=0.8)]
    ranked = rerank("newly uncovered photograph of the senator at a protest", None, candidates)
    assert [c.claim.id for c, _ in ranked] == ["c9", "c11"]
    # the group keeps the best member's score (the newer copy had the higher cosine)
    alone = rerank("newly uncovered photograph of the senator at a protest", None, candidates[:2])
    assert ranked[0][1] == pytest.approx(alone[0][1])


def test_collapse_same_wording_prefers_the_first_sighting_then_the_lower_id() -> None:
    early = replace(claim("c20", "Taxes rose by 5%"), first_seen=datetime(2023, 1, 1))
    late = claim("c3", "taxes ROSE by 5 %")
    assert [
        c.claim.id
        for c, _ in collapse_same_wording([(Candidate(late, 0.0), 0.9), (Candidate(early, 0.0), 0.5)])
    ] == ["c20"]
    a, b = claim("c10", "Taxes rose"), claim("c9", "taxes rose!")
    assert [
        c.claim.id for c, s in collapse_same_wording([(Candidate(a, 0.0), 0.9), (Candidate(b, 0.0), 0.8)])
    ] == ["c9"]


def test_collapse_same_wording_keeps_different_wordings_and_wordless_claims() -> None:
    scored = [
        (Candidate(claim("c1", "Taxes rose"), 0.0), 0.9),
        (Candidate(claim("c2", "Taxes fell"), 0.0), 0.8),
        (Candidate(claim("c3", "🙂"), 0.0), 0.7),
        (Candidate(claim("c4", "🙃"), 0.0), 0.6),
    ]
    assert [c.claim.id for c, _ in collapse_same_wording(scored)] == ["c1", "c2", "c3", "c4"]


def test_collapse_same_wording_keeps_the_same_words_from_two_speakers() -> None:
    berg = replace(claim("c1", "We will not raise taxes"), speaker="Tom Berg", speaker_id="s1")
    lopez = replace(claim("c2", "We will not raise taxes."), speaker="Ana Lopez", speaker_id="s2")
    again = replace(claim("c3", "we will NOT raise taxes"), speaker="Tom Berg", speaker_id="s1")
    scored = [(Candidate(c, 0.0), score) for c, score in ((berg, 0.9), (lopez, 0.8), (again, 0.7))]
    assert [c.claim.id for c, _ in collapse_same_wording(scored)] == ["c1", "c2"]


def test_rerank_of_nothing_is_empty() -> None:
    assert rerank("anything", None, []) == []


def test_rerank_features_rarity_weighting() -> None:
    candidates = [
        Candidate(claim("1", "Senate vote on the border wall"), cosine=0.5),
        Candidate(claim("2", "Senate vote on the tax bill"), cosine=0.5),
        Candidate(claim("3", "Senate vote on the farm bill"), cosine=0.5),
    ]
    feats = rerank_features("border wall senate vote", candidates)
    assert feats[0]["query_coverage"] > feats[1]["query_coverage"]
    assert feats[0]["cosine_gap"] == 0.0
