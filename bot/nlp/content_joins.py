"""Statements that are pieces of one content, joined back into it.

The rules and the span tagger sometimes cut one reported content in two and give each piece
the same cue: "Flegenheimer conflated | Republican Presidential candidate Ted Cruz | with |
the segregationist former Alabama Democratic Governor, George Wallace", "has been criticized |
for failing to spend enough time in the state and largely foregoing | the kind of one-on-one
campaigning …". PolNeAR annotates one statement there, so a piece is a wrong statement and
the other too short. Two statements of the same cue (or of two readings of one: "avoids
condemning" and "condemning") whose contents are a few words apart in one sentence, with no
verb or coordinated clause between them (these open a statement of its own: "says she
respects Sanders | but argues that | he can't deliver"), are one statement (PolNeAR
train[:300]: 10 of 13 such pairs of one cue are one annotated content; of two readings, 3
joins, 2 nearer the annotated content).

Two quotes of one cue that the cue clause interrupts in one sentence ("“X,” the judge
exclaimed, “Y.”": the first closes on a comma) are one split quote, as the rules read it when
they find the cue; the tagger alone gives each quote the cue (PolNeAR train[:300]: strict +2
statements, 4 fewer wrong; dev unchanged). So are two reported clauses of one cue around its
cue clause ("Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt"): the tagger
reads the second as a statement of the same cue, PolNeAR marks one content in two pieces
(train[:300]: +1, 2 fewer wrong; dev +1, 2 fewer wrong).

A quote that goes on after a quoted statement's cue clause ("“X,” the letter reads. “Y.”")
is part of that statement too. The rules join it themselves (``with_continued_quotes``)
unless they never read the first quote (a parse that misses "“X,” said  Yaakov Amidror, ...")
and the tagger found it later: the rules then gave the quote to the previous speaker, and
joining it moves it back (PolNeAR train[:300]: 9 quotes, 7 to the annotated statement).

One more extent is settled here, after both readers: a transcript turn runs to the end of its
paragraph (``with_whole_turns``). A reported content still starts after its complementiser
("said that | the plan works"), though PolNeAR's starts at "that": the statement shown reads
without it, and the span is what the statement shows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from spacy.tokens import Doc

from bot.models import ClaimKind
from bot.nlp.attribution import Attribution
from bot.nlp.attribution.records import CharSpan
from bot.nlp.quotes import Quote

# at most this many words between the two pieces
MAX_GAP_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?][\"'”’]*\s")


def _one_content(doc: Doc, text: str, first: Attribution, second: Attribution) -> bool:
    # one cue, or two readings of it ("avoids condemning" and "condemning")
    if first.cue is None or second.cue is None or second.start < first.end:
        return False
    if not (first.cue[0] < second.cue[1] and second.cue[0] < first.cue[1]):
        return False
    gap = text[first.end : second.start]
    if "\n" in gap or _SENTENCE_END.search(gap) or len(gap.split()) > MAX_GAP_WORDS:
        return False
    words = doc.char_span(first.end, second.start, alignment_mode="expand")
    if words is None or any(
        t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB") or t.tag_ == "MD" for t in words
    ):
        return False
    # "but argues that", "and warns": a coordinated clause, whatever the tagger makes of its verb
    named = [t for t in words if t.is_alpha]
    return not (len(named) > 1 and named[0].pos_ == "CCONJ")


def _joined(first: Attribution, second: Attribution) -> Attribution:
    *head, (start, _) = first.content
    (_, end), *tail = second.content
    kind = first.kind if first.kind is second.kind else ClaimKind.INDIRECT
    return Attribution(
        kind,
        (*head, CharSpan((start, end)), *tail),
        first.cue,
        first.source or second.source,
        first.source_head or second.source_head,
        first.inherited and second.inherited,
    )


# a cue clause that splits a quote: "“X,” said Peter Welch, Democrat of Vermont, “Y.”"
MAX_CLAUSE_WORDS = 25


def _one_split_quote(text: str, first: Attribution, second: Attribution) -> bool:
    """Whether two statements of one cue are one sentence the cue clause interrupts: two
    quotes ("“X,” the judge exclaimed, “Y.”": the first closes on a comma, so the sentence
    goes on, and the second opens right after the cue clause) or two reported clauses ("The
    middle fifth paid 8.9 percent, the agency said, while the bottom fifth paid 0.8
    percent"), in the same sentence."""
    cue, other = first.cue, second.cue
    if first.kind is not second.kind or cue is None or other is None:
        return False
    if not (cue[0] < other[1] and other[0] < cue[1] and first.end <= cue[0] and cue[1] <= second.start):
        return False
    gap = text[first.end : second.start]
    if "\n" in gap or _CLAUSE_SENTENCE_END.search(gap) or len(gap.split()) > MAX_CLAUSE_WORDS:
        return False
    if first.kind is ClaimKind.DIRECT:
        closing = text[first.start : first.end]
        return (
            closing != closing.rstrip(_MARK_CHARS)
            and closing.rstrip(_MARK_CHARS).endswith(",")
            and text[second.start : second.start + 1] in _MARK_CHARS
        )
    # a comma goes on from the first clause, and another closes the cue clause (a connective
    # may open the second: ", the agency said, while those …")
    return gap.lstrip().startswith(",") and _CLAUSE_GOES_ON.match(text, cue[1], second.start) is not None


# a sentence end in a cue clause, not a speaker's title or initial ("Mr. Clarke", "Peter T. King")
_CLAUSE_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\b[A-Z][a-z])(?<!Mrs|Sen|Gov|Rep)[.!?][\"'”’]*\s")
_CLAUSE_GOES_ON = re.compile(r"[^,.;:!?\n]{0,60},\s*(?:[a-z]+\s+)?$")


