"""Sentence shapes with a speaker but no ordinary cue: transcript labels ("PENCE: ...") and
as-clauses ("..., as Berg noted.")."""

from __future__ import annotations

import logging

from spacy.tokens import Token

from bot.nlp.attribution.contents import only_adjuncts_after
from bot.nlp.attribution.records import ArticleContext, Candidate, CharSpan, SentenceUnit, TokenRange
from bot.nlp.attribution.sources import np_right
from bot.nlp.attribution.spans import extend_to_quotes, quote_covering, trim_final_punct, trimmed_char_span
from bot.nlp.attribution.vocabulary import QUOTE_TOKENS, SEED_CUES
from bot.nlp.tokens import is_verb
from bot.nlp.tokens import token_tag as _tag

logger = logging.getLogger(__name__)


def as_clause_attribution(ctx: ArticleContext, unit: SentenceUnit) -> Candidate | None:
    """ "<clause>, as Berg noted (on Friday)." / "As a memo put it, <clause>.": the as-clause
    names the source; what was said is the rest of the sentence, not what follows the cue."""
    doc = ctx.doc
    for k in range(unit.start, unit.end - 2):
        if doc[k].lower_ != "as" or quote_covering(ctx, doc[k].idx) is not None:
            continue
        if k > unit.start and doc[k - 1].text != ",":
            continue  # only a parenthetical "as": "as high as", "such as" are not sources
        source = np_right(doc, k + 1, unit.end)
        if source is None or source[1] >= unit.end:
            continue
        cue = source[1]
        while cue < unit.end and _tag(doc[cue]) in {"RB", "MD"}:
            cue += 1  # "as Berg also noted"
        if cue >= unit.end:
            continue
        put_it = doc[cue].lower_ in {"put", "puts"} and cue + 1 < unit.end and doc[cue + 1].lower_ == "it"
        if not put_it and not (is_verb(doc[cue]) and doc[cue].lower_ in SEED_CUES):
            continue
        cue_end = cue + 2 if put_it else cue + 1
        # the clause runs to the next comma or the end of the sentence
        clause_end = cue_end
        while clause_end < unit.end and doc[clause_end].text not in {",", ";"}:
            clause_end += 1
        if k > unit.start:  # trailing: "<clause>, as Berg noted."
            end = k - 1
            if not only_adjuncts_after(ctx, unit, cue, cue_end) or end - unit.start < 3:
                continue
            frag = trimmed_char_span(doc, unit.start, end)
        else:  # leading: "As Berg put it, <clause>."
            start = clause_end + 1
            end = trim_final_punct(doc, start, unit.end)
            if clause_end >= unit.end or end - start < 3:
                continue
            frag = trimmed_char_span(doc, start, end)
        if frag is None:
            continue
        return Candidate(cue, cue_end, source, [extend_to_quotes(ctx, frag)])
    return None


def colon_attribution(ctx: ArticleContext, unit: SentenceUnit) -> Candidate | None:
    """A short proper name opening a line, then a colon: "Pence: ...", "WALLACE: ..."."""
    doc = ctx.doc
    line_start = unit.start
    while line_start < unit.end and doc[line_start].is_space:
        line_start += 1
    i = line_start
    while i < unit.end and doc[i].text in QUOTE_TOKENS:
        i += 1  # a transcript paragraph may open with a quote mark: "PENCE: ...
    j = i
    while (
        j < unit.end
        and j - i < 5
        and (_tag(doc[j]) in {"NNP", "NNPS"} or (doc[j].text[:1].isupper() and doc[j].is_alpha))
    ):
        j += 1
    if j == i or j >= unit.end or doc[j].text != ":" or unit.end - j < 4:
        return None
    if any(_reads_as_heading_word(doc[k]) for k in range(i, j)):
        return None  # "The Gap Goes On: It was under ...": a section heading, not a name
    if line_start > 0 and "\n" not in doc[line_start - 1].text_with_ws and not doc[line_start - 1].is_space:
        return None
    content = trimmed_char_span(doc, j + 1, trim_final_punct(doc, j + 1, unit.end))
    if content is None:
        return None
    extended = extend_to_quotes(ctx, content)
    # a transcript paragraph's quote mark opens before the name: the content starts after the colon
    return Candidate(j, j + 1, TokenRange((i, j)), [CharSpan((max(extended[0], content[0]), extended[1]))])


def _reads_as_heading_word(token: Token) -> bool:
    """A capitalised word of a line's label that no name holds: a particle or adverb ("The Gap
    Goes On", "Clinton Wades In", "Trump Wins Again"), as a title-case heading has. Words, not
    tags: the tagger reads first names and surnames as prepositions or verbs ("Cecile/IN
    Richards"), and a transcript's capitals ("WALLACE") are names whatever it makes of them."""
    return not token.text.isupper() and token.lower_ in _HEADING_PARTICLES


# what closes a title-case heading's verb and opens no name
_HEADING_PARTICLES = frozenset(
    {"on", "in", "out", "up", "down", "off", "over", "again", "back", "away", "ahead", "about", "into"}
)
