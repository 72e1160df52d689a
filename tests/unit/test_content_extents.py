"""Where a statement's content starts and ends: text -> the content pieces of its statements.

Each table holds one extent rule, checked against PolNeAR's convention for where a content
span stops (the sentences are written for these tests). The shipped pipeline is loaded once
per session.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.models import ClaimKind
from bot.nlp.attribution import Attribution
from bot.nlp.attribution.records import CharSpan
from bot.nlp.content_joins import joined_contents, with_quotes_continued
from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.quotes import close_open_quote, find_quotes, normalise_text
from bot.nlp.tagged_attribution import tagged_attributions
from bot.nlp.tagged_spans import TaggedSpan


@pytest.fixture(scope="session")
def extractor(shipped_nlp: Language) -> SpacyClaimExtractor:
    return SpacyClaimExtractor(shipped_nlp, checkworthiness=False, merge_restatements=False)


def _pieces(extractor: SpacyClaimExtractor, text: str) -> list[list[str]]:
    claims = [c for c in extractor.extract(text) if c.kind is not ClaimKind.UNATTRIBUTED]
    return [[piece.text for piece in claim.content_pieces] for claim in claims]


# a quote that goes on after "“X,” Name said, <participle> …" continues the quote, not the
# writer's aside the participle opens
CONTINUED_AFTER_A_PARTICIPLE = [
    pytest.param(
        "“One of us ran against the governor,” Sanders said, invoking the 2008 race. "
        "“I was not that candidate.”",
        ["“One of us ran against the governor,”", "“I was not that candidate.”"],
        id="invoking",
    ),
    pytest.param(
        "“The principal died at the school,” Clinton said, drawing gasps from the crowd. "
        "“And she died trying to protect her students.”",
        ["“The principal died at the school,”", "“And she died trying to protect her students.”"],
        id="drawing",
    ),
    pytest.param(
        "“The plan is dead,” Mayor Ana Lopez said. “We will start again in May.”",
        ["“The plan is dead,”", "“We will start again in May.”"],
        id="plain-split-quote-unchanged",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CONTINUED_AFTER_A_PARTICIPLE)
def test_a_quote_continues_past_a_participle_aside(
    extractor: SpacyClaimExtractor, text: str, expected: list[str]
) -> None:
    assert expected in _pieces(extractor, text)


# a quote that goes on after "“X,” said Name, who <verb> …" continues the quote, not the
# statement the verb of the clause describing the speaker opens
CONTINUED_AFTER_A_CLAUSE_ON_THE_SPEAKER = [
    pytest.param(
        "''It's not going to be easy for Mr. Rubio to win,'' said Representative Peter T. King of "
        "New York, who endorsed Mr. Rubio on Tuesday. ''There is no doubt that Trump is the favorite.''",
        [
            "''It's not going to be easy for Mr. Rubio to win,''",
            "''There is no doubt that Trump is the favorite.''",
        ],
        id="who-endorsed",
    ),
    pytest.param(
        "“I was going to vote for her, but I never really trusted her,” said Robert Stone, a "
        "retiree from Hilton Head, South Carolina, who already cast an absentee ballot for Sanders. "
        "“Every time she speaks, I think she is lying.”",
        [
            "“I was going to vote for her, but I never really trusted her,”",
            "“Every time she speaks, I think she is lying.”",
        ],
        id="apposition-then-who-cast",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CONTINUED_AFTER_A_CLAUSE_ON_THE_SPEAKER)
def test_a_quote_continues_past_a_clause_on_the_speaker(
    extractor: SpacyClaimExtractor, text: str, expected: list[str]
) -> None:
    assert expected in _pieces(extractor, text)


# a paragraph that is all quote, right after a paragraph that ends a speaker's quote, goes on
# with that quote (PolNeAR marks the two as one statement); one with a cue of its own does not
QUOTE_PARAGRAPH_GOING_ON = [
    pytest.param(
        "“The report sheds light on the agency’s lax security,” said Lamar Smith, who chairs the "
        "committee.\n\n“The agency’s intent to evade oversight is a serious offense.”",
        [
            [
                "“The report sheds light on the agency’s lax security,”",
                "“The agency’s intent to evade oversight is a serious offense.”",
            ]
        ],
        id="next-paragraph-joins",
    ),
    pytest.param(
        "“The network has done an awful job,” Barkley said.\n\n“It has sold its soul for ratings.”",
        [["“The network has done an awful job,”", "“It has sold its soul for ratings.”"]],
        id="short-attribution",
    ),
    pytest.param(
        "“There are two big differences between the candidates,” Bozell says.\n\n"
        "“First, it was Trump picking a fight with Cruz,” Bozell said later.",
        [
            ["“There are two big differences between the candidates,”"],
            ["“First, it was Trump picking a fight with Cruz,”"],
        ],
        id="own-cue-stays-apart",
    ),
]


@pytest.mark.parametrize(("text", "expected"), QUOTE_PARAGRAPH_GOING_ON)
def test_a_quote_paragraph_goes_on_with_the_quote_before(
    extractor: SpacyClaimExtractor, text: str, expected: list[list[str]]
) -> None:
    assert _pieces(extractor, text) == expected


# "Asked …, Name said, X": the question put to the speaker is no part of what the speaker said
# (never so in PolNeAR train: 0 of 26), unlike other words before a parenthetical cue
BEFORE_A_PARENTHETICAL_CUE = [
    pytest.param(
        "Asked to describe the device that caused the blast, O'Neill said, “Not going to go into that.”",
        [["“Not going to go into that.”"]],
        id="asked-quote",
    ),
    pytest.param(
        "When pressed on the issue, she said, the city would pay for the repairs.",
        [["the city would pay for the repairs"]],
        id="when-pressed",
    ),
    pytest.param(
        "This campaign, he says, is different from the last one.",
        [["This campaign", "is different from the last one"]],
        id="subject-before-cue-kept",
    ),
    pytest.param(
        "In the three years since the shooting, Barden says, far too many lives have been lost.",
        [["In the three years since the shooting", "far too many lives have been lost"]],
        id="opener-before-cue-kept",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BEFORE_A_PARENTHETICAL_CUE)
def test_a_question_put_to_the_speaker_is_not_content(
    extractor: SpacyClaimExtractor, text: str, expected: list[list[str]]
) -> None:
    assert _pieces(extractor, text) == expected


def test_a_tagged_question_put_to_the_speaker_is_not_a_statement(shipped_nlp: Language) -> None:
    text = "Asked to describe the device that caused the blast, O'Neill said, “Not going to go into that.”"

    def at(words: str) -> tuple[int, int]:
        start = text.index(words)
        return start, start + len(words)

    doc = shipped_nlp(normalise_text(text))
    tags = {
        "content": [TaggedSpan(*at("to describe the device that caused the blast"), 0.95)],
        "source": [TaggedSpan(*at("O'Neill"), 0.95)],
        "cue": [TaggedSpan(*at("Asked"), 0.95)],
    }
    assert tagged_attributions(doc, tags, [], find_quotes(text)) == []
    # the same span after a subject is a statement
    said = text.replace("Asked", "Kim asked")
    doc = shipped_nlp(normalise_text(said))
    moved = {
        role: [TaggedSpan(s.start + 4, s.end + 4, s.confidence) for s in spans]
        for role, spans in tags.items()
    }
    moved["cue"] = [TaggedSpan(said.index("asked"), said.index("asked") + 5, 0.95)]
    moved["source"] = [TaggedSpan(0, 3, 0.95)]
    assert len(tagged_attributions(doc, moved, [], find_quotes(said))) == 1


# a content that opens a quoted phrase ends after its closing mark, the stop inside it too
@pytest.mark.parametrize(
    ("text", "content", "expected"),
    [
        (
            "Lawmakers Rip Trump As A ‘Disgusting Fraud.’",
            "Trump As A ‘Disgusting Fraud",
            "Trump As A ‘Disgusting Fraud.’",
        ),
        ("He defended ‘New York values’ today", "‘New York values", "‘New York values’"),
        ("She called it “a disgrace,” and left", "it “a disgrace", "it “a disgrace,”"),
        ("It was Trump’s plan. Then", "Trump’s plan", "Trump’s plan"),  # an apostrophe opens nothing
        ("He backed ‘the plan’ fully.", "‘the plan’ fully", "‘the plan’ fully"),  # closed already
        ("He said ‘stop. Now’", "‘stop", "‘stop"),  # the mark does not follow right away
    ],
)
def test_an_open_quote_is_closed(text: str, content: str, expected: str) -> None:
    start = text.index(content)
    assert text[start : close_open_quote(text, start, start + len(content))] == expected


def _statement(text: str, cue: str, *pieces: str) -> Attribution:
    spans = tuple(CharSpan((text.index(p), text.index(p) + len(p))) for p in pieces)
    at = text.index(cue)
    return Attribution(ClaimKind.INDIRECT, spans, CharSpan((at, at + len(cue))), CharSpan((0, 3)))


# two statements of one cue whose contents are a few verbless words apart in one sentence are
# the pieces of one content; a verb or a sentence end between them keeps them apart
@pytest.mark.parametrize(
    ("text", "cue", "first", "second", "expected"),
    [
        pytest.param(
            "Kim conflated Senator Ted Cruz with the former Alabama governor George Wallace.",
            "conflated",
            "Senator Ted Cruz",
            "the former Alabama governor George Wallace",
            ["Senator Ted Cruz with the former Alabama governor George Wallace"],
            id="with",
        ),
        pytest.param(
            "Kim is trying to encourage the establishment wing of his party that he is the best choice.",
            "is trying to encourage",
            "the establishment wing of his party",
            "he is the best choice",
            ["the establishment wing of his party that he is the best choice"],
            id="that",
        ),
        pytest.param(
            "Kim says she respects the senator but argues that he can't deliver on his promises.",
            "says",
            "she respects the senator",
            "he can't deliver on his promises",
            ["she respects the senator", "he can't deliver on his promises"],
            id="a-verb-between",
        ),
        pytest.param(
            "Kim said the plan was dead. The vote will come in May.",
            "said",
            "the plan was dead",
            "The vote will come in May",
            ["the plan was dead", "The vote will come in May"],
            id="a-sentence-end-between",
        ),
    ],
)
def test_pieces_of_one_content_are_joined(
    shipped_nlp: Language, text: str, cue: str, first: str, second: str, expected: list[str]
) -> None:
    doc = shipped_nlp(normalise_text(text))
    found = joined_contents(doc, [_statement(text, cue, first), _statement(text, cue, second)])
    assert [text[a.start : a.end] for a in found] == expected


# two quotes of one cue that its cue clause interrupts in one sentence ("“X,” the judge
# exclaimed, “Y.”") are one split quote; a quote that closes the sentence ("“X.”") or a
# sentence end after the cue keeps them apart
@pytest.mark.parametrize(
    ("text", "first", "second", "expected"),
    [
        pytest.param(
            "“Everything you have said and everything I have said,” the judge exclaimed, "
            "“has totally overlapped.”",
            "“Everything you have said and everything I have said,”",
            "“has totally overlapped.”",
            [["“Everything you have said and everything I have said,”", "“has totally overlapped.”"]],
            id="curly-marks",
        ),
        pytest.param(
            "''The plan is dead,'' the judge exclaimed, ''and nobody will revive it.''",
            "''The plan is dead,''",
            "''and nobody will revive it.''",
            [["''The plan is dead,''", "''and nobody will revive it.''"]],
            id="two-apostrophes",
        ),
        pytest.param(
            "“The plan is dead.” the judge exclaimed, “Nobody will revive it.”",
            "“The plan is dead.”",
            "“Nobody will revive it.”",
            [["“The plan is dead.”"], ["“Nobody will revive it.”"]],
            id="no-comma",
        ),
        pytest.param(
            "“The plan is dead,” the judge exclaimed. “Nobody will revive it.”",
            "“The plan is dead,”",
            "“Nobody will revive it.”",
            [["“The plan is dead,”"], ["“Nobody will revive it.”"]],
            id="a-sentence-end-after-the-cue",
        ),
    ],
)
def test_a_quote_split_by_its_cue_clause_is_joined(
    shipped_nlp: Language, text: str, first: str, second: str, expected: list[list[str]]
) -> None:
    doc = shipped_nlp(normalise_text(text))
    quotes = [_quoted(text, first, "exclaimed", "judge"), _quoted(text, second, "exclaimed", "judge")]
    found = joined_contents(doc, quotes)
    assert [[text[s:e] for s, e in a.content] for a in found] == expected


# two reported clauses of one cue that its cue clause interrupts in one sentence ("X, the
# agency said, while Y") are one statement in two pieces; a sentence end keeps them apart
@pytest.mark.parametrize(
    ("text", "first", "second", "expected"),
    [
        pytest.param(
            "Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt in 1999.",
            "Lenox was a juggernaut",
            "until it went bankrupt in 1999",
            [["Lenox was a juggernaut", "until it went bankrupt in 1999"]],
            id="until-after-a-title",
        ),
        pytest.param(
            "The middle fifth paid 8.9 percent, the agency said, while the bottom fifth paid 0.8 percent.",
            "The middle fifth paid 8.9 percent",
            "the bottom fifth paid 0.8 percent",
            [["The middle fifth paid 8.9 percent", "the bottom fifth paid 0.8 percent"]],
            id="while-left-out",
        ),
        pytest.param(
            "The plan is dead, the mayor said. The vote will come in May.",
            "The plan is dead",
            "The vote will come in May",
            [["The plan is dead"], ["The vote will come in May"]],
            id="a-sentence-end-after-the-cue",
        ),
    ],
)
def test_a_reported_sentence_split_by_its_cue_clause_is_joined(
    shipped_nlp: Language, text: str, first: str, second: str, expected: list[list[str]]
) -> None:
    doc = shipped_nlp(normalise_text(text))
    found = joined_contents(doc, [_statement(text, "said", first), _statement(text, "said", second)])
    assert [[text[s:e] for s, e in a.content] for a in found] == expected


def test_pieces_of_two_readings_of_one_cue_are_joined(shipped_nlp: Language) -> None:
    text = "Kim avoids condemning the invasion of Ukraine and the annexation of Crimea."
    doc = shipped_nlp(normalise_text(text))
    first = _statement(text, "avoids condemning", "the invasion of Ukraine")
    second = _statement(text, "condemning", "the annexation of Crimea")
    found = joined_contents(doc, [first, second])
    assert [text[a.start : a.end] for a in found] == ["the invasion of Ukraine and the annexation of Crimea"]


def test_pieces_of_two_cues_are_not_joined(shipped_nlp: Language) -> None:
    text = "Kim praised the senator and Lee the governor of Ohio."
    doc = shipped_nlp(normalise_text(text))
    found = joined_contents(
        doc, [_statement(text, "praised", "the senator"), _statement(text, "Lee", "the governor of Ohio")]
    )
    assert len(found) == 2


def _quoted(text: str, piece: str, cue: str | None, source: str) -> Attribution:
    at = text.index(piece)
    cue_span = None if cue is None else CharSpan((text.index(cue), text.index(cue) + len(cue)))
    source_span = CharSpan((text.index(source), text.index(source) + len(source)))
    return Attribution(
        ClaimKind.DIRECT, (CharSpan((at, at + len(piece))),), cue_span, source_span, inherited=cue is None
    )


# a quote that goes on after a quoted statement's cue clause is part of that statement, when no
# statement with a cue of its own holds it
@pytest.mark.parametrize(
    ("text", "holder", "expected"),
    [
        pytest.param(
            "Parents wrote to the board. “Charter schools give us hope,” the letter reads. "
            "“Our children are thriving.”",
            ("“Our children are thriving.”", None, "Parents"),
            [["“Charter schools give us hope,”", "“Our children are thriving.”"]],
            id="taken-for-the-previous-speaker",
        ),
        pytest.param(
            "“Every time you say that,” Tester said, referring to the excuse, “you give them ammunition.”",
            None,
            [["“Every time you say that,”", "“you give them ammunition.”"]],
            id="held-by-no-statement",
        ),
        pytest.param(
            "“Charter schools give us hope,” the letter reads. Lee replied, “Our children are thriving.”",
            ("“Our children are thriving.”", "replied", "Lee"),
            [["“Charter schools give us hope,”"], ["“Our children are thriving.”"]],
            id="a-cue-of-its-own",
        ),
        pytest.param(
            "“She just made it up,” Trump told ABC's “This Week.”",
            None,
            [["“She just made it up,”"]],
            id="a-title-inside-the-clause",
        ),
    ],
)
def test_a_quote_goes_on_after_the_cue_clause(
    shipped_nlp: Language, text: str, holder: tuple[str, str | None, str] | None, expected: list[list[str]]
) -> None:
    doc = shipped_nlp(normalise_text(text))
    first = text[: text.index("”") + 1]
    first = first[first.index("“") :]
    cue = next(word for word in ("reads", "said", "told") if word in text)
    speaker = {"reads": "the letter", "said": "Tester", "told": "Trump"}[cue]
    found = [_quoted(text, first, cue, speaker)]
    if holder is not None:
        found.append(_quoted(text, *holder))
    joined = with_quotes_continued(doc, found, find_quotes(text))
    assert [[text[s:e] for s, e in a.content] for a in joined] == expected


# a transcript turn runs to the end of its paragraph: all that follows the label is the speaker's
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "WALLACE: Let me turn to the debate.\n\n"
            "PENCE: Well, look, she thinks this is a game show. But this is America, Chris. "
            "It is serious business.",
            "Well, look, she thinks this is a game show. But this is America, Chris. It is serious business.",
            id="turn-of-three-sentences",
        ),
        pytest.param(
            "Rubio: I Am Not Interested In Being Vice President.\n\nThe senator spoke in Miami.",
            "I Am Not Interested In Being Vice President",
            id="one-sentence-headline-unchanged",
        ),
    ],
)
def test_a_transcript_turn_runs_to_the_end_of_its_paragraph(
    extractor: SpacyClaimExtractor, text: str, expected: str
) -> None:
    label = text.rindex(":", 0, text.index(expected))
    claims = [
        c for c in extractor.extract(text) if c.content.start > label and c.kind is not ClaimKind.UNATTRIBUTED
    ]
    assert [c.content.text for c in claims][:1] == [expected]


# a title-case heading opening a paragraph ("The Gap Goes On: ...") is no speaker's label; a
# name is, however the tagger reads its words ("Cecile/IN Richards")
@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param(
            "The Gap Goes On: It was under Mr. Ban's watch that the assembly established U.N. Women.",
            None,
            id="heading-with-a-particle",
        ),
        pytest.param(
            "Cecile Richards: 'I'm Sick Of Men Telling Us What To Do With Our Bodies.'",
            "Cecile Richards",
            id="name-the-tagger-misreads",
        ),
        pytest.param("PENCE: Well, look, this is serious business.", "Pence", id="transcript-capitals"),
    ],
)
def test_a_heading_is_no_speakers_label(
    extractor: SpacyClaimExtractor, text: str, speaker: str | None
) -> None:
    claims = [c for c in extractor.extract(text) if c.kind is not ClaimKind.UNATTRIBUTED]
    assert [c.speaker for c in claims] == ([speaker] if speaker else [])
