"""Pure helpers on the words of a name: titles, first names, countries, the body behind a document."""

from __future__ import annotations

import functools
import logging
import re

from spacy.tokens import Token

from bot.nlp.speakers.vocabulary import (
    DASH_APPOSITION,
    DETERMINERS,
    HONORIFICS,
    MATERIAL_NOUNS,
    NAME_PARTICLES,
    ORG_WORDS,
    PARENTHETICAL,
    POSSESSIVE,
    QUANTIFIERS,
    RELATIVE_WORDS,
    SETTING_WORDS,
    SPACES,
    TITLE_MODIFIERS,
    TITLE_WORDS,
)
from bot.words import TIME_NOUNS

logger = logging.getLogger(__name__)


def mention_words(text: str) -> list[str]:
    return [w for w in SPACES.split(text.strip(" ,;:")) if w]


def tidy_name_mention(text: str) -> str:
    """A mention without what is not part of the name: a party, state or acronym in brackets
    ("Rep. Jason Chaffetz (R-Utah)", "Alliance to Reclaim Our Schools (AROS)"), and with a
    dashed apposition as a comma ("Kall -- co-editor of Debating The Donald")."""
    text = PARENTHETICAL.sub("", text).strip(" ,") or text.strip(" ,")  # "(R-Utah)" alone stays
    return DASH_APPOSITION.sub(", ", text)


# a vote's tally ("80-19"), which a parse can run into the mention of who voted
_TALLY = re.compile(r"\d+[-–]\d+")


def _opens_with_a_quantifier(words: list[str]) -> bool:
    """ "Both Mr. King (and …)", "all Democrats"; not "all of them", whose head is "them"."""
    return len(words) > 1 and words[0].lower() in QUANTIFIERS and words[1].lower() != "of"


def core_mention_words(words: list[str]) -> list[str]:
    """The words of a mention without leading determiners and quantifiers ("the", "Both Mr.
    King and ...") or a relative pronoun it ran into ("the Chicago Police Department which")."""
    while words and (words[0].lower() in DETERMINERS or _opens_with_a_quantifier(words)):
        words = words[1:]
    while len(words) > 1 and words[-1].lower() in RELATIVE_WORDS:
        words = words[:-1]
    if len(words) > 1 and _TALLY.fullmatch(words[-1]):
        # "the Senate's 80-19 (vote for ...)": the tally of a vote, then who voted
        words = [*words[:-2], POSSESSIVE.sub("", words[-2])]
    return words


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


def body_of_material(words: list[str]) -> str | None:
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
    named[-1] = POSSESSIVE.sub("", named[-1]) or named[-1]
    # "the Clinton campaign's new ad": a named body with its head noun
    body_head = len(named) > 1 and named[-1].lower() in ORG_WORDS and named[0][:1].isupper()
    if not body_head and not all(w[:1].isupper() or w.lower() in NAME_PARTICLES for w in named):
        return None
    return " ".join(named)


def same_first_name(words: list[str], other: list[str]) -> bool:
    """Whether two names sharing a surname can be one person: "Clinton" and "Hillary Clinton"
    can, "Bill Clinton" and "Hillary Clinton" (or "North Korea" and "South Korea") cannot."""
    words = [w for w in words if w.lower() not in HONORIFICS]
    if len(words) < 2 or len(other) < 2 or words[0].lower() in NAME_PARTICLES:
        return True  # a surname alone ("Clinton", "Mr. King", "De Blasio") may be either
    first, other_first = words[0].lower().rstrip("."), other[0].lower().rstrip(".")
    return first.startswith(other_first) or other_first.startswith(first)


