"""Who a statement is given to: text -> the speaker of each attributed statement.

Each table holds one rule that picks (or withholds) the speaker a cue's statement is given
to, checked against PolNeAR's convention (the sentences are written for these tests). The
shipped pipeline is loaded once per session.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.models import ClaimKind, ExtractedClaim, Span
from bot.nlp.extractor import SpacyClaimExtractor, without_nested_statements
from bot.nlp.quotes import find_quotes, normalise_text
from bot.nlp.tagged_attribution import tagged_attributions
from bot.nlp.tagged_spans import TaggedSpan


@pytest.fixture(scope="session")
def extractor(shipped_nlp: Language) -> SpacyClaimExtractor:
    return SpacyClaimExtractor(shipped_nlp, checkworthiness=False, merge_restatements=False)


def _speakers(extractor: SpacyClaimExtractor, text: str) -> dict[str, str | None]:
    claims = [c for c in extractor.extract(text) if c.kind is not ClaimKind.UNATTRIBUTED]
    return {c.text: c.speaker for c in claims}


def _speaker_of(extractor: SpacyClaimExtractor, text: str, words: str) -> str | None:
    found = _speakers(extractor, text)
    matching = [speaker for content, speaker in found.items() if words in content]
    assert matching, f"no statement with {words!r} in {found}"
    return matching[0]


# a time right before the cue ("on Wednesday", "last month", "in 2010") is not who speaks:
# the speaker is the subject before it
TIME_BEFORE_THE_CUE = [
    pytest.param(
        "Sen. Maria Ortega on Wednesday said that the budget deal would collapse.",
        "budget deal",
        "Maria Ortega",
        id="on-weekday",
    ),
    pytest.param(
        "The Teamsters union just this month announced that it would back the new contract.",
        "back the new contract",
        "Teamsters union",
        id="just-this-month",
    ),
    pytest.param(
        "Senator Dan Hale, who in 2010 said that the tax would fail, now backs it.",
        "tax would fail",
        "Dan Hale",
        id="who-in-a-year",
    ),
    pytest.param(
        "Investigators had last month concluded that the fire was set on purpose.",
        "fire was set",
        "Investigators",
        id="aux-last-month",
    ),
]


@pytest.mark.parametrize(("text", "words", "speaker"), TIME_BEFORE_THE_CUE)
def test_a_time_before_the_cue_is_stepped_over(
    extractor: SpacyClaimExtractor, text: str, words: str, speaker: str
) -> None:
    assert _speaker_of(extractor, text, words) == speaker


def test_a_place_before_the_time_is_not_a_speaker(extractor: SpacyClaimExtractor) -> None:
    found = _speakers(
        extractor,
        "People removed from a rally in Concord, N.C., on Monday included a man in a red shirt.",
    )
    assert "Concord" not in found.values()


# a participle cue after a comma hangs from the clause before it: its speaker is that
# clause's subject, not the object or appositive right before the comma
HANGING_PARTICIPLE = [
    pytest.param(
        "Fiorina was upfront about her distaste for Donald Trump, the current GOP front-runner, "
        "saying conservatives need to band together to stop him.",
        "conservatives need to band together",
        "Fiorina",
        id="object-with-apposition",
    ),
    pytest.param(
        "Sen. Bernie Sanders discussed his remarks about his rival, Hillary Clinton, saying that "
        "she would be a far better president than any Republican.",
        "she would be a far better president",
        "Bernie Sanders",
        id="object-name",
    ),
    pytest.param(
        "Mr. Carson endorsed Mr. Trump at a news conference in Florida, calling him a very "
        "intelligent man who cares deeply about America.",
        "him a very intelligent man",
        "Carson",
        id="object-and-place",
    ),
    pytest.param(
        "Smith, saying that he was tired of the fight, announced that he would resign.",
        "he was tired of the fight",
        "Smith",
        id="subject-before-the-participle",
    ),
]


@pytest.mark.parametrize(("text", "words", "speaker"), HANGING_PARTICIPLE)
def test_a_hanging_participle_is_said_by_the_subject(
    extractor: SpacyClaimExtractor, text: str, words: str, speaker: str
) -> None:
    assert _speaker_of(extractor, text, words) == speaker


# "who" stands for people: after a place ("Ron Paul of Texas, who") it is the people before it
WHO_AFTER_A_PLACE = [
    pytest.param(
        "He worked with former Representative Ron Paul of Texas, who said that the bank must be audited.",
        "the bank must be audited",
        "Ron Paul",
        id="name-of-a-state",
    ),
    pytest.param(
        "The decision is politically risky for Cruz, who said that he would not endorse the nominee.",
        "he would not endorse the nominee",
        "Cruz",
        id="no-place",
    ),
]


@pytest.mark.parametrize(("text", "words", "speaker"), WHO_AFTER_A_PLACE)
def test_who_after_a_place_is_the_people_before_it(
    extractor: SpacyClaimExtractor, text: str, words: str, speaker: str
) -> None:
    assert _speaker_of(extractor, text, words) == speaker


# a tagged statement that is the object of its verb ("refuses to disavow | the endorsement")
# is not given to a source after it: its speaker is the subject before the verb
OBJECT_OF_ITS_VERB = [
    pytest.param(
        "The senator refuses to disavow the endorsement of the governor, whom Congress admires.",
        "the endorsement of the governor",
        "refuses to disavow",
        "Congress",
        0,
        id="name-after-the-object",
    ),
    pytest.param(
        "Listing his many business ventures in detail, Warren mocked the nominee.",
        "his many business ventures in detail",
        "Listing",
        "Warren",
        1,
        id="opening-participle",
    ),
    pytest.param(
        "Congress says that the endorsement of the governor was a grave mistake.",
        "the endorsement of the governor was a grave mistake",
        "says",
        "Congress",
        1,
        id="clause-after-a-subject",
    ),
]


@pytest.mark.parametrize(("text", "content", "cue", "source", "found"), OBJECT_OF_ITS_VERB)
def test_a_name_after_an_object_is_not_its_speaker(
    shipped_nlp: Language, text: str, content: str, cue: str, source: str, found: int
) -> None:
    def at(words: str) -> tuple[int, int]:
        start = text.index(words)
        return start, start + len(words)

    doc = shipped_nlp(normalise_text(text))
    tags = {
        "content": [TaggedSpan(*at(content), 0.95)],
        "source": [TaggedSpan(*at(source), 0.95)],
        "cue": [TaggedSpan(*at(cue), 0.95)],
    }
    assert len(tagged_attributions(doc, tags, [], find_quotes(text))) == found


# a tagged span whose cue already has a statement the rules found nearer to it is a piece of
# that statement (or words around it), not a second statement of the cue
@pytest.mark.parametrize(
    ("rules_content", "tagged_content", "found"),
    [
        pytest.param("the plan will fail", "the council met on Monday night", 0, id="farther-piece"),
        pytest.param(None, "the council met on Monday night", 1, id="no-rules-statement"),
    ],
)
def test_a_farther_span_of_a_cue_with_a_statement_is_not_another(
    shipped_nlp: Language, rules_content: str | None, tagged_content: str, found: int
) -> None:
    from bot.nlp.attribution import Attribution, CharSpan

    text = "Mayor Ana Lopez said the plan will fail, after the council met on Monday night."

    def at(words: str) -> tuple[int, int]:
        start = text.index(words)
        return start, start + len(words)

    doc = shipped_nlp(normalise_text(text))
    rules = []
    if rules_content is not None:
        rules.append(
            Attribution(
                ClaimKind.INDIRECT,
                (CharSpan(at(rules_content)),),
                CharSpan(at("said")),
                CharSpan(at("Mayor Ana Lopez")),
                CharSpan(at("Ana Lopez")),
            )
        )
    tags = {
        "content": [TaggedSpan(*at(tagged_content), 0.95)],
        "source": [TaggedSpan(*at("Mayor Ana Lopez"), 0.95)],
        "cue": [TaggedSpan(*at("said"), 0.95)],
    }
    assert len(tagged_attributions(doc, tags, rules, find_quotes(text))) == found


# a statement whose words lie inside another reported statement's content is not shown as a
# statement of its own: the outer one is what the article reports
def _claim(kind: ClaimKind, text: str, content: str, speaker: str) -> ExtractedClaim:
    start = text.index(content)
    return ExtractedClaim(
        text=content,
        kind=kind,
        content=Span(start, start + len(content), content),
        speaker=speaker,
    )


NESTED = "A Fox News poll found that Clinton has maintained support among black voters."


@pytest.mark.parametrize(
    ("outer_kind", "inner_kind", "inner_shown"),
    [
        pytest.param(ClaimKind.INDIRECT, ClaimKind.INDIRECT, False, id="inside-a-reported-statement"),
        pytest.param(ClaimKind.INDIRECT, ClaimKind.DIRECT, False, id="quote-inside-a-reported-one"),
        pytest.param(ClaimKind.DIRECT, ClaimKind.INDIRECT, True, id="inside-a-quote"),
        pytest.param(ClaimKind.UNATTRIBUTED, ClaimKind.INDIRECT, True, id="inside-the-article-own"),
    ],
)
def test_a_statement_inside_another_is_not_shown(
    outer_kind: ClaimKind, inner_kind: ClaimKind, inner_shown: bool
) -> None:
    outer = _claim(outer_kind, NESTED, "Clinton has maintained support among black voters", "Fox News")
    inner = _claim(inner_kind, NESTED, "maintained support among black voters", "Clinton")
    shown = without_nested_statements([outer, inner])
    assert outer in shown
    assert (inner in shown) is inner_shown


def test_only_a_longer_statement_hides_one_inside_it() -> None:
    text = "The council said that the bridge will close in May and reopen in June."
    whole = _claim(ClaimKind.INDIRECT, text, "the bridge will close in May and reopen in June", "council")
    twin = _claim(ClaimKind.INDIRECT, text, "the bridge will close in May and reopen in June", "council")
    head = _claim(ClaimKind.INDIRECT, text, "the bridge will close in May", "council")
    tail = _claim(ClaimKind.INDIRECT, text, "reopen in June", "council")
    # the same words twice hide neither; a piece sharing the start or the end is hidden
    assert without_nested_statements([whole, twin, head, tail]) == [whole, twin]
    assert without_nested_statements([head, tail]) == [head, tail]
