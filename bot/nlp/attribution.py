"""Who said what: pure functions from a parsed ``Doc`` to attributions.

Candidate generation is syntactic and lexical, decisions are learned:

* cues are verbs (plus "according to") whose word form has a cue prior at or above a
  threshold; the priors are learned from PolNeAR train (``models/attribution/
  cue_lexicon.json``, see ``scripts/train_attribution.py``) and the threshold is tuned
  on PolNeAR dev;
* the source is the cue's grammatical subject when the parser gives a plausible one,
  else the noun phrase next to the cue (before it, or after it in "…, said Wallace"),
  else, for participles and coordinated cues (", warning that …", "… and accused …"),
  the subject of the clause they hang from;
* the content is the complement after the cue (skipping "that", a colon and the
  addressee of "told"), or the sentence part before a trailing cue ("…, he said."),
  extended to whole quotes so quotes spanning sentences and split quotes
  (“X,” he said, “Y.”) stay one statement;
* quoted paragraphs with no cue of their own continue the previous speaker.

Everything here works on token tags (PTB) and a few dependency relations whose names
are mapped from either the UD or the ClearNLP scheme, so any English spaCy pipeline
with a tagger and a parser works.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Token

from bot.models import ClaimKind
from bot.nlp.boundaries import BoundaryModel, candidate_cuts, choose_end, content_end
from bot.nlp.quotes import Quote, find_quotes
from bot.nlp.tokens import is_finite, is_verb
from bot.nlp.tokens import token_tag as _tag
from bot.words import DATA_NOUNS, DOCUMENT_NOUNS, PUBLISH_FORMS, TIME_WORDS

logger = logging.getLogger(__name__)

LEXICON_PATH = Path(__file__).resolve().parents[2] / "models" / "attribution" / "cue_lexicon.json"
DEFAULT_THRESHOLD = 0.5

Fragment = tuple[int, int]

# Cues that work even without the learned lexicon (and are never filtered out by it).
SEED_CUES = frozenset(
    {
        "say",
        "said",
        "says",
        "saying",
        "tell",
        "told",
        "tells",
        "telling",
        "add",
        "added",
        "adds",
        "adding",
        "warn",
        "warned",
        "warns",
        "warning",
        "claim",
        "claimed",
        "claims",
        "claiming",
        "deny",
        "denied",
        "denies",
        "denying",
        "accuse",
        "accused",
        "accuses",
        "accusing",
        "insist",
        "insisted",
        "insists",
        "insisting",
        "state",
        "stated",
        "states",
        "announce",
        "announced",
        "announces",
        "argue",
        "argued",
        "argues",
        "arguing",
        "note",
        "noted",
        "notes",
        "noting",
        "explain",
        "explained",
        "explains",
        "assert",
        "asserted",
        "declare",
        "declared",
        "wrote",
        "writes",
        "write",
        "tweeted",
        "report",
        "reported",
        "reports",
        "suggest",
        "suggested",
        "suggests",
        "stress",
        "stressed",
        "confirm",
        "confirmed",
        "confirms",
        "admit",
        "admitted",
        "admits",
        "predicted",
        "promised",
        "vowed",
        "urged",
        "acknowledged",
        "estimated",
        "estimates",
        "expressing",
        "expressed",
        "reiterated",
        "reaffirming",
        "reaffirmed",
        "conceded",
        "replied",
        "responded",
        "emphasised",
        "emphasized",
        "maintained",
        "maintains",
        "believes",
        "believe",
    }
)
# Verbs whose first object is the addressee, not the content ("told Putin that ...").
ADDRESSEE_VERBS = frozenset(
    {
        "tell",
        "told",
        "tells",
        "telling",
        "warn",
        "warned",
        "warns",
        "warning",
        "assured",
        "assure",
        "reminded",
        "remind",
        "informed",
        "inform",
        "urged",
        "urge",
        "promised",
        "asked",
        "ask",
    }
)
# Cues whose "subject" is rarely the speaker when nothing precedes them ("When asked if …").
SUBJECTLESS_FORMS = frozenset({"asked", "told", "quoted", "reported", "expected", "cited"})
NP_TAGS = frozenset(
    {
        "NNP",
        "NNPS",
        "NN",
        "NNS",
        "JJ",
        "JJR",
        "JJS",
        "DT",
        "PRP",
        "PRP$",
        "POS",
        "CD",
        "HYPH",
        "NFP",
        "FW",
        "PDT",
    }
)
NP_WORDS = frozenset({"of", "and", "&", "for", "at", "from", "'s", "'"})
SKIP_BEFORE_CUE = frozenset(
    {
        "also",
        "has",
        "have",
        "had",
        "will",
        "would",
        "then",
        "later",
        "previously",
        "again",
        "repeatedly",
        "once",
        "recently",
        "did",
        "does",
        "do",
        "may",
        "might",
        "could",
        "can",
        "further",
        "reportedly",
        "publicly",
        "privately",
        "often",
        "never",
        "just",
        "shall",
        "should",
        "must",
        "already",
        "first",
        "separately",
        "too",
        "subsequently",
    }
)
# auxiliaries and light verbs: inside many annotated cue phrases ("had said"), never the cue
FUNCTION_VERBS = frozenset(
    {"be", "is", "are", "was", "were", "been", "being", "am", "'s", "'re", "have", "has", "had",
     "having", "'ve", "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may",
     "might", "must", "get", "got", "gets", "make", "made", "makes", "take", "took", "go", "went",
     "come", "came", "put", "let", "seem", "seems", "seemed", "become", "became", "began", "begin"}
)  # fmt: skip
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "nsubj:pass"})
CONTENT_STARTERS = frozenset({"that", ":", ","})
QUOTE_TOKENS = frozenset({'"', "''", "”", "“", "``", "'"})
CUT_ADJUNCTS = False
PARTICLE_DEPS = frozenset({"compound:prt", "prt"})
BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been", "'s", "'re", "am"})
CLAUSE_CUTTERS = frozenset({"but", "which", "although", "though"})
ADJUNCT_STARTERS = frozenset(
    {
        "in",
        "during",
        "on",
        "at",
        "after",
        "before",
        "since",
        "when",
        "while",
        "with",
        "from",
        "by",
        "because",
        "but",
        "amid",
        "to",
        "into",
        "where",
        "which",
        "who",
        "despite",
        "following",
    }
)
CIRCUMSTANCE_OPENERS = frozenset({"during", "while", "when", "amid", "despite", "following"})
CLAUSE_PREPOSITIONS = frozenset({"that", "about", "whether", "if", "of", "on", "because", "as", "for"})
# words that open a time adverbial right after a cue ("said yesterday that", "said last week")
TIME_ADVERB_OPENERS = TIME_WORDS | frozenset({"tomorrow", "late"})
# dependents of a cue that are circumstances of the saying, not what was said
ADVERBIAL_DEPS = frozenset(
    {"obl", "obl:tmod", "obl:npmod", "nmod:tmod", "npadvmod", "advmod", "prep", "tmod", "punct", "nmod"}
)
# what a complement may start with; an adverbial opener is any other preposition or adverb
NOT_ADJUNCT_OPENERS = frozenset({"that", "whether", "if", "not", "n't", "never"})


@dataclass(frozen=True, slots=True)
class CueModel:
    """Logistic regression over :func:`attribution_features`, trained on PolNeAR train."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


