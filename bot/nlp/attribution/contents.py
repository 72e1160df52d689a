"""What was said: the complement after a cue and where it ends, and what only looks like one
(circumstances of the saying)."""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Token

from bot.nlp.attribution.records import ArticleContext, CharSpan, SentenceUnit, TokenRange
from bot.nlp.attribution.spans import quote_covering, trim_final_punct
from bot.nlp.attribution.vocabulary import (
    ADDRESSEE_VERBS,
    ADJUNCT_STARTERS,
    ADVERBIAL_DEPS,
    CIRCUMSTANCE_OPENERS,
    CLAUSE_CUTTERS,
    CLAUSE_PREPOSITIONS,
    CONTENT_STARTERS,
    NOMINATIVE_PRONOUNS,
    NOT_ADJUNCT_OPENERS,
    PARTICLE_DEPS,
    PHRASE_TAGS,
    QUOTE_TOKENS,
    SUBJECT_DEPS,
    SUBJECT_TAGS,
    TIME_ADVERB_OPENERS,
)
from bot.nlp.boundaries import choose_end
from bot.nlp.tokens import is_finite, is_verb
from bot.nlp.tokens import token_tag as _tag

logger = logging.getLogger(__name__)


CUT_ADJUNCTS = False


def content_after(ctx: ArticleContext, unit: SentenceUnit, cue: int, stop: int) -> TokenRange | None:
    """Token range of the complement after a cue, up to ``stop`` (exclusive)."""
    doc = ctx.doc
    if doc[cue].lower_ == "according":
        return None
    i = _content_start(ctx, cue, stop)
    end = _cut_at_clause_breaks(ctx, cue, i, trim_final_punct(doc, i, stop))
    end = _complement_end(ctx, cue, i, end)
    if ctx.lexicon.boundary is not None and end - i > 2:
        quotes = [(q.start, q.end) for q in ctx.quotes]
        clausal = is_clausal(doc, cue, i, end)
        end = choose_end(ctx.lexicon.boundary, doc, quotes, cue, i, end, clausal=clausal)
    if end - i < 2:
        return None
    verb = i + 1
    while verb < end - 1 and _tag(doc[verb]) == "RB":
        verb += 1
    # "vowed to (harshly) punish ...", "wants to triple ...": the infinitive is what was said
    infinitive = doc[i].lower_ == "to" and verb < end and _tag(doc[verb]) == "VB"
    if _tag(doc[i]) in {"IN", "RP", "TO"} and doc[i].lower_ not in CLAUSE_PREPOSITIONS and not infinitive:
        return None  # "spoke by phone with ...": a circumstance, not what was said
    if not is_clausal(doc, cue, i, end):
        end = _cut_circumstances(ctx, cue, i, end)
    return TokenRange((i, end))


def _content_start(ctx: ArticleContext, cue: int, stop: int) -> int:
    """The first token of what was said: past an addressee ("told Putin that"), the cue's
    particle, adverbials ("said on Tuesday that") and complementisers."""
    doc = ctx.doc
    i = cue + 1
    if doc[cue].lower_ in ADDRESSEE_VERBS and i < stop and doc[i].lower_ not in {"that", ":"}:
        # told Putin that ... / warned Moscow against ...
        j = i
        while j < stop and j < i + 10 and doc[j].lower_ != "that" and doc[j].text not in {":", '"', "“"}:
            j += 1
        if j < stop and doc[j].lower_ == "that":
            i = j
    while i < stop and (doc[i].is_space or is_particle_of(doc[i], cue)):
        i += 1  # the particle of a phrasal cue ("pointed out that ...") is part of the cue
    # "said on Tuesday that ...", "said in a statement: ...": the circumstances are not content
    i = _skip_adverbials(doc, cue, i, stop)
    while i < stop and (doc[i].lower_ in CONTENT_STARTERS or doc[i].is_space):
        i += 1
    return i


def _cut_at_clause_breaks(ctx: ArticleContext, cue: int, i: int, end: int) -> int:
    """``end`` moved to the first break outside quotes after which the speaker is no longer
    reported: "...; they only learned", ", but offered no proof", ", adding ..."."""
    doc = ctx.doc
    for k in range(i + 2, end):
        if quote_covering(ctx, doc[k].idx) is not None:
            continue
        if (
            doc[k].text in {";", "—", "--", "―"}
            or (doc[k].text == "," and k + 1 < end and doc[k + 1].lower_ in CLAUSE_CUTTERS)
            or (doc[k].text == "," and k + 1 < end and _tag(doc[k + 1]) == "VBG" and doc[k + 1].head.i == cue)
        ):
            return k
    return end


