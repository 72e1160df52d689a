"""Stance: what a speaker does with a proposition, read from the cue and its grammar.

Text -> (stance, statement) tables over the shipped pipeline. ``None`` as the stance means
the sentence holds no statement by its named speaker (a negated cue: "did not say that P");
the article may still assert the sentence itself, as its own statement.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from spacy.language import Language

from bot.matching.negation import compare_negation
from bot.matching.stance import stance_change_reason, with_stances
from bot.models import ClaimKind, Comparison, Stance, Verdict
from bot.nlp.extractor import SpacyClaimExtractor
from bot.summary import attributed

pytestmark = pytest.mark.slow

A, D, X, Q, C = Stance.ASSERTS, Stance.DENIES, Stance.DECLINES, Stance.ASKS, Stance.CONDITIONAL

STANCES: list[tuple[str, Stance, str]] = [
    # denials: the proposition without the cue or the "claims that" around it
    ("The mayor denied that the bridge would close.", D, "the bridge would close"),
    ("Jones denies that he ever met the lobbyist.", D, "he ever met the lobbyist"),
    ("The ministry denied reports that troops had crossed the border.", D, "troops had crossed the border"),
    ("The company rejected claims that its products were unsafe.", D, "its products were unsafe"),
    ("Johnson dismissed reports that he would resign next week.", D, "he would resign next week"),
    ("The White House dismissed suggestions that the president was ill.", D, "the president was ill"),
    ("The senator disputed that the bill would raise taxes.", D, "the bill would raise taxes"),
    ("The agency rejected allegations that it had spied on journalists.", D, "it had spied on journalists"),
    ("The minister rebutted claims that the hospital would close.", D, "the hospital would close"),
    ("The Kremlin denied any preparations for aggression.", D, "any preparations for aggression"),
    ("The firm denied any wrongdoing.", D, "any wrongdoing"),
    ("She denied that she had never met the ambassador.", D, "she had never met the ambassador"),
    # rejecting a thing is a position, not a denial of a proposition
    ("The union rejected the offer.", A, "rejected the offer"),
    # refusals
    ("The minister refused to say whether the tanks would be sent.", X, "whether the tanks would be sent"),
    (
        "The spokesman declined to comment on the report that the factory will close.",
        X,
        "the factory will close",
    ),
    ("The police declined to say how many officers were injured.", X, "how many officers were injured"),
    ("Smith would not say whether the deal was signed.", X, "whether the deal was signed"),
    ("The company would not confirm that the plant will close.", X, "the plant will close"),
    ("The governor refused to discuss the budget deficit.", X, "the budget deficit"),
    # questions
    ("Senator Smith asked whether the program had cost more than $3 billion.", Q, "whether the program"),
    ('"Will the bridge open next year?" the mayor asked.', Q, "Will the bridge open next year?"),
    ("Critics questioned whether the plan would work.", Q, "whether the plan would work"),
    ("Residents wondered why the repairs had taken so long.", Q, "why the repairs had taken so long"),
    ('"Who is going to pay for this?" she said.', Q, "Who is going to pay for this?"),
    # conditional on the cue's own modal; a conditional proposition is still asserted
    ("The economist would argue that inflation will fall.", C, "inflation will fall"),
    ("The minister said taxes would rise if the budget passed.", A, "taxes would rise if the budget passed"),
    # assertions, negated content included: the negation is the speaker's own words
    ("Officials said the fire was not caused by arson.", A, "the fire was not caused by arson"),
    ("The mayor said the bridge will not open until 2027.", A, "the bridge will not open until 2027"),
    ("The council admitted that it had delayed the repairs.", A, "it had delayed the repairs"),
    ("The company confirmed that 200 jobs will be cut.", A, "200 jobs will be cut"),
    ('"We did not delay the repairs," Whitfield said.', A, "We did not delay the repairs"),
    ('"I never said that," the senator said.', A, "I never said that"),
    ("Police said no one was hurt in the blast.", A, "no one was hurt in the blast"),
    ("According to the ministry, 70,000 troops are at the border.", A, "70,000 troops are at the border"),
    (
        "The spokesman insisted that the company had done nothing wrong.",
        A,
        "the company had done nothing wrong",
    ),
    (
        "The governor acknowledged that the budget was short by $2 billion.",
        A,
        "the budget was short by $2 billion",
    ),
]

# negated cues, double negatives included: nobody said anything here
NOT_SAID: list[str] = [
    "The United States has not publicly accused Russia of hacking the election.",
    "Trump did not discuss his criticisms of her during the meeting.",
    "The mayor never claimed that the bridge would open in March.",
    "The police did not deny that officers had fired shots.",
    "Officials have not said that the fire was arson.",
    "He didn't say the plan had failed.",
    "The chairman never denied that the bank had lost money.",
    "The minister did not confirm that the talks had collapsed.",
]


@pytest.fixture(scope="module")
def extractor(shipped_nlp: Language) -> SpacyClaimExtractor:
    """The product's extractor: the rules and the shipped span tagger (float32: no model cache)."""
    from bot.inference.span_tagger import AttributionSpanTagger

    tagger = AttributionSpanTagger(precision="float32", num_threads=1)
    return SpacyClaimExtractor(shipped_nlp, checkworthiness=False, span_tagger=tagger)