@dataclass(frozen=True, slots=True)
class CueLexicon:
    priors: dict[str, float]
    threshold: float
    model: CueModel | None = None
    boundary: BoundaryModel | None = None  # where a complement ends (bot.nlp.boundaries)

    def prior(self, form: str) -> float:
        lower = form.lower()
        if lower in SEED_CUES:
            return max(self.priors.get(lower, 0.0), 0.75)
        return self.priors.get(lower, 0.0)

    def is_cue(self, form: str) -> bool:
        return self.prior(form) >= self.threshold


@lru_cache(maxsize=4)
def load_lexicon(
    path: Path = LEXICON_PATH, threshold: float | None = None, *, use_model: bool = True
) -> CueLexicon:
    """Loads the learned cue priors; with no file, only the seed cues count."""
    if not path.exists():
        logger.warning("no cue lexicon at %s; using the seed cue list only", path)
        return CueLexicon({}, threshold if threshold is not None else DEFAULT_THRESHOLD)
    payload = json.loads(path.read_text(encoding="utf-8"))
    model = None
    boundary = None
    if payload.get("model") and use_model:
        spec = payload["model"]
        model = CueModel(tuple(spec["weights"]), float(spec["bias"]), float(spec["threshold"]))
        default = float(spec.get("candidate_threshold", payload.get("threshold", DEFAULT_THRESHOLD)))
    else:
        default = float(payload.get("threshold", DEFAULT_THRESHOLD))
    if payload.get("boundary") and use_model:
        boundary = BoundaryModel(tuple(payload["boundary"]["weights"]), float(payload["boundary"]["bias"]))
    chosen = threshold if threshold is not None else default
    return CueLexicon(dict(payload["priors"]), chosen, model, boundary)


@dataclass(frozen=True, slots=True)
class Attribution:
    """One statement found in a Doc. Offsets are character offsets into ``doc.text``."""

    kind: ClaimKind
    content: tuple[Fragment, ...]
    cue: Fragment | None
    source: Fragment | None  # the mention as written ("Flynn, a top Trump surrogate,")
    source_head: Fragment | None = None  # the naming part of it ("Flynn")
    inherited: bool = False  # source taken from a previous statement (pronoun-less)

    @property
    def start(self) -> int:
        return self.content[0][0]

    @property
    def end(self) -> int:
        return self.content[-1][1]


@dataclass(slots=True)
class _Unit:
    """A sentence, cut at paragraph breaks (no statement runs across a blank line)."""

    start: int  # token index
    end: int
    paragraph: int


@dataclass(slots=True)
class _Context:
    doc: Doc
    quotes: list[Quote]
    units: list[_Unit]
    lexicon: CueLexicon
    token_starts: list[int] = field(default_factory=list)  # token.idx by token index (bisect)
    text: str = ""  # doc.text, built once (Doc.text joins every token on each access)


# --------------------------------------------------------------------------- units


ABBREVIATIONS = frozenset(
    [
        "mr.",
        "mrs.",
        "ms.",
        "dr.",
        "prof.",
        "gen.",
        "lt.",
        "col.",
        "sen.",
        "rep.",
        "gov.",
        "st.",
        "jr.",
        "sr.",
        "inc.",
        "corp.",
        "co.",
        "ltd.",
        "no.",
        "vs.",
        "v.",
        "u.s.",
        "u.k.",
        "u.n.",
        "e.u.",
        "jan.",
        "feb.",
        "mar.",
        "apr.",
        "jun.",
        "jul.",
        "aug.",
        "sep.",
        "sept.",
        "oct.",
        "nov.",
        "dec.",
        "capt.",
        "sgt.",
        "adm.",
        "maj.",
        "rev.",
        "ft.",
        "mt.",
        "d.c.",
        "a.m.",
        "p.m.",
        "e.g.",
        "i.e.",
        "etc.",
        "al.",
        "approx.",
        "dept.",
        "est.",
        # titles before a name ("said Del. Stacey Plaskett"), which never end a sentence
        "del.",
        "sens.",
        "reps.",
        "govs.",
        "gens.",
        "atty.",
        "supt.",
        "cmdr.",
        "msgr.",
        "fr.",
        "pres.",
        "hon.",
    ]
)
_CLOSERS = frozenset({'"', "'", "”", "’", "''", ")", "]"})


# What ``sentence_units`` returns, for callers outside this module.
SentenceUnit = _Unit


def sentence_units(doc: Doc, quotes: list[Quote] | None = None) -> list[_Unit]:
    """Sentences by punctuation and line breaks, not by the parser.

    News sentences end at ".", "!" or "?" (after any closing quote or bracket) followed by
    a capitalised word, a digit or an opening quote; abbreviations ("Mr.", "U.S.") do not end
    one. Rule-based on purpose: parser sentence boundaries trained on web text are much less
    reliable on news than this, and every content extent depends on them.
    """
    units: list[_Unit] = []
    paragraph = 0
    start = 0
    n = len(doc)
    quote_ends = {q.end for q in quotes} if quotes is not None else None

    def closes(tok: Token) -> bool:
        if tok.text in {")", "]"}:
            return True
        if tok.text not in _CLOSERS:
            return False
        if quote_ends is not None:
            return tok.idx + len(tok.text) in quote_ends
        return not (tok.i > 0 and doc[tok.i - 1].whitespace_)

    i = 0
    while i < n:
        token = doc[i]
        boundary_after: int | None = None
        if token.is_space or "\n" in token.text_with_ws[len(token.text) :]:
            if "\n" in token.text_with_ws:
                boundary_after = i + 1
        elif token.text in {".", "!", "?", "...", "…"} or (
            token.text.endswith((".", "!", "?"))
            and len(token.text) > 1
            and token.lower_ not in ABBREVIATIONS
            and not re.fullmatch(r"(?:[A-Za-z]\.)+", token.text)
        ):
            j = i + 1
            while j < n and (closes(doc[j]) or doc[j].text in {".", "!", "?"}):
                j += 1
            nxt = doc[j] if j < n else None
            starts_sentence = (
                nxt is None
                or nxt.is_space
                or nxt.text[:1].isupper()
                or nxt.text[:1].isdigit()
                or (nxt.text[:1] in {'"', "“", "'", "‘", "(", "`"})
            )
            split_abbreviation = (  # "Mr" + "." tokenized apart
                token.text == "."
                and i > 0
                and doc[i - 1].lower_ + "." in ABBREVIATIONS
                and not doc[i - 1].whitespace_
            )
            if starts_sentence and not split_abbreviation:
                boundary_after = j
        if boundary_after is not None:
            if any(not t.is_space for t in doc[start:boundary_after]):
                units.append(_Unit(start, boundary_after, paragraph))
            if "\n" in doc[boundary_after - 1].text_with_ws or doc[boundary_after - 1].is_space:
                paragraph += 1
            start = boundary_after
            i = boundary_after
            continue
        i += 1
    if start < n and any(not t.is_space for t in doc[start:n]):
        units.append(_Unit(start, n, paragraph))
    return units


