"""Who said what: quote pairing (no parser) and text -> expected statements tables.

The sentences are written for these tests. The pipeline is loaded once per session: the
shipped ``models/claimbot_en`` when present, else the interim training output.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from bot.models import ClaimKind, ExtractedClaim
from bot.nlp.attribution import find_attributions, load_lexicon, sentence_units
from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.quotes import find_quotes, normalise_text


@pytest.fixture(scope="session")
def nlp(shipped_nlp: Language) -> Language:
    return shipped_nlp


@pytest.fixture(scope="session")
def extractor(nlp: Language) -> SpacyClaimExtractor:
    return SpacyClaimExtractor(nlp, checkworthiness=False)


# ----------------------------------------------------------------------------- quotes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She said “it is fine” today.", ["“it is fine”"]),
        ('She said "it is fine" today.', ['"it is fine"']),
        ("“One,” he said, “two.”", ["“One,”", "“two.”"]),
        ("''Typewriter quotes,'' he said.", ["''Typewriter quotes,''"]),
        ("“One sentence. And another.” Then more.", ["“One sentence. And another.”"]),
        # unbalanced: nothing invented, however long the rest of the text is
        ("He said “this never closes. Another sentence. And a third.", []),
        ('He said "this never closes.\n\nA new paragraph without marks.', []),
        # a quote running on into the next paragraph (newspaper convention)
        (
            "“First paragraph of the quote.\n\n“Second one.”",
            ["“First paragraph of the quote.", "“Second one.”"],
        ),
        ("A 6″ pipe and a “real” quote.", ["“real”"]),
        ("It’s the mayor’s car.", []),
        # marks around nothing but spaces quote nothing (a statement with no words)
        ("The council said “ ” and “x”.", ["“x”"]),
    ],
)
def test_find_quotes(text: str, expected: list[str]) -> None:
    assert [text[q.start : q.end] for q in find_quotes(text)] == expected


def test_normalise_text_preserves_length_and_offsets() -> None:
    text = "“Don’t,” she said\u00a0— ‘fine’."
    normalised = normalise_text(text)
    assert len(normalised) == len(text)
    assert normalised == "\"Don't,\" she said — 'fine'."


# ----------------------------------------------------------------------------- units


def test_sentence_units_keep_abbreviations_and_quotes_together(nlp: Language) -> None:
    text = 'Mr. Berg said the U.S. share grew. "It is fine," he said. "Really."\n\nNew paragraph here.'
    doc = nlp(normalise_text(text))
    units = [doc[u.start : u.end].text.strip() for u in sentence_units(doc, find_quotes(text))]
    assert units == [
        "Mr. Berg said the U.S. share grew.",
        '"It is fine," he said.',
        '"Really."',
        "New paragraph here.",
    ]


# ----------------------------------------------------------------------------- statements


def _summary(claim: ExtractedClaim) -> tuple[str, str | None, str | None, str]:
    return (claim.kind.value, claim.speaker, claim.cue.text if claim.cue else None, claim.text)


CONSTRUCTIONS = [
    pytest.param(
        "“The bridge will open in May,” Mayor Ana Lopez said.",
        [("direct", "Ana Lopez", "said", "The bridge will open in May")],
        id="direct-speaker-after",
    ),
    pytest.param(
        '"The bridge will open in May," Mayor Ana Lopez said.',
        [("direct", "Ana Lopez", "said", "The bridge will open in May")],
        id="direct-straight-marks",
    ),
    pytest.param(
        "“We will not raise taxes,” said Finance Minister Tom Berg.",
        [("direct", "Tom Berg", "said", "We will not raise taxes")],
        id="direct-inverted-speaker",
    ),
    pytest.param(
        "Ana Lopez said: “The bridge will open in May.”",
        [("direct", "Ana Lopez", "said", "The bridge will open in May.")],
        id="direct-colon-introduction",
    ),
    pytest.param(
        "Tom Berg said: “Taxes will not rise. Spending will fall by three percent.”",
        [("direct", "Tom Berg", "said", "Taxes will not rise. Spending will fall by three percent.")],
        id="direct-quote-spanning-sentences",
    ),
    pytest.param(
        "“The bridge is safe,” Lopez said, “and it will open in May.”",
        [("direct", "Lopez", "said", "The bridge is safe, and it will open in May.")],
        id="direct-split-quote",
    ),
    pytest.param(
        "“The bridge is safe,” Lopez told reporters on Monday, “and it will open in May.”",
        [("direct", "Lopez", "told", "The bridge is safe, and it will open in May.")],
        id="direct-split-quote-with-addressee-and-time",
    ),
    pytest.param(
        "“The bridge is safe,” Lopez said, but “the tolls must rise.”",
        [("direct", "Lopez", "said", "The bridge is safe, the tolls must rise.")],
        id="direct-split-quote-after-but",
    ),
    pytest.param(
        "“The bridge is safe,” Lopez said, adding, “the tolls must rise.”",
        [
            ("direct", "Lopez", "said", "The bridge is safe"),
            ("direct", "Lopez", "adding", "the tolls must rise."),
        ],
        id="direct-quote-after-a-cue-of-its-own-is-a-statement-of-its-own",
    ),
    pytest.param("She reads the news every morning before work.", [], id="reading-is-no-speech"),
    pytest.param(
        "Mayor Lopez read the report on Monday and said the bridge was safe.",
        [("indirect", "Lopez", "said", "the bridge was safe")],
        id="a-person-reading-then-speaking",
    ),
    pytest.param(
        "“The tolls will rise in May and the ferry will run every hour,” the article read.",
        [("direct", "article", "read", "The tolls will rise in May and the ferry will run every hour")],
        id="a-document-reads",
    ),
    pytest.param(
        "Some families would see their bills go up under the plan, according to an analysis by "
        "Lily Batchelder, a former tax aide now teaching at New York University.",
        [
            (
                "indirect",
                "Lily Batchelder",
                "according to",
                "Some families would see their bills go up under the plan",
            )
        ],
        id="according-to-an-analysis-by-an-apposed-author",
    ),
    pytest.param(
        "Hospital waiting lists grew by a third, according to figures released by the health "
        "department last month.",
        [("indirect", "health department", "according to", "Hospital waiting lists grew by a third")],
        id="according-to-figures-released-by-a-body",
    ),
    pytest.param(
        "Ana Lopez criticized the new toll on commuters and lorry drivers during a campaign stop in Hull.",
        [("indirect", "Ana Lopez", "criticized", "criticized the new toll on commuters and lorry drivers")],
        id="reported-object-without-the-circumstance-after-it",
    ),
    pytest.param(
        "The foreign ministry condemned the latest missile launch by the North as Pyongyang fired "
        "three more missiles into the sea.",
        [("indirect", "foreign ministry", "condemned", "condemned the latest missile launch by the North")],
        id="reported-object-without-an-as-clause-of-the-writer",
    ),
    pytest.param(
        "“We will cut taxes,” Pence said. “Follow Pam Key on Twitter @pamkeyNEN.”",
        [("direct", "Pence", "said", "We will cut taxes")],
        id="a-promotion-line-in-quote-marks-is-nobody's-statement",
    ),
    pytest.param(
        "CLARIFICATION: The first sentence has been clarified to reflect that Berg calls for a review.",
        [],
        id="an-editors-note-is-nobody's-statement",
    ),
    pytest.param(
        "Tom Berg called for steep new tariffs on goods from China and Mexico.",
        [("indirect", "Tom Berg", "called", "called for steep new tariffs on goods from China and Mexico")],
        id="object-claim-keeps-the-whole-phrasal-verb",
    ),
    pytest.param(
        "Tom Berg said that the deficit had doubled since 2019.",
        [("indirect", "Tom Berg", "said", "the deficit had doubled since 2019")],
        id="indirect-said-that",
    ),
    pytest.param(
        "Ana Lopez told reporters that the tunnel would cost two billion dollars.",
        [("indirect", "Ana Lopez", "told", "the tunnel would cost two billion dollars")],
        id="indirect-told-addressee",
    ),
    pytest.param(
        "The union warned that 4,000 jobs were at risk.",
        [("indirect", "union", "warned", "4,000 jobs were at risk")],
        id="indirect-warned-body",
    ),
    pytest.param(
        "According to the ministry, exports fell by 12 percent last year.",
        [("indirect", "ministry", "According to", "exports fell by 12 percent last year")],
        id="according-to-before",
    ),
    pytest.param(
        "Exports fell by 12 percent last year, according to the ministry.",
        [("indirect", "ministry", "according to", "Exports fell by 12 percent last year")],
        id="according-to-after",
    ),
    pytest.param(
        "Ana Lopez visited the site on Monday, warning that delays would cost millions.",
        [("indirect", "Ana Lopez", "warning", "delays would cost millions")],
        id="participial-warning-that",
    ),
    pytest.param(
        "The council denied any wrongdoing and accused the contractor of hiding defects.",
        [
            # the denial is the claim's stance ("council denies: any wrongdoing"), not its words
            ("indirect", "council", "denied", "any wrongdoing"),
            ("indirect", "council", "accused", "accused the contractor of hiding defects"),
        ],
        id="body-denied-and-accused",
    ),
    pytest.param(
        "Tom Berg spoke in Oslo. He added that the ferry would keep running.",
        [("indirect", "Tom Berg", "added", "the ferry would keep running")],
        id="pronoun-he-added",
    ),
    pytest.param(
        "The bank insisted the figures were accurate.",
        [("indirect", "bank", "insisted", "the figures were accurate")],
        id="insisted-without-that",
    ),
    pytest.param(
        "The ministry said on Tuesday that exports had fallen by 12 percent.",
        [("indirect", "ministry", "said", "exports had fallen by 12 percent")],
        id="time-adverbial-before-that",
    ),
    pytest.param(
        "The ministry said last week that exports had fallen.",
        [("indirect", "ministry", "said", "exports had fallen")],
        id="last-week-before-that",
    ),
    pytest.param(
        "The mayor said in an interview with local radio on Sunday that the tunnel would open in May.",
        [("indirect", "mayor", "said", "the tunnel would open in May")],
        id="long-adverbials-before-that",
    ),
    pytest.param(
        "Tom Berg said on Monday the plan would fail.",
        [("indirect", "Tom Berg", "said", "the plan would fail")],
        id="time-adverbial-before-bare-clause",
    ),
    pytest.param(
        "Ana Lopez said at the hearing she had never seen the report.",
        [("indirect", "Ana Lopez", "said", "she had never seen the report")],
        id="phrase-then-pronoun-clause-read-as-relative-clause",
    ),
    pytest.param(
        "Ana Lopez said in an interview with the Herald she would run again.",
        [("indirect", "Ana Lopez", "said", "she would run again")],
        id="nested-phrases-then-pronoun-clause",
    ),
    pytest.param(
        "Mayor Ana Lopez was blunt: “The bridge has been unsafe for years,” she said.",
        [("direct", "Ana Lopez", "said", "The bridge has been unsafe for years")],
        id="lead-in-colon-then-quote-and-trailing-cue",
    ),
    pytest.param(
        "Ana Lopez said in a statement: the bridge is safe.",
        [("indirect", "Ana Lopez", "said", "the bridge is safe")],
        id="adverbial-before-colon",
    ),
    pytest.param(
        "The cost of the tunnel has risen to 40 million dollars, the ministry said on Friday, "
        "two weeks after the works began.",
        [("indirect", "ministry", "said", "The cost of the tunnel has risen to 40 million dollars")],
        id="trailing-cue-with-time-and-clause-after",
    ),
    pytest.param(
        "Unemployment fell to 4 percent in June, the agency said on Thursday.",
        [("indirect", "agency", "said", "Unemployment fell to 4 percent in June")],
        id="trailing-cue-with-time-after",
    ),
    pytest.param(
        "When asked about the delay, Lopez said on Monday that the bridge would open in May.",
        [("indirect", "Lopez", "said", "the bridge would open in May")],
        id="leading-subordinate-clause-is-not-content",
    ),
    pytest.param(
        "Auditors found errors in the accounts of three schools, the ministry said in a report.",
        [("indirect", "ministry", "said", "Auditors found errors in the accounts of three schools")],
        id="trailing-speech-cue-governs-found",
    ),
    pytest.param(
        "Inspectors discovered cracks in the hull, the company said on Monday.",
        [("indirect", "company", "said", "Inspectors discovered cracks in the hull")],
        id="trailing-speech-cue-governs-discovered",
    ),
    pytest.param(
        "Surveys show that support has fallen, according to the party.",
        [("indirect", "party", "according to", "Surveys show that support has fallen")],
        id="trailing-according-to-governs-show",
    ),
    pytest.param(
        "“The ferry has been a lifeline for the islands for forty years,” said Rep. Tom Berg (D-Ore.), "
        "a member of the transport committee.",
        [("direct", "Tom Berg", "said", "The ferry has been a lifeline for the islands for forty years")],
        id="direct-inverted-speaker-with-party-and-apposition",
    ),
    pytest.param(
        "Lopez “is the only engineer who has built a bridge of this size,” "
        "retired army general Tom Berg said.",
        [
            (
                "direct",
                "Tom Berg",
                "said",
                "Lopez “is the only engineer who has built a bridge of this size",
            )
        ],
        id="trailing-speaker-with-modifiers-before-name",
    ),
    pytest.param(
        "Berg thanked the volunteers for their work and said the harbour would reopen in June.",
        [
            ("indirect", "Berg", "thanked", "thanked the volunteers for their work"),
            ("indirect", "Berg", "said", "the harbour would reopen in June"),
        ],
        id="cue-coordinated-with-a-non-speech-verb",
    ),
    pytest.param(
        "The council said the tunnel would open in May, although engineers doubt the schedule.",
        [("indirect", "council", "said", "the tunnel would open in May")],
        id="although-clause-is-not-content",
    ),
    pytest.param(
        "“The new timetable has made my commute twice as long.” ― Ana Lopez\n"
        "“I have not missed a single train since the change.” — Tom Berg\n",
        [
            ("direct", "Ana Lopez", "―", "The new timetable has made my commute twice as long."),
            ("direct", "Tom Berg", "—", "I have not missed a single train since the change."),
        ],
        id="quotes-signed-with-a-dash",
    ),
    pytest.param(
        '"LOPEZ: The bridge will open in May, and the tolls will stay at two dollars.\n',
        [("indirect", "Lopez", None, "The bridge will open in May, and the tolls will stay at two dollars")],
        id="transcript-line-opening-with-a-quote-mark",
    ),
    pytest.param(
        "The mayor is warning that the bridge will close in June.",
        [("indirect", "mayor", "warning", "the bridge will close in June")],
        id="progressive-cue",
    ),
    pytest.param(
        "The governor vowed to harshly punish those who dump waste in the river.",
        [("indirect", "governor", "vowed", "to harshly punish those who dump waste in the river")],
        id="infinitive-complement",
    ),
    pytest.param(
        "Berg then pointed out that one storm may flood several towns.",
        [("indirect", "Berg", "pointed out", "one storm may flood several towns")],
        id="phrasal-cue-with-particle",
    ),
    pytest.param(
        "The plan would cost far more than promised, as Berg noted on Friday.",
        [("indirect", "Berg", "noted", "The plan would cost far more than promised")],
        id="trailing-as-clause",
    ),
    pytest.param(
        "As the council's report put it, the bridge was never designed for lorries.",
        [("indirect", "council's report", "put it", "the bridge was never designed for lorries")],
        id="leading-as-put-it",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CONSTRUCTIONS)
def test_constructions(extractor: SpacyClaimExtractor, text: str, expected: list[tuple[str, ...]]) -> None:
    claims = [c for c in extractor.extract(text) if c.kind is not ClaimKind.UNATTRIBUTED]
    assert [_summary(c) for c in claims] == expected


@pytest.mark.parametrize("label", ["The Latest", "BREAKING", "Live"])
def test_a_live_blog_label_heads_the_outlets_own_claim(extractor: SpacyClaimExtractor, label: str) -> None:
    text = f"{label}: Berg's tax returns were not filed from Ohio"
    claims = extractor.extract(text)
    assert [(c.kind, c.speaker, c.text) for c in claims] == [
        (ClaimKind.UNATTRIBUTED, None, "Berg's tax returns were not filed from Ohio")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The bridge closed when the council announced the works.",
        "Critics attacked the plan.",
        "Engineers doubt the schedule.",
    ],
)
def test_reported_objects_without_a_clause_are_not_claims(nlp: Language, text: str) -> None:
    """PolNeAR counts "backed | Lopez" as an attribution; nothing in it can be checked."""
    product = SpacyClaimExtractor(nlp, checkworthiness=False, include_unattributed=False)
    polnear = SpacyClaimExtractor(
        nlp, checkworthiness=False, include_unattributed=False, keep_bare_objects=True
    )
    assert product.extract(text) == []
    assert len(polnear.extract(text)) == 1


def test_a_noun_cues_speaker_is_its_possessor(extractor: SpacyClaimExtractor) -> None:
    """ "The mayor’s warning that …": the mention is the possessor, not the noun phrase that
    runs on into the cue."""
    text = "The mayor’s warning that the bridge could close worried the traders."
    claims = [c for c in extractor.extract(text) if c.kind is not ClaimKind.UNATTRIBUTED]
    assert len(claims) == 1
    assert claims[0].speaker_mention is not None
    assert claims[0].speaker_mention.text == "The mayor"


@pytest.mark.parametrize(
    ("text", "statements"),
    [
        # how the subject looks to the writer: nothing the subject said
        ("Christie appears to be fully embracing his surrogate duties.", []),
        ("No major polls appear to have been conducted in South Dakota before the primary.", []),
        # one who appears to say something says it; what follows "appears that" is a statement
        (
            "Last week Stumpf appeared to blame low-level workers for this behavior.",
            ["appeared to blame low-level workers for this behavior"],
        ),
        (
            "It appears that the championship game was not boring to everyone.",
            ["the championship game was not boring to everyone"],
        ),
        ("Christie said the governor appears to be tired.", ["the governor appears to be tired"]),
    ],
)
def test_an_impression_is_no_statement(
    extractor: SpacyClaimExtractor, text: str, statements: list[str]
) -> None:
    claims = [c for c in extractor.extract(text) if c.kind is not ClaimKind.UNATTRIBUTED]
    assert [c.text for c in claims] == statements


@pytest.mark.parametrize(
    "text",
    [
        "“The bridge will open in May,” Mayor Ana Lopez said.",
        "Exports fell by 12 percent last year, according to the ministry.",
        "“The bridge is safe,” Lopez said, “and it will open in May.”",
    ],
)
def test_offsets_point_into_the_input_text(extractor: SpacyClaimExtractor, text: str) -> None:
    for claim in extractor.extract(text):
        for span in (claim.content, claim.cue, claim.speaker_mention):
            if span is not None:
                assert text[span.start : span.end] == span.text


def test_unbalanced_quote_is_not_stretched_to_the_end(extractor: SpacyClaimExtractor) -> None:
    text = "Lopez said “the bridge will open in May. Nobody asked about the tolls. The weather was cold."
    claims = extractor.extract(text)
    assert all(c.kind is not ClaimKind.DIRECT for c in claims)
    first_sentence_end = text.index("May.") + 4
    said = [c for c in claims if c.cue is not None and c.cue.text == "said"]
    assert len(said) == 1
    assert all(c.content.end <= first_sentence_end for c in said)


def test_a_quote_going_on_from_an_unnamed_speaker_is_kept(extractor: SpacyClaimExtractor) -> None:
    # "he" names nobody here; the second paragraph is still his, not lost: it goes on with
    # his quote (test_content_extents)
    text = "“Nobody writes songs for the mayor,” he said.\n\n“Right now, the vote is against the plan.”"
    claims = [c for c in extractor.extract(text) if c.kind is ClaimKind.DIRECT]
    assert [([p.text for p in c.content_pieces], c.speaker) for c in claims] == [
        (["“Nobody writes songs for the mayor,”", "“Right now, the vote is against the plan.”"], None),
    ]


def test_speech_inside_a_quote_is_not_a_new_statement(nlp: Language) -> None:
    text = "“What I say is that the plan works,” Berg said."
    doc = nlp(normalise_text(text))
    attributions = find_attributions(doc, lexicon=load_lexicon(), raw_text=text)
    assert len(attributions) == 1
    assert attributions[0].cue is not None
    assert text[attributions[0].cue[0] : attributions[0].cue[1]] == "said"


def test_raw_text_must_match_the_doc(nlp: Language) -> None:
    doc = nlp("Berg said it works.")
    with pytest.raises(ValueError, match="length-preserving"):
        find_attributions(doc, lexicon=load_lexicon(), raw_text="Berg said it works")


_ARTICLE_WORDS = [
    "said", "told", "denied", "according", "to", "that", "the", "council", "Ana", "Lopez", "La", "De",
    "he", "she", "I", "we", "“", "”", '"', ",", ".", ":", "--", "(", ")", "figures", "published", "by",
    "Mr.", "Del.", "South", "Korea", "report", "IMF", "would", "not", "close", "bridge", "in", "May",
    "CLARIFICATION", "Follow", "on", "Twitter", "\n\n", "and", "all", "Demonstrators", "86", "who",
]  # fmt: skip


@pytest.mark.timeout(300)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(_ARTICLE_WORDS), min_size=1, max_size=60))
def test_any_text_extracts_and_every_span_points_into_it(
    extractor: SpacyClaimExtractor, words: list[str]
) -> None:
    text = " ".join(words)
    for claim in extractor.extract(text):
        for span in (claim.content, claim.cue, claim.speaker_mention, *claim.restatements):
            if span is not None:
                assert 0 <= span.start <= span.end <= len(text)
                assert text[span.start : span.end] == span.text
        assert claim.text.strip()


@pytest.mark.parametrize("text", ["council said “ ”", "council denied “ “", "Ana Lopez said “” ."])
def test_quote_marks_around_nothing_make_no_statement(extractor: SpacyClaimExtractor, text: str) -> None:
    # found by the property test above: a statement shown with no words
    assert [c.text for c in extractor.extract(text) if not c.text.strip()] == []