def _cut_circumstances(ctx: ArticleContext, cue: int, i: int, end: int) -> int:
    """For a non-clausal complement, ``end`` before the circumstances: "criticized the act as a
    'crazy system' during a campaign stop in Flint", "attacked Machado in early-morning tweets"."""
    doc = ctx.doc
    for k in range(i + 2, end):
        if quote_covering(ctx, doc[k].idx) is not None:
            continue
        if doc[k].lower_ in CIRCUMSTANCE_OPENERS or (
            doc[k].lower_ == "as" and _opens_clause(doc, k + 1, end)
        ):
            end = k - 1 if doc[k - 1].text == "," else k
            break
    if CUT_ADJUNCTS and not is_clausal(doc, cue, i, end):  # asked again of the shortened range
        for k in range(i + 1, end):
            if doc[k].text in {",", ";", "—", "–"} or (
                doc[k].lower_ in ADJUNCT_STARTERS and k > i + 1 and quote_covering(ctx, doc[k].idx) is None
            ):
                return k
    return end


def _opens_clause(doc: Doc, start: int, end: int) -> bool:
    """Whether a subject and a finite verb open ``doc[start:end]`` ("Pyongyang fired")."""
    k = start
    while k < end and k < start + 5 and _tag(doc[k]) in SUBJECT_TAGS:
        k += 1
    return start < k < end and is_finite(doc[k])


def is_particle_of(token: Token, cue: int) -> bool:
    """The particle of a phrasal cue: "out" in "pointed out"."""
    return token.dep_ in PARTICLE_DEPS and token.head.i == cue


def _complement_end(ctx: ArticleContext, cue: int, start: int, end: int) -> int:
    """Where the cue's complement ends when the cue's own clause goes on: "X said Y and
    asked Z" stops before "and asked" when the parser coordinates "asked" with the cue
    (whole subtrees are not used: a misattached adjunct would truncate the content)."""
    doc = ctx.doc
    for k in range(start + 2, end - 1):
        if doc[k].lower_ not in {"and", "but"} or quote_covering(ctx, doc[k].idx) is not None:
            continue
        for j in range(k + 1, min(end, k + 4)):
            token = doc[j]
            if is_verb(token) and token.dep_ == "conj" and token.head.i == cue:
                cut = k
                while cut > start + 1 and doc[cut - 1].text in {",", ";"}:
                    cut -= 1
                return cut
            if not (_tag(token) in {"RB", "MD"} or token.dep_ in {"aux", "advmod", "neg"}):
                break
    return end


def _adjunct_start(token: Token) -> bool:
    """Whether ``token`` opens an adverbial (a preposition, an adverb, a time expression)."""
    if token.lower_ in NOT_ADJUNCT_OPENERS:
        return False
    return _tag(token) in {"IN", "RB", "TO"} or token.lower_ in TIME_ADVERB_OPENERS


def _skip_adverbials(doc: Doc, cue: int, start: int, stop: int) -> int:
    """Where the complement of ``cue`` starts when adverbials come first, else ``start``.

    "said on Tuesday that X" -> at "that"; "said in a statement: X" -> at ":"; "said on
    Monday the plan would fail" -> at the complement clause the parser attaches to the cue.
    """
    if start >= stop or not _adjunct_start(doc[start]):
        return start
    for k in range(start + 1, min(stop, start + 12)):
        token = doc[k]
        if token.lower_ == "that" or token.text == ":":
            return k  # (the tagger often reads "last week that" as a relative clause)
        if token.text in QUOTE_TOKENS or _tag(token) in {"VBD", "VBZ", "VBP", "MD"}:
            break
    circumstance = {
        t.i for c in doc[cue].children if c.dep_ in ADVERBIAL_DEPS and c.i > cue for t in c.subtree
    }
    for child in doc[cue].children:
        if child.dep_ not in {"ccomp", "parataxis"} or not start <= child.i < stop:
            continue
        # the parser may hang the time expression on the complement's verb instead
        core = min((c.i for c in child.children if c.dep_ in SUBJECT_DEPS), default=child.i)
        leading = {t.i for c in child.children if c.dep_ in ADVERBIAL_DEPS and c.i < core for t in c.subtree}
        left = start
        while left < core and (left in circumstance or left in leading or doc[left].text == ","):
            left += 1
        if start < left < stop and left in {t.i for t in child.subtree}:
            return left
    return _clause_after_phrase(doc, start, stop)


def _clause_after_phrase(doc: Doc, start: int, stop: int) -> int:
    """ "said after the convention he would not accept ...": where a clause opens right
    after a short prepositional phrase, else ``start``. The parser often reads such a
    clause as a relative clause on the phrase's noun, so this goes by the words: a
    nominative pronoun, or a determiner right after a noun, then a finite verb soon after.
    """
    if _tag(doc[start]) != "IN":
        return start
    k = start + 1
    while k < min(stop, start + 7) and _tag(doc[k]) in PHRASE_TAGS:
        opens = doc[k].lower_ in NOMINATIVE_PRONOUNS or (
            doc[k].lower_ in {"the", "a", "an"} and _tag(doc[k - 1]) in {"NN", "NNS", "NNP", "NNPS"}
        )
        if opens and k > start + 1 and _finite_verb_within(doc, k + 1, min(stop, k + 5)):
            return k
        k += 1
    if k < stop and doc[k].lower_ in NOMINATIVE_PRONOUNS and k > start + 1:
        return k if _finite_verb_within(doc, k + 1, min(stop, k + 4)) else start
    return start


