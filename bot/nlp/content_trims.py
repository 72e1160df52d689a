"""Words at the edges of a reported statement's content that a reader sees are not what was said.

Applied to the final statements (the rules' and the span tagger's alike; the tagger's extents
are not cut by the rules' boundary model), each trim a pure function of the parsed ``Doc``
and one statement:

* at the end, a circumstance of the saying the parser hangs on the cue, not on anything
  inside the content ("criticized the act as a 'crazy system' | during a campaign stop in
  Flint", "announced the plan | via Facebook on Friday", "touted his endorsements | Tuesday"):
  when, where and how the speaker spoke, which the writer adds, not the speaker's words;
* at the start, right after the cue, a day of the news or an occasion of the saying ("said
  | on Monday | the economy was strong", "informed the committee | on Friday | of ..."),
  whatever the parser hangs it on;
* at the end, a closing bracket the content never opened ("she has pneumonia)").

Only occasions of speech and days of the news are cut: a year, a place or an apposition
("in 2004", "in Europe", "rival, Hillary Clinton") belongs to the content as often as not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from bot.models import ClaimKind
from bot.nlp.attribution import Attribution, CharSpan

# how a phrase of the cue hangs on it when it says when, where or how the saying happened
CIRCUMSTANCE_DEPS = frozenset(
    {"obl", "obl:unmarked", "obl:tmod", "obl:npmod", "nmod:tmod", "npadvmod", "advmod", "prep"}
)
# the prepositions of such a phrase ("in a statement", "at a rally", "via Facebook")
CIRCUMSTANCE_CASES = frozenset(
    {"in", "at", "on", "during", "via", "following", "after", "before", "amid", "while", "to", "through"}
)
# what a speaker speaks at or in: the occasion, which is the writer's word, not the speaker's
OCCASIONS = frozenset(
    {"statement", "interview", "speech", "rally", "debate", "tweet", "tweets", "post", "conference",
     "briefing", "appearance", "address", "hearing", "forum", "op-ed", "release", "broadcast",
     "podcast", "remarks", "town", "facebook", "twitter", "email", "e-mail", "letter", "stop"}
)  # fmt: skip
# a day of the news, as reports date a saying ("on Wednesday", "last Thursday", "Friday night")
NEWS_DAYS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday",
     "today", "tonight"}
)  # fmt: skip
WEEKDAYS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday"}
)
NEWS_DAY_WORDS = NEWS_DAYS | frozenset({"on", "last", "this", "early", "late", "earlier", "later", "morning",
                                        "afternoon", "evening", "night"})  # fmt: skip
QUOTE_CHARS = frozenset("\"“”'‘’")
MIN_LEFT = 2  # words the content keeps at least


def trimmed_contents(doc: Doc, found: Sequence[Attribution]) -> list[Attribution]:
    """``found`` with each reported statement's content trimmed as above."""
    text = doc.text
    return [_without_stray_bracket(text, _trimmed(doc, a)) for a in found]


def _without_stray_bracket(text: str, attribution: Attribution) -> Attribution:
    """A reported content that ends on a closing bracket it never opened ("she has
    pneumonia)"): the bracket closes the writer's parenthesis the statement sits in."""
    if attribution.kind is not ClaimKind.INDIRECT:
        return attribution
    *head, (start, end) = attribution.content
    new_end = without_stray_bracket(text, start, end)
    if new_end == end:
        return attribution
    return dataclasses.replace(attribution, content=(*head, CharSpan((start, new_end))))


def without_stray_bracket(text: str, start: int, end: int) -> int:
    """``end`` before a final ")" or "]" with no opening one in ``text[start:end]``, and
    before the spaces and commas it leaves at the end."""
    piece = text[start:end].rstrip()
    for opening, closing in (("(", ")"), ("[", "]")):
        if piece.endswith(closing) and piece.count(opening) < piece.count(closing):
            cut = start + len(piece) - 1
            while cut > start and text[cut - 1] in " ,;":
                cut -= 1
            return cut if cut > start else end
    return end


