"""What a name or description tells of the pronoun an article will use for a person.

Only a hint for pronoun resolution ("she said" should not land on Donald Trump because he
was quoted last): the bot never shows or stores anyone's gender. Evidence, strongest first:
an honorific or gendered role in the mention ("Mrs. Clinton", "the spokeswoman"), then the
first name, looked up in a table of names that are nearly always given to one gender
(built by ``scripts/build_name_genders.py`` from nomquamgender). Anything else is unknown,
and an unknown person is compatible with every pronoun.
"""

from __future__ import annotations

import enum
import gzip
import logging
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

logger = logging.getLogger(__name__)

NAME_GENDERS_PATH = Path(__file__).resolve().parents[2] / "models" / "first_name_genders.tsv.gz"


class PronounGender(enum.Enum):
    FEMALE = "F"
    MALE = "M"


PRONOUN_GENDERS = {
    "she": PronounGender.FEMALE,
    "her": PronounGender.FEMALE,
    "hers": PronounGender.FEMALE,
    "he": PronounGender.MALE,
    "him": PronounGender.MALE,
    "his": PronounGender.MALE,
}

_GENDERED_WORDS = {
    PronounGender.FEMALE: frozenset(
        {"mrs", "ms", "miss", "madam", "dame", "lady", "spokeswoman", "congresswoman",
         "chairwoman", "businesswoman", "councilwoman", "assemblywoman", "stateswoman",
         "woman", "mother", "grandmother", "wife", "widow", "daughter", "sister", "actress",
         "queen", "princess", "duchess", "girl", "aunt", "niece", "sportswoman", "policewoman"}
    ),
    PronounGender.MALE: frozenset(
        {"mr", "sir", "lord", "spokesman", "congressman", "businessman", "councilman",
         "assemblyman", "statesman", "man", "father", "grandfather", "husband", "widower",
         "son", "brother", "actor", "king", "prince", "duke", "boy", "uncle", "nephew",
         "sportsman", "policeman"}
    ),
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# words the table holds as names that open sentences far more often ("Will Clinton win?",
# "May", "Said Trump: ...")
_NOT_FIRST_NAMES = STOP_WORDS | {"said", "says"}


@cache
def _read_table(path: Path) -> tuple[dict[str, PronounGender], dict[str, PronounGender]]:
    """(sure, leaning) names of the shipped table; both empty (every name unknown) if it is
    missing or unreadable, which costs pronoun resolution its hint but never a claim."""
    sure: dict[str, PronounGender] = {}
    leaning: dict[str, PronounGender] = {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("#"):
                    continue
                name, _, gender = line.rstrip("\n").partition("\t")
                if gender.isupper():
                    sure[name] = PronounGender(gender)
                else:
                    leaning[name] = PronounGender(gender.upper())
    except (OSError, ValueError, EOFError) as exc:
        logger.warning("first-name table %s unreadable (%s); pronouns resolve without it", path, exc)
        return {}, {}
    return sure, leaning


def first_name_genders(path: Path = NAME_GENDERS_PATH) -> dict[str, PronounGender]:
    """First names nearly always given to one gender ("Hillary", "Donald")."""
    return _read_table(path)[0]


def first_name_leanings(path: Path = NAME_GENDERS_PATH) -> dict[str, PronounGender]:
    """First names mostly, not nearly always, given to one gender ("Bernie": 15 % female)."""
    return _read_table(path)[1]


def gender_of_words(words: Iterable[str]) -> PronounGender | None:
    """The gender an honorific or gendered role among ``words`` gives ("Mrs.", "spokeswoman"),
    or None when they give none or both."""
    found = {
        gender
        for word in words
        for gender, vocabulary in _GENDERED_WORDS.items()
        if word.lower().rstrip(".") in vocabulary
    }
    return found.pop() if len(found) == 1 else None


def _could_be_first_name(word: str) -> bool:
    """Capitalised and not a word that opens sentences far more often ("Will", "May")."""
    return word[:1].isupper() and word.lower() not in _NOT_FIRST_NAMES


def is_first_name(word: str) -> bool:
    """Whether a capitalised word is a first name the table is sure of (not a sentence's
    first word that happens to be one: "Will", "May")."""
    return _could_be_first_name(word) and word.lower() in first_name_genders()


def _first_name_in(name_words: list[str], table: dict[str, PronounGender]) -> PronounGender | None:
    """What ``table`` says of the first word before the surname that it knows. A surname
    alone ("Clinton", also a boy's name) says nothing."""
    for word in name_words[:-1]:
        if _could_be_first_name(word):
            gender = table.get(word.lower())
            if gender is not None:
                return gender
    return None


def gender_of_first_name(name_words: list[str]) -> PronounGender | None:
    """The gender of a personal name's first name when the table is sure of it ("Loretta E.
    Lynch", "Rival Hillary Clinton")."""
    return _first_name_in(name_words, first_name_genders())


def leaning_of_first_name(name_words: list[str]) -> PronounGender | None:
    """The gender a personal name's first name leans to, when it is not sure ("Bernie
    Sanders" -> male, "Chris Christie" -> male, "Kelly Ayotte" -> female)."""
    return _first_name_in(name_words, first_name_leanings())


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)
