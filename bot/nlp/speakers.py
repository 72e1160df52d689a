"""Speaker resolution inside one article.

Walks the statements in text order and keeps a small list of speakers (entities) with
everything the article called them. A new mention is resolved, in this order, as:

* a joint speaker ("Wallace and Rezhnikov") -> a group whose members are resolved too;
* a pronoun -> the last compatible speaker ("he"/"she" -> a person, "they" -> a group,
  an organisation or a joint speaker, "it" -> an organisation);
* a document noun ("the statement", "the joint statement") -> whoever issued the last
  statement the article mentions, else the previous speaker;
* a role ("the prime minister", "the minister") -> the speaker the article gave that title;
* a name -> an existing speaker sharing the surname/name, else a new one, with titles
  stripped from the canonical name ("Russian Defense Minister Ben Wallace" -> "Ben Wallace").

Pure: the resolver only reads the Doc and the mentions it is given.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from bot.models import SpeakerKind
from bot.nlp.name_genders import (
    PRONOUN_GENDERS,
    PronounGender,
    gender_of_first_name,
    gender_of_words,
    leaning_of_first_name,
    words_of,
)
from bot.words import DATA_NOUNS, DOCUMENT_NOUNS, PUBLISH_FORMS, TIME_NOUNS, TIME_WORDS

logger = logging.getLogger(__name__)

TITLE_WORDS = frozenset(
    [
        "minister",
        "president",
        "prime",
        "secretary",
        "chancellor",
        "senator",
        "sen.",
        "rep.",
        "representative",
        "gov.",
        "governor",
        "general",
        "gen.",
        "mayor",
        "chairman",
        "chairwoman",
        "chair",
        "director",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "ceo",
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "miss",
        "lt.",
        "col.",
        "colonel",
        "judge",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "ambassador",
        "commissioner",
        "leader",
        "officer",
        "chief",
        "speaker",
        "attorney",
        "candidate",
        "nominee",
        "justice",
        "sheriff",
        "commander",
        "admiral",
        "adm.",
        "sgt.",
        "sergeant",
        "captain",
        "capt.",
        "major",
        "maj.",
        "premier",
        "deputy",
        "vice",
        "foreign",
        "defense",
        "defence",
        "home",
        "interior",
        "finance",
        "health",
        "state",
        "treasury",
        "first",
        "lady",
        "former",
        "then-president",
        "executive",
        "press",
        "national",
        "security",
        "adviser",
        "advisor",
        "envoy",
        "founder",
        "head",
        "manager",
        "professor",
        "prof.",
        "rev.",
        "reverend",
        "sir",
        "dame",
        "lord",
        "baroness",
        "baron",
        "del.",
        "delegate",
        "congressman",
        "congresswoman",
        "councillor",
        "councilman",
        "councilwoman",
        # party labels and professions written before a name like titles:
        # "Democrat Hillary Clinton", "MSNBC host Chris Matthews", "economist Maury Obstfeld"
        "democrat",
        "republican",
        "host",
        "anchor",
        "economist",
        "pollster",
        "analyst",
        "strategist",
        "lawyer",
        "activist",
        "columnist",
        "commentator",
        "reporter",
        "correspondent",
    ]
)
HONORIFICS = frozenset(
    {"mr.", "mrs.", "ms.", "mr", "mrs", "ms", "dr.", "miss", "sen.", "rep.", "gov.", "prof.", "rev.",
     "sir", "dame", "lord", "del."}
)  # fmt: skip
# title words that only qualify a head ("Foreign Minister", "National Security Adviser"), so a
# name never follows them directly
TITLE_MODIFIERS = frozenset(
    {"prime", "vice", "deputy", "foreign", "defense", "defence", "home", "interior", "finance",
     "health", "treasury", "first", "national", "security", "executive", "press"}
)  # fmt: skip
ORG_WORDS = frozenset(
    [
        "kremlin",
        "ministry",
        "department",
        "government",
        "agency",
        "party",
        "campaign",
        "committee",
        "office",
        "house",
        "council",
        "court",
        "police",
        "army",
        "navy",
        "parliament",
        "congress",
        "senate",
        "commission",
        "company",
        "inc.",
        "corp.",
        "corporation",
        "bank",
        "union",
        "association",
        "institute",
        "university",
        "foundation",
        "service",
        "bureau",
        "administration",
        "cabinet",
        "embassy",
        "organisation",
        "organization",
        "nato",
        "un",
        "eu",
        "times",
        "post",
        "journal",
        "news",
        "network",
        "group",
        "authority",
        "authorities",
        "board",
        "fund",
        "federation",
        "league",
        "chamber",
        "society",
        "trust",
        "alliance",
        "coalition",
        "center",
        "centre",
        "hospital",
        "college",
        "academy",
        "assembly",
        "legislature",
        "regulator",
        "watchdog",
        # programmes and outlets: "The Laura Ingraham Show", "Salem Radio"
        "show",
        "magazine",
        "newspaper",
        "channel",
        "radio",
        "program",
        "programme",
        "podcast",
    ]
)
GROUP_HEADS = frozenset(
    [
        "officials",
        "sources",
        "officers",
        "experts",
        "analysts",
        "critics",
        "residents",
        "people",
        "supporters",
        "voters",
        "lawmakers",
        "leaders",
        "diplomats",
        "aides",
        "advisers",
        "advisors",
        "officials,",
        "democrats",
        "republicans",
        "activists",
        "investigators",
        "prosecutors",
        "police",
        "authorities",
        "members",
        "analysts",
        "economists",
        "scientists",
        "researchers",
        "doctors",
        "witnesses",
        "protesters",
        "observers",
    ]
)
# documents that speak for who issued them ("the statement added", "the readout said")
SPEAKER_DOCUMENT_NOUNS = DOCUMENT_NOUNS | frozenset(
    {"communiqué", "document", "filing", "announcement", "readout"}
)
INDEFINITE_PEOPLE = frozenset(
    {"someone", "somebody", "anyone", "anybody", "everyone", "everybody", "nobody", "no one"}
)
# "OSLO (Reuters) —", "WASHINGTON --": where the story was filed, never who speaks
DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{2,40}(?:\([^)]{1,30}\))?\s*[—–-]{1,2}\s*")
# the article's own first and second person: the writer, the reader
WRITER_AND_READER = frozenset({"i", "me", "you", "we", "us"})
# words a mention can run over at its start: "what analysts describe", "at 86 she said"
_MENTION_OPENERS = re.compile(
    r"^(?:(?:what|lest|as|if|when|while|because|and|but|so)\s+)+|^(?:at\s+)?\d[\d,.]*\s+(?=(?:he|she|they|we)$)",
    re.I,
)
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "i"})
# campaign material speaks for who made it: "a new ad from Donald Trump's campaign", "the
# Clinton campaign's video", "a video released by police"
CAMPAIGN_MATERIAL = frozenset({"ad", "ads", "advert", "advertisement", "commercial", "video"})
MATERIAL_NOUNS = (
    SPEAKER_DOCUMENT_NOUNS
    | CAMPAIGN_MATERIAL
    | frozenset(
        {"survey", "poll", "study", "analysis", "figures", "data", "estimates", "findings", "review", "audit"}
    )
)
GROUP_PRONOUNS = frozenset({"they", "we", "them", "their"})
THING_PRONOUNS = frozenset({"it", "its"})
_PEOPLE_PRONOUNS = PERSON_PRONOUNS | GROUP_PRONOUNS
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "its", "their", "his", "her"})
DEMONYM = re.compile(
    r"^(?:[A-Z][a-z]+(?:ian|ese|ish|ch|an|i)|U\.S\.|US|UK|U\.K\.|EU|American|British|French|Greek|Thai|Dutch|Swiss)$"
)
_SPACES = re.compile(r"\s+")
# lower-case words that belong inside personal names ("Ludwig van Beethoven", "Osama bin Laden")
NAME_PARTICLES = frozenset(
    {"al", "bin", "da", "de", "del", "della", "der", "di", "dos", "du", "ibn", "la", "le", "van", "von"}
)
# words that open a mention without changing who it names ("Both Mr. King and ..."); "some"
# or "many" stay, as "some Democrats" are not the Democrats
QUANTIFIERS = frozenset({"both", "all"})
QUANTITY_PRONOUNS = frozenset({"some", "many", "others", "most", "few", "several", "both", "all"})
_NAMING_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "PRP", "WP"})
# a relative pronoun the mention ran into: "the Chicago Police Department which"
RELATIVE_WORDS = frozenset({"which", "who", "whom", "whose", "that"})
# words after a name that say when or where they spoke: "Trump this week", "Axelrod on Wednesday"
SETTING_WORDS = frozenset({"on", "in", "at", "during", "this", "last", "earlier", "today", "yesterday"})
_POSSESSIVE = re.compile(r"['’]s?$")
_TRAILING_POSSESSIVE = re.compile(r"\s*['’]s$")
RELATIVE_CLAUSE_LABELS = frozenset({"acl:relcl", "relcl"})  # UD, ClearNLP
SUBJECT_LABELS = frozenset({"nsubj", "nsubj:pass", "nsubjpass"})
# titles followed by a first name alone
_FIRST_NAME_TITLES = r"\b(?:Pope|King|Queen|Prince|Princess|Saint|St\.|Sister|Brother|Father)\s+"
_HONORIFIC_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss)\.?\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
_NAME = r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*"
# "<Name> of/from/at <organisation>": the capitalised words before the first preposition
_PERSON_OF = re.compile(r"^([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){1,4})\s+(?:of|from|at)\s+\S")
# "figures published by the transport authority", "a poll conducted by Gallup", "a statement
# from the White House": the body behind the material speaks. Not "documents obtained by" or
# "seen by" an outlet, which only relays them.
_PUBLISHED_MATERIAL = DATA_NOUNS | CAMPAIGN_MATERIAL | {"stats", "studies", "statement", "statements"}
_PUBLISHED_BY = re.compile(
    r"^(?:(?:the|a|an|new|latest|recent|official|its|their)\s+)*(?:[\w'.-]+\s+){0,2}?"
    r"(?:" + "|".join(sorted(_PUBLISHED_MATERIAL)) + r")\s+"
    r"(?:(?:" + "|".join(sorted(PUBLISH_FORMS)) + r")\s+)?(?:by|from)\s+",
    re.I,
)
# words that make a lower-case start of a mention something other than a description of the
# named organisation after it
DESCRIPTION_STOPPERS = QUANTITY_PRONOUNS | frozenset(
    {"at", "of", "for", "by", "in", "from", "with", "on", "to"}
)
_DASH_APPOSITION = re.compile(r"\s+(?:--|—|–)\s+")
_PARENTHETICAL = re.compile(r"\s*\([^()]{1,40}\)")
_NAME_GROUP = re.compile(_NAME + r"(?:\s*,\s*" + _NAME + r")*(?:\s+(?:and|&)\s+" + _NAME + r")?")


@dataclass(slots=True)
class SpeakerEntity:
    canonical: str
    kind: SpeakerKind
    aliases: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # lower-cased title words ("prime minister")
    members: tuple[SpeakerEntity, ...] = ()

    def add_alias(self, alias: str) -> None:
        alias = _SPACES.sub(" ", alias).strip(" ,")
        if alias and alias != self.canonical and alias not in self.aliases:
            self.aliases.append(alias)

    @property
    def surname(self) -> str:
        return self.canonical.split()[-1].lower() if self.canonical else ""


@dataclass(frozen=True, slots=True)
class ResolvedSpeaker:
    name: str
    kind: SpeakerKind
    aliases: tuple[str, ...]
    entity: SpeakerEntity


def _words(text: str) -> list[str]:
    return [w for w in _SPACES.split(text.strip(" ,;:")) if w]


@functools.cache
def country_names() -> frozenset[str]:
    """Lower-case English names of countries and territories (CLDR, through Babel), with the
    short forms news writing uses."""
    from babel import Locale

    names = {
        name.lower()
        for code, name in Locale("en").territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}
    }
    return frozenset(names | {"britain", "great britain", "u.s.", "u.s.a.", "u.k.", "us", "uk", "turkey"})


def _body_of_material(words: list[str]) -> str | None:
    """ "the IMF report" -> "IMF", "Trump's statement" -> "Trump": a document or a poll named
    after the body behind it."""
    while words and words[0].lower() in DETERMINERS:
        words = words[1:]
    if len(words) < 2 or words[-1] not in MATERIAL_NOUNS:
        return None  # a capitalised one is part of a name: "The Washington Post", "One Tweet"
    named = words[:-1]
    while named and named[-1].lower() in {"new", "latest", "joint", "official", "written", "annual"}:
        named = named[:-1]
    if not named:
        return None
    named[-1] = _POSSESSIVE.sub("", named[-1]) or named[-1]
    # "the Clinton campaign's new ad": a named body with its head noun
    body_head = len(named) > 1 and named[-1].lower() in ORG_WORDS and named[0][:1].isupper()
    if not body_head and not all(w[:1].isupper() or w.lower() in NAME_PARTICLES for w in named):
        return None
    return " ".join(named)


def _same_first_name(words: list[str], other: list[str]) -> bool:
    """Whether two names sharing a surname can be one person: "Clinton" and "Hillary Clinton"
    can, "Bill Clinton" and "Hillary Clinton" (or "North Korea" and "South Korea") cannot."""
    words = [w for w in words if w.lower() not in HONORIFICS]
    if len(words) < 2 or len(other) < 2 or words[0].lower() in NAME_PARTICLES:
        return True  # a surname alone ("Clinton", "Mr. King", "De Blasio") may be either
    first, other_first = words[0].lower().rstrip("."), other[0].lower().rstrip(".")
    return first.startswith(other_first) or other_first.startswith(first)


def _without_trailing_time(text: str) -> str:
    """ "the Department of Veterans Affairs last month" -> "the Department of Veterans Affairs".
    Only a run that says when ("last month", "on Tuesday"): "by Theresa May" keeps its May."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    cut = len(words)
    setting = False
    while cut > 1 and text[slice(*words[cut - 1])].lower().strip(",.") in TIME_NOUNS | SETTING_WORDS:
        setting = setting or text[slice(*words[cut - 1])].lower() in SETTING_WORDS
        cut -= 1
    return text[: words[cut - 1][1]] if setting and cut < len(words) else text