def _trimmed(doc: Doc, attribution: Attribution) -> Attribution:
    if attribution.kind is not ClaimKind.INDIRECT or attribution.cue is None or len(attribution.content) != 1:
        return attribution
    (start, end) = attribution.content[0]
    content = doc.char_span(start, end, alignment_mode="expand")
    cue = doc.char_span(attribution.cue[0], attribution.cue[1], alignment_mode="expand")
    if content is None or cue is None or not len(cue) or not len(content):
        return attribution
    new_end = without_circumstances(content, cue.root)
    new_start = after_circumstances(content, cue.root)
    if new_start <= start:
        new_start = after_cue_preposition(content, cue)
    if new_end >= end and new_start <= start:
        return attribution
    if new_start >= new_end:
        return attribution
    return dataclasses.replace(attribution, content=(CharSpan((new_start, min(end, new_end))),))


# prepositions a cue takes before what was said ("focused | on | the NRA's opposition", "calls
# | on | Congress to act"): on PolNeAR train no annotated content opens with one (12 of 12)
CUE_PREPOSITIONS = frozenset({"on", "upon"})


def after_cue_preposition(content: Span, cue: Span) -> int:
    """The start character of ``content`` past a preposition that belongs to the cue right
    before it ("weighed in | on | their picks", "calls | on | the U.S. to lead")."""
    doc = content.doc
    first = doc[content.start]
    if (
        first.lower_ not in CUE_PREPOSITIONS
        or cue.end != content.start
        or content.end - content.start - 1 < MIN_LEFT
        or cue[-1].lower_ in CUE_PREPOSITIONS
    ):
        return content.start_char
    return doc[content.start + 1].idx


def after_circumstances(content: Span, cue: Token) -> int:
    """The start character of ``content`` past a day of the news or an occasion of the saying
    it opens with ("said | on Monday | the economy was strong", "told reporters | Friday |
    that ...", "| in a statement, | ..."), by its words alone: the parser hangs such a phrase
    on the content's verb as readily as on the cue, and no speaker's statement opens with it."""
    doc = content.doc
    if cue.i >= content.start:
        return content.start_char  # the cue comes after: a fronted phrase may be the speaker's
    i = content.start
    if doc[i].lower_ in CIRCUMSTANCE_CASES:
        i += 1
    j = _past_news_day(doc, i, content.end) or _past_occasion(doc, i, content.end)
    titled = False
    if j is None:
        j = _past_named_venue_and_day(doc, content.start, content.end)
        titled = j is not None
    if j is None or j == content.start:
        return content.start_char
    while j < content.end and (doc[j].text == "," or doc[j].lower_ in {"that", ":"}):
        j += 1
    quoted = any(ch in QUOTE_CHARS for t in doc[content.start : j] for ch in t.text)
    if content.end - j < MIN_LEFT or (quoted and not titled):
        return content.start_char
    return doc[j].idx


# words a named venue may hold besides capitalised ones ("On ABC's “Good Morning America”")
_VENUE_WORDS = frozenset({"on", "the", "of", "'s", "’s"})


def _past_named_venue_and_day(doc: Doc, i: int, end: int) -> int | None:
    """The token after a named venue and a day of the news that open the content ("told |
    ABC's “Good Morning America” on Monday | the tone was cordial", "| On CNN Tuesday | I
    never said ..."): a programme or outlet named in capitals (a title in quotes too), then a
    weekday, then a clause; no verb before the day."""
    for k in range(i + 1, min(end, i + 9)):
        if doc[k].lower_ not in WEEKDAYS:
            continue
        start = k
        while start > i and doc[start - 1].lower_ in NEWS_DAY_WORDS - NEWS_DAYS:
            start -= 1
        venue = [t for t in doc[i:start] if not t.is_punct]
        if not venue or not any(t.pos_ == "PROPN" for t in venue):
            return None
        if any(not (t.text[:1].isupper() or t.lower_ in _VENUE_WORDS) for t in venue):
            return None
        return _past_news_day(doc, start, end)
    return None


