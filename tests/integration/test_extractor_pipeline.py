"""The extractor end to end on a whole (made-up) article with the real pipeline."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from spacy.language import Language

from bot.models import ClaimKind, ExtractedClaim, SpeakerKind
from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.restatements import merge_restatements, restatement_similarity
from bot.ports import ClaimExtractor

ARTICLE = """By Jane Example

OSLO (Newswire) — Transport Minister Ana Lopez said the new bridge would open to traffic in May next year.

Norwegian port officials claim that freight volumes have grown by 18 percent since 2020.

Lopez and Finance Minister Tom Berg issued a joint statement on Friday expressing concerns about steel prices.

The project will be finished on budget and on time, the statement added.

The bridge cost 420 million euros and employs 1,300 workers.

Ana Lopez speaks to reporters at the harbour on Friday (Kari Nordmann/Newswire)

(Newswire photo)

Will the tolls rise next year?

Prime Minister Erik Dahl visited the site on Saturday, warning that any delay would be costly.

The prime minister said that the ferries would keep running until the opening.

When asked about the schedule, Lopez said: “The new bridge will open to traffic next May.”

“It is the largest project in our history,” she added. “Nobody should doubt it.”

We will not let the old ferry crews down. She added that all crews would be retrained.

The Port Authority denied any cost overrun and accused critics of spreading rumours.