def _after_dateline(doc: Doc, unit: _Unit) -> int:
    """First token after a dateline ("OSLO (Reuters) —", "WASHINGTON --"), else the unit start."""
    i = unit.start
    while i < unit.end and doc[i].is_space:
        i += 1
    first = i
    while (
        i < unit.end
        and i - first < 6
        and (doc[i].text.isupper() or doc[i].text in {",", "."} or doc[i].is_digit)
    ):
        i += 1
    if i == first or not any(t.text.isupper() and len(t.text) > 1 for t in doc[first:i]):
        return unit.start
    if i < unit.end and doc[i].text == "(":
        close = next((k for k in range(i, min(unit.end, i + 8)) if doc[k].text == ")"), None)
        if close is None:
            return unit.start
        i = close + 1
    if i < unit.end and doc[i].text in {"—", "–", "--", "-", "―"} and i + 1 < unit.end:
        return i + 1
    return unit.start


def _char_span(doc: Doc, start: int, end: int) -> Fragment | None:
    """Character extent of tokens [start, end) without surrounding spaces/punctuation."""
    while start < end and (doc[start].is_space or doc[start].text in {",", ";", "-", "—", "–"}):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in {",", ";", "-", "—", "–", ":"}):
        end -= 1
    if start >= end:
        return None
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


# --------------------------------------------------------------------------- sources


def _np_left(doc: Doc, end: int, floor: int) -> tuple[int, int] | None:
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
    return first, last + 1


def _np_right(doc: Doc, start: int, ceiling: int) -> tuple[int, int] | None:
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
    return start, i


def _according_source(doc: Doc, start: int, ceiling: int) -> tuple[int, int] | None:
    """The source after "according to", run on to who published the material it names."""
    source = _np_right(doc, start, ceiling)
    return _with_publisher(doc, source, ceiling) if source is not None else None


def _with_publisher(doc: Doc, span: tuple[int, int], ceiling: int) -> tuple[int, int]:
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
    publisher = _np_right(doc, k + 1, ceiling)
    return (start, publisher[1]) if publisher is not None else span


def _appositive_before(doc: Doc, comma: int, floor: int) -> tuple[int, int] | None:
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
    head = _np_left(doc, j, floor)
    if head is None:
        return None
    named = any(_tag(t) in {"NNP", "NNPS", "PRP"} for t in doc[head[0] : comma])
    return head if named else None


def _relative_antecedent(doc: Doc, cue: int, floor: int) -> tuple[int, int] | None:
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
    antecedent = _np_left(doc, j + 1, floor)
    if antecedent is None or not any(
        _tag(t) in {"NNP", "NNPS", "NNS", "NN"} for t in doc[antecedent[0] : antecedent[1]]
    ):
        return None
    return antecedent[0], i + 1  # the mention runs to "who": "Smith, who"


def _head_name(doc: Doc, span: tuple[int, int]) -> tuple[int, int]:
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
        return first, last + 1
    return start, end


def _subject_of(token: Token, unit: _Unit) -> tuple[int, int] | None:
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
                linear = _np_left(doc, token.i, unit.start)
                if linear is not None and linear[0] < right and left < linear[1]:
                    # the parser may split a name ("Ana/nsubj Lopez/nsubj"): take both
                    left, right = min(left, linear[0]), max(right, linear[1])
                while left < right and (
                    doc[left].lower_ in {"and", "or", ","}
                    or _tag(doc[left]) in {"IN", "WRB", "WDT", "CC", "RB", "TO"}
                    or doc[left].dep_ == "mark"
                ):
                    left += 1  # "after Prime Minister Boris Johnson told": not part of the name
                return (left, right) if left < right else None
    return None


# --------------------------------------------------------------------------- cues


def _cue_tokens(ctx: _Context, unit: _Unit) -> list[int]:
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
        if _quote_covering(ctx, token.idx) is not None:
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
        cues.append(i)
    return cues


def _quote_covering(ctx: _Context, char: int) -> Quote | None:
    for quote in ctx.quotes:
        if quote.start <= char < quote.end:
            return quote
    return None


def _extend_to_quotes(ctx: _Context, frag: Fragment) -> Fragment:
    """Grows a content fragment to whole quotes it cuts (quotes spanning sentences)."""
    start, end = frag
    for quote in ctx.quotes:
        if quote.start < end and start < quote.end:
            start = min(start, quote.start)
            end = max(end, quote.end)
    return start, end


def _unit_end_char(doc: Doc, unit: _Unit) -> int:
    span = _char_span(doc, unit.start, unit.end)
    return span[1] if span else doc[unit.end - 1].idx


def _trim_final_punct(doc: Doc, start: int, end: int) -> int:
    """End token index without the sentence-final period (keeps closing quote marks)."""
    while (
        end > start
        and doc[end - 1].text in {".", "!", "?"}
        and not any(q in doc[end - 1].text for q in ('"', "”"))
    ):
        end -= 1
    return end