# quote marks as the parsed text has them ('' is two apostrophes)
_MARK_CHARS = "\"“”'‘’"


def joined_contents(doc: Doc, attributions: Sequence[Attribution]) -> list[Attribution]:
    """``attributions`` (in text order) with the pieces of one content joined into it, and
    the two quotes of one sentence its cue clause interrupts made one split quote."""
    text = doc.text  # built from the tokens on each access: once
    joined: list[Attribution] = []
    for attribution in attributions:
        if joined and _one_content(doc, text, joined[-1], attribution):
            joined[-1] = _joined(joined[-1], attribution)
        elif joined and _one_split_quote(text, joined[-1], attribution):
            joined[-1] = dataclasses.replace(joined[-1], content=(*joined[-1].content, *attribution.content))
        else:
            joined.append(attribution)
    return joined


def _continues(text: str, statement: Attribution, quote: Quote, between: Sequence[Attribution]) -> bool:
    """Whether ``quote`` goes on with ``statement``, a quote whose cue clause stands between the
    two in one paragraph ("“X,” the letter reads. “Y.”"), with only asides of the same speaker
    ("“X,” Tester said, referring to the excuse, “Y.”") in between."""
    cue = statement.cue
    if statement.kind is not ClaimKind.DIRECT or cue is None or statement.source is None:
        return False
    gap = text[statement.end : quote.start]
    if not (statement.end <= cue[0] and cue[1] <= quote.start) or "\n" in gap or len(gap) > _MAX_CLAUSE:
        return False
    if any(mark in gap for mark in _QUOTE_MARKS) or not _CLAUSE_END.search(gap):
        return False
    return all(a.inherited and a.source == statement.source and a.end <= quote.start for a in between)


_MAX_CLAUSE = 250
# the cue clause is closed before the quote goes on ("the letter reads. “Y”", "he said, “Y”"); a
# quote right after a word is a title inside the clause ("Trump told ABC's “This Week.”")
_CLAUSE_END = re.compile(r"[.,:;]\s+$")
_QUOTE_MARKS = ("“", "”", '"', "''")


def with_quotes_continued(
    doc: Doc, attributions: Sequence[Attribution], quotes: Sequence[Quote]
) -> list[Attribution]:
    """``attributions`` (in text order) with each quote that goes on after a quoted statement's
    cue clause joined to that statement, when no statement holds the quote or only a cue-less
    one that took it for the previous speaker's (the rules read the quote before the cue
    clause only once the tagger found it: "“X,” the letter reads. “Y.”")."""
    text = doc.text
    result = list(attributions)
    for quote in quotes:
        holders = [a for a in result if a.start < quote.end and quote.start < a.end]
        if holders and not (
            len(holders) == 1
            and holders[0].cue is None
            and holders[0].inherited
            and holders[0].content == (CharSpan((quote.start, quote.end)),)
        ):
            continue
        quoted = [
            a for a in result if a.kind is ClaimKind.DIRECT and a.end <= quote.start and a not in holders
        ]
        if not quoted:
            continue
        statement = max(quoted, key=lambda a: a.end)
        between = [a for a in result if statement.end <= a.start < quote.start]
        if not _continues(text, statement, quote, between):
            continue
        index = result.index(statement)
        result[index] = dataclasses.replace(
            statement, content=(*statement.content, CharSpan((quote.start, quote.end)))
        )
        for holder in holders:
            result.remove(holder)
    return result


def _opens_a_line(text: str, start: int) -> bool:
    line = text.rfind("\n", 0, start) + 1
    return not text[line:start].strip(" \t\"“'")


def with_whole_turns(doc: Doc, attributions: Sequence[Attribution]) -> list[Attribution]:
    """``attributions`` with a transcript turn ("PENCE: Well, look, ... “Shark Tank.” But this
    is America, Chris. ...") running to the end of its paragraph, not its first sentence: what
    follows the label is all the speaker's, as PolNeAR marks it. Statements inside the turn
    stay, and are then left out as nested in it (``without_nested_statements``)."""
    text = doc.text
    result: list[Attribution] = []
    for attribution in attributions:
        source = attribution.source
        if (
            attribution.cue is None
            and source is not None
            and text[source[1] : source[1] + 1] == ":"
            and _opens_a_line(text, source[0])
        ):
            end = text.find("\n", attribution.end)
            end = len(text) if end < 0 else end
            if text[attribution.end : end].strip(" \t.!?\"”'’"):
                while end > attribution.end and text[end - 1].isspace():
                    end -= 1
                *head, (start, _) = attribution.content
                attribution = dataclasses.replace(attribution, content=(*head, CharSpan((start, end))))
        result.append(attribution)
    return result
