"""Person names the shipped recognizer misses or mislabels, found by their first names.

claimbot_en's entity recognizer learned from UNER English-EWT alone and labels many unseen
people as places or organisations ("Hillary Clinton"/LOC) or misses them. A capitalised run of
two or three words that opens with a first name the name table is sure of ("Loretta Lynch",
"Brandon Luna") is a person unless a word in it names a place or a body ("Jackson County",
"Grace Church"), or it opens with a title, a particle or a word that opens place names ("Chief
Justice", "Al Qaeda", "West Virginia"). A person the recognizer cut after the first name
("Senator [Tom] Udall") gets the rest of such a run. Measured on UNER dev
(scripts.eval_pipeline): PER F 57.4 -> 62.1, and 62.75 with the surnames.
"""

from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from bot.nlp.name_genders import first_name_genders, is_first_name
from bot.nlp.speakers.vocabulary import NAME_PARTICLES, ORG_WORDS, TITLE_WORDS
from bot.words import TIME_NOUNS

logger = logging.getLogger(__name__)

COMPONENT_NAME = "claimbot_person_names"
# head words of places and bodies beyond the speakers' ORG_WORDS (which has "center",
# "hospital", "college", "university" already)
PLACE_HEADS = frozenset(
    {"street", "st.", "avenue", "road", "county", "city", "beach", "park", "station", "bridge",
     "river", "lake", "mountain", "island", "islands", "valley", "hall", "square", "airport",
     "school", "church", "hotel", "bay", "heights", "hills", "falls", "springs", "monument",
     "memorial", "club", "institution", "republic", "forum", "justice", "energy", "coal"}
)  # fmt: skip
# first words that name places far more often than people in the news ("West Virginia",
# "Washington Monument", "Great Britain"), though the name table knows them as first names
PLACE_OPENERS = frozenset(
    {"west", "east", "north", "south", "new", "great", "big", "long", "little", "old", "upper",
     "lower", "central", "grand", "washington", "virginia", "georgia", "carolina", "florida",
     "arizona", "indiana", "louisiana", "dakota", "montana", "nevada", "tennessee", "alabama",
     "santa", "san", "saint"}
)  # fmt: skip
_NOT_FIRST_WORDS = PLACE_OPENERS | TITLE_WORDS | NAME_PARTICLES
_NOT_NAME_WORDS = ORG_WORDS | PLACE_HEADS | TIME_NOUNS


def looks_like_person_name(tokens: list[Token]) -> bool:
    """Two or three capitalised words, the first a first name the table is sure of, none a
    place's or body's head word."""
    if not 2 <= len(tokens) <= 3 or not all(t.text[:1].isupper() and t.pos_ == "PROPN" for t in tokens):
        return False  # all proper nouns: not a headline's "Hillary Clinton Speaks"
    if not is_first_name(tokens[0].text) or tokens[0].lower_ in _NOT_FIRST_WORDS:
        return False  # "Chief Justice", "Al Qaeda" are no first names
    return not any(t.lower_ in _NOT_NAME_WORDS for t in tokens)


def _name_end(doc: Doc, start: int, free_from: int, taken: set[int]) -> int | None:
    """The end of the longest person name (three words, else two) opening at ``start`` whose
    tokens from ``free_from`` on belong to no entity yet; None if there is none."""
    for n in (3, 2):
        end = start + n
        if (
            end <= len(doc)
            and not any(i in taken for i in range(free_from, end))
            and looks_like_person_name(list(doc[start:end]))
        ):
            return end
    return None


def person_name_entities(doc: Doc, person_label: str = "PER") -> list[Span]:
    """``doc.ents`` with mislabelled person names relabelled, people cut after their first name
    given their surname, and missed ones (proper nouns only) added; other entities as they
    were."""
    ents = [
        Span(doc, e.start, e.end, label=person_label)
        if e.label_ != person_label and looks_like_person_name(list(e))
        else e
        for e in doc.ents
    ]
    taken = {i for e in ents for i in range(e.start, e.end)}
    for k, ent in enumerate(ents):
        # the recognizer stopped after the first name ("Senator [Tom] Udall"): the surname too
        if ent.label_ != person_label or len(ent) != 1:
            continue
        end = _name_end(doc, ent.start, ent.end, taken)
        if end is not None:
            ents[k] = Span(doc, ent.start, end, label=person_label)
            taken.update(range(ent.end, end))
    i = 0
    while i < len(doc) - 1:
        if i in taken or not is_first_name(doc[i].text):
            i += 1
            continue  # most tokens: no name starts here
        end = _name_end(doc, i, i, taken)
        if end is not None:
            ents.append(Span(doc, i, end, label=person_label))
            taken.update(range(i, end))
            i = end - 1
        i += 1
    return sorted(ents, key=lambda e: e.start)


@Language.factory(COMPONENT_NAME, default_config={"person_label": "PER"})
def make_person_names(nlp: Language, name: str, person_label: str) -> PersonNames:
    return PersonNames(person_label)


class PersonNames:
    """The pipeline component: runs after the entity recognizer."""

    def __init__(self, person_label: str) -> None:
        self.person_label = person_label
        first_name_genders()  # read the table once, at load time

    def __call__(self, doc: Doc) -> Doc:
        doc.ents = person_name_entities(doc, self.person_label)
        return doc