def _content_after(ctx: _Context, unit: _Unit, cue: int, stop: int) -> tuple[int, int] | None:
    """Token range of the complement after a cue, up to ``stop`` (exclusive)."""
    doc = ctx.doc
    i = cue + 1
    if doc[cue].lower_ == "according":
        return None
    if doc[cue].lower_ in ADDRESSEE_VERBS and i < stop and doc[i].lower_ not in {"that", ":"}:
        # told Putin that ... / warned Moscow against ...
        j = i
        while j < stop and j < i + 10 and doc[j].lower_ != "that" and doc[j].text not in {":", '"', "“"}:
            j += 1
        if j < stop and doc[j].lower_ == "that":
            i = j
    while i < stop and (doc[i].is_space or _is_particle_of(doc[i], cue)):
        i += 1  # the particle of a phrasal cue ("pointed out that ...") is part of the cue
    # "said on Tuesday that ...", "said in a statement: ...": the circumstances are not content
    i = _skip_adverbials(doc, cue, i, stop)
    while i < stop and (doc[i].lower_ in CONTENT_STARTERS or doc[i].is_space):
        i += 1
    end = _trim_final_punct(doc, i, stop)
    for k in range(i + 2, end):
        if _quote_covering(ctx, doc[k].idx) is not None:
            continue
        if (
            doc[k].text in {";", "—", "--", "―"}
            or (doc[k].text == "," and k + 1 < end and doc[k + 1].lower_ in CLAUSE_CUTTERS)
            or (doc[k].text == "," and k + 1 < end and _tag(doc[k + 1]) == "VBG" and doc[k + 1].head.i == cue)
        ):
            end = k  # "...; they only learned" / ", but offered no proof": not what was said
            break
    end = _complement_end(ctx, cue, i, end)
    if ctx.lexicon.boundary is not None and end - i > 2:
        quotes = [(q.start, q.end) for q in ctx.quotes]
        clausal = _is_clausal(doc, cue, i, end)
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
    if not _is_clausal(doc, cue, i, end):
        # "criticized the act as a 'crazy system' during a campaign stop in Flint": a
        # circumstance opened by a subordinator is not part of the reported object
        for k in range(i + 2, end):
            if _quote_covering(ctx, doc[k].idx) is not None:
                continue
            if doc[k].lower_ in CIRCUMSTANCE_OPENERS or (
                doc[k].lower_ == "as" and _opens_clause(doc, k + 1, end)
            ):
                end = k - 1 if doc[k - 1].text == "," else k
                break
    if CUT_ADJUNCTS and not _is_clausal(doc, cue, i, end):
        # "attacked Machado in early-morning tweets": the object, not the circumstances
        for k in range(i + 1, end):
            if doc[k].text in {",", ";", "—", "–"} or (
                doc[k].lower_ in ADJUNCT_STARTERS and k > i + 1 and _quote_covering(ctx, doc[k].idx) is None
            ):
                end = k
                break
    return i, end


SUBJECT_TAGS = frozenset({"DT", "NNP", "NNPS", "NN", "NNS", "PRP", "PRP$", "JJ", "POS"})


def _opens_clause(doc: Doc, start: int, end: int) -> bool:
    """Whether a subject and a finite verb open ``doc[start:end]`` ("Pyongyang fired")."""
    k = start
    while k < end and k < start + 5 and _tag(doc[k]) in SUBJECT_TAGS:
        k += 1
    return start < k < end and is_finite(doc[k])


def _is_particle_of(token: Token, cue: int) -> bool:
    """The particle of a phrasal cue: "out" in "pointed out"."""
    return token.dep_ in PARTICLE_DEPS and token.head.i == cue


def _complement_end(ctx: _Context, cue: int, start: int, end: int) -> int:
    """Where the cue's complement ends when the cue's own clause goes on: "X said Y and
    asked Z" stops before "and asked" when the parser coordinates "asked" with the cue
    (whole subtrees are not used: a misattached adjunct would truncate the content)."""
    doc = ctx.doc
    for k in range(start + 2, end - 1):
        if doc[k].lower_ not in {"and", "but"} or _quote_covering(ctx, doc[k].idx) is not None:
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


NOMINATIVE_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it"})
_PHRASE_TAGS = frozenset(
    {"IN", "DT", "JJ", "JJS", "JJR", "NN", "NNS", "NNP", "NNPS", "CD", "POS", "PRP$", "HYPH"}
)


def _clause_after_phrase(doc: Doc, start: int, stop: int) -> int:
    """ "said after the convention he would not accept ...": where a clause opens right
    after a short prepositional phrase, else ``start``. The parser often reads such a
    clause as a relative clause on the phrase's noun, so this goes by the words: a
    nominative pronoun, or a determiner right after a noun, then a finite verb soon after.
    """
    if _tag(doc[start]) != "IN":
        return start
    k = start + 1
    while k < min(stop, start + 7) and _tag(doc[k]) in _PHRASE_TAGS:
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


def _only_adjuncts_after(ctx: _Context, unit: _Unit, cue: int, start: int) -> bool:
    """Whether nothing but circumstances follow token ``start`` (the cue, or the speaker
    after an inverted cue) to the end of the sentence (", the council said on Friday, three
    weeks after ...")."""
    doc = ctx.doc
    i = start
    while i < unit.end and doc[i].is_space:
        i += 1
    end = _trim_final_punct(doc, i, unit.end)
    if i >= end:
        return True
    # "..., according to an analysis by Lily Batchelder, a former tax aide": the speaker's apposition
    apposition = (
        doc[i].text == "," and i + 1 < end and doc[i + 1].lower_ in {"a", "an", "the", "who", "whose"}
    )
    if not apposition and (not _adjunct_start(doc[i]) or _skip_adverbials(doc, cue, i, end) != i):
        return False
    return not any(_quote_covering(ctx, doc[k].idx) is not None for k in range(i, end))


def _is_clause_before(doc: Doc, start: int, end: int) -> bool:
    """A main clause (not "When asked about ...", "After the vote") before a trailing cue."""
    while start < end and (doc[start].is_space or doc[start].text in QUOTE_TOKENS):
        start += 1
    if end - start < 3 or _tag(doc[start]) in {"IN", "WRB", "TO"}:
        return False
    return any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in doc[start:end])


# documents a speaker issues and a cue relays ("issued a statement expressing ...")
CUE_DOCUMENT_NOUNS = DOCUMENT_NOUNS | frozenset(
    {"statements", "video", "ad", "advertisement", "message", "op-ed", "appeal"}
)


READ_FORMS = frozenset({"read", "reads"})
# what "reads" quotes: “…,” the letter reads / the sign read: “…”
READABLE_NOUNS = CUE_DOCUMENT_NOUNS | frozenset(
    {"sign", "signs", "banner", "caption", "headline", "email", "placard", "petition",
     "inscription", "text", "notice", "label", "order", "ruling", "article", "story",
     "editorial", "column", "book", "passage", "document", "filing", "complaint", "opinion",
     "resolution", "bill"}
)  # fmt: skip