def split_title(words: list[str]) -> tuple[list[str], list[str]]:
    """ "Russian Defense Minister Ben Wallace" -> (["Russian", "Defense", "Minister"], ["Ben", "Wallace"])."""
    last_title = -1
    for i, word in enumerate(words):
        # a title word only counts while a name can still follow it; demonyms ("Ukrainian")
        # ride along before a title
        if word.lower() in TITLE_WORDS and i + 1 < len(words):
            last_title = i
    if last_title >= 0 and words[last_title].lower() in TITLE_MODIFIERS:
        return [], words  # "Office for National Statistics": a title ends in its head word
    rest = words[last_title + 1 :]
    # a name follows its title directly: "reporter for USA Today" is a role, not a title
    named = bool(rest) and rest[0][:1].isupper()
    # an honorific is always followed by a name, even one that is a title word ("Mr. King")
    honorific = last_title >= 0 and words[last_title].lower() in HONORIFICS
    named = named and (honorific or any(w[:1].isupper() and w.lower() not in TITLE_WORDS for w in rest))
    if last_title >= 0 and named and any(w.lower() in TITLE_WORDS for w in words[: last_title + 1]):
        return words[: last_title + 1], rest
    return [], words


def organisation_head(name: str) -> str:
    """The noun an organisation is named by: "Portmere City Council" -> "council",
    "Ministry of Defence" -> "ministry"."""
    words = name.lower().split()
    for i, word in enumerate(words):
        if word in {"of", "for"} and i > 0:
            return words[i - 1]
    return words[-1] if words else ""