def without_trailing_time(text: str) -> str:
    """ "the Department of Veterans Affairs last month" -> "the Department of Veterans Affairs".
    Only a run that says when ("last month", "on Tuesday"): "by Theresa May" keeps its May."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    cut = len(words)
    setting = False
    while cut > 1 and text[slice(*words[cut - 1])].lower().strip(",.") in TIME_NOUNS | SETTING_WORDS:
        setting = setting or text[slice(*words[cut - 1])].lower() in SETTING_WORDS
        cut -= 1
    return text[: words[cut - 1][1]] if setting and cut < len(words) else text


# what ends a name only because the parse ran on: a preposition left dangling ("the Security
# Council on") or the subject of the next clause ("Russia's network RT he")
_DANGLING_ENDS = frozenset({"he", "she", "they", "it", "we", "on", "in", "at", "of", "for", "by", "with"})


_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def tidy_speaker_name(name: str) -> str:
    """The name a reader should see: without a trailing time ("the Supreme Court this month",
    "the Security Council on Friday", "the Human Rights Council in 2015") or a dangling word
    ("network RT he"). Only lower-case words and years are cut: "reporter for USA Today" and
    "Gap Goes On" are names."""
    # quote marks inside a name are the article's, around one of its words ("''activist''
    # investors"): the name is the words
    name = " ".join(re.sub(r"''|[\"“”]", "", name).split()) or name
    words = name.split()
    cut = len(words)
    setting = False
    while cut > 1 and (
        words[cut - 1].strip(",.").lower() in TIME_NOUNS | SETTING_WORDS
        or _YEAR.fullmatch(words[cut - 1].strip(",."))
    ):
        word = words[cut - 1].strip(",.")
        if word.lower() in SETTING_WORDS:
            if not word.islower():
                break
            setting = True
        cut -= 1
    if not setting:
        cut = len(words)
    while cut > 1 and words[cut - 1] in _DANGLING_ENDS:
        cut -= 1
    start = _after_leading_time(words[:cut])
    return " ".join(words[start:cut]) if cut < len(words) or start else name


# the comma that opens an appositive or a relative clause after a name: ", a Clinton surrogate",
# ", 56, who has served …", ", speaking to a veterans group"; not ", R-Ky." or ", Jr."
_APPOSITIVE = re.compile(r",\s*(?=[a-z0-9])")
_RELATIVE_END = re.compile(r",?\s+(?:who|whom|whose|which|that)$")
# a mention longer than this is a phrase around a name, not another name for the speaker
MAX_ALIAS_WORDS = 7


def readable_alias(alias: str, name: str | None = None) -> str | None:
    """Another name for a speaker as a reader should see it in "also called": the mention
    without the appositive or relative clause after the name ("Rendell, a Clinton surrogate"
    → "Rendell", "Christie, who" → "Christie") and without a trailing time ("Trump this week");
    given the speaker's ``name``, without the words before it that make it the object of a
    phrase ("the rise of Donald Trump", "someone like Mr. Clarke") or a clause the reader ran
    over ("he welcomed several hundred guests, Scott"). None when what is left is a phrase
    around a name rather than a name (more than seven words: "John Stumpf on Tuesday for his
    role in a widespread scheme in which")."""
    match = _APPOSITIVE.search(alias)
    head = _RELATIVE_END.sub("", alias[: match.start()] if match else alias).strip(" ,")
    head = tidy_speaker_name(head) if head else head
    if head and _opens_with_a_quantifier(head.split()):
        head = head.split(maxsplit=1)[1]  # "Both Mr. King (and Mr. Schultz)": no part of the name
    if head and name:
        head = _from_the_name(head, name)
    if not head or len(head.split()) > MAX_ALIAS_WORDS:
        return None
    return head


# words that make the name after them their object: "the rise of", "someone like", "risky for"
_BEFORE_AN_OBJECT = frozenset({"of", "like", "for", "by", "with", "about", "against", "than", "to", "from"})


def _from_the_name(alias: str, name: str) -> str:
    """``alias`` from where it names the speaker: after a preposition that takes the name as its
    object, when only an honorific stands between them ("someone like Mr. Clarke" → "Mr.
    Clarke", but "Secretary of State John F. Kerry" stays), or after a comma, when only
    capitalised words (titles) stand between ("guests, Scott" → "Scott", "Trump's running
    mate, Indiana Gov. Mike Pence" → "Indiana Gov. Mike Pence"), or after a dash ("public ―
    Trump")."""
    name_words = name.split()
    surname = re.search(r"(?<![\w-])" + re.escape(name_words[-1]) + r"(?![\w-])", alias)
    if surname is None:
        return alias
    before = alias[: surname.start()].split()
    # where the name starts: its first word, when the alias has it just before the surname
    starts = len(before)
    for k in range(len(before) - 1, -1, -1):
        if before[k] in name_words[:-1] or (before[k][:1].isupper() and len(before[k]) <= 2):
            starts = k  # a first name or an initial ("F.")
        else:
            break
    for k in range(starts - 1, -1, -1):
        word = before[k]
        between = before[k + 1 : starts]
        if word.lower() in _BEFORE_AN_OBJECT and all(w.lower() in HONORIFICS for w in between):
            return alias[len(" ".join(before[: k + 1])) :].strip(" ,")
        if (word.endswith(",") or word in {"--", "—", "–", "―"}) and all(w[:1].isupper() for w in between):
            return alias[len(" ".join(before[: k + 1])) :].strip(" ,")
    if starts > 0:
        word = before[starts - 1]
        if word.isalpha() and word.islower() and word not in TITLE_WORDS:
            # a noun the reader ran into the name: "a Bloomberg interview Trump", "Last week Stumpf"
            alias = alias[len(" ".join(before[:starts])) :].strip(" ,")
    # an occasion after the name: "Stumpf in a televised interview"
    return re.sub(r"\s+(?:in|on|at|during|after|before|when|while)\s.*$", "", alias)


def _after_leading_time(words: list[str]) -> int:
    """Where a name starts after a time the parse ran into: "next eight weeks the Clinton
    campaign" -> "Clinton campaign". Only a lower-case run with a time word, up to "the"/"a"."""
    for i, word in enumerate(words[1:-1], start=1):
        if word in {"the", "a", "an"}:
            before = words[:i]
            if all(w.islower() or w[:1].isdigit() for w in before) and any(
                w.strip(",.") in TIME_NOUNS for w in before
            ):
                return i + 1
            return 0
    return 0


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


def opens_sentence(token: Token) -> bool:
    """By the text, not the parser's sentences (which may split before "Husted said")."""
    if token.i == 0:
        return True
    before = token.doc[token.i - 1]
    return "\n" in before.text or before.text in {".", "!", "?", ":", '"', "“", "”", "''", "``"}


# "Moon Jae-in", "Kim Jong-un": a family name, then a given name of two syllables joined by a
# hyphen, the second in lowercase (as ``bot.words.family_name_index`` reads it). The tokenizer
# splits the given name at the hyphen, so a reader may take "Jae", "Moon Jae" or "Jae-in" for
# the mention.
_GIVEN_NAME_TAIL = re.compile(r"-([a-z]{1,5})\b")
_MENTION_ENDS_IN_NAME = re.compile(r"(?:^|\s)[A-Z][a-z]+$")
_OPENS_WITH_GIVEN_NAME = re.compile(r"[A-Z][a-z]+-([a-z]{1,5})\b")
_FAMILY_NAME_BEFORE = re.compile(r"(?:^|\s)([A-Z][a-z]+) $")
# lowercase words an English compound adds to a name ("Obama-era", "Saudi-led"): no given name
_COMPOUND_TAILS = frozenset(
    {"era", "led", "run", "style", "like", "born", "based", "made", "type", "elect", "chair", "law"}
)


def with_whole_hyphenated_name(text: str, start: int, end: int) -> tuple[int, int]:
    """The mention ``text[start:end]`` run over the whole of a hyphenated given name and the
    family name written before it ("Jae", "Moon Jae" or "Jae-in" in "Moon Jae-in said" is
    "Moon Jae-in"): shown as it was cut, the speaker would be "Jae", a name nobody goes by."""
    tail = _GIVEN_NAME_TAIL.match(text, end)
    if (
        tail is not None
        and tail.group(1) not in _COMPOUND_TAILS
        and _MENTION_ENDS_IN_NAME.search(text[start:end])
    ):
        end = tail.end()
    given = _OPENS_WITH_GIVEN_NAME.match(text, start, end)
    if given is None or given.group(1) in _COMPOUND_TAILS:
        return start, end
    before = text[max(0, start - 40) : start]
    family = _FAMILY_NAME_BEFORE.search(before)
    if family is None or _not_a_family_name(family.group(1).lower()):
        return start, end  # "Ki-moon" alone, or a title before it
    return start - len(before) + family.start(1), end


def _not_a_family_name(word: str) -> bool:
    """A capitalised word before a given name that is a title, time or determiner."""
    return word in TIME_NOUNS or word in TITLE_WORDS or word in HONORIFICS or word in DETERMINERS


def title_case_line(line: str) -> bool:
    """Whether a line reads as a title-case heading: at least three words of four letters or
    more, four in five of them capitalised ("New Poll Shows Minor Post-Debate Bump For
    Clinton."; a sentence has far fewer capitals, and a line of two names is too short to tell)."""
    long_words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", line) if len(w) >= 4]
    return len(long_words) >= 3 and sum(w[0].isupper() for w in long_words) >= 0.8 * len(long_words)