def _reads_a_document(token: Token) -> bool:
    """Whether the subject of a "read" is a document: "the letter reads", "the statement read"."""
    return any(
        child.dep_.split(":")[0] == "nsubj" and child.lower_ in READABLE_NOUNS for child in token.children
    )


ISSUE_FORMS = frozenset(
    {"issued", "issues", "issue", "issuing", "released", "releases", "release", "releasing",
     "published", "publishes", "publish", "posted", "posts", "sent", "sends", "put", "puts"}
)  # fmt: skip


def _names_a_document(doc: Doc, span: tuple[int, int]) -> bool:
    start, end = span
    head = [t for t in doc[start : min(end, start + 4)] if _tag(t) in {"NN", "NNS"}]
    return (
        bool(head)
        and head[0].lower_ in CUE_DOCUMENT_NOUNS
        and not any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in doc[start:end])
    )


def _document_relay(ctx: _Context, after: tuple[int, int], cues: list[int]) -> int | None:
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


def _is_clausal(doc: Doc, cue: int, start: int, end: int) -> bool:
    """Whether the complement is a clause ("that ...", "he would ...") rather than an object."""
    if any(doc[k].lower_ == "that" for k in range(cue + 1, min(start + 1, end))):
        return True
    if doc[start].text in QUOTE_TOKENS:
        return True
    window = doc[start : min(end, start + 8)]
    return any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in window)


def _coordinated_cue_cut(ctx: _Context, cues: list[int], index: int, unit: _Unit) -> int:
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


@dataclass(slots=True)
class _Found:
    cue: int
    cue_end: int
    source: tuple[int, int] | None
    content: list[Fragment]
    inherited: bool = False


def _with_leading_modifiers(doc: Doc, source: tuple[int, int], floor: int) -> tuple[int, int]:
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
    return (k + 1, end)


def _clause_subject(ctx: _Context, unit: _Unit, cue: int) -> tuple[int, int] | None:
    """Subject of the clause a participle/coordinated cue hangs from."""
    token = ctx.doc[cue]
    seen = 0
    head = token.head
    while head is not None and head.i != token.i and seen < 6 and unit.start <= head.i < unit.end:
        subject = _subject_of(head, unit)
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
    span = _np_right(doc, i, cue)
    if span is None or span[1] >= cue:
        return None
    k = span[1]
    while k < cue and _tag(doc[k]) in {"RB", "MD"}:
        k += 1
    return span if k < cue and is_verb(doc[k]) else None


def _trailing_speech_cue(ctx: _Context, unit: _Unit, cues: list[int]) -> int | None:
    """The comma before a trailing speech cue that governs the whole clause before it:
    "<clause>, the council said (in a statement).", "<clause>, said the minister.",
    "<clause>, according to the ministry." Returns the comma's token index."""
    doc = ctx.doc
    for cue in reversed(cues):
        token = doc[cue]
        if token.lower_ == "according":
            source = _according_source(doc, cue + 2, unit.end)
            if source is None or cue - 1 <= unit.start or doc[cue - 1].text != ",":
                continue
            comma, after = cue - 1, source[1]
            cue_token = cue + 1
        elif token.lower_ in SEED_CUES:
            source = _subject_of(token, unit) or _np_left(doc, cue, unit.start)
            if source is not None and source[1] <= cue and doc[source[0] - 1].text == ",":
                comma, after = source[0] - 1, cue + 1
            elif cue - 1 > unit.start and doc[cue - 1].text == ",":
                right = _np_right(doc, cue + 1, unit.end)  # "…, said the minister."
                if right is None:
                    continue
                comma, after = cue - 1, right[1]
            else:
                continue
            cue_token = cue
        else:
            continue
        if comma <= unit.start or _quote_covering(ctx, doc[comma].idx) is not None:
            continue
        if _only_adjuncts_after(ctx, unit, cue_token, after) and _is_clause_before(doc, unit.start, comma):
            return comma
    return None


# words a trailing cue may carry before its split quote goes on: an addressee and circumstances
# ("he told the host,", "Schiff told reporters on Wednesday,", "he said, but")
MAX_WORDS_BEFORE_REOPENED_QUOTE = 8


def _reopened_quote(ctx: _Context, unit: _Unit, start: int) -> Fragment | None:
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
    quote = _quote_covering(ctx, doc[k].idx)
    if quote is not None and quote.start >= doc[k].idx - 1:
        return quote.start, quote.end
    words = 0
    while k < unit.end and words <= MAX_WORDS_BEFORE_REOPENED_QUOTE:
        token = doc[k]
        if token.text in QUOTE_TOKENS:
            quote = _quote_covering(ctx, token.idx + len(token.text)) or _quote_covering(ctx, token.idx)
            if quote is None or quote.start < token.idx - 1:
                return None
            before = doc[k - 1]
            if before.text not in {",", ":"} and before.lower_ not in {"but", "and"}:
                return None
            rest = ctx.text[quote.end : doc[unit.end - 1].idx + len(doc[unit.end - 1].text)]
            if rest.strip(" .,!?;)\n\"'”’"):
                return None  # the writer goes on after it: a quoted phrase, not the statement
            return quote.start, quote.end
        if token.text in {".", "!", "?", ";"} or is_verb(token):
            return None  # a verb of its own ("…, adding later, “Y.”"): a statement of its own
        words += int(not token.is_punct and not token.is_space)
        k += 1
    return None


