"""Cues: which tokens of a sentence report speech, and how they share a sentence."""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Token

from bot.nlp.attribution.contents import is_clause_before, only_adjuncts_after
from bot.nlp.attribution.records import ArticleContext, SentenceUnit, TokenRange
from bot.nlp.attribution.sources import according_source, np_left, np_right, subject_of
from bot.nlp.attribution.spans import quote_covering
from bot.nlp.attribution.vocabulary import (
    BE_FORMS,
    CUE_DOCUMENT_NOUNS,
    FUNCTION_VERBS,
    QUOTE_TOKENS,
    READ_FORMS,
    READABLE_NOUNS,
    SEED_CUES,
    SKIP_BEFORE_CUE,
)
from bot.nlp.tokens import token_tag as _tag

logger = logging.getLogger(__name__)


def cue_tokens(ctx: ArticleContext, unit: SentenceUnit) -> list[int]:
    """Token indices of cue heads in a unit (verbs with a cue prior, and "according")."""
    doc = ctx.doc
    cues: list[int] = []
    for i in range(unit.start, unit.end):
        token = doc[i]
        if token.lower_ == "according" and i + 1 < unit.end and doc[i + 1].lower_ == "to":
            cues.append(i)
            continue
        if (
            not ctx.lexicon.is_cue(token.text)
            or token.lower_ in FUNCTION_VERBS
            or token.dep_.startswith("aux")
        ):
            continue
        if quote_covering(ctx, token.idx) is not None:
            continue  # "What I would also say is ...": speech inside a quote is the quote's content
        tag = _tag(token)
        verb_like = tag.startswith("VB") or token.pos_ == "VERB"
        if not verb_like and ctx.lexicon.prior(token.text) >= 0.6 and i > unit.start and not token.is_title:
            # a tagger's miss ("argues/NNS"): a speech form right after a name or pronoun and
            # before a clause is the verb
            before, after = doc[i - 1], doc[i + 1] if i + 1 < unit.end else None
            participle = token.lower_.endswith("ing") and before.lower_ in {",", "and"}
            if token.lower_.endswith("ing") and before.lower_ in BE_FORMS:
                verb_like = True  # a progressive the tagger read as a noun: "is warning/NN that"
            verb_like = verb_like or (
                (_tag(before) in {"NNP", "NNPS", "PRP"} or participle)
                and (
                    after is None
                    or after.lower_ in {"that", ":", ","}
                    or after.text in QUOTE_TOKENS
                    or _tag(after) in {"DT", "PRP", "NNP", "EX"}
                )
            )
        if not verb_like:
            continue
        if (
            tag == "VBN"
            and i > unit.start
            and doc[i - 1].lower_ in {"is", "was", "be", "been", "are", "were"}
            and doc[i].lower_ != "quoted"
        ):
            continue  # passive "was told", "is expected": the subject is not the speaker
        if token.lower_ in READ_FORMS and not _reads_a_document(token):
            continue  # "She reads the news every morning": reading is no speech
        if token.lower_ in _GO_FORMS and i + 1 < unit.end and doc[i + 1].lower_ in _GO_PARTICLES:
            continue  # "The Gap Goes On", "prices went up": going on is no speech ("he goes, ...")
        cues.append(i)
    return cues


_GO_FORMS = frozenset({"go", "goes", "went", "going", "gone"})
_GO_PARTICLES = frozenset({"on", "up", "down", "out", "off", "back", "ahead", "away", "over", "into", "in"})


def _reads_a_document(token: Token) -> bool:
    """Whether the subject of a "read" is a document: "the letter reads", "the statement read"."""
    return any(
        child.dep_.split(":")[0] == "nsubj" and child.lower_ in READABLE_NOUNS for child in token.children
    )


def names_a_document(doc: Doc, span: TokenRange) -> bool:
    start, end = span
    head = [t for t in doc[start : min(end, start + 4)] if _tag(t) in {"NN", "NNS"}]
    return (
        bool(head)
        and head[0].lower_ in CUE_DOCUMENT_NOUNS
        and not any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in doc[start:end])
    )


def document_relay(ctx: ArticleContext, after: TokenRange, cues: list[int]) -> int | None:
    """In "issued a joint statement ... expressing X", the index of "expressing"."""
    doc = ctx.doc
    start, end = after
    window = range(start, min(end, start + 4))
    if not any(doc[k].lower_ in CUE_DOCUMENT_NOUNS for k in window):
        return None
    for k in range(start + 1, min(end, start + 10)):
        if (k in cues and _tag(doc[k]) == "VBG") or (
            doc[k].lower_.endswith("ing") and ctx.lexicon.is_cue(doc[k].text) and doc[k].lower_ != "according"
        ):
            return k
        if doc[k].text in {",", ";"} or _tag(doc[k]) in {"VBD", "VBZ", "VBP", "MD"}:
            return None
    return None


def coordinated_cue_cut(ctx: ArticleContext, cues: list[int], index: int, unit: SentenceUnit) -> int:
    """Where the content of cue ``index`` stops: before a following cue sharing its subject."""
    doc = ctx.doc
    for nxt in cues[index + 1 :]:
        k = nxt - 1
        while k > cues[index] and (doc[k].lower_ in SKIP_BEFORE_CUE or _tag(doc[k]) in {"RB"}):
            k -= 1
        if doc[k].lower_ in {"and", "but", ","} or doc[k].text == ",":
            between = doc[cues[index] + 1 : k]
            participle_after_comma = (_tag(doc[nxt]) == "VBG" or doc[nxt].lower_.endswith("ing")) and doc[
                k
            ].text == ","
            if not participle_after_comma and any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in between):
                continue  # "said he rated ... and talked ...": the second verb is inside the content
            while k > cues[index] and (doc[k - 1].text == "," or doc[k - 1].lower_ in {"and", "but"}):
                k -= 1
            return k
    return unit.end


def trailing_speech_cue(ctx: ArticleContext, unit: SentenceUnit, cues: list[int]) -> int | None:
    """The comma before a trailing speech cue that governs the whole clause before it:
    "<clause>, the council said (in a statement).", "<clause>, said the minister.",
    "<clause>, according to the ministry." Returns the comma's token index."""
    doc = ctx.doc
    for cue in reversed(cues):
        token = doc[cue]
        if token.lower_ == "according":
            source = according_source(doc, cue + 2, unit.end)
            if source is None or cue - 1 <= unit.start or doc[cue - 1].text != ",":
                continue
            comma, after = cue - 1, source[1]
            cue_token = cue + 1
        elif token.lower_ in SEED_CUES:
            source = subject_of(token, unit) or np_left(doc, cue, unit.start)
            if source is not None and source[1] <= cue and doc[source[0] - 1].text == ",":
                comma, after = source[0] - 1, cue + 1
            elif cue - 1 > unit.start and doc[cue - 1].text == ",":
                right = np_right(doc, cue + 1, unit.end)  # "…, said the minister."
                if right is None:
                    continue
                comma, after = cue - 1, right[1]
            else:
                continue
            cue_token = cue
        else:
            continue
        if comma <= unit.start or quote_covering(ctx, doc[comma].idx) is not None:
            continue
        if only_adjuncts_after(ctx, unit, cue_token, after) and is_clause_before(doc, unit.start, comma):
            return comma
    return None
