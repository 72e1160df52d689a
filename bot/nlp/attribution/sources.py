"""Who speaks: noun phrases, subjects and the naming core of a mention."""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Token

from bot.nlp.attribution.records import ArticleContext, SentenceUnit, TokenRange
from bot.nlp.attribution.vocabulary import (
    NP_TAGS,
    NP_WORDS,
    POSSESSOR_DEPS,
    SKIP_BEFORE_CUE,
    SUBJECT_DEPS,
)
from bot.nlp.tokens import is_verb
from bot.nlp.tokens import token_tag as _tag
from bot.words import DATA_NOUNS, PLACE_LABELS, PLACE_PREPOSITIONS, PUBLISH_FORMS, TIME_NOUNS

logger = logging.getLogger(__name__)


def np_left(doc: Doc, end: int, floor: int) -> TokenRange | None:
    """The noun phrase ending just before token ``end`` (exclusive), not before ``floor``."""
    i = end - 1
    while i >= floor and (doc[i].lower_ in SKIP_BEFORE_CUE or _tag(doc[i]) in {"RB", "MD"}):
        i -= 1
    last = i
    if i < floor or doc[i].lower_ in {"and", "or", "but", "of", "for", "at", "from", "&", "to"}:
        return None  # "... and accused": a coordinated cue, no subject of its own
    while i >= floor:
        token = doc[i]
        if token.is_space:
            break
        if token.text == ")" and i - 1 > floor:
            # "Rep. Jim Jordan (R-Ohio)": step over a short parenthesis
            k = i - 1
            while k > floor and doc[k].text != "(" and i - k < 8:
                k -= 1
            if doc[k].text == "(":
                i = k - 1
                continue
            break
        if (
            _tag(token) in NP_TAGS
            or token.lower_ in NP_WORDS
            or (token.text in {".", "-"} and (i > floor and _tag(doc[i - 1]) == "NNP"))
        ):
            if token.lower_ in {"and", "of", "for", "at", "from", "&"} and (
                i == floor or _tag(doc[i - 1]) not in NP_TAGS
            ):
                break
            i -= 1
            continue
        break
    first = i + 1
    while first <= last and doc[first].lower_ in {"and", "of", "for", "at", "from", "&", "'s"}:
        first += 1
    if first > last:
        return None
    if not any(_tag(t) in {"NNP", "NNPS", "NN", "NNS", "PRP", "CD"} for t in doc[first : last + 1]):
        return None
    return TokenRange((first, last + 1))


def np_right(doc: Doc, start: int, ceiling: int) -> TokenRange | None:
    """The noun phrase starting at token ``start`` (speaker after an inverted cue)."""
    i = start
    while i < ceiling:
        token = doc[i]
        if token.is_space:
            break
        if (
            token.lower_ == "to"
            and i > start
            and doc[i - 1].text[:1].isupper()
            and i + 1 < ceiling
            and doc[i + 1].text[:1].isupper()
            and (_tag(doc[i + 1]) == "VB" or doc[i + 1].pos_ == "VERB")
        ):
            # a name with "to" and a verb in it: "Alliance to Reclaim Our Schools", "Committee
            # to Protect Journalists" (not "said Ana Lopez to Reuters")
            i += 1
            while i < ceiling and doc[i].is_alpha and doc[i].text[:1].isupper():
                i += 1
            continue
        if (
            _tag(token) in NP_TAGS
            or token.lower_ in {"of", "and", "&", "'s"}
            or (
                token.text in {"-", "."}
                and i > start
                and not doc[i - 1].whitespace_
                and i + 1 < ceiling
                and _tag(doc[i + 1]) in {"NNP", "NNPS"}
            )
        ):
            i += 1
            continue
        break
    while i > start and doc[i - 1].lower_ in {"of", "and", "&"}:
        i -= 1
    if i == start or not any(_tag(t) in {"NNP", "NNPS", "NN", "NNS", "PRP", "CD"} for t in doc[start:i]):
        return None
    return TokenRange((start, i))


def according_source(doc: Doc, start: int, ceiling: int) -> TokenRange | None:
    """The source after "according to", run on to who published the material it names."""
    source = np_right(doc, start, ceiling)
    return with_publisher(doc, source, ceiling) if source is not None else None


