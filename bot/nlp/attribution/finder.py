"""Finds the statements of one article: the steps run per sentence unit, then the quote followers."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from spacy.tokens import Doc

from bot.models import ClaimKind
from bot.nlp.attribution.contents import (
    content_after,
    is_clause_before,
    is_particle_of,
    only_adjuncts_after,
    opens_with_participle,
    reopened_quote,
)
from bot.nlp.attribution.cues import (
    coordinated_cue_cut,
    cue_tokens,
    document_relay,
    names_a_document,
    trailing_speech_cue,
)
from bot.nlp.attribution.features import attribution_features
from bot.nlp.attribution.followers import signed_quotes, with_continued_quotes
from bot.nlp.attribution.lexicon import AttributionModels
from bot.nlp.attribution.records import (
    ArticleContext,
    Attribution,
    Candidate,
    CharSpan,
    SentenceUnit,
    TokenRange,
)
from bot.nlp.attribution.sentences import after_dateline, sentence_units
from bot.nlp.attribution.shapes import as_clause_attribution, colon_attribution
from bot.nlp.attribution.sources import (
    according_source,
    appositive_before,
    clause_subject,
    head_name,
    np_left,
    np_right,
    possessor_of,
    relative_antecedent,
    subject_of,
    time_phrase_start,
    with_leading_modifiers,
)
from bot.nlp.attribution.spans import (
    extend_to_quotes,
    is_direct,
    quote_covering,
    token_at_or_after,
    trim_final_punct,
    trimmed_char_span,
)
from bot.nlp.attribution.vocabulary import ISSUE_FORMS, QUOTE_TOKENS, SEED_CUES, SUBJECTLESS_FORMS
from bot.nlp.quotes import Quote, find_quotes
from bot.nlp.tokens import is_finite
from bot.nlp.tokens import token_tag as _tag

logger = logging.getLogger(__name__)


def _find_in_unit(ctx: ArticleContext, unit: SentenceUnit) -> list[Candidate]:
    """The statements of one sentence unit, cue by cue in text order."""
    cues = cue_tokens(ctx, unit)
    found: list[Candidate] = []
    consumed_until = unit.start  # tokens already inside an earlier content (univocal)
    shaped = colon_attribution(ctx, unit)
    if shaped is None:
        shaped = as_clause_attribution(ctx, unit)
    if shaped is not None:
        found.append(shaped)
        consumed_until = unit.end
    governing = trailing_speech_cue(ctx, unit, cues)
    for index, cue in enumerate(cues):
        if cue < consumed_until:
            continue
        lower = ctx.doc[cue].lower_
        if governing is not None and cue < governing and lower not in SEED_CUES:
            # "Engineers found X, the council said": the trailing speech cue owns the clause;
            # an earlier verb is only a cue of its own when it is a speech verb itself
            continue
        if lower == "according":
            according = _according_candidate(ctx, unit, cue)
            if according is not None:
                found.append(according)
            continue
        item = _cue_candidate(ctx, unit, cues, index, governing, found)
        if item is None:
            continue
        if not _model_keeps(ctx, item):
            continue  # rejected before it claims the rest of the sentence for itself
        consumed_until = max(consumed_until, token_at_or_after(ctx, item.content[-1][1], unit.end))
        found.append(item)
    return found


def _according_candidate(ctx: ArticleContext, unit: SentenceUnit, cue: int) -> Candidate | None:
    """ "<content>, according to X" / "According to X, <content>": the content is the rest of
    the sentence on the other side of "according to X"."""
    doc = ctx.doc
    cue_end = cue + 2
    source = according_source(doc, cue_end, unit.end)
    if source is None:
        return None
    before = trimmed_char_span(doc, unit.start, cue)
    if before is not None and cue - unit.start >= 3:
        return Candidate(cue, cue_end, source, [before])
    rest_start = source[1]
    while rest_start < unit.end and doc[rest_start].text in {",", ":"}:
        rest_start += 1
    rest = trimmed_char_span(doc, rest_start, trim_final_punct(doc, rest_start, unit.end))
    if rest is None:
        return None
    return Candidate(cue, cue_end, source, [rest])


def _cue_candidate(
    ctx: ArticleContext,
    unit: SentenceUnit,
    cues: list[int],
    index: int,
    governing: int | None,
    found: list[Candidate],
) -> Candidate | None:
    """The statement of the verb cue ``cues[index]``: its speaker, then what was said, before
    the cue when the cue trails its content, else after it."""
    doc = ctx.doc
    cue = cues[index]
    cue_end = cue + 1
    stop = coordinated_cue_cut(ctx, cues, index, unit)
    if governing is not None and cue < governing:
        stop = min(stop, governing)
    speaker = _find_speaker(ctx, unit, cue, found)
    if speaker is None:
        return None
    source, inverted, inherited = speaker
    source = with_leading_modifiers(doc, source, max(unit.start, cue + 1) if inverted else unit.start)
    after_range = content_after(ctx, unit, cue_end - 1, stop) if not inverted else None
    if not inherited and _is_trailing_cue(doc, unit, source[0], inverted):
        content = _content_before_trailing_cue(ctx, unit, cue, source, inverted, after_range)
        if content:
            return Candidate(cue, cue_end, source, content, inherited)
    following = _content_after_cue(ctx, unit, cues, cue, stop, after_range)
    if following is None:
        return None
    cue, cue_end, fragment = following
    return Candidate(cue, cue_end, source, [fragment], inherited)


def _find_speaker(
    ctx: ArticleContext, unit: SentenceUnit, cue: int, found: list[Candidate]
) -> tuple[TokenRange, bool, bool] | None:
    """The speaker of a verb cue as a token range, and whether it follows the cue ("…, said
    Wallace": inverted) or is taken from the statement before (inherited)."""
    doc = ctx.doc
    owner = possessor_of(doc[cue], unit.start)
    if owner is not None:
        return owner, False, False
    source = _speaker_before_cue(doc, unit, cue)
    if source is not None:
        return _subject_of_hanging_participle(ctx, unit, cue, source) or source, False, False
    source = _speaker_after_cue(doc, unit, cue)
    if source is not None:
        return source, True, False
    return _speaker_of_coordinated_cue(ctx, unit, cue, found)


def _subject_of_hanging_participle(
    ctx: ArticleContext, unit: SentenceUnit, cue: int, source: TokenRange
) -> TokenRange | None:
    """For a participle cue a comma sets off from the clause before it ("Fiorina was upfront
    about her distaste for Donald Trump, the current GOP front-runner, saying ...", "Mr. Trump
    told the MSNBC hosts, adding ..."), the subject of that clause: the noun phrase right
    before the comma is its object, not who speaks. None when the cue has a subject of its
    own, when no comma sets it off (in "corporations looking to", "had Republicans wondering"
    the noun phrase is the participle's subject), or when the noun phrase opens the sentence
    ("Smith, saying ..., left"), where it is the subject."""
    doc = ctx.doc
    token = doc[cue]
    if not (_tag(token) == "VBG" or token.lower_.endswith("ing")) or token.lower_ in SUBJECTLESS_FORMS:
        return None
    if subject_of(token, unit) is not None:
        return None
    before = cue - 1
    while before > unit.start and _tag(doc[before]) == "RB":
        before -= 1
    if doc[before].text != ",":
        return None  # "corporations looking to", "had Republicans wondering": theirs
    if not any(is_finite(t) for t in doc[unit.start : source[0]]):
        return None
    subject = clause_subject(ctx, unit, cue)
    return subject if subject is not None and subject[1] <= source[0] else None


# what puts a noun phrase in a place, not in the subject ("a rally in Concord, N.C.")
_PLACE_PREPOSITIONS = frozenset({"in", "at", "on", "from", "to", "of", "near", "for", "with", "by", "into"})


def _speaker_before_cue(doc: Doc, unit: SentenceUnit, cue: int) -> TokenRange | None:
    """The parser's subject, else the noun phrase before the cue, the antecedent of "who",
    or a name before an apposition ("Flynn, a top Trump surrogate, said"); a time right
    before the cue ("Grassley on Wednesday downplayed", "who in 2010 said") is stepped over."""
    source = _subject_before(doc, unit, cue)
    if source is not None:
        start = time_phrase_start(doc, source, unit.start)
        if start is not None and start > unit.start:  # not "The day seemed to ..."
            source = _subject_before(doc, unit, start)
            if (
                source is not None
                and source[0] > unit.start
                and doc[source[0] - 1].lower_ in _PLACE_PREPOSITIONS
            ):
                return None  # "ejected from a rally in Concord, N.C., on Monday included": no speaker
    return source


def _subject_before(doc: Doc, unit: SentenceUnit, cue: int) -> TokenRange | None:
    source = subject_of(doc[cue], unit)
    if source is None:
        source = np_left(doc, cue, unit.start)
    if source is None:
        source = relative_antecedent(doc, cue, unit.start)
    if source is None and cue > unit.start and doc[cue - 1].text == ",":
        source = appositive_before(doc, cue - 1, unit.start)
        if source is not None:
            source = TokenRange((source[0], cue - 1))
    return source


def _speaker_after_cue(doc: Doc, unit: SentenceUnit, cue: int) -> TokenRange | None:
    """ "…,” said Wallace." / "…, said the minister.": the noun phrase after an inverted cue."""
    token = doc[cue]
    prev = doc[cue - 1] if cue > unit.start else None
    if not (
        prev is not None
        # right after a closing quote "said" is the cue however the tagger read it
        # ('," said/VBN panel chairman Jason Chaffetz')
        and (_tag(token) in {"VBD", "VBZ", "VBP"} or (_tag(token) == "VBN" and prev.text in QUOTE_TOKENS))
        and (prev.text == "," or prev.text in QUOTE_TOKENS)
    ):
        return None
    right = np_right(doc, cue + 1, unit.end)
    follower = doc[right[1]] if right is not None and right[1] < unit.end else None
    if right is not None and (
        follower is None
        or follower.text in {".", ",", ";", "!", "?", ":", "("}
        or follower.text in QUOTE_TOKENS
        or _tag(follower) in {"IN", "RB", "NNP"}
        or follower.is_space
    ):
        return right
    return None


def _speaker_of_coordinated_cue(
    ctx: ArticleContext, unit: SentenceUnit, cue: int, found: list[Candidate]
) -> tuple[TokenRange, bool, bool] | None:
    """A cue with no subject of its own: after "and"/a comma it shares the speaker of the
    statement before it, or the subject of the verb it is coordinated with; a participle
    (", warning that ...") takes the subject of the clause it hangs from."""
    doc = ctx.doc
    token = doc[cue]
    lower = token.lower_
    prev_tok = doc[cue - 1] if cue > unit.start else None
    coordinated = prev_tok is not None and (prev_tok.text == "," or prev_tok.lower_ in {"and", "but"})
    if coordinated and found and found[-1].source is not None:
        return found[-1].source, False, True
    source = None
    if coordinated and token.dep_ == "conj":
        # "Cruz exhorted Republicans to ... and said he ...": the subject of the verb
        # the cue is coordinated with
        source = clause_subject(ctx, unit, cue)
    elif (_tag(token) == "VBG" or lower.endswith("ing")) and lower not in SUBJECTLESS_FORMS:
        # participial cue: ", warning that ..." / "... expressing concerns about ..."
        source = clause_subject(ctx, unit, cue)
    return (source, False, False) if source is not None else None


def _is_trailing_cue(doc: Doc, unit: SentenceUnit, source_start: int, inverted: bool) -> bool:
    """Whether the cue trails what was said: "<content>, he said." / "“<quote>,” said Wallace."."""
    return source_start > unit.start and (
        inverted
        or (
            source_start - 1 >= unit.start
            and (doc[source_start - 1].text == "," or doc[source_start - 1].text in QUOTE_TOKENS)
        )
    )


def _content_before_trailing_cue(
    ctx: ArticleContext,
    unit: SentenceUnit,
    cue: int,
    source: TokenRange,
    inverted: bool,
    after_range: TokenRange | None,
) -> list[CharSpan]:
    """What was said before a trailing cue, with the quote that goes on after it (“X,” he
    said, “Y.”) or, for a parenthetical cue, both sides; empty when the content follows the
    cue after all ("When asked ..., Wallace said: “...”")."""
    doc = ctx.doc
    cue_end = cue + 1
    source_start = source[0]
    parenthetical = False
    if after_range is not None:
        # the content follows the cue unless the part before ends in a closing quote (a split
        # quote “X,” he said, “Y.”), the cue is parenthetical, or only circumstances follow it
        before_end = source_start - 1
        while before_end > unit.start and doc[before_end].text == ",":
            before_end -= 1
        closes_quote = _closes_opening_quote(ctx, unit, before_end)
        parenthetical = (
            not closes_quote
            and cue_end < unit.end
            and doc[cue_end].text == ","
            and not opens_with_participle(doc, unit.start, before_end + 1)
        )
        # "<clause>, the council said on Friday, three weeks after ...": only circumstances
        # follow the cue, so what was said is the clause before it
        circumstantial = only_adjuncts_after(ctx, unit, cue, cue_end) and is_clause_before(
            doc, unit.start, before_end + 1
        )
        if not closes_quote and not parenthetical and not circumstantial:
            return []
    if parenthetical and after_range is not None:
        # "If this fails, Castaneda argues, there are other tools": both sides
        before_frag = trimmed_char_span(doc, unit.start, source_start)
        after_frag = trimmed_char_span(doc, after_range[0], after_range[1])
        if before_frag is not None and after_frag is not None:
            return [extend_to_quotes(ctx, before_frag), extend_to_quotes(ctx, after_frag)]
    left_end = source_start if not inverted else cue
    frag = trimmed_char_span(doc, unit.start, left_end)
    if frag is None or left_end - unit.start < 3:
        return []
    content = [_quote_after_a_colon(ctx, extend_to_quotes(ctx, frag))]
    # split quote: “X,” he said, “Y.” / “X,” he told reporters on Monday, “Y.”
    reopened = reopened_quote(ctx, unit, max(source[1], cue_end))
    if reopened is not None:
        content.append(reopened)
    return content


def _quote_after_a_colon(ctx: ArticleContext, content: CharSpan) -> CharSpan:
    """The quote alone when the content before a trailing cue is a lead-in, a colon, then the
    quote the cue closes ("Sen. McCaskill scolded him: “X,” she said."): the words before the
    colon introduce the quote (often as an attribution of their own), they are not said."""
    start, end = content
    text = ctx.text
    closing = end
    while closing > start and text[closing - 1] in " ,":
        closing -= 1
    quote = quote_covering(ctx, closing - 1)
    if quote is None or quote.start <= start or quote.end != closing:
        return content
    if text[start : quote.start].rstrip().endswith(":"):
        return CharSpan((quote.start, end))
    return content


def _closes_opening_quote(ctx: ArticleContext, unit: SentenceUnit, before_end: int) -> bool:
    """Whether the part before the speaker ends in a closing quote that opened near the start
    of the sentence: not a quoted title inside it (On the broadcast of “Fox News Sunday,”
    Pence said ...)."""
    doc = ctx.doc
    closes_quote = doc[before_end].text in QUOTE_TOKENS or (
        before_end + 1 < unit.end and doc[before_end + 1].text in QUOTE_TOKENS
    )
    if not closes_quote:
        return False
    quote = quote_covering(ctx, doc[before_end].idx) or quote_covering(
        ctx, doc[min(before_end + 1, unit.end - 1)].idx
    )
    return quote is not None and quote.start <= doc[unit.start].idx + 3


def _content_after_cue(
    ctx: ArticleContext,
    unit: SentenceUnit,
    cues: list[int],
    cue: int,
    stop: int,
    after_range: TokenRange | None,
) -> tuple[int, int, CharSpan] | None:
    """The complement after the cue as (cue, cue end, content): the cue moves on to a
    participle a document noun relays ("issued a statement on Friday expressing concerns
    about ..."), and an issued document alone says nothing yet."""
    doc = ctx.doc
    cue_end = cue + 1
    after = after_range if after_range is not None else content_after(ctx, unit, cue_end - 1, stop)
    relay = document_relay(ctx, after, cues) if after is not None else None
    if relay is not None:
        cue, cue_end = relay, relay + 1
        after = content_after(ctx, unit, relay, stop)
    elif after is not None and doc[cue].lower_ in ISSUE_FORMS and names_a_document(doc, after):
        return None  # "issued a joint statement on Friday": what it said comes later
    if after is None:
        # "the statement added" with the statement before it in the same sentence
        return None
    frag = trimmed_char_span(doc, after[0], after[1])
    if frag is None:
        return None
    return cue, cue_end, extend_to_quotes(ctx, frag)


def to_attribution(ctx: ArticleContext, item: Candidate) -> Attribution:
    doc = ctx.doc
    content = tuple(sorted(item.content))
    source = item.source
    source_frag = trimmed_char_span(doc, source[0], source[1]) if source else None
    head_frag = trimmed_char_span(doc, *head_name(doc, source)) if source else None
    cue_end = item.cue_end
    while cue_end < len(doc) and is_particle_of(doc[cue_end], item.cue):
        cue_end += 1  # "pointed out"
    cue_frag = trimmed_char_span(doc, item.cue, cue_end) if item.cue >= 0 else None
    kind = ClaimKind.DIRECT if is_direct(content, ctx.quotes) else ClaimKind.INDIRECT
    return Attribution(kind, content, cue_frag, source_frag, head_frag, inherited=item.inherited)


def _model_keeps(ctx: ArticleContext, item: Candidate) -> bool:
    model = ctx.lexicon.model
    if model is None:
        return True
    features = attribution_features(ctx.doc, to_attribution(ctx, item), ctx.lexicon, text=ctx.text)
    return model.probability(features) >= model.threshold


def find_attributions(
    doc: Doc,
    *,
    lexicon: AttributionModels,
    raw_text: str | None = None,
    quotes: list[Quote] | None = None,
    units: Sequence[SentenceUnit] | None = None,
) -> list[Attribution]:
    """All direct and indirect statements of ``doc``, in text order.

    ``lexicon`` is the cue model (``load_lexicon()`` reads the shipped one). ``raw_text`` is
    the text before quote normalisation (curly marks tell quote direction); it must have the
    same length as ``doc.text``. ``quotes`` and ``units`` are the article's quotes and
    sentence units when the caller has them already (``find_quotes(raw_text)``,
    ``sentence_units(doc, quotes)``); they are read, never changed.
    """
    doc_text = doc.text  # built by joining every token: once, not per use
    text = raw_text if raw_text is not None else doc_text
    if len(text) != len(doc_text):
        raise ValueError("raw_text must be the length-preserving original of doc.text")
    if quotes is None:
        quotes = find_quotes(text)
    if units is None:
        units = sentence_units(doc, quotes)
    ctx = ArticleContext(
        doc=doc,
        quotes=quotes,
        # a statement starts after a dateline ("OSLO (Reuters) —"), so its sentence does too
        units=[SentenceUnit(after_dateline(doc, unit), unit.end, unit.paragraph) for unit in units],
        lexicon=lexicon,
        token_starts=[t.idx for t in doc],
        text=doc_text,
    )
    results: list[Attribution] = []
    previous: Candidate | None = None
    previous_unit_paragraph = -1
    covered_until = -1
    orphans: list[tuple[SentenceUnit, Candidate | None, int]] = []
    for unit in ctx.units:
        unit_start_char = doc[unit.start].idx
        if unit_start_char < covered_until:
            # the unit lies inside a quote already attributed (a quote spanning sentences)
            continue
        found = _find_in_unit(ctx, unit)
        if not found:
            orphans.append((unit, previous, previous_unit_paragraph))
        for item in found:
            attribution = to_attribution(ctx, item)
            results.append(attribution)
            covered_until = max(covered_until, attribution.end)
            previous = item
            previous_unit_paragraph = unit.paragraph
    results.extend(signed_quotes(ctx, results, text))
    results = with_continued_quotes(ctx, orphans, results, text)
    results.sort(key=lambda a: a.start)
    return results
