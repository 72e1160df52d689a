"""English words and word forms that more than one part of claimbot reads or writes.

One home for them, so a word added for one reader is not silently missing for another.
A reader that needs a wider set builds it from these (``... | frozenset({...})``) under a
name that says what it is for.
"""

from __future__ import annotations

import re

# Typographic quote marks and apostrophes, each with the straight mark it stands for.
TYPOGRAPHIC_QUOTES: dict[str, str] = {
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "«": '"',
    "»": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
}

# capitalised words that name a time, not a speaker ("Trump on Monday", "Last week Stumpf")
TIME_WORDS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "last",
        "next",
        "this",
        "today",
        "yesterday",
        "tonight",
        "earlier",
        "later",
    ]
)
# nouns that say when, not who: with TIME_WORDS, a mention of only these names nobody
TIME_NOUNS = TIME_WORDS | frozenset(
    {"day", "days", "week", "weeks", "month", "months", "year", "years", "night", "morning"}
    | {"afternoon", "evening", "weekend", "time", "moment"}
)

# documents someone issues and that then speak for them ("the statement added")
DOCUMENT_NOUNS = frozenset(
    {
        "statement",
        "letter",
        "report",
        "communique",
        "declaration",
        "release",
        "memo",
        "note",
        "post",
        "tweet",
    }
)
# material whose publisher is its source ("figures published by the transport authority")
DATA_NOUNS = frozenset(
    {"figures", "data", "statistics", "numbers", "estimates", "estimate", "report", "reports",
     "study", "survey", "surveys", "poll", "polls", "polling", "analysis", "research", "census",
     "findings", "records"}
)  # fmt: skip
PUBLISH_FORMS = frozenset(
    {"published", "released", "issued", "compiled", "provided", "produced", "conducted", "gathered"}
)


def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """ "1 statement", "3 statements" (``plural_form`` when the plural is not word + "s")."""
    return f"{count} {word if count == 1 else (plural_form or word + 's')}"


# "Ban Ki-moon", "Moon Jae-in": a given name of two syllables joined by a hyphen, the second in
# lowercase, follows the family name; an English double-barrelled surname is capitalised after
# the hyphen ("Holtz-Eakin", "Ocasio-Cortez").
_GIVEN_NAME_AFTER_FAMILY_NAME = re.compile(r"^[A-Z][a-z]+-[a-z]+$")


def family_name_index(words: list[str]) -> int:
    """Where the word a person is called by alone stands in a name: the last word, or the one
    before it in a name written family name first ("Ban Ki-moon" is "Mr. Ban")."""
    if len(words) >= 2 and _GIVEN_NAME_AFTER_FAMILY_NAME.match(words[-1]):
        return len(words) - 2
    return len(words) - 1


# "Ron Paul of Texas, who", "Democrats on Capitol Hill, who": the prepositions that put the
# people before them in a place, and the recogniser's labels of a place
PLACE_PREPOSITIONS = frozenset({"of", "in", "on", "from"})
PLACE_LABELS = frozenset({"LOC", "GPE"})

# the states of the United States: like a country, a state speaks through its government
# ("Florida sued the agency"); never a person
US_STATES = frozenset(
    {
        "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
        "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
        "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
        "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey",
        "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
        "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas",
        "utah", "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming",
    }
)  # fmt: skip

# capitals that news writing lets speak for their governments ("Pyongyang denied ...",
# "Moscow said ..."); like a country, never a person
GOVERNMENT_SEATS = frozenset(
    {
        "moscow", "beijing", "pyongyang", "tehran", "kyiv", "kiev", "damascus", "ankara", "tokyo",
        "seoul", "brussels", "jerusalem", "riyadh", "havana", "caracas", "baghdad", "kabul",
        "islamabad", "new delhi", "ottawa", "canberra", "berlin", "westminster", "whitehall",
    }
)  # fmt: skip