def _finite_verb_within(doc: Doc, start: int, stop: int) -> bool:
    return any(_tag(t) in {"MD", "VBD", "VBZ", "VBP"} for t in doc[start:stop])


def only_adjuncts_after(ctx: ArticleContext, unit: SentenceUnit, cue: int, start: int) -> bool:
    """Whether nothing but circumstances follow token ``start`` (the cue, or the speaker
    after an inverted cue) to the end of the sentence (", the council said on Friday, three
    weeks after ...")."""
    doc = ctx.doc
    i = start
    while i < unit.end and doc[i].is_space:
        i += 1
    end = trim_final_punct(doc, i, unit.end)
    if i >= end:
        return True
    # "..., according to an analysis by Lily Batchelder, a former tax aide": the speaker's apposition
    apposition = (
        doc[i].text == "," and i + 1 < end and doc[i + 1].lower_ in {"a", "an", "the", "who", "whose"}
    )
    if not apposition and (not _adjunct_start(doc[i]) or _skip_adverbials(doc, cue, i, end) != i):
        return False
    return not any(quote_covering(ctx, doc[k].idx) is not None for k in range(i, end))


def is_clause_before(doc: Doc, start: int, end: int) -> bool:
    """A main clause (not "When asked about ...", "After the vote") before a trailing cue."""
    while start < end and (doc[start].is_space or doc[start].text in QUOTE_TOKENS):
        start += 1
    if end - start < 3 or _tag(doc[start]) in {"IN", "WRB", "TO"}:
        return False
    return any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in doc[start:end])


def opens_with_participle(doc: Doc, start: int, end: int) -> bool:
    """Whether the words before a parenthetical cue are a participle phrase, the question put
    to the speaker ("Asked about the device, O'Neill said, ...", "When pressed, she said, ..."),
    which PolNeAR never marks as part of what was said, unlike other openers ("In the three
    years since, Barden says, ...", "This campaign, he says, is different")."""
    while start < end and (doc[start].is_space or doc[start].text in QUOTE_TOKENS):
        start += 1
    if start < end and doc[start].lower_ in {"when", "once", "if"}:
        start += 1
    if start >= end:
        return False
    first = doc[start]
    # the parser often reads a sentence's first "Asked" as a past tense: one with no subject
    return _tag(first) in {"VBN", "VBD"} and not any(c.dep_ in SUBJECT_DEPS for c in first.children)


def is_clausal(doc: Doc, cue: int, start: int, end: int) -> bool:
    """Whether the complement is a clause ("that ...", "he would ...") rather than an object."""
    if any(doc[k].lower_ == "that" for k in range(cue + 1, min(start + 1, end))):
        return True
    if doc[start].text in QUOTE_TOKENS:
        return True
    window = doc[start : min(end, start + 8)]
    return any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in window)


# words a trailing cue may carry before its split quote goes on: an addressee and circumstances
# ("he told the host,", "Schiff told reporters on Wednesday,", "he said, but")
MAX_WORDS_BEFORE_REOPENED_QUOTE = 8


def reopened_quote(ctx: ArticleContext, unit: SentenceUnit, start: int) -> CharSpan | None:
    """The quote that goes on after a trailing cue, from token ``start`` ("“X,” he said, “Y.”",
    "“X,” he told the host, “Y.”", "“X,” he said, but “Y.”"). Right after the cue (past a
    comma) any quote does; after other words only one that follows a comma, a colon or a
    conjunction, ends the sentence, and has no verb before it (“X,” he said after a meeting
    where “reforms” were discussed: not a split quote; “X,” he said, adding later, “Y.”: two
    statements)."""
    doc = ctx.doc
    k = start
    while k < unit.end and (doc[k].text in {",", ":"} or doc[k].is_space):
        k += 1
    if k >= unit.end:
        return None
    quote = quote_covering(ctx, doc[k].idx)
    if quote is not None and quote.start >= doc[k].idx - 1:
        return CharSpan((quote.start, quote.end))
    words = 0
    while k < unit.end and words <= MAX_WORDS_BEFORE_REOPENED_QUOTE:
        token = doc[k]
        if token.text in QUOTE_TOKENS:
            quote = quote_covering(ctx, token.idx + len(token.text)) or quote_covering(ctx, token.idx)
            if quote is None or quote.start < token.idx - 1:
                return None
            before = doc[k - 1]
            if before.text not in {",", ":"} and before.lower_ not in {"but", "and"}:
                return None
            rest = ctx.text[quote.end : doc[unit.end - 1].idx + len(doc[unit.end - 1].text)]
            if rest.strip(" .,!?;)\n\"'”’"):
                return None  # the writer goes on after it: a quoted phrase, not the statement
            return CharSpan((quote.start, quote.end))
        if token.text in {".", "!", "?", ";"} or is_verb(token):
            return None  # a verb of its own ("…, adding later, “Y.”"): a statement of its own
        words += int(not token.is_punct and not token.is_space)
        k += 1
    return None