def _find_in_unit(ctx: _Context, unit: _Unit, previous: _Found | None) -> list[_Found]:
    doc = ctx.doc
    cues = _cue_tokens(ctx, unit)
    found: list[_Found] = []
    consumed_until = unit.start  # tokens already inside an earlier content (univocal)
    colon = _colon_attribution(ctx, unit)
    if colon is not None:
        found.append(colon)
        consumed_until = unit.end
    as_clause = _as_clause_attribution(ctx, unit) if colon is None else None
    if as_clause is not None:
        found.append(as_clause)
        consumed_until = unit.end
    governing = _trailing_speech_cue(ctx, unit, cues)
    for index, cue in enumerate(cues):
        if cue < consumed_until:
            continue
        token = doc[cue]
        lower = token.lower_
        cue_end = cue + 2 if lower == "according" else cue + 1
        if governing is not None and cue < governing and lower not in SEED_CUES:
            # "Engineers found X, the council said": the trailing speech cue owns the clause;
            # an earlier verb is only a cue of its own when it is a speech verb itself
            continue
        if lower == "according":
            after = _according_source(doc, cue_end, unit.end)
            if after is None:
                continue
            source: tuple[int, int] | None = after
            # content: the rest of the sentence on the other side of "according to X"
            before = _char_span(doc, unit.start, cue)
            if before is not None and cue - unit.start >= 3:
                according: list[Fragment] = [before]
            else:
                rest_start = after[1]
                while rest_start < unit.end and doc[rest_start].text in {",", ":"}:
                    rest_start += 1
                rest = _char_span(doc, rest_start, _trim_final_punct(doc, rest_start, unit.end))
                if rest is None:
                    continue
                according = [rest]
            found.append(_Found(cue, cue_end, source, according))
            continue

        stop = _coordinated_cue_cut(ctx, cues, index, unit)
        if governing is not None and cue < governing:
            stop = min(stop, governing)
        source = _subject_of(token, unit)
        left = _np_left(doc, cue, unit.start) if source is None else None
        if source is None and left is not None:
            source = left
        if source is None:
            source = _relative_antecedent(doc, cue, unit.start)
        if source is None and cue > unit.start and doc[cue - 1].text == ",":
            source = _appositive_before(doc, cue - 1, unit.start)
            if source is not None:
                source = (source[0], cue - 1)
        inverted = False
        if source is None:
            # "…,” said Wallace." / "…, said the minister."
            prev = doc[cue - 1] if cue > unit.start else None
            if (
                prev is not None
                # right after a closing quote "said" is the cue however the tagger read it
                # ('," said/VBN panel chairman Jason Chaffetz')
                and (
                    _tag(token) in {"VBD", "VBZ", "VBP"}
                    or (_tag(token) == "VBN" and prev.text in QUOTE_TOKENS)
                )
                and (prev.text == "," or prev.text in QUOTE_TOKENS)
            ):
                right = _np_right(doc, cue + 1, unit.end)
                follower = doc[right[1]] if right is not None and right[1] < unit.end else None
                if right is not None and (
                    follower is None
                    or follower.text in {".", ",", ";", "!", "?", ":", "("}
                    or follower.text in QUOTE_TOKENS
                    or _tag(follower) in {"IN", "RB", "NNP"}
                    or follower.is_space
                ):
                    source, inverted = right, True
        inherited = False
        if source is None:
            prev_tok = doc[cue - 1] if cue > unit.start else None
            coordinated = prev_tok is not None and (prev_tok.text == "," or prev_tok.lower_ in {"and", "but"})
            if coordinated and found and found[-1].source is not None:
                source, inherited = found[-1].source, True
            elif coordinated and token.dep_ == "conj":
                # "Cruz exhorted Republicans to ... and said he ...": the subject of the verb
                # the cue is coordinated with
                source = _clause_subject(ctx, unit, cue)
            elif (_tag(token) == "VBG" or lower.endswith("ing")) and lower not in SUBJECTLESS_FORMS:
                # participial cue: ", warning that ..." / "... expressing concerns about ..."
                source = _clause_subject(ctx, unit, cue)
            if source is None:
                continue

        source = _with_leading_modifiers(doc, source, max(unit.start, cue + 1) if inverted else unit.start)
        source_start = source[0]
        # Trailing cue: "<content>, he said." / "“<quote>,” said Wallace."
        trailing = source_start > unit.start and (
            inverted
            or (
                source_start - 1 >= unit.start
                and (doc[source_start - 1].text == "," or doc[source_start - 1].text in QUOTE_TOKENS)
            )
        )
        content: list[Fragment] = []
        parenthetical = False
        after_range = _content_after(ctx, unit, cue_end - 1, stop) if not inverted else None
        if after_range is not None and trailing and not inherited:
            # "When asked ..., Wallace said: “...”": the content follows the cue unless the
            # part before ends in a closing quote (a split quote “X,” he said, “Y.”)
            before_end = source_start - 1
            while before_end > unit.start and doc[before_end].text == ",":
                before_end -= 1
            closes_quote = doc[before_end].text in QUOTE_TOKENS or (
                before_end + 1 < unit.end and doc[before_end + 1].text in QUOTE_TOKENS
            )
            if closes_quote:
                # only a quote that is (nearly) the whole part before the speaker, not a quoted
                # title inside it (On the broadcast of “Fox News Sunday,” Pence said ...)
                quote = _quote_covering(ctx, doc[before_end].idx) or _quote_covering(
                    ctx, doc[min(before_end + 1, unit.end - 1)].idx
                )
                closes_quote = quote is not None and quote.start <= doc[unit.start].idx + 3
            parenthetical = not closes_quote and cue_end < unit.end and doc[cue_end].text == ","
            # "<clause>, the council said on Friday, three weeks after ...": only circumstances
            # follow the cue, so what was said is the clause before it
            circumstantial = _only_adjuncts_after(ctx, unit, cue, cue_end) and _is_clause_before(
                doc, unit.start, before_end + 1
            )
            if not closes_quote and not parenthetical and not circumstantial:
                trailing = False
        if trailing and not inherited and parenthetical and after_range is not None:
            # "If this fails, Castaneda argues, there are other tools": both sides
            before_frag = _char_span(doc, unit.start, source_start)
            after_frag = _char_span(doc, after_range[0], after_range[1])
            if before_frag is not None and after_frag is not None:
                content.extend([_extend_to_quotes(ctx, before_frag), _extend_to_quotes(ctx, after_frag)])
        if trailing and not inherited and not content:
            left_end = source_start if not inverted else cue
            frag = _char_span(doc, unit.start, left_end)
            if frag is not None and left_end - unit.start >= 3:
                frag = _extend_to_quotes(ctx, frag)
                content.append(frag)
                # split quote: “X,” he said, “Y.” / “X,” he told reporters on Monday, “Y.”
                reopened = _reopened_quote(ctx, unit, max(source[1], cue_end))
                if reopened is not None:
                    content.append(reopened)
        if not content:
            after = after_range if after_range is not None else _content_after(ctx, unit, cue_end - 1, stop)
            relay = _document_relay(ctx, after, cues) if after is not None else None
            if relay is not None:
                # "issued a statement on Friday expressing concerns about ...": the participle
                # is what the statement said; the content follows it
                cue, cue_end = relay, relay + 1
                after = _content_after(ctx, unit, relay, stop)
            elif after is not None and lower in ISSUE_FORMS and _names_a_document(doc, after):
                continue  # "issued a joint statement on Friday": what it said comes later
            if after is None:
                # "the statement added" with the statement before it in the same sentence
                continue
            frag = _char_span(doc, after[0], after[1])
            if frag is None:
                continue
            frag = _extend_to_quotes(ctx, frag)
            content.append(frag)
        if not content:
            continue
        item = _Found(cue, cue_end, source, content, inherited)
        if not _model_keeps(ctx, item):
            continue  # rejected before it claims the rest of the sentence for itself
        consumed_until = max(consumed_until, _token_at_or_after(ctx, content[-1][1], unit.end))
        found.append(item)
    return found