def with_publisher(doc: Doc, span: TokenRange, ceiling: int) -> TokenRange:
    """ "according to figures | published by the transport authority": the noun phrase runs
    on to who published the material, so the speaker is the body and not "figures"."""
    start, end = span
    if end >= ceiling or doc[end - 1].lower_ not in DATA_NOUNS:
        return span
    k = end
    if doc[k].lower_ in PUBLISH_FORMS:
        k += 1
    if k >= ceiling or doc[k].lower_ not in {"by", "from"}:
        return span
    publisher = np_right(doc, k + 1, ceiling)
    return TokenRange((start, publisher[1])) if publisher is not None else span


def appositive_before(doc: Doc, comma: int, floor: int) -> TokenRange | None:
    """For "Flynn, a top Trump surrogate, said": the NP before the appositive and its extent."""
    j = comma - 1
    while j > floor and doc[j].text != "," and not doc[j].is_space and j > comma - 15:
        j -= 1
    if j <= floor or doc[j].text != ",":
        return None
    inner_first = doc[j + 1]
    if not (
        inner_first.lower_ in {"a", "an", "the", "who", "which", "whose"}
        or _tag(inner_first) in NP_TAGS
        or _tag(inner_first) == "VBG"  # "Trump, speaking to veterans, said ..."
    ):
        return None
    head = np_left(doc, j, floor)
    if head is None:
        return None
    named = any(_tag(t) in {"NNP", "NNPS", "PRP"} for t in doc[head[0] : comma])
    return head if named else None


def relative_antecedent(doc: Doc, cue: int, floor: int) -> TokenRange | None:
    """ "Smith, who said ...": the noun phrase the relative pronoun stands for."""
    i = cue - 1
    while i >= floor and (doc[i].lower_ in SKIP_BEFORE_CUE or _tag(doc[i]) in {"RB", "MD"}):
        i -= 1
    if i <= floor or doc[i].lower_ not in {"who", "which"}:
        return None
    j = i - 1
    if doc[j].text == ",":
        j -= 1
    if j < floor:
        return None
    antecedent = np_left(doc, j + 1, floor)
    if antecedent is None or not any(
        _tag(t) in {"NNP", "NNPS", "NNS", "NN"} for t in doc[antecedent[0] : antecedent[1]]
    ):
        return None
    if doc[i].lower_ == "who":
        antecedent = _person_before_place(doc, antecedent, floor) or antecedent
    return TokenRange((antecedent[0], i + 1))  # the mention runs to "who": "Smith, who"


def _person_before_place(doc: Doc, span: TokenRange, floor: int) -> TokenRange | None:
    """ "Ron Paul of Texas, who", "Democrats on Capitol Hill, who": "who" stands for people,
    so a place it follows is where they are from; they are the noun phrase before it. None
    when the span is no place after a preposition."""
    start, end = span
    names = [t for t in doc[start:end] if _tag(t) in {"NNP", "NNPS"}]
    if not names or any(t.ent_type_ not in PLACE_LABELS for t in names):
        return None
    if start - 1 <= floor or doc[start - 1].lower_ not in PLACE_PREPOSITIONS:
        return None
    people = np_left(doc, start - 1, floor)
    if people is None or not any(_tag(t) in {"NNP", "NNPS", "NNS", "NN"} for t in doc[people[0] : people[1]]):
        return None
    return TokenRange((people[0], end))


# words that say when and nothing else ("on Wednesday", "last month", "in 2010"), and what
# leads into them
_TIME_ONLY = TIME_NOUNS | frozenset({"late", "early", "the", "a", "for", "first"})
_NOT_A_TIME_ALONE = frozenset({"last", "next", "this", "later", "earlier", "the", "a", "for", "first"})
_TIME_LEADS = frozenset(
    {"on", "in", "at", "during", "since", "until", "just", "late", "early", "earlier", "only"}
)


def time_phrase_start(doc: Doc, span: TokenRange, floor: int) -> int | None:
    """Where the time a speaker was taken from starts, with its preposition ("Grassley | on
    Wednesday | downplayed", "Wells Fargo | just this month | announced", "who | in 2010 |
    said"), when the span names only a time; None when it names who."""
    start, end = span
    words = doc[start:end]
    if not all(t.lower_ in _TIME_ONLY or _is_year(t) for t in words):
        return None
    if all(t.lower_ in _NOT_A_TIME_ALONE for t in words):
        return None
    while start > floor and doc[start - 1].lower_ in _TIME_LEADS:
        start -= 1
    return start


def _is_year(token: Token) -> bool:
    return token.is_digit and len(token.text) == 4 and token.text[:2] in {"19", "20"}