Sign up for our newsletter to get the latest news.
"""


@pytest.fixture(scope="session")
def extractor(shipped_nlp: Language) -> SpacyClaimExtractor:
    return SpacyClaimExtractor(shipped_nlp, checkworthiness=False)


@pytest.fixture(scope="session")
def claims(extractor: SpacyClaimExtractor) -> list[ExtractedClaim]:
    return extractor.extract(ARTICLE)


def _find(claims: Sequence[ExtractedClaim], fragment: str) -> ExtractedClaim:
    found = [c for c in claims if fragment in c.text]
    assert len(found) == 1, f"{fragment!r} in {[c.text for c in claims]}"
    return found[0]


def test_it_is_a_claim_extractor(extractor: SpacyClaimExtractor) -> None:
    port: ClaimExtractor = extractor
    assert port.extract_many(["", ARTICLE[:200]])[0] == []


@pytest.mark.parametrize(
    ("fragment", "kind", "speaker", "speaker_kind"),
    [
        ("open to traffic next May", ClaimKind.DIRECT, "Ana Lopez", SpeakerKind.PERSON),
        ("freight volumes have grown", ClaimKind.INDIRECT, "Norwegian port officials", SpeakerKind.GROUP),
        (
            "concerns about steel prices",
            ClaimKind.INDIRECT,
            "Ana Lopez and Tom Berg",
            SpeakerKind.GROUP,
        ),
        ("finished on budget", ClaimKind.INDIRECT, "Ana Lopez and Tom Berg", SpeakerKind.GROUP),
        ("420 million euros", ClaimKind.UNATTRIBUTED, None, SpeakerKind.UNKNOWN),
        ("any delay would be costly", ClaimKind.INDIRECT, "Erik Dahl", SpeakerKind.PERSON),
        ("ferries would keep running", ClaimKind.INDIRECT, "Erik Dahl", SpeakerKind.PERSON),
        ("largest project in our history", ClaimKind.DIRECT, "Ana Lopez", SpeakerKind.PERSON),
        # a first-person sentence outside quote marks is a lost quote of the next speaker who "adds"
        ("let the old ferry crews down", ClaimKind.DIRECT, "Ana Lopez", SpeakerKind.PERSON),
        ("all crews would be retrained", ClaimKind.INDIRECT, "Ana Lopez", SpeakerKind.PERSON),
        ("any cost overrun", ClaimKind.INDIRECT, "Port Authority", SpeakerKind.ORGANISATION),
        ("critics of spreading rumours", ClaimKind.INDIRECT, "Port Authority", SpeakerKind.ORGANISATION),
    ],
)
def test_statements_and_speakers(
    claims: list[ExtractedClaim],
    fragment: str,
    kind: ClaimKind,
    speaker: str | None,
    speaker_kind: SpeakerKind,
) -> None:
    claim = _find(claims, fragment)
    assert (claim.kind, claim.speaker, claim.speaker_kind) == (kind, speaker, speaker_kind)


@pytest.mark.parametrize(
    "not_a_claim",
    ["Jane Example", "Kari Nordmann", "speaks to reporters", "Newswire photo", "tolls rise", "newsletter"],
)
def test_captions_credits_bylines_questions_and_boilerplate_are_not_claims(
    claims: list[ExtractedClaim], not_a_claim: str
) -> None:
    assert not [c for c in claims if not_a_claim in c.content.text]


def test_dateline_is_cut_from_the_statement(claims: list[ExtractedClaim]) -> None:
    assert all("OSLO" not in c.text for c in claims)


def test_a_statement_made_twice_is_one_claim_with_two_mentions(claims: list[ExtractedClaim]) -> None:
    claim = _find(claims, "open to traffic next May")
    assert claim.mentions == 2
    (other,) = claim.restatements
    assert "open to traffic in May next year" in other.text
    assert ARTICLE[other.start : other.end] == other.text


def test_quote_split_by_a_sentence_is_one_statement(claims: list[ExtractedClaim]) -> None:
    claim = _find(claims, "largest project in our history")
    assert "Nobody should doubt it" in claim.text
    # its pieces are the two quotes, without the writer's "she added" between them
    first, second = claim.content_pieces
    assert first.text.startswith("“It is the largest")
    assert "added" not in first.text
    assert second.text == "“Nobody should doubt it.”"
    assert (claim.content.start, claim.content.end) == (first.start, second.end)


def test_a_statement_in_one_piece_is_its_content(claims: list[ExtractedClaim]) -> None:
    claim = _find(claims, "ferries would keep running")
    assert claim.content_fragments == ()
    assert claim.content_pieces == (claim.content,)


def test_every_span_points_into_the_article(claims: list[ExtractedClaim]) -> None:
    assert claims
    for claim in claims:
        pieces = (*claim.restatements, *claim.content_fragments)
        for span in (claim.content, claim.cue, claim.speaker_mention, *pieces):
            if span is not None:
                assert ARTICLE[span.start : span.end] == span.text


def test_aliases_of_a_resolved_speaker(claims: list[ExtractedClaim]) -> None:
    claim = _find(claims, "ferries would keep running")
    assert (
        "The prime minister" in claim.speaker_aliases or "Prime Minister Erik Dahl" in claim.speaker_aliases
    )


def test_extract_many_matches_extract(extractor: SpacyClaimExtractor) -> None:
    texts = [ARTICLE, "The council denied any wrongdoing."]
    assert extractor.extract_many(texts) == [extractor.extract(t) for t in texts]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (
            "the new bridge would open to traffic in May next year",
            "The new bridge will open to traffic next May.",
            True,
        ),
        (
            "the new bridge would open to traffic in May",
            "Freight volumes have grown by 18 percent since 2020",
            False,
        ),
        ("yes", "yes", False),  # too short to call a restatement
    ],
)
def test_restatement_similarity(a: str, b: str, same: bool) -> None:
    assert (restatement_similarity(a, b) >= 0.6) is same


def test_merge_keeps_the_attributed_occurrence() -> None:
    from bot.models import Span

    unattributed = ExtractedClaim(
        text="We can help build roads but we cannot pay for all of them",
        kind=ClaimKind.DIRECT,
        content=Span(0, 10, "x"),
        speaker="Someone Else",
    )
    quoted = ExtractedClaim(
        text="We can help build the roads, but we cannot pay for all of them",
        kind=ClaimKind.DIRECT,
        content=Span(50, 60, "y"),
        cue=Span(40, 44, "said"),
        speaker="Ana Lopez",
    )
    (merged,) = merge_restatements([unattributed, quoted])
    assert merged.speaker == "Ana Lopez"
    assert merged.restatements == (unattributed.content,)


@pytest.mark.parametrize(
    ("text", "kept", "restated"),
    [
        (
            "Tunnel repairs to cost 40 million dollars, ministry says\n\n"
            "The Transport Ministry said on Monday that repairs to the tunnel will cost 40 million dollars "
            "and take a year.",
            "repairs to the tunnel will cost 40 million dollars",
            "Tunnel repairs to cost 40 million dollars",
        ),
    ],
)
def test_a_body_statement_is_kept_over_its_headline(
    extractor: SpacyClaimExtractor, text: str, kept: str, restated: str
) -> None:
    claims = [c for c in extractor.extract(text) if "40 million" in c.text]
    assert len(claims) == 1
    assert kept in claims[0].text
    assert [text[r.start : r.end] for r in claims[0].restatements] == [restated]
