"""Names settled once the whole article is read: a surname the article gives a first name
elsewhere, a body's name that turns out to be a person's, a person's name that turns out to be a
company's."""

from __future__ import annotations

import logging
import re

from bot.models import SpeakerKind
from bot.nlp.name_genders import (
    PronounGender,
    first_name_genders,
    first_name_leanings,
    gender_of_words,
    is_first_name,
)
from bot.nlp.speakers.entities import SpeakerEntity
from bot.nlp.speakers.state import ResolverState
from bot.nlp.speakers.vocabulary import (
    DEMONYM,
    GROUP_HEADS,
    MATERIAL_NOUNS,
    NEWS_OUTLETS,
    ORG_WORDS,
    QUANTITY_PRONOUNS,
    TITLE_WORDS,
)

logger = logging.getLogger(__name__)

# the honorifics that tell a gender (``gender_of_words`` tells which)
_GENDERED_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss"})
# "Wells Fargo CEO John Stumpf", "Sony Pictures Television chairman Steve Mosko": the capitalised
# words before a company's officer and the officer's name are the company
_EMPLOYER = re.compile(
    r"((?:[A-Z][\w&'’.-]*\s+){0,3}[A-Z][\w&'’.-]*)(?:['’]s)?\s+"
    r"(?:CEO|chief executive|[Cc]hief [Ee]xecutive [Oo]fficer|chairman|chairwoman|co-founder|founder)"
    r"\s+[A-Z][a-z]+\s+[A-Z]"
)


# a capitalised word, not the tail of a hyphenated one ("Jean-Marc"), then another ("O'Neill", not
# "Clarke's"): a first name and a surname, maybe
_GIVEN_AND_SURNAME = re.compile(r"(?<![\w'’-])([A-Z][a-z]+)\s+(?=([A-Z][\w-]*(?:['’][A-Z][\w-]*)?))")


# what speaks in a heading's capitals with no kind of its own ("One Tweet Sums Up …"), and polls,
# which speak for their pollster as the named ones do ("Quinnipiac University poll")
_MATERIAL_HEADS = MATERIAL_NOUNS | {"tweet", "tweets", "post", "posts", "video", "videos"}
_POLL_HEADS = frozenset({"poll", "polls", "survey", "surveys"})


class FinalNames(ResolverState):
    """What only the whole article tells about its speakers' names and kinds."""

    def settle_names(self) -> None:
        """Full names for surnames, and kinds the article's other sentences correct."""
        self._give_full_names()
        self._people_named_first_as_bodies()
        self._companies_named_first_as_people()
        self._no_person_by_what_it_names()

    def _give_full_names(self) -> None:
        """A person quoted only by surname ("Clarke said …") is named by the full name the
        article gives elsewhere ("Tom Clarke, a nursing home owner, concocted …"), when it
        gives exactly one: a known first name right before the surname, of no other gender
        than a "Mr." or "Mrs." the article used for them ("Mrs. Clinton" is no "Bill Clinton")."""
        genders = first_name_genders()
        leanings = first_name_leanings()
        given_before: dict[str, set[str]] = {}  # surname -> the known first names written before it
        for match in _GIVEN_AND_SURNAME.finditer(self.text):
            given, surname = match.group(1), match.group(2)
            if given.lower() in TITLE_WORDS:
                continue  # "President Obama", "Judge Berman": a title, though the tables hold it
            if given.lower() in genders or given.lower() in leanings:
                given_before.setdefault(surname, set()).add(given)
        for entity in self.entities:
            words = entity.canonical.split()
            if entity.kind is not SpeakerKind.PERSON or entity.members or len(words) != 1:
                continue
            first = set(given_before.get(words[0], ()))
            if len(first) != 1:
                continue
            given = first.pop()
            full = f"{given} {words[0]}"
            gender = genders.get(given.lower(), leanings.get(given.lower()))
            if any(e.canonical == full for e in self.entities) or _other_gender(entity, gender):
                continue
            entity.canonical = full
            entity.add_alias(words[0])

    def _people_named_first_as_bodies(self) -> None:
        """ "De Blasio says …" in a heading, read as a body before the article named "Mayor Bill
        de Blasio": a body named by a person's surname alone, with no word of a body's name, is
        that person."""
        moves: list[tuple[SpeakerEntity, SpeakerEntity]] = []  # decided on the people as read
        for entity in self.entities:
            words = entity.canonical.lower().split()
            if (
                entity.kind is not SpeakerKind.ORGANISATION
                or not 0 < len(words) <= 2
                or any(w in ORG_WORDS for w in words)
                or " ".join(words) in NEWS_OUTLETS
                or entity.canonical.isupper()
            ):
                continue
            named = [p for p in self._people_whose_name_ends(words) if len(p.canonical.split()) > len(words)]
            if len(named) == 1:
                moves.append((entity, named[0]))
        for entity, person in moves:
            for alias in (entity.canonical, *entity.aliases):
                person.add_alias(alias)
            # its statements find the person by the old name, now one of the person's aliases
            entity.canonical, entity.kind, entity.aliases = person.canonical, SpeakerKind.PERSON, []

    def _no_person_by_what_it_names(self) -> None:
        """A "person" the capitals of a heading or a sentence's start made of a thing that
        speaks ("One Tweet Sums Up …": material, of no kind; "New Poll Shows …": a poll, which
        speaks as a body) or of several people ("Scholars debated …", "Many Mexicans felt …": a
        group)."""
        for entity in self.entities:
            words = entity.canonical.split()
            if entity.kind is not SpeakerKind.PERSON or entity.members or not words:
                continue
            if is_first_name(words[0]):
                continue  # "Emily Post" is a name
            head = words[-1].lower()
            if head in _POLL_HEADS:
                entity.kind = SpeakerKind.ORGANISATION
            elif head in _MATERIAL_HEADS:
                entity.kind = SpeakerKind.UNKNOWN
            elif head in GROUP_HEADS or (
                len(words) > 1
                and words[0].lower() in QUANTITY_PRONOUNS
                and head.endswith("s")
                and DEMONYM.match(words[-1][:-1]) is not None
            ):
                entity.kind = SpeakerKind.GROUP

    def _companies_named_first_as_people(self) -> None:
        """ "Wells Fargo announced …" after "Wells Fargo CEO John Stumpf": the recognizer may
        read the company's name as a person's; the article says whose officer is whom."""
        employers = {m.group(1) for m in _EMPLOYER.finditer(self.text)}
        for entity in self.entities:
            if entity.kind is SpeakerKind.PERSON and not entity.members and entity.canonical in employers:
                entity.kind = SpeakerKind.ORGANISATION


def _other_gender(entity: SpeakerEntity, gender: PronounGender | None) -> bool:
    """Whether the article called ``entity`` "Mr." or "Mrs." against the first name's ``gender``."""
    if gender is None:
        return False
    for form in (*entity.aliases, *entity.titles):
        for word in form.split():
            if word.lower().rstrip(".") in _GENDERED_HONORIFICS and gender_of_words([word]) is not gender:
                return True
    return False