def head_name(doc: Doc, span: TokenRange) -> TokenRange:
    """The naming core of a mention: the last run of proper nouns, or the last noun."""
    start, end = span
    tokens = list(range(start, end))
    # cut an appositive or relative clause after the first comma
    for i in tokens:
        if doc[i].text == "," and i > start:
            end = i
            break
    propn = [i for i in range(start, end) if _tag(doc[i]) in {"NNP", "NNPS"} and doc[i].text[:1].isupper()]
    if propn:
        last = propn[-1]
        first = last
        while first - 1 >= start and (
            _tag(doc[first - 1]) in {"NNP", "NNPS"} or doc[first - 1].text in {"-", "."}
        ):
            first -= 1
        return TokenRange((first, last + 1))
    return TokenRange((start, end))


def possessor_of(token: Token, floor: int = 0) -> TokenRange | None:
    """Who owns a noun cue: "Politifact seized on Trump’s claim that …", "Experts rejected his
    claim that …" — the claim is Trump's and his, not said by the subject of the clause it
    stands in. The possessor's words (from token ``floor`` on) without the possessive ending;
    None for a verb or a noun with no possessor."""
    if not _tag(token).startswith("NN"):
        return None
    for child in token.children:
        if child.dep_ in POSSESSOR_DEPS and floor <= child.i < token.i:
            words = [t.i for t in child.subtree if t.dep_ != "case"]  # not the "’s"
            left, right = max(min(words), floor), max(words) + 1
            if right - left > 12:
                return None
            return TokenRange((left, right))
    return None


def subject_of(token: Token, unit: SentenceUnit) -> TokenRange | None:
    """The parser's subject of ``token`` as a token range, when it is a plausible speaker."""
    for child in token.children:
        if child.dep_ in SUBJECT_DEPS and unit.start <= child.i < unit.end:
            left = min(t.i for t in child.subtree)
            right = max(t.i for t in child.subtree) + 1
            left = max(left, unit.start)
            right = min(right, token.i)
            if right <= left or right - left > 25:
                return None
            if any(t.text in {'"', "“", "”"} for t in child.doc[left:right]):
                return None
            # a capitalised subject the tagger misread ("Husted/VBN said") is still a name
            misread_name = child.is_alpha and child.text[:1].isupper() and child.i > unit.start
            if _tag(child) in {"NNP", "NNPS", "NN", "NNS", "PRP"} or misread_name:
                doc = child.doc
                # the parser may attach only the last conjunct: take the whole noun phrase
                linear = np_left(doc, token.i, unit.start)
                if linear is not None and linear[0] < right and left < linear[1]:
                    # the parser may split a name ("Ana/nsubj Lopez/nsubj"): take both
                    left, right = min(left, linear[0]), max(right, linear[1])
                while left < right and (
                    doc[left].lower_ in {"and", "or", ","}
                    or _tag(doc[left]) in {"IN", "WRB", "WDT", "CC", "RB", "TO"}
                    or doc[left].dep_ == "mark"
                ):
                    left += 1  # "after Prime Minister Boris Johnson told": not part of the name
                return TokenRange((left, right)) if left < right else None
    return None


def with_leading_modifiers(doc: Doc, source: TokenRange, floor: int) -> TokenRange:
    """The source with the modifiers the noun-phrase scan stopped at ("retired/VBD Air Force
    general Lloyd Newton"): words right before it, from ``floor`` on, that the parser hangs
    inside it."""
    start, end = source
    k = start - 1
    while (
        k >= floor
        and start - k <= 3
        and doc[k].is_alpha
        and start <= doc[k].head.i < end
        and doc[k].dep_ in {"amod", "compound", "nmod:desc", "det", "nummod"}
    ):
        k -= 1
    return TokenRange((k + 1, end))


def clause_subject(ctx: ArticleContext, unit: SentenceUnit, cue: int) -> TokenRange | None:
    """Subject of the clause a participle/coordinated cue hangs from."""
    token = ctx.doc[cue]
    seen = 0
    head = token.head
    while head is not None and head.i != token.i and seen < 6 and unit.start <= head.i < unit.end:
        subject = subject_of(head, unit)
        if subject is not None and subject[1] <= cue:
            return subject
        if head.head.i == head.i:
            break
        head = head.head
        seen += 1
    # parser gave nothing usable: a noun phrase opening the sentence and followed by a verb
    doc = ctx.doc
    i = unit.start
    while i < cue and (doc[i].is_space or _tag(doc[i]) in {"CC", "RB", ","}):
        i += 1
    span = np_right(doc, i, cue)
    if span is None or span[1] >= cue:
        return None
    k = span[1]
    while k < cue and _tag(doc[k]) in {"RB", "MD"}:
        k += 1
    return span if k < cue and is_verb(doc[k]) else None