@pytest.mark.parametrize(("sentence", "stance", "statement"), STANCES)
def test_the_stance_comes_from_the_cue(
    extractor: SpacyClaimExtractor, sentence: str, stance: Stance, statement: str
) -> None:
    [claim] = [c for c in extractor.extract(sentence) if c.kind is not ClaimKind.UNATTRIBUTED]
    assert claim.stance is stance
    assert statement in claim.text


@pytest.mark.parametrize("sentence", NOT_SAID)
def test_a_negated_cue_is_no_statement_by_its_speaker(extractor: SpacyClaimExtractor, sentence: str) -> None:
    claims = extractor.extract(sentence)
    assert all(c.kind is ClaimKind.UNATTRIBUTED and c.speaker is None for c in claims)
    # when the article's own sentence is kept, it is whole: negation and all
    assert all(c.text.rstrip(".") == sentence.rstrip(".") for c in claims)


def test_a_denial_and_an_assertion_of_the_same_words_are_not_folded_together(
    extractor: SpacyClaimExtractor,
) -> None:
    text = (
        "Anna Whitfield denied that the council had delayed the bridge repairs. "
        "Her deputy, Tom Reyes, said that the council had delayed the bridge repairs."
    )
    stances = sorted(c.stance.value for c in extractor.extract(text) if c.speaker)
    assert stances == ["asserts", "denies"]


# ----------------------------------------------------------------------------- wording
@pytest.mark.parametrize(
    ("stance", "shown"),
    [
        (A, "Anna Whitfield"),
        (D, "Anna Whitfield denies"),
        (X, "Anna Whitfield declines to say"),
        (Q, "Anna Whitfield asks"),
        (C, "Anna Whitfield would say"),
    ],
)
def test_every_stance_is_said_in_words(stance: Stance, shown: str) -> None:
    assert attributed("Anna Whitfield", stance) == shown


# ----------------------------------------------------------------------------- verdicts
SEEN = datetime(2026, 11, 3, 9, tzinfo=UTC)
SAME = Comparison(1.0, Verdict.REPEAT, ("same wording",))
P = "the council had delayed the repairs"


def test_a_denial_then_an_admission_is_changed_with_the_reason_in_words() -> None:
    result = with_stances(SAME, new_text=P, old_text=P, new=A, old=D, old_seen=SEEN)
    assert result.verdict is Verdict.CHANGED
    assert result.reasons == ("denied on 3 Nov 2026, now says",)


def test_two_denials_of_one_proposition_are_a_repeat() -> None:
    assert with_stances(SAME, new_text=P, old_text=P, new=D, old=D, old_seen=SEEN) == SAME


def test_a_question_then_an_answer_is_changed() -> None:
    result = with_stances(SAME, new_text=P, old_text=P, new=A, old=Q, old_seen=SEEN)
    assert (result.verdict, result.reasons[0]) == (Verdict.CHANGED, "asked on 3 Nov 2026, now says")


def test_a_denial_and_the_negated_proposition_agree() -> None:
    negated = "the council had not delayed the repairs"
    judged = Comparison(0.9, Verdict.CHANGED, (compare_negation(P, negated).reason or "",))
    result = with_stances(judged, new_text=negated, old_text=P, new=A, old=D, old_seen=SEEN)
    assert result.verdict is Verdict.REPEAT


def test_different_statements_stay_different_whatever_the_stances() -> None:
    different = Comparison(0.1, Verdict.DIFFERENT, ("different statements (similarity 0.10)",))
    assert with_stances(different, new_text="x", old_text=P, new=A, old=D) == different


def test_the_reason_without_a_date() -> None:
    assert stance_change_reason(X, A) == "declined to say before, now says"