def _opens_sentence(token: Token) -> bool:
    """By the text, not the parser's sentences (which may split before "Husted said")."""
    if token.i == 0:
        return True
    before = token.doc[token.i - 1]
    return "\n" in before.text or before.text in {".", "!", "?", ":", '"', "“", "”", "''", "``"}


class SpeakerResolver:
    """Resolves speaker mentions of one article, in text order."""

    def __init__(
        self,
        doc: Doc,
        *,
        person_labels: frozenset[str] = frozenset({"PER", "PERSON"}),
        org_labels: frozenset[str] = frozenset({"ORG", "NORP", "GPE"}),
    ) -> None:
        self.doc = doc
        self.person_labels = person_labels
        self.org_labels = org_labels
        self.ents = list(doc.ents)  # Doc.ents rebuilds its tuple on every access
        self.text = doc.text  # and so does Doc.text
        self.entities: list[SpeakerEntity] = []
        self.history: list[SpeakerEntity] = []  # resolved speakers, most recent last
        self._last_seen: dict[int, int] = {}  # id(entity) -> where it was last a speaker
        self._surname_genders: dict[str, PronounGender | None] = {}
        self._people: list[Span] | None = None

    # ---------------------------------------------------------------- helpers

    def _entity_label(self, start: int, end: int) -> str | None:
        for ent in self.ents:
            if ent.start_char < end and start < ent.end_char:
                return str(ent.label_)
        return None

    def _find_by_surname(self, name_words: list[str]) -> SpeakerEntity | None:
        if not name_words:
            return None
        wanted = name_words[-1].lower()
        full = " ".join(name_words).lower()
        candidates = []
        for entity in reversed(self.entities):
            if entity.members:
                continue
            if entity.canonical.lower() == full:
                return entity
            if (
                entity.kind in {SpeakerKind.PERSON, SpeakerKind.UNKNOWN}
                and entity.surname == wanted
                and _same_first_name(name_words, entity.canonical.split())
            ):
                candidates.append(entity)
        # a bare "Clinton" after both Hillary and Bill Clinton: the one quoted most so far
        return max(candidates, key=lambda e: self.history.count(e), default=None)

    def _find_by_role(self, role_words: list[str]) -> SpeakerEntity | None:
        role = " ".join(w.lower() for w in role_words if w.lower() not in DETERMINERS)
        if not role:
            return None
        for entity in reversed(self.entities):
            if any(role == t or t.endswith(" " + role) or role in t.split() for t in entity.titles):
                return entity
        return None

    def _title_of_person_in_text(self, role: str, before: int) -> str | None:
        """Looks for "<Role> <Name>" in the article before ``before`` ("Prime Minister Boris Johnson")."""
        role_pattern = r"\s+".join(re.escape(w) for w in role.split())
        pattern = re.compile(r"\b(?i:" + role_pattern + r")\s+((?:[A-Z][\w'.-]*[\w.](?:\s|$)){1,3})")
        best: str | None = None
        for match in pattern.finditer(self.text, 0, before):
            name = match.group(1).strip()
            if name and name[0].isupper():
                best = name
        if best is None:
            # a description used before the article names the person in that role ("the
            # Republican presidential nominee said …", later "Republican presidential nominee
            # Donald Trump"): the first such naming after it
            for match in pattern.finditer(self.text, before):
                name = match.group(1).strip()
                if name and name[0].isupper():
                    return name
        return best

    def _last(self, kinds: set[SpeakerKind]) -> SpeakerEntity | None:
        for entity in reversed(self.history):
            if entity.kind in kinds:
                return entity
        return None

    def _remember(self, entity: SpeakerEntity) -> ResolvedSpeaker:
        if entity not in self.entities:
            self.entities.append(entity)
        self.history.append(entity)
        return ResolvedSpeaker(entity.canonical, entity.kind, tuple(entity.aliases), entity)

    def _issuer_of_document(self, noun: str, before: int) -> SpeakerEntity | None:
        """ "the statement added" -> who "issued a (joint) statement" earlier in the article:
        the names that open the sentence mentioning it ("Lopez and Berg issued a statement")."""
        text = self.text
        for match in reversed(list(re.finditer(r"\b" + re.escape(noun) + r"\b", text[:before], re.I))):
            period = text.rfind(". ", 0, match.start())
            line = text.rfind("\n", 0, match.start())
            sentence_start = max(period + 2 if period >= 0 else 0, line + 1)
            prefix = text[sentence_start : match.start()]
            names = _NAME_GROUP.search(prefix)
            if names is None:
                continue
            chosen = names.group(0).strip()
            start = sentence_start + names.start()
            if self._names_nobody(start, start + len(chosen)):
                continue  # "In a statement ..." opens with a capital, not a name
            return self._resolve_name_mention(chosen, start, start + len(chosen))
        return None

    # ---------------------------------------------------------------- resolution

    def _resolve_name_mention(self, text: str, start: int, end: int) -> SpeakerEntity:
        # "Rep. Jason Chaffetz (R-Utah)", "Alliance to Reclaim Our Schools (AROS)": a party,
        # state or acronym in brackets is not part of the name
        text = _PARENTHETICAL.sub("", text).strip(" ,") or text.strip(" ,")  # "(R-Utah)" alone stays
        text = _DASH_APPOSITION.sub(", ", text)  # "Kall -- co-editor of Debating The Donald"
        publisher = _PUBLISHED_BY.match(text)
        if publisher is not None and publisher.end() < len(text):
            body = _without_trailing_time(text[publisher.end() :])  # "... Affairs last month"
            at = self.text.find(body, start, end + 1)
            at = at if at >= 0 else start
            entity = self._resolve_name_mention(body, at, at + len(body))
            entity.add_alias(text)
            return entity
        text = re.sub(r"\s+(?:all|both)$", "", text)  # "Merkley, Brown and Menendez all"
        if re.search(r"\s(?:and|&)\s", text):
            parts = [p.strip(" ,") for p in re.split(r"\s*,\s*|\s+(?:and|&)\s+", text) if p.strip(" ,")]
            capitalised = [p for p in parts if p[:1].isupper()]
            if len(parts) >= 2 and len(capitalised) == len(parts):
                members = []
                offset = start
                for part in parts:
                    at = self.text.find(part, offset, end + 1)
                    at = at if at >= 0 else start
                    members.append(self._resolve_name_mention(part, at, at + len(part)))
                    offset = at + len(part)
                canonical = " and ".join(m.canonical for m in members)
                for entity in self.entities:
                    if entity.canonical == canonical:
                        return entity
                joint = SpeakerEntity(canonical, SpeakerKind.GROUP, members=tuple(members))
                joint.add_alias(text)
                self.entities.append(joint)
                return joint
        words = _words(text)
        # cut appositions / relative clauses: "Flynn, a top Trump surrogate"
        if "," in text:
            head, tail = text.split(",")[:2]
            tail_words = _words(tail)
            head_words = _words(head)
            # a description ("Apple's chief executive, Tim Cook"), or a clause the reader ran
            # over ("he welcomed several hundred guests, Scott"), before a name
            described = any(w.islower() and w not in NAME_PARTICLES for w in head_words)
            clause = bool(head_words) and head_words[0].lower() in _PEOPLE_PRONOUNS
            proper_tail = bool(tail_words) and all(w[:1].isupper() for w in tail_words)
            if (
                described
                and proper_tail
                and (len(tail_words) >= 2 or clause or self._find_by_surname(tail_words))
            ):
                # "An attorney for Pagliano, Mark MacDougall": the apposed name is the speaker
                apposed = self._resolve_name_mention(tail, start + text.find(tail), end)
                apposed.add_alias(text)
                return apposed
            if head.strip():
                words = head_words
        while words and (
            words[0].lower() in DETERMINERS
            or (words[0].lower() in QUANTIFIERS and len(words) > 1 and words[1].lower() != "of")
        ):
            words = words[1:]
        while len(words) > 1 and words[-1].lower() in RELATIVE_WORDS:
            words = words[:-1]
        person = self._person_of_organisation(text, start)
        if person is not None:
            return person
        titles, name = split_title(words)
        name = self._naming_words(name, start, end)
        # the label of the name itself, not of a title before it ("Prime Minister" as ORG)
        raw = self.text[start:end]
        name_end = start + len(raw.split(",")[0].rstrip())
        label = self._entity_label(max(start, name_end - 1), name_end)
        lower_words = [w.lower() for w in words]
        proper = [w for w in name if w[:1].isupper()]
        # "the Kremlin", "The Pentagon": people are not named with an article; roles with one
        # ("the prime minister") are lower-case and handled below
        definite_proper = (
            text.lower().startswith("the ")
            and bool(words)
            and all(w[:1].isupper() for w in words)
            and not titles
        )
        # a country speaks through its government ("South Korea accused ..."): the recognizer
        # tags countries as places, and a place is no person for "he" to find later (unless
        # the article named a person so: "Jim Jordan" ... "Jordan")
        country = " ".join(lower_words) in country_names() and self._find_by_surname(name) is None
        # an acronym alone ("IMF", "CNS") names a body, whatever the recognizer says; a
        # transcript's speaker label ("PENCE:") is a person
        transcript_label = self.text[end : end + 1] == ":"
        acronym = (
            len(words) == 1
            and words[0].isupper()
            and 2 <= len(words[0].replace(".", "")) <= 6
            and not transcript_label
        )
        org_word = country or acronym or any(w in ORG_WORDS for w in lower_words)
        is_org = (
            org_word
            or definite_proper
            or bool(label and label in self.org_labels and label not in self.person_labels)
        )
        is_group = bool(lower_words) and (
            lower_words[-1] in GROUP_HEADS or self._plural_common_noun_ends(start, end, words[-1])
        )
        # "Prime Minister Erik Dahl": a personal title before a name outweighs an ORG label
        titled_person = bool(titles) and bool(proper) and not any(w.lower() in ORG_WORDS for w in name)
        if is_group:
            kind = SpeakerKind.GROUP
        elif titled_person:
            kind = SpeakerKind.PERSON
        elif is_org and (org_word or definite_proper or label not in self.person_labels):
            kind = SpeakerKind.ORGANISATION
        elif label in self.person_labels or (proper and len(proper) == len(name) and titles != words):
            kind = SpeakerKind.PERSON if proper else SpeakerKind.UNKNOWN
        else:
            kind = SpeakerKind.UNKNOWN
        if kind in {SpeakerKind.GROUP, SpeakerKind.ORGANISATION}:
            named_from = next((k for k, w in enumerate(words) if w[:1].isupper()), 0)
            if (
                kind is SpeakerKind.ORGANISATION
                and named_from
                and all(w.isalpha() and w.lower() not in DESCRIPTION_STOPPERS for w in words[:named_from])
                and all(w[:1].isupper() or w in NAME_PARTICLES | {"to", "for"} for w in words[named_from:])
            ):
                # "the event organizer Alliance to Reclaim Our Schools", "the nonpartisan
                # Congressional Budget Office" (not "a tech staffer at the State Department")
                words = words[named_from:]
            canonical = " ".join(words)
            existing = next((e for e in self.entities if e.canonical.lower() == canonical.lower()), None)
            if existing is None and kind is SpeakerKind.ORGANISATION:
                existing = self._same_organisation(canonical)
            if existing is not None:
                existing.add_alias(text)
                return existing
            entity = SpeakerEntity(canonical, kind)
            entity.add_alias(text)
            self.entities.append(entity)
            return entity
        if not name or not proper:
            # a role with no name: "the prime minister", "the minister"
            role_words = words
            entity_or_none = self._find_by_role(role_words)
            if entity_or_none is None and role_words:
                named = self._title_of_person_in_text(" ".join(role_words), start)
                if named:
                    entity_or_none = self._resolve_name_mention(
                        " ".join(role_words) + " " + named, start, end
                    )
                    if entity_or_none.canonical[:1].islower():
                        # a role that is no title ("billionaire Tom Steyer"): the name alone
                        entity_or_none = self._resolve_name_mention(named, start, end)
            if entity_or_none is not None:
                entity_or_none.add_alias(text)
                return entity_or_none
            canonical = " ".join(words) or text
            entity = SpeakerEntity(canonical, SpeakerKind.UNKNOWN)
            self.entities.append(entity)
            return entity
        if (
            kind is SpeakerKind.PERSON
            and (transcript_label or len(name) > 1)
            and all(w.isupper() and len(w) > 1 for w in name)
        ):
            # a transcript's speaker label ("PENCE:", "JOHN KERRY:") names the person as "Pence";
            # a lone acronym ("VA", "CNS") keeps its capitals
            name = [w.title() for w in name]
        existing = self._find_by_surname(name)
        if existing is not None:
            if len(" ".join(name)) > len(existing.canonical) and name[-1].lower() == existing.surname:
                existing.add_alias(existing.canonical)
                existing.canonical = " ".join(name)
            existing.add_alias(text)
            if titles:
                existing.titles.append(" ".join(t.lower() for t in titles))
            return existing
        entity = SpeakerEntity(" ".join(name), SpeakerKind.PERSON if kind != SpeakerKind.UNKNOWN else kind)
        entity.add_alias(text)
        if titles:
            entity.titles.append(" ".join(t.lower() for t in titles))
        self.entities.append(entity)
        return entity

    def _naming_words(self, name: list[str], start: int, end: int) -> list[str]:
        """The words that name a person in a mention the parser ran too wide.

        A personal name has no lower-case words but particles. A mention with some is cut to
        a person's capitalised run in two shapes only:

        * the run ends the mention and is a person (tagged so, or met before in the article),
          or the mention ends in ", who": "risky for Cruz, who", "The ad uses footage of
          Hillary Clinton", "MSNBC host Chris Matthews";
        * a person's run is followed by when or where they spoke: "Trump this week", "David
          Axelrod on Wednesday".

        Without this, one such mention renames everybody's "Cruz" to "risky for Cruz" through
        the surname match. Other shapes name something else after all ("New York judge",
        "Trump's running mate", "Citizens for Tax Justice") and are left as they are.
        """
        lower = [w.lower() for w in name]
        proper = all(w[:1].isupper() or w.lower() in NAME_PARTICLES for w in name)
        if proper or "and" in lower or "&" in lower:
            return name  # a proper name, or several people ("Barack Obama and his wife Michelle")
        runs: list[tuple[int, int]] = []  # [first, last] word indices of capitalised runs
        i = 0
        while i < len(name):
            if not name[i][:1].isupper():
                i += 1
                continue
            j = i
            while j + 1 < len(name) and (name[j + 1][:1].isupper() or name[j + 1].lower() in NAME_PARTICLES):
                j += 1
            while j > i and name[j].lower() in NAME_PARTICLES:
                j -= 1
            if name[j].lower() not in NAME_PARTICLES:  # a capitalised particle alone ("La") is no run
                runs.append((i, j))
            i = j + 1
        raw = self.text[start:end]
        relative = re.search(r",\s*(?:who|which)\s*$", raw) is not None
        for first, last in reversed(runs):
            run = name[first : last + 1]
            if all(w.lower() in TIME_WORDS for w in run) or any(_POSSESSIVE.search(w) for w in run):
                continue
            at = raw.rfind(run[-1])
            label = self._entity_label(start + at, start + at + len(run[-1])) if at >= 0 else None
            known = self._find_by_surname(run)
            # the recognizer misses people ("Hillary Clinton" as LOC); one met before counts
            person = label in self.person_labels or (known is not None and known.kind is SpeakerKind.PERSON)
            ends_mention = last == len(name) - 1
            if (ends_mention and (person or relative)) or (
                person and not ends_mention and name[last + 1].lower() in SETTING_WORDS
            ):
                return run
        return name

    def _plural_common_noun_ends(self, start: int, end: int, last: str) -> bool:
        """Whether the mention ends in a plural common noun ("Demonstrators", "Several cast
        members"): a group, even capitalised at the start of a sentence, and never "he".
        The tagger reads such a word as a name ("Demonstrators/NNPS") and the recognizer as a
        person; a plural lemma ("Demonstrator") tells it from a name ending in s ("Sanders")."""
        at = self.text.rfind(last, start, end)
        span = self.doc.char_span(at, at + len(last), alignment_mode="expand") if at >= 0 else None
        if span is None or len(span) != 1:
            return False
        token = span[0]
        if token.text[:1].isupper() and (not _opens_sentence(token) or self._find_by_surname([token.text])):
            return False  # part of a name ("Reclaim Our Schools"), or one met before ("Stumpf")
        return token.tag_ in {"NNS", "NNPS"} and token.lemma_.lower() != token.lower_

    def _same_organisation(self, canonical: str) -> SpeakerEntity | None:
        """ "the council" after "Portmere City Council" -> that organisation; and a full name
        after a bare "council" (a headline) names the organisation seen before."""
        head = organisation_head(canonical)
        described = not any(w[:1].isupper() for w in canonical.split())
        for entity in reversed([*self.history, *self.entities]):
            if entity.kind is not SpeakerKind.ORGANISATION or organisation_head(entity.canonical) != head:
                continue
            other_described = not any(w[:1].isupper() for w in entity.canonical.split())
            if described and not other_described:
                return entity
            if other_described and not described:
                previous, entity.canonical = entity.canonical, canonical
                entity.add_alias(previous)
                return entity
        return None

    def _person_of_organisation(self, text: str, start: int) -> SpeakerEntity | None:
        """ "Priya Natarajan of the Chamber of Commerce" -> the person, the long form an alias.

        Only when the part before "of"/"from"/"at" is a personal name: two or more
        capitalised words, no organisation word, not only titles, and tagged as a person by
        the pipeline ("Bank of England", "Secretary of State", "Chamber of Commerce" stay).
        """
        match = _PERSON_OF.match(text)
        if match is None:
            return None
        left = match.group(1)
        words = _words(left)
        lower = [w.lower() for w in words]
        if (
            len(words) < 2
            or not all(w[:1].isupper() for w in words)
            or any(w in ORG_WORDS for w in lower)
            or all(w in TITLE_WORDS for w in lower)
        ):
            return None
        # the tagger must see a person there: "Royal College of Nursing" has no organisation
        # word this module knows, but it is not "Royal College" of something
        label = self._entity_label(start, start + len(left))
        if label is None or label not in self.person_labels:
            return None
        entity = self._resolve_name_mention(left, start, start + len(left))
        if entity.kind is not SpeakerKind.PERSON:
            return None
        entity.add_alias(text)
        return entity

    def observe(self, start: int, end: int) -> None:
        """Registers a name the article uses outside any statement (so roles can find it)."""
        self._resolve_name_mention(self.text[start:end], start, end)

    def resolve(
        self,
        start: int,
        end: int,
        head: tuple[int, int] | None = None,
        *,
        statement: Sequence[tuple[int, int]] = (),
    ) -> ResolvedSpeaker | None:
        """Resolves the speaker mention ``doc.text[start:end]``; None for a pronoun with no
        compatible speaker before it (we do not name a speaker we cannot tell).
        ``statement`` is what the mention said (character fragments): a pronoun never finds a
        person named inside it ("“I love Larry,” he said" is not Larry)."""
        resolved = self._resolve_mention(start, end, tuple(statement))
        if resolved is not None:
            self._last_seen[id(resolved.entity)] = start
        return resolved

    def _resolve_mention(
        self, start: int, end: int, statement: tuple[tuple[int, int], ...] = ()
    ) -> ResolvedSpeaker | None:
        text = self.text[start:end]
        opener = _MENTION_OPENERS.match(text)
        if opener is not None and opener.end() < len(text):
            # the reader ran the mention over a clause's first words: "what analysts", "at 86 she"
            start += opener.end()
            text = self.text[start:end]
        dateline = DATELINE.match(text)
        if dateline is not None and dateline.end() < len(text):
            start += dateline.end()  # "BRUSSELS - European leaders"
            text = self.text[start:end]
        possessor = _TRAILING_POSSESSIVE.sub("", text)
        if possessor and possessor != text:
            # "Stumpf's repeated emphasis", "Mr. Obama's bet": the possessor; "He's claiming": he
            if possessor.strip().lower() in {"let", "here", "there", "that", "what"}:
                return None  # "Let's", "Here's": no possessor, a contraction
            end = start + len(possessor)
            text = possessor
        lower = text.strip().lower()
        if lower in {"who", "whom"}:
            # "Donald Trump, who had talked about ...": the noun the clause is about
            antecedent = self._antecedent_of_relative(start, end)
            return self._resolve_mention(*antecedent, statement) if antecedent is not None else None
        if self._names_nobody(start, end):
            return None
        if re.sub(r"\s+(?:who|whom|that)$", "", lower) in INDEFINITE_PEOPLE:
            return None  # "Everyone said", "Someone who said": nobody we could name
        if lower in WRITER_AND_READER:
            return None  # the article's own "I" (an op-ed's author) or "you": nobody to name
        if lower in PERSON_PRONOUNS:
            entity = self._antecedent(PRONOUN_GENDERS.get(lower), start, statement)
            return self._remember(entity) if entity is not None else None
        if lower in THING_PRONOUNS:
            entity = self._last({SpeakerKind.ORGANISATION})  # "it" is never a plural group
            return self._remember(entity) if entity is not None else None
        if lower in GROUP_PRONOUNS:
            entity = self._last({SpeakerKind.GROUP, SpeakerKind.ORGANISATION})
            return self._remember(entity) if entity is not None else None
        words = [w.lower() for w in _words(text)]
        nouns = [
            w for w in words if w not in DETERMINERS and w not in {"joint", "new", "official", "written"}
        ]
        body = _body_of_material(_words(text))
        if body is not None:
            # "the IMF report", "a Pew Research Center survey", "Trump's statement": the body
            at = text.find(body)
            entity = self._resolve_name_mention(body, start + at, start + at + len(body))
            entity.add_alias(text)
            return self._remember(entity)
        names_no_one = not any(w[:1].isupper() for w in _words(text)[1:])
        if nouns and nouns[-1] in SPEAKER_DOCUMENT_NOUNS and names_no_one:
            issuer = self._issuer_of_document(nouns[-1], start)
            if issuer is None:
                issuer = self.history[-1] if self.history else None
            if issuer is not None:
                issuer.add_alias(text)
                return self._remember(issuer)
        entity = self._resolve_name_mention(text, start, end)
        return self._remember(entity)

    def _antecedent_of_relative(self, start: int, end: int) -> tuple[int, int] | None:
        """The characters of the noun phrase a relative pronoun's clause modifies, up to its
        head ("Mr. Obama, who understood ..." -> "Mr. Obama"); None if the parse has none."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return None
        clause = span[0].head
        if clause.dep_ not in RELATIVE_CLAUSE_LABELS or clause.head.i == clause.i:
            return None
        noun = clause.head
        if noun.idx >= start or not (noun.pos_ == "PROPN" or noun.tag_ in {"NNS", "NNPS"}):
            return None  # "support, who ...", "someone who ...": nobody to name
        # "Donald Trump" keeps its "Trump" whichever of the two the parser made the head
        last = noun.i
        while last + 1 < clause.left_edge.i and self.doc[last + 1].head.i == noun.i:
            if self.doc[last + 1].dep_.split(":")[0] not in {"flat", "compound"}:
                break
            last += 1
        words = [t for t in self.doc[noun.left_edge.i : last + 1] if not t.is_space]
        while words and (words[0].pos_ in {"CCONJ", "ADP", "ADV", "SCONJ"} or words[0].is_punct):
            words.pop(0)  # "as well as many centrist Democrats"
        if not words or any(t.is_quote for t in words):
            return None
        return words[0].idx, words[-1].idx + len(words[-1].text)

    def _names_nobody(self, start: int, end: int) -> bool:
        """A mention with no noun or pronoun but dates and numbers ("June", "Monday night",
        "2001", "Following", "Let's"): the reader misread a clause, and no speaker is shown
        rather than a date."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return False
        for token in span:
            if token.lower_ in {"'s", "’s", "us"} and token.i > span.start:
                continue  # "Let's", "Here's"
            if token.tag_ in _NAMING_TAGS and token.lower_ not in TIME_NOUNS:
                return False
            if token.lower_ in QUANTITY_PRONOUNS or token.lower_ in _PEOPLE_PRONOUNS:
                return False  # "some say", "His promises"
            if token.text[:1].isupper() and not _opens_sentence(token) and token.lower_ not in TIME_NOUNS:
                return False  # a name the tagger misread ("Husted/VBN said")
        return True

    def _antecedent(
        self, gender: PronounGender | None, before: int, statement: tuple[tuple[int, int], ...] = ()
    ) -> SpeakerEntity | None:
        """Who "he" or "she" at ``before`` is: the last person quoted, unless what we know of
        their name says the article would not call them so ("she said" after Donald Trump
        was quoted); then whichever comes later of the last compatible person quoted and
        the nearest compatible person named. Nobody compatible: nobody. When we know nothing
        of the last person quoted, a person the article has since made the subject of a
        clause, and whom we know it calls so, is nearer."""
        last = self._last({SpeakerKind.PERSON})
        if last is None:
            return self._nearest_named_person(before, gender, outside=statement)
        known = self._gender(last)
        if gender is None or known is gender:
            return last
        if known is None:
            # "Stevie Wonder, who joked ... Ms. LaBelle got a roar when she added": the subject
            # of a clause since, whom we know the article calls so, is nearer than one we know
            # nothing of (a name in passing, "campaigned for Donald Trump", is not)
            named = self._nearest_named_person(
                before,
                gender,
                after=self._last_seen.get(id(last), -1),
                salient=True,
                outside=statement,
            )
            if named is not None:
                return named
            if self._first_name_hint(last, leaning_of_first_name) not in {None, gender}:
                # "Bernie" is mostly a man's name: a "her" after Sanders is the woman quoted
                # before him, when we know one
                sure = self._last_quoted_person({gender})
                if sure is not None:
                    return sure
            return last
        quoted = self._last_quoted_person({None, gender})
        after = self._last_seen.get(id(quoted), -1) if quoted is not None else -1
        named = self._nearest_named_person(before, gender, after=after, outside=statement)
        return named if named is not None else quoted

    def _gender(self, entity: SpeakerEntity) -> PronounGender | None:
        """The pronoun gender an entity's honorifics, titles or first name point to, if any."""
        if entity.kind is not SpeakerKind.PERSON or entity.members:
            return None
        names = [entity.canonical, *entity.aliases]
        evidence = [word for title in entity.titles for word in title.split()]
        for name in names:
            words = words_of(name)
            if not words:
                continue
            if any(w[:1].isupper() for w in words[1:]):
                evidence.append(words[0])  # "Mrs. Clinton": the honorific before a name
            else:
                evidence.extend(words)  # "the spokeswoman": a role alone
        gender = gender_of_words(evidence) or self._first_name_hint(entity, gender_of_first_name)
        if gender is not None:
            return gender
        if " " not in entity.canonical:
            # quoted only as "Trump": the article may name him in full outside any statement
            gender = self._first_name_gender_in_text(entity.canonical)
            if gender is not None:
                return gender
        return None

    def _last_quoted_person(self, genders: set[PronounGender | None]) -> SpeakerEntity | None:
        """The person quoted most recently whose gender, as far as we know it, is one of ``genders``."""
        for entity in reversed(self.history):
            if entity.kind is SpeakerKind.PERSON and self._gender(entity) in genders:
                return entity
        return None

    @staticmethod
    def _first_name_hint(
        entity: SpeakerEntity, lookup: Callable[[list[str]], PronounGender | None]
    ) -> PronounGender | None:
        """What ``lookup`` (sure or leaning) says of the first name in any of a person's names."""
        if entity.kind is not SpeakerKind.PERSON or entity.members:
            return None
        for name in (entity.canonical, *entity.aliases):
            gender = lookup(split_title(_words(name))[1])
            if gender is not None:
                return gender
        return None

    def _named_gender(self, name: str, start: int) -> PronounGender | None:
        """What a name in the text, with any honorific before it, says of its gender, or the
        person it would resolve to."""
        honorific = words_of(self.text[max(0, start - 6) : start])[-1:]
        words = split_title(_words(_POSSESSIVE.sub("", name)))[1]  # "Stumpf's"
        said = gender_of_words(honorific) or gender_of_first_name(words)
        if said is None and words:
            known = self._find_by_surname(words)
            if known is not None:
                said = self._gender(known)
            elif len(words) == 1:
                said = self._first_name_gender_in_text(words[0])
        return said

    def _first_name_gender_in_text(self, surname: str) -> PronounGender | None:
        """The gender of the first names the article puts before a bare surname ("Hillary
        Clinton" ... "Clinton"), by the text: the recognizer may not have tagged the name."""
        if surname not in self._surname_genders:
            before = re.finditer(r"\b([A-Z][a-z]+)\s+" + re.escape(surname) + r"\b", self.text)
            # "Governor Clinton" is a title: split_title leaves the surname alone
            found = Counter(gender_of_first_name(split_title([m.group(1), surname])[1]) for m in before)
            del found[None]
            ranked = found.most_common()
            if not ranked:
                # never given a first name: under a title that goes with first names ("Pope
                # Francis", "Queen Rania") it is one; otherwise it may be a surname that is also
                # a first name ("Clinton", "Warren") and tells nothing
                regnal = re.search(_FIRST_NAME_TITLES + re.escape(surname) + r"\b", self.text)
                gender = gender_of_first_name([surname, surname]) if regnal else None
            elif len(ranked) == 1 or ranked[0][1] >= 3 * ranked[1][1]:
                # two people share it ("Donald", "Ivanka"): the one the article names far more
                # often ("Trump" in a piece on the campaign)
                gender = ranked[0][0]
            else:
                gender = None  # the surname alone tells nothing
            self._surname_genders[surname] = gender
        return self._surname_genders[surname]

    def _named_people(self) -> list[Span]:
        """The people the article names, in text order: those the recognizer tagged, and an
        honorific's name it missed ("Mrs. Clinton has held rallies ...")."""
        if self._people is None:
            people: list[Span] = []
            for ent in self.ents:
                if ent.label_ not in self.person_labels:
                    continue
                if people and people[-1].end == ent.start:
                    # the recognizer split one name ("Tom | Reyes"): one person
                    people[-1] = self.doc[people[-1].start : ent.end]
                else:
                    people.append(ent)
            # an honorific says person whatever label the recognizer gave ("Mrs. Clinton/LOC")
            taken = [(ent.start_char, ent.end_char) for ent in people]
            for match in _HONORIFIC_NAME.finditer(self.text):
                start, end = match.span(1)
                if any(s < end and start < e for s, e in taken):
                    continue
                span = self.doc.char_span(start, end, alignment_mode="contract")
                if span is not None and len(span):
                    people.append(span)
            self._people = sorted(people, key=lambda span: span.start_char)
        return self._people

    def _nearest_named_person(
        self,
        before: int,
        gender: PronounGender | None = None,
        *,
        after: int = -1,
        salient: bool = False,
        outside: Sequence[tuple[int, int]] = (),
    ) -> SpeakerEntity | None:
        """The nearest person named between ``after`` and ``before``, and not inside one of the
        ``outside`` fragments, whose honorific or first name does not rule out ``gender``; with
        ``salient``, only the subject of a clause (not a relative one) whose honorific or
        first name says ``gender``."""
        wanted = {gender} if salient else {None, gender}
        for ent in reversed(self._named_people()):
            if ent.start_char <= after:
                break
            if ent.end_char > before:
                continue
            if any(s < ent.end_char and ent.start_char < e for s, e in outside):
                continue  # named in what the speaker said: the one spoken of, not the speaker
            if salient and (
                ent.root.dep_ not in SUBJECT_LABELS or ent.root.head.dep_ in RELATIVE_CLAUSE_LABELS
            ):
                continue
            if gender is not None and self._named_gender(ent.text, ent.start_char) not in wanted:
                continue
            entity = self._resolve_name_mention(ent.text, ent.start_char, ent.end_char)
            if entity.kind is SpeakerKind.PERSON:
                return entity  # not "Ivy League", however the recognizer labelled it
        return None