def _to_attribution(ctx: _Context, item: _Found) -> Attribution:
    doc = ctx.doc
    content = tuple(sorted(item.content))
    source = item.source
    source_frag = _char_span(doc, source[0], source[1]) if source else None
    head_frag = _char_span(doc, *_head_name(doc, source)) if source else None
    cue_end = item.cue_end
    while cue_end < len(doc) and _is_particle_of(doc[cue_end], item.cue):
        cue_end += 1  # "pointed out"
    cue_frag = _char_span(doc, item.cue, cue_end) if item.cue >= 0 else None
    kind = ClaimKind.DIRECT if _is_direct(content, ctx.quotes) else ClaimKind.INDIRECT
    return Attribution(kind, content, cue_frag, source_frag, head_frag, inherited=item.inherited)


def _model_keeps(ctx: _Context, item: _Found) -> bool:
    model = ctx.lexicon.model
    if model is None:
        return True
    features = attribution_features(ctx.doc, _to_attribution(ctx, item), ctx.lexicon, text=ctx.text)
    return model.probability(features) >= model.threshold


def _as_clause_attribution(ctx: _Context, unit: _Unit) -> _Found | None:
    """ "<clause>, as Berg noted (on Friday)." / "As a memo put it, <clause>.": the as-clause
    names the source; what was said is the rest of the sentence, not what follows the cue."""
    doc = ctx.doc
    for k in range(unit.start, unit.end - 2):
        if doc[k].lower_ != "as" or _quote_covering(ctx, doc[k].idx) is not None:
            continue
        if k > unit.start and doc[k - 1].text != ",":
            continue  # only a parenthetical "as": "as high as", "such as" are not sources
        source = _np_right(doc, k + 1, unit.end)
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
            if not _only_adjuncts_after(ctx, unit, cue, cue_end) or end - unit.start < 3:
                continue
            frag = _char_span(doc, unit.start, end)
        else:  # leading: "As Berg put it, <clause>."
            start = clause_end + 1
            end = _trim_final_punct(doc, start, unit.end)
            if clause_end >= unit.end or end - start < 3:
                continue
            frag = _char_span(doc, start, end)
        if frag is None:
            continue
        return _Found(cue, cue_end, source, [_extend_to_quotes(ctx, frag)])
    return None


def _colon_attribution(ctx: _Context, unit: _Unit) -> _Found | None:
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
    if line_start > 0 and "\n" not in doc[line_start - 1].text_with_ws and not doc[line_start - 1].is_space:
        return None
    content = _char_span(doc, j + 1, _trim_final_punct(doc, j + 1, unit.end))
    if content is None:
        return None
    extended = _extend_to_quotes(ctx, content)
    # a transcript paragraph's quote mark opens before the name: the content starts after the colon
    return _Found(j, j + 1, (i, j), [(max(extended[0], content[0]), extended[1])])


def _token_at_or_after(ctx: _Context, char: int, limit: int) -> int:
    index = bisect.bisect_left(ctx.token_starts, char)
    return index if index < len(ctx.token_starts) else limit


def _is_direct(content: tuple[Fragment, ...], quotes: list[Quote]) -> bool:
    """Direct when quoted text covers nearly all of the content."""
    total = sum(e - s for s, e in content)
    if total == 0:
        return False
    covered = 0
    for s, e in content:
        for quote in quotes:
            lo, hi = max(s, quote.start), min(e, quote.end)
            if hi > lo:
                covered += hi - lo
    return covered >= 0.8 * total


def tagged_content_fragment(doc: Doc, content: Fragment) -> Fragment | None:
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
    return _char_span(doc, start, end)


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
    content: Fragment,
    *,
    cue: Fragment | None,
    source: Fragment | None,
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
            source_frag = _char_span(doc, mention.start, mention.end)
            head_frag = _char_span(doc, *_head_name(doc, (mention.start, mention.end)))
    kind = ClaimKind.DIRECT if _is_direct((frag,), quotes) else ClaimKind.INDIRECT
    return Attribution(kind, (frag,), cue, source_frag, head_frag or source_frag)


def find_attributions(
    doc: Doc, *, lexicon: CueLexicon | None = None, raw_text: str | None = None
) -> list[Attribution]:
    """All direct and indirect statements of ``doc``, in text order.

    ``raw_text`` is the text before quote normalisation (curly marks tell quote direction);
    it must have the same length as ``doc.text``.
    """
    doc_text = doc.text  # built by joining every token: once, not per use
    text = raw_text if raw_text is not None else doc_text
    if len(text) != len(doc_text):
        raise ValueError("raw_text must be the length-preserving original of doc.text")
    quotes = find_quotes(text)
    ctx = _Context(
        doc=doc,
        quotes=quotes,
        units=sentence_units(doc, quotes),
        lexicon=lexicon or load_lexicon(),
        token_starts=[t.idx for t in doc],
        text=doc_text,
    )
    results: list[Attribution] = []
    previous: _Found | None = None
    previous_unit_paragraph = -1
    covered_until = -1
    orphans: list[tuple[_Unit, _Found | None, int]] = []
    for unit in ctx.units:
        unit.start = _after_dateline(doc, unit)
        unit_start_char = doc[unit.start].idx
        if unit_start_char < covered_until:
            # the unit lies inside a quote already attributed (a quote spanning sentences)
            continue
        found = _find_in_unit(ctx, unit, previous)
        if not found:
            orphans.append((unit, previous, previous_unit_paragraph))
        for item in found:
            attribution = _to_attribution(ctx, item)
            results.append(attribution)
            covered_until = max(covered_until, attribution.end)
            previous = item
            previous_unit_paragraph = unit.paragraph
    results.extend(_signed_quotes(ctx, results, text))
    results.extend(_continued_quotes(ctx, orphans, results, text))
    results.sort(key=lambda a: a.start)
    return results


@dataclass(frozen=True, slots=True)
class BoundaryExample:
    """The cut points of one statement's content after its cue, with their features
    (training data for :class:`bot.nlp.boundaries.BoundaryModel`)."""

    start_char: int
    cut_end_chars: tuple[int, ...]  # the content's end for each cut point, in characters
    features: tuple[tuple[float, ...], ...]