def _past_news_day(doc: Doc, i: int, end: int) -> int | None:
    """The token after "Monday", "last Thursday", "Friday night" at ``i``; None when none is
    there or the day belongs to a noun of the content ("Tuesday's vote", "Monday rally")."""
    j = i
    while j < end and doc[j].lower_ in NEWS_DAY_WORDS:
        j += 1
    # not "today" or "tonight", which a speaker says as often as the writer
    if j == i or not any(t.lower_ in WEEKDAYS for t in doc[i:j]) or j >= end:
        return None
    after = doc[j]
    if after.lower_ in {"'s", "’s"} or (after.pos_ in {"NOUN", "PROPN"} and after.dep_ != "nsubj"):
        return None
    if any(t.dep_.startswith("nsubj") for t in doc[i:j]):
        return None  # "Saturday would have been Reagan's 105th birthday": the day is the subject
    return j


def _past_occasion(doc: Doc, i: int, end: int) -> int | None:
    """The token after "(in) a statement", "(at) a rally in Iowa" at ``i`` when the phrase has
    no clause of its own ("a statement that ..." is content)."""
    if i == 0 or doc[i - 1].lower_ not in CIRCUMSTANCE_CASES:
        return None
    noun = next((t for t in doc[i : min(end, i + 4)] if t.lower_ in OCCASIONS), None)
    if noun is None or noun.head.i == noun.i:
        return None
    stop = noun.right_edge.i + 1
    phrase = doc[i - 1 : stop]
    if stop >= end or any(t.pos_ in {"VERB", "AUX"} or t.lower_ == "that" for t in phrase):
        return None
    return stop


def without_circumstances(content: Span, cue: Token) -> int:
    """The end character of ``content`` less the circumstances of the cue it ends with."""
    doc = content.doc
    end = content.end  # token index, exclusive
    while end > content.start and (doc[end - 1].is_punct and doc[end - 1].text not in QUOTE_CHARS):
        end -= 1
    cut = end
    changed = True
    while changed:  # "via Facebook | on Friday": one phrase of the cue after another
        changed = False
        for child in cue.children:
            left, right = child.left_edge.i, child.right_edge.i
            if right + 1 == cut and left >= content.start + MIN_LEFT and _is_circumstance(child):
                cut = left
                changed = True
    if cut == end:
        return content.end_char
    while cut > content.start + 1 and doc[cut - 1].is_punct and doc[cut - 1].text not in QUOTE_CHARS:
        cut -= 1  # the comma before the phrase
    return doc[cut - 1].idx + len(doc[cut - 1].text)


def _is_circumstance(phrase: Token) -> bool:
    """A phrase of the cue that says where or when it was said, by words that leave no doubt:
    the occasion of a saying ("in a statement", "at a rally", "via Facebook") or a day of the
    news ("on Wednesday", "last Thursday", "Friday night"); not one with quoted words in it.
    Other phrases ("in 2004", "in Europe", "to the committee") the parser hangs on the cue as
    readily when they belong to the content, so they stay."""
    if phrase.dep_ not in CIRCUMSTANCE_DEPS:
        return False
    words = list(phrase.subtree)
    if any(ch in QUOTE_CHARS for t in words for ch in t.text):
        return False
    first = words[0]
    if (
        first.lower_ in CIRCUMSTANCE_CASES
        and first.dep_ in {"case", "mark", "prep"}
        and (phrase.lemma_.lower() in OCCASIONS or phrase.lower_ in OCCASIONS)
    ):
        return True
    return all(t.lower_ in NEWS_DAY_WORDS or t.is_punct or t.dep_ in {"case", "det"} for t in words) and any(
        t.lower_ in NEWS_DAYS for t in words
    )
