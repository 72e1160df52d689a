"""Stance in pair verdicts: the same proposition denied once and asserted later is a change.

The pair judge compares propositions ("the council had delayed the repairs" twice is the same
statement); what the speaker did with it is the claim's ``Stance``. ``with_stances`` turns the
judge's verdict into the verdict on the two statements:

* same stance: the judge's verdict stands (two denials of one proposition are a repeat);
* opposite polarity ("denied P", later "admitted P"): ``changed``, with the reason in words;
* opposite polarity *and* opposite negation in the words ("denied P", later "said not P"): the
  two cancel, so the positions agree and only the other differences count;
* a question, a refusal to say or a conditional against anything else: ``changed``.
"""

from __future__ import annotations

from datetime import datetime

from bot.matching.negation import compare_negation
from bot.models import Comparison, Stance, Verdict
from bot.summary import STANCE_PAST, STANCE_VERBS

POLARITY = {
    Stance.ASSERTS: 1,
    Stance.CONDITIONAL: 1,
    Stance.DENIES: -1,
    Stance.ASKS: 0,
    Stance.DECLINES: 0,
}


def stance_change_reason(before: Stance, after: Stance, *, seen: datetime | None = None) -> str:
    """ "denied on 3 Nov 2026, now says"."""
    when = f" on {seen.day} {seen:%b %Y}" if seen is not None else " before"
    return f"{STANCE_PAST[before]}{when}, now {STANCE_VERBS[after] or 'says'}"


def with_stances(
    comparison: Comparison,
    *,
    new_text: str,
    old_text: str,
    new: Stance,
    old: Stance,
    old_seen: datetime | None = None,
) -> Comparison:
    """The verdict on two statements given the judge's ``comparison`` of their propositions."""
    if comparison.verdict is Verdict.DIFFERENT or new is old:
        return comparison
    negation = compare_negation(old_text, new_text)
    if POLARITY[new] * POLARITY[old] == -1 and negation.mismatch:
        # "denied that P" and "P is not so": the same position in other words
        others = tuple(r for r in comparison.reasons if r != negation.reason)
        if comparison.verdict is Verdict.CHANGED and len(others) == len(comparison.reasons) - 1:
            differences = tuple(r for r in others if not r.startswith("only one"))
            if not differences:
                agree = "the same position in other words: a denial of it and its negation"
                return Comparison(
                    comparison.similarity, Verdict.REPEAT, (agree, *others), judge=comparison.judge
                )
        return comparison
    reason = stance_change_reason(old, new, seen=old_seen)
    kept = tuple(r for r in comparison.reasons if r != "same wording")
    return Comparison(comparison.similarity, Verdict.CHANGED, (reason, *kept), judge=comparison.judge)