def boundary_example(
    doc: Doc, attribution: Attribution, *, raw_text: str | None = None
) -> BoundaryExample | None:
    """Cut points and features for a statement whose one content fragment follows its cue,
    as found with no boundary model (so the fragment runs as far as the rules let it)."""
    if attribution.cue is None or len(attribution.content) != 1:
        return None
    start_char, end_char = attribution.content[0]
    if start_char < attribution.cue[1]:
        return None
    cue_span = doc.char_span(*attribution.cue, alignment_mode="expand")
    content = doc.char_span(start_char, end_char, alignment_mode="expand")
    if cue_span is None or content is None or len(content) < 3:
        return None
    cue, start, end = cue_span.start, content.start, content.end
    quotes = [(q.start, q.end) for q in find_quotes(raw_text if raw_text is not None else doc.text)]
    cuts = candidate_cuts(doc, quotes, cue, start, end, clausal=_is_clausal(doc, cue, start, end))
    ends = []
    for k, _ in cuts:
        last = doc[content_end(doc, start, k) - 1]
        ends.append(last.idx + len(last.text))
    return BoundaryExample(start_char, tuple(ends), tuple(tuple(features) for _, features in cuts))


FEATURE_NAMES = (
    "prior", "prior_sq", "log_content_chars", "direct", "no_cue", "source_pronoun", "source_named",
    "inherited", "tag_VBD", "tag_VBZ", "tag_VBP", "tag_VBG", "tag_VBN", "tag_VB", "according",
    "colon", "that_clause", "trailing", "fragments", "log_source_chars", "content_has_verb",
)  # fmt: skip


def attribution_features(
    doc: Doc, attribution: Attribution, lexicon: CueLexicon, *, text: str | None = None
) -> list[float]:
    """Features of one candidate statement for the learned cue model (see FEATURE_NAMES)."""
    text = doc.text if text is None else text
    cue_text = text[attribution.cue[0] : attribution.cue[1]] if attribution.cue else ""
    first = cue_text.split()[0] if cue_text.split() else ""
    prior = lexicon.prior(first.strip(":")) if first else 0.0
    cue_token = doc.char_span(*attribution.cue, alignment_mode="expand") if attribution.cue else None
    tag = _tag(cue_token[0]) if cue_token is not None and len(cue_token) else ""
    source_text = text[attribution.source[0] : attribution.source[1]] if attribution.source else ""
    content_chars = sum(e - s for s, e in attribution.content)
    after_cue = text[attribution.cue[1] : attribution.cue[1] + 6].strip().lower() if attribution.cue else ""
    content_span = doc.char_span(attribution.start, attribution.end, alignment_mode="expand")
    has_verb = content_span is not None and any(_tag(t) in {"VBD", "VBZ", "VBP", "MD"} for t in content_span)
    return [
        prior,
        prior * prior,
        math.log1p(content_chars),
        float(attribution.kind is ClaimKind.DIRECT),
        float(attribution.cue is None),
        float(source_text.strip().lower() in {"he", "she", "they", "it", "we", "i", "you"}),
        float(any(w[:1].isupper() for w in source_text.split())),
        float(attribution.inherited),
        float(tag == "VBD"),
        float(tag == "VBZ"),
        float(tag == "VBP"),
        float(tag == "VBG"),
        float(tag == "VBN"),
        float(tag == "VB"),
        float(first.lower() == "according"),
        float(cue_text.strip() == ":"),
        float(after_cue.startswith("that")),
        float(attribution.cue is not None and attribution.start < attribution.cue[0]),
        float(len(attribution.content) > 1),
        math.log1p(len(source_text)),
        float(has_verb),
    ]


# “Quote.” ― Sonya Herridge: a quote signed with a dash and a short name (testimonials,
# vox pops, epigraphs). The name must end its line, so a dash inside prose never matches.
_SIGNATURE = re.compile(r"[ \t\u00a0]*[―—–]|[ \t\u00a0]*--")
_SIGNER = re.compile(
    r"[ \t\u00a0]*("
    r"(?:(?:Dr|Mr|Mrs|Ms|Rev|Sen|Rep|Gov)\.[ \t\u00a0]+)?"  # an optional title
    r"[A-Z][\w'’.-]*(?:[ \t\u00a0]+[A-Z][\w'’.-]*){0,3}"  # up to four capitalised words
    r")[ \t\u00a0.,]*(?:\n|$)"
)


def _signed_quotes(ctx: _Context, found: list[Attribution], text: str) -> list[Attribution]:
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
        name = (signer.start(1), signer.end(1))
        while name[1] > name[0] and text[name[1] - 1] in ".,":
            name = (name[0], name[1] - 1)
        cue = (dash.end() - 1 if text[dash.end() - 1] != "-" else dash.end() - 2, dash.end())
        results.append(Attribution(ClaimKind.DIRECT, ((quote.start, quote.end),), cue, name, name))
        taken.append((quote.start, quote.end))
    return results


def _continued_quotes(
    ctx: _Context,
    orphans: list[tuple[_Unit, _Found | None, int]],
    found: list[Attribution],
    text: str,
) -> list[Attribution]:
    """A sentence that is all quote, with no cue, continues the previous speaker
    (a quote paragraph after "Wallace said:"), unless a later cue already took it."""
    doc = ctx.doc
    taken = [(a.start, a.end) for a in found]
    results: list[Attribution] = []
    for unit, previous, previous_paragraph in orphans:
        if previous is None or previous.source is None or unit.paragraph - previous_paragraph > 2:
            continue
        frag = _char_span(doc, unit.start, _trim_final_punct(doc, unit.start, unit.end))
        if frag is None:
            continue
        quote = _quote_covering(ctx, frag[0]) or _quote_covering(ctx, frag[0] + 1)
        if quote is None or quote.start > frag[0] + 1 or quote.end < frag[1] - 1:
            continue
        if any(s < quote.end and quote.start < e for s, e in taken):
            continue
        # same paragraph: the quote goes on after the cue ("“X,” he said. “Y.”") -> one statement
        before = [a for a in found if a.end <= quote.start]
        last = max(before, key=lambda a: a.end) if before else None
        if (
            last is not None
            and last.source is not None
            and "\n" not in text[last.end : quote.start]
            and quote.start - last.end < 250
        ):
            index = found.index(last)
            found[index] = Attribution(
                last.kind,
                (*last.content, (quote.start, quote.end)),
                last.cue,
                last.source,
                last.source_head,
                last.inherited,
            )
            taken.append((quote.start, quote.end))
            continue
        source = previous.source
        source_frag = _char_span(doc, source[0], source[1])
        head_frag = _char_span(doc, *_head_name(doc, source))
        content = ((quote.start, quote.end),)
        results.append(Attribution(ClaimKind.DIRECT, content, None, source_frag, head_frag, inherited=True))
        taken.append((quote.start, quote.end))
    return results
