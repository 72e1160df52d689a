"""Quotes that follow a statement without a cue of their own: signed with a dash
(“X.” ― Name) or continuing the previous speaker."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from bot.models import ClaimKind
from bot.nlp.attribution.records import ArticleContext, Attribution, Candidate, CharSpan, SentenceUnit
from bot.nlp.attribution.sources import head_name
from bot.nlp.attribution.spans import quote_covering, trim_final_punct, trimmed_char_span

logger = logging.getLogger(__name__)


# “Quote.” ― Sonya Herridge: a quote signed with a dash and a short name (testimonials,
# vox pops, epigraphs). The name must end its line, so a dash inside prose never matches.
_SIGNATURE = re.compile(r"[ \t\u00a0]*[―—–]|[ \t\u00a0]*--")


_SIGNER = re.compile(
    r"[ \t\u00a0]*("
    r"(?:(?:Dr|Mr|Mrs|Ms|Rev|Sen|Rep|Gov)\.[ \t\u00a0]+)?"  # an optional title
    r"[A-Z][\w'’.-]*(?:[ \t\u00a0]+[A-Z][\w'’.-]*){0,3}"  # up to four capitalised words
    r")[ \t\u00a0.,]*(?:\n|$)"
)


def signed_quotes(ctx: ArticleContext, found: list[Attribution], text: str) -> list[Attribution]:
    """Quotes signed with a dash and a name on the same line: “X.” ― Name."""
    taken = [(a.start, a.end) for a in found]
    results: list[Attribution] = []
    for quote in ctx.quotes:
        dash = _SIGNATURE.match(text, quote.end)
        if dash is None:
            continue
        signer = _SIGNER.match(text, dash.end())
        if signer is None or quote.end - quote.start < 20:
            continue
        if any(s < quote.end and quote.start < e for s, e in taken):
            continue
        name_start, name_end = signer.start(1), signer.end(1)
        while name_end > name_start and text[name_end - 1] in ".,":
            name_end -= 1
        name = CharSpan((name_start, name_end))
        cue = CharSpan((dash.end() - 1 if text[dash.end() - 1] != "-" else dash.end() - 2, dash.end()))
        content = CharSpan((quote.start, quote.end))
        results.append(Attribution(ClaimKind.DIRECT, (content,), cue, name, name))
        taken.append((quote.start, quote.end))
    return results


def _quoted_statement_before(last: Attribution, before: Sequence[Attribution], text: str) -> Attribution:
    """The statement a quote that goes on after ``last`` continues: ``last`` itself, unless it
    is what a participle after the speaker's cue reports ("“X,” Sanders said, invoking the 2008
    race. “Y.”") or what a verb in a clause on the speaker of a trailing cue reports ("“X,”
    said Peter King, who endorsed Rubio. “Y.”"), which are the writer's asides: then the
    quote the speaker's cue introduced (PolNeAR train[:300]: strict +4, 8 fewer wrong)."""
    cue = last.cue
    if last.kind is not ClaimKind.INDIRECT or cue is None:
        return last
    if last.inherited and text[cue[0] : cue[1]].lower().endswith("ing"):
        quoted = [
            a
            for a in before
            if a.kind is ClaimKind.DIRECT
            and a.source == last.source
            and a.end <= cue[0]
            and "\n" not in text[a.end : cue[0]]
        ]
        return max(quoted, key=lambda a: a.end) if quoted else last
    # "“X,” said Peter King, who endorsed Rubio on Tuesday. “Y.”": a verb in a clause that
    # describes the speaker of a trailing cue is the writer's aside, not where the quote goes on
    described = [
        a
        for a in before
        if a.kind is ClaimKind.DIRECT
        and a.cue is not None
        and a.source is not None
        and a.end <= a.cue[0]
        and a.source[1] <= last.start
        and a.cue[1] <= cue[0]
        # the speaker's name may hold initials ("Peter T. King"): from after it
        and not _SENTENCE_BREAK.search(text, max(a.cue[1], a.source[1]), last.start)
    ]
    return max(described, key=lambda a: a.end) if described else last


# a sentence or paragraph ends between two places
_SENTENCE_BREAK = re.compile(r"[.!?][\"'”’]*\s|\n")


def _next_paragraph(text: str, end: int, start: int) -> bool:
    """Whether ``start`` opens the paragraph right after the one ``end`` is in."""
    between = text[end:start]
    return len(between.strip("\n").split("\n")) == 1 and text[start - 1] == "\n"


def _whole_paragraph(text: str, end: int) -> bool:
    """Whether nothing but the quote's own punctuation follows ``end`` in its paragraph."""
    stop = text.find("\n", end)
    return not text[end : stop if stop >= 0 else len(text)].strip(" \t\u00a0.,")


def with_continued_quotes(
    ctx: ArticleContext,
    orphans: list[tuple[SentenceUnit, Candidate | None, int]],
    found: Sequence[Attribution],
    text: str,
) -> list[Attribution]:
    """``found`` (as a new list) with the sentences that are all quote and have no cue: one
    that goes on in the paragraph of a statement joins it ("“X,” he said. “Y.”"), any other
    continues the previous speaker (a quote paragraph after "Wallace said:"), unless a later
    cue already took it; those come last."""
    doc = ctx.doc
    found = list(found)
    taken = [(a.start, a.end) for a in found]
    results: list[Attribution] = []
    for unit, previous, previous_paragraph in orphans:
        if previous is None or previous.source is None or unit.paragraph - previous_paragraph > 2:
            continue
        frag = trimmed_char_span(doc, unit.start, trim_final_punct(doc, unit.start, unit.end))
        if frag is None:
            continue
        quote = quote_covering(ctx, frag[0]) or quote_covering(ctx, frag[0] + 1)
        if quote is None or quote.start > frag[0] + 1 or quote.end < frag[1] - 1:
            continue
        if any(s < quote.end and quote.start < e for s, e in taken):
            continue
        # same paragraph: the quote goes on after the cue ("“X,” he said. “Y.”") -> one statement
        before = [a for a in found if a.end <= quote.start]
        last = max(before, key=lambda a: a.end) if before else None
        if last is not None:
            last = _quoted_statement_before(last, before, text)
        if (
            last is not None
            and last.source is not None
            and quote.start - last.end < 250
            and (
                "\n" not in text[last.end : quote.start]
                or (
                    last.kind is ClaimKind.DIRECT
                    and _next_paragraph(text, last.end, quote.start)
                    and _whole_paragraph(text, quote.end)
                )
            )
        ):
            index = found.index(last)
            found[index] = Attribution(
                last.kind,
                (*last.content, CharSpan((quote.start, quote.end))),
                last.cue,
                last.source,
                last.source_head,
                last.inherited,
            )
            taken.append((quote.start, quote.end))
            continue
        source = previous.source
        source_frag = trimmed_char_span(doc, source[0], source[1])
        head_frag = trimmed_char_span(doc, *head_name(doc, source))
        content = (CharSpan((quote.start, quote.end)),)
        results.append(Attribution(ClaimKind.DIRECT, content, None, source_frag, head_frag, inherited=True))
        taken.append((quote.start, quote.end))
    return [*found, *results]
