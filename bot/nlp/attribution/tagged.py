"""Statements from spans another reader (the span tagger) found, trimmed like the rules' own."""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Token

from bot.models import ClaimKind
from bot.nlp.attribution.records import Attribution, CharSpan, TokenRange
from bot.nlp.attribution.sources import head_name
from bot.nlp.attribution.spans import is_direct, trimmed_char_span
from bot.nlp.quotes import Quote
from bot.nlp.tokens import token_tag as _tag

logger = logging.getLogger(__name__)


def tagged_content_fragment(doc: Doc, content: CharSpan) -> CharSpan | None:
    """The characters of a content span another reader found, trimmed like the rules' own:
    whole tokens, no edge punctuation, no leading complementiser ("that the plan works" is
    the statement "the plan works"), no dangling article or conjunction at the end (a span
    cut short before "the Times reported" must not end in "the"). None when no token is left."""
    span = doc.char_span(content[0], content[1], alignment_mode="expand")
    if span is None or not len(span):
        return None
    start, end = span.start, span.end
    if start + 1 < end and _is_complementiser(doc[start]):
        start += 1
    while end - 1 > start and (doc[end - 1].lower_ in _DANGLING_END or _tag(doc[end - 1]) == "CC"):
        end -= 1
    return trimmed_char_span(doc, start, end)


def _is_complementiser(token: Token) -> bool:
    """``that`` opening a clause after a cue: "warning that Moscow's action ..." and "warning
    that delivery times ..." (both read as determiners by the parser), not "said that was
    wrong". Right after a cue a clause is far likelier than a demonstrative ("said that plan")."""
    if token.lower_ != "that":
        return False
    if token.pos_ == "SCONJ" or token.dep_ == "mark":
        return True
    after = token.nbor() if token.i + 1 < len(token.doc) else None
    before = token.nbor(-1) if token.i > 0 else None
    return (
        before is not None
        and before.pos_ in {"VERB", "NOUN", "AUX"}
        and after is not None
        and after.pos_ not in {"VERB", "AUX", "PUNCT"}
    )


# words a statement cannot end on: "... in a comment the" was cut before its noun
_DANGLING_END = frozenset({"the", "a", "an", "and", "or", "but", "which", "who", "whose"})


def attribution_from_spans(
    doc: Doc,
    content: CharSpan,
    *,
    cue: CharSpan | None,
    source: CharSpan | None,
    quotes: list[Quote],
) -> Attribution | None:
    """An ``Attribution`` from character spans found by another reader (the span tagger).

    The content is trimmed like the rules' own; the source keeps its naming core as the head,
    so the speaker resolver treats it exactly like a source the rules found. None when the
    content holds no token.
    """
    frag = tagged_content_fragment(doc, content)
    if frag is None:
        return None
    source_frag = head_frag = None
    if source is not None:
        mention = doc.char_span(source[0], source[1], alignment_mode="expand")
        if mention is not None and len(mention):
            source_frag = trimmed_char_span(doc, mention.start, mention.end)
            head_frag = trimmed_char_span(doc, *head_name(doc, TokenRange((mention.start, mention.end))))
    kind = ClaimKind.DIRECT if is_direct((frag,), quotes) else ClaimKind.INDIRECT
    return Attribution(kind, (frag,), cue, source_frag, head_frag or source_frag)
