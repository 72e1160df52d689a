"""How sure the extractor is that a statement is shown right: its words and its speaker.

A statement a reader would not accept (a wrong speaker, a span that swallows the attribution,
an action taken for a statement: "spoke about her ties to black churches") does more harm
than a statement left out. ``StatementConfidence`` scores each attributed statement from
features of the claim as the extractor produced it, with a logistic model fitted on PolNeAR
train by ``scripts/train_statement_confidence.py`` (label: span within 80 % of the annotated
content both ways and the annotated source as speaker); statements below the threshold,
tuned on PolNeAR dev, are kept back. The article's own unattributed statements are not
scored here: the check-worthiness model decides those.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.models import ClaimKind, ExtractedClaim, SpeakerKind, Stance
from bot.nlp.speakers.vocabulary import GROUP_HEADS, MATERIAL_NOUNS, ORG_WORDS, SPEAKER_DOCUMENT_NOUNS
from bot.words import TIME_NOUNS, TIME_WORDS

CONFIDENCE_PATH = Path(__file__).resolve().parents[2] / "models" / "attribution" / "statement_confidence.json"

_PRONOUNS = frozenset(
    {"he", "she", "him", "her", "i", "they", "we", "them", "it", "who", "which", "that", "you"}
)
# words a real speaker's name or description never starts with ("Having", "whose support",
# "which most nations", "the one")
_NOT_A_NAME_START = frozenset(
    {
        "having",
        "which",
        "whose",
        "who",
        "whom",
        "that",
        "those",
        "one",
        "this",
        "these",
        "it",
        "what",
        "when",
        "where",
        "while",
        "if",
        "as",
        "after",
        "before",
    }
)
_SPEECH_CUES = frozenset(
    {"said", "says", "say", "saying", "told", "tells", "tell", "telling", "according to", "added", "adding"}
)
_WRITTEN_CUES = frozenset({"wrote", "writes", "reported", "reports", "stated", "states", "―", "—", "-"})
_ATTRIBUTION_INSIDE = re.compile(r"\b(?:said|says|told|according to|added)\b", re.IGNORECASE)
_QUOTES = re.compile('["“”]')


def _words(text: str) -> list[str]:
    return text.split()


# common nouns that can name who speaks when the recognizer gave no kind: people by their role
# or relation, bodies, and things that say something (a poll, a ruling, a slide, a clip)
PERSON_ROLES = frozenset(
    _words(
        """
    source spokesman spokeswoman spokesperson nominee candidate businessman businesswoman
    architect announcer narrator questioner director governor senator congressman congresswoman
    representative general commissioner lawyer attorney friend family team campaign leader user
    official reporter journalist editor mother father son daughter wife husband brother sister
    siblings man men woman women aide adviser advisor secretary minister president chairman
    chairwoman chair chief executive ceo founder owner manager judge justice panel jury respondent
    voter member expert analyst economist professor scientist researcher doctor nurse teacher
    student worker officer colleague neighbour neighbor pastor priest bishop lawmaker mayor
    sheriff prosecutor host moderator interviewer participant resident everyone percent
    majority minority plurality people reader specialist observer city state county town
    community school strategist staffer operative consultant
    """
    )
)
# more words for people and bodies, trusted only where the recognizer already gave a person, a
# group or an organisation (alone, "opponent" or "country" is too often a misparse)
_MORE_PEOPLE_AND_BODIES = frozenset(
    _words(
        """
    critic supporter opponent activist advocate ally enemy rival protester demonstrator delegate
    insider surrogate diplomat ruler staffer citizen parent veteran police public crowd audience
    staff nation country government authority organizer group lady gentleman boy girl child
    children kid patient victim survivor witness media outlet press individual people chorus
    chain database protocol
    """
    )
)
SAYING_THINGS = frozenset(
    _words(
        """
    ruling complaint book article account website site slide clip film footage documentary
    transcript speech interview testimony lawsuit suit indictment order verdict decision opinion
    editorial column blog message email text tweet post page sign banner headline caption story
    investigation inquiry probe forecast projection model platform average brief submission
    bylaws rules guidelines records statistics survey poll study analysis analyses review
    """
    )
)
SPEAKER_HEADS = (
    PERSON_ROLES | SAYING_THINGS | GROUP_HEADS | MATERIAL_NOUNS | SPEAKER_DOCUMENT_NOUNS | ORG_WORDS
)
_NAME_PUNCTUATION = ".,;:'’\"“”()"
_MONTHS = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})


def fits_a_speaker(name: str | None, kind: SpeakerKind) -> bool:
    """Whether a resolved speaker can be shown as one: a person, body, group or document, never
    a time ("Monday night", "Jan. 1") or an abstract noun ("truth", "the relationship between
    the two", "body mass index"). A kind the recognizer gave is trusted; an unknown kind needs
    a head noun that names who or what speaks, or a proper name."""
    if not name:
        return True  # no speaker: the statement is judged on its own
    words = [w for w in (w.strip(_NAME_PUNCTUATION) for w in name.split()) if w]
    if not words:
        return False
    lower = [w.lower().removesuffix("'s").removesuffix("’s") for w in words]
    if all(w in TIME_NOUNS or w.isdigit() or w in _MONTHS for w in lower):
        return False
    if name.count("(") != name.count(")") or lower[0] in _NEVER_OPENS_A_SPEAKER:
        return False  # "Tex)", "which companies", "whose leaders", "wake of the New York Times"
    if len(lower) == 1 and (lower[0] in _NOT_A_NAME_ALONE or lower[0] in _NOT_AN_OPENING):
        return False  # "Some", "Mr.", "Having"
    if kind is not SpeakerKind.UNKNOWN:
        return _fits_its_kind(words, lower, kind)
    opens_with_a_gerund = len(lower) > 1 and lower[0].endswith("ing") and lower[0] not in SPEAKER_HEADS
    if lower[0] in _NOT_AN_OPENING or opens_with_a_gerund or lower[-1] in _PRONOUN_ENDS:
        return False  # "Following initial reports of …", "of RT", "many new programs she"
    head = _head_of_first_phrase(lower)
    if _names_who_speaks(head):
        return True
    if lower[0] in TIME_WORDS or lower[0] in _MONTHS or lower[-1] in TIME_NOUNS:
        return False  # "September 27 they", "debate Monday", "day"
    # a proper name the recognizer missed ("Citizens for Tax Justice", "India and Pakistan")
    capitals = sum(1 for w in words if w[:1].isupper())
    return words[-1][:1].isupper() and capitals * 2 >= len(words)


def _head_of_first_phrase(lower: Sequence[str]) -> str:
    """The head of the first phrase: "experts I interviewed", "one GOP source in the room",
    "latest Reuters/Ipsos opinion poll released Friday", "one Twitter user @nycsouthpaw"."""
    phrase: list[str] = []
    for word in lower:
        if word in _PHRASE_ENDS:
            break
        phrase.append(word)
    # "one Twitter user @nycsouthpaw", "many people involved in …"
    while len(phrase) > 1 and _not_a_head(phrase[-1]):
        phrase.pop()
    return phrase[-1] if phrase else lower[0]


def _not_a_head(word: str) -> bool:
    """A handle, a number or a participle after the head noun."""
    return word.startswith("@") or word[:1].isdigit() or (len(word) > 5 and word.endswith("ed"))


def _names_who_speaks(head: str, *, given_a_kind: bool = False) -> bool:
    """A common noun for who or what can say something: a role, a body, a group, a document
    (and, where the recognizer gave a kind, more of them and any plural agent noun:
    "staffers", "demonstrators", "historians")."""
    forms = _singular_forms(head)
    if forms & SPEAKER_HEADS:
        return True
    return given_a_kind and bool(forms & _MORE_PEOPLE_AND_BODIES or head.endswith(_PLURAL_AGENT_ENDINGS))


def _fits_its_kind(words: Sequence[str], lower: Sequence[str], kind: SpeakerKind) -> bool:
    """A kind the recognizer gave is trusted unless the words contradict it: a group or a body
    named by common nouns only whose head names nobody ("racial issues", "the plan's costs", "a
    recent news conference"), or a person named by a lowercase phrase ("dressing-down of …") or
    ending in one that is no role ("Clinton's N.Y.U. speech")."""
    if kind is SpeakerKind.PERSON:
        opens_lower = (
            words[0][:1].islower() and lower[0] not in _PERSON_OPENINGS and not _names_a_person(lower[0])
        )
        ends_lower = words[-1][:1].islower() and not _names_a_person(lower[-1])
        return not (opens_lower or ends_lower)
    if kind not in (SpeakerKind.GROUP, SpeakerKind.ORGANISATION):
        return True
    if not any(w[:1].isupper() for w in words):
        if kind is SpeakerKind.GROUP:  # any word will do: "eight of 10 voters"
            return any(_names_who_speaks(word, given_a_kind=True) for word in lower)
        return _names_who_speaks(_head_of_first_phrase(lower), given_a_kind=True)
    # names before a common noun: the noun says what it is ("Clinton supporters", "E.U. leaders",
    # but "Brexit and Trump's threats", "Super PAC donations", "Obama and Clinton's gut")
    head = _head_of_first_phrase(lower)
    written = next((w for w, low in zip(words, lower, strict=True) if low == head), head)
    return not written[:1].islower() or _names_who_speaks(head, given_a_kind=True) or _names_a_person(head)


def _names_a_person(word: str) -> bool:
    people = PERSON_ROLES | _MORE_PEOPLE_AND_BODIES
    return bool(_singular_forms(word) & people) or word.endswith(_AGENT_ENDINGS)


def _singular_forms(word: str) -> set[str]:
    """The word and what it may be the plural of ("experts", "witnesses", "countries")."""
    return {word, word.removesuffix("s"), word.removesuffix("es"), word.removesuffix("ies") + "y"}


# agent nouns: "staffers", "organizers", "demonstrators", "specialists", "historians"
_AGENT_ENDINGS = ("er", "ers", "or", "ors", "ist", "ists", "ian", "ians", "ant", "ants", "ent", "ents")
_PLURAL_AGENT_ENDINGS = ("ers", "ors", "ists", "ians", "ants", "ents")
# what a person's name or description may open with in lowercase
_PERSON_OPENINGS = frozenset(
    {"the", "a", "an", "his", "her", "their", "our", "my", "its", "both", "former", "then"}
    | {"al", "bin", "da", "de", "del", "der", "di", "du", "ibn", "la", "le", "van", "von"}
)
# words a speaker's name never opens with, whatever the recognizer said: a relative pronoun (the
# speaker is its antecedent), the opening of a phrase that is no name, or "none of …" (nobody)
_NEVER_OPENS_A_SPEAKER = frozenset(
    {"which", "whose", "whom", "what", "where", "when", "why", "how", "wake", "merits", "based", "having"}
    | {"none"}
)
_NOT_A_NAME_ALONE = frozenset(
    {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "everything", "nothing", "another"}
)
# words a description of who speaks does not open with, or end with
_NOT_AN_OPENING = frozenset({"of", "very", "many", "no", "some", "all", "to", "in", "on", "at", "by", "with"})
_PRONOUN_ENDS = frozenset({"i", "he", "she", "they", "we", "it", "you", "who"})
# words that end the phrase naming the speaker: what follows describes it
_PHRASE_ENDS = frozenset(
    {"of", "in", "on", "at", "for", "from", "with", "by", "about", "who", "that", "which", "i", "we"}
    | {"released", "published", "conducted", "cited", "quoted", "said", "says"}
)


def _log_words(text: str) -> float:
    return math.log1p(len(text.split()))


def statement_features(claim: ExtractedClaim, raw: str) -> dict[str, float]:
    """Features of one attributed statement; ``raw`` is the article text its spans index."""
    text = claim.text
    cue = claim.cue.text.lower().strip() if claim.cue else ""
    speaker = claim.speaker or ""
    mention = claim.speaker_mention
    first_word = speaker.split()[0].lower() if speaker else ""
    words = text.split()
    verb_first = bool(cue) and claim.kind is ClaimKind.INDIRECT and bool(words)
    verb_first = verb_first and words[0].lower() == cue.split()[0]
    distance = 0.0
    if mention is not None:
        gap = min(abs(mention.start - claim.content.end), abs(claim.content.start - mention.end))
        distance = math.log1p(max(0, gap))
    return {
        "direct": float(claim.kind is ClaimKind.DIRECT),
        "no_cue": float(not cue),
        "speech_cue": float(cue in _SPEECH_CUES),
        "written_cue": float(cue in _WRITTEN_CUES),
        "cue_words": float(len(cue.split())),
        "verb_before_object": float(verb_first),
        "no_speaker": float(not speaker),
        "person": float(claim.speaker_kind is SpeakerKind.PERSON),
        "organisation": float(claim.speaker_kind is SpeakerKind.ORGANISATION),
        "group": float(claim.speaker_kind is SpeakerKind.GROUP),
        "speaker_not_a_name": float(
            bool(speaker) and (first_word in _NOT_A_NAME_START or speaker[:1].islower() or speaker.isdigit())
        ),
        "speaker_unfit": float(not fits_a_speaker(claim.speaker, claim.speaker_kind)),
        "speaker_words": float(min(len(speaker.split()), 6)),
        "pronoun_mention": float(mention is not None and mention.text.lower().strip() in _PRONOUNS),
        "mention_words": float(min(len(mention.text.split()), 12) if mention is not None else 0),
        "mention_after": float(mention is not None and mention.start >= claim.content.end),
        "mention_distance": distance,
        "content_words": _log_words(text),
        "short_content": float(len(words) < 6),
        "attribution_inside": float(
            claim.kind is ClaimKind.INDIRECT and bool(_ATTRIBUTION_INSIDE.search(text))
        ),
        "odd_quotes": float(len(_QUOTES.findall(text)) % 2 == 1),
        "pieces": float(len(claim.content_pieces) - 1),
        "question": float(text.rstrip(" .\"”'’").endswith("?")),
        "lowercase_quote": float(claim.kind is ClaimKind.DIRECT and text[:1].islower()),
        "stance_not_asserts": float(claim.stance is not Stance.ASSERTS),
        "in_headline": float(_in_headline(raw, claim.content.start)),
        **_place_in_sentence(claim, raw),
    }


# words after which a statement's content still goes on: a cut here is likely a fragment
_CONTINUING_WORDS = frozenset(
    _words(
        """
    which but and while because as who whose although though so if when where after before
    since until or than including even
    """
    )
)
_WORD = re.compile(r"[A-Za-z’']+")
_QUOTES_AND_SPACES = " \"“”‘’'"


def _place_in_sentence(claim: ExtractedClaim, raw: str) -> dict[str, float]:
    """Where the content stands in its sentence: one that runs from a sentence's start to its
    end is more often the whole statement; one that stops at a comma before "which" or "but"
    more often a piece of a longer one."""
    end = claim.content.end
    while end < len(raw) and raw[end] in _QUOTES_AND_SPACES:
        end += 1
    after = raw[end] if end < len(raw) else "\n"
    start = claim.content.start
    while start > 0 and raw[start - 1] in _QUOTES_AND_SPACES:
        start -= 1
    before = raw[start - 1] if start > 0 else "\n"
    rest = raw[end + 1 if after in ",;" else end : end + 40].lstrip(_QUOTES_AND_SPACES)
    next_word = _WORD.match(rest)
    return {
        "starts_a_sentence": float(before in ".!?\n:"),
        "ends_a_sentence": float(after in ".!?\n"),
        "ends_at_a_comma": float(after in ",;:—–-"),
        "cut_before_a_connective": float(
            next_word is not None and next_word.group().lower() in _CONTINUING_WORDS
        ),
    }


def _in_headline(raw: str, offset: int) -> bool:
    line_start = raw.rfind("\n", 0, offset) + 1
    line_end = raw.find("\n", offset)
    line = raw[line_start : line_end if line_end >= 0 else len(raw)].strip()
    return bool(line) and line[-1] not in ".!?\"”'’"


@dataclass(frozen=True, slots=True)
class StatementConfidence:
    """A logistic model over ``statement_features`` and the threshold below which a statement
    is kept back."""

    weights: Mapping[str, float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = CONFIDENCE_PATH) -> StatementConfidence:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {name: float(w) for name, w in data["weights"].items()}
        return cls(weights=weights, bias=float(data["bias"]), threshold=float(data["threshold"]))

    def score(self, claim: ExtractedClaim, raw: str) -> float:
        features = statement_features(claim, raw)
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def keep(self, claims: Sequence[ExtractedClaim], raw: str) -> list[ExtractedClaim]:
        """The claims to show: the article's own as they are, attributed ones when their speaker
        can be one and the model is sure enough of them."""
        return [
            c
            for c in claims
            if c.kind is ClaimKind.UNATTRIBUTED
            or (fits_a_speaker(c.speaker, c.speaker_kind) and self.score(c, raw) >= self.threshold)
        ]
