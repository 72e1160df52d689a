"""How a resolved speaker's name is tidied before a reader sees it (bot.nlp.speakers.names)."""

import pytest

from bot.nlp.speakers.names import (
    core_mention_words,
    readable_alias,
    tidy_speaker_name,
    with_whole_hyphenated_name,
)
from bot.nlp.speakers.vocabulary import MENTION_OPENERS


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Supreme Court this month", "Supreme Court"),
        ("United Nations Security Council on Friday", "United Nations Security Council"),
        ("United Nations Security Council on", "United Nations Security Council"),
        ("Times on Saturday", "Times"),
        ("Russia's propagandistic network RT he", "Russia's propagandistic network RT"),
        # names that end in a time word or a short word keep it
        ("Theresa May", "Theresa May"),
        ("Hans Joachim Schellnhuber", "Hans Joachim Schellnhuber"),
        ("Department of Veterans Affairs", "Department of Veterans Affairs"),
        ("He", "He"),
        ("reporter for USA Today", "reporter for USA Today"),
        ("Gap Goes On", "Gap Goes On"),
        ("Department of Veterans Affairs last month", "Department of Veterans Affairs"),
        ("Human Rights Council in 2015", "Human Rights Council"),
        ("Class of 2015", "Class of 2015"),
        ("2016 Olympics", "2016 Olympics"),
        # a time the parse ran into before the name
        ("next eight weeks the Clinton campaign", "Clinton campaign"),
        ("last week a spokesman", "spokesman"),
        ("the last word", "the last word"),
        ("activist'' investors and others", "activist investors and others"),
        ("“activist” investors", "activist investors"),
        ("O'Neill", "O'Neill"),
    ],
)
def test_tidy_speaker_name(name: str, shown: str) -> None:
    assert tidy_speaker_name(name) == shown


@pytest.mark.parametrize(
    ("text", "mention", "widened"),
    [
        # the tokenizer splits a hyphenated given name: the mention runs over all of it
        ("South Korea's Moon Jae-in said on Monday", "Jae", "Moon Jae-in"),
        ("South Korea's Moon Jae-in said on Monday", "Moon Jae", "Moon Jae-in"),
        (
            "Moon Jae-in, the South Korean president, said",
            "Jae-in, the South Korean president",
            "Moon Jae-in, the South Korean president",
        ),
        ("Secretary-General Ban Ki-moon said", "Ban Ki", "Ban Ki-moon"),
        ("leader Kim Jong-un warned", "Jong", "Kim Jong-un"),
        ("Kim Jong-un warned", "Kim Jong-un", "Kim Jong-un"),
        # English compounds and titles are no given names
        ("the Obama-era rules, Obama said", "Obama", "Obama"),
        ("a Saudi-led coalition", "Saudi", "Saudi"),
        ("Republican President-elect Trump said", "President-elect Trump", "President-elect Trump"),
        ("Mr. Ki-moon said", "Ki-moon", "Ki-moon"),
        ("Smith said", "Smith", "Smith"),
    ],
)
def test_with_whole_hyphenated_name(text: str, mention: str, widened: str) -> None:
    start = text.index(mention)
    new_start, new_end = with_whole_hyphenated_name(text, start, start + len(mention))
    assert text[new_start:new_end] == widened


@pytest.mark.parametrize(
    ("mention", "alias"),
    [
        ("Rendell, a Clinton surrogate", "Rendell"),
        ("Schiff, 56, who has served on the Intelligence Committee for a decade", "Schiff"),
        ("Chris Christie, who", "Chris Christie"),
        ("Trump, speaking to a veterans group in Virginia", "Trump"),
        ("Donald Trump, her Republican opponent", "Donald Trump"),
        ("Trump this week", "Trump"),
        # a comma inside a name or before a capitalised abbreviation stays
        ("Mitch McConnell, R-Ky.", "Mitch McConnell, R-Ky."),
        ("The Republican nominee", "The Republican nominee"),
        ("the former president", "the former president"),
        # a phrase around a name is no other name for the speaker
        ("John Stumpf on Tuesday for his role in a widespread scheme in which", None),
    ],
)
def test_an_alias_is_shown_as_a_name(mention: str, alias: str | None) -> None:
    assert readable_alias(mention) == alias


@pytest.mark.parametrize(
    ("mention", "name", "alias"),
    [
        # the name as the object of a phrase: the phrase goes
        ("the rise of Donald Trump", "Donald Trump", "Donald Trump"),
        ("someone like Mr. Clarke", "Clarke", "Mr. Clarke"),
        ("risky for Cruz", "Veronica Cruz", "Cruz"),
        ("an analysis by Lily Batchelder", "Lily Batchelder", "Lily Batchelder"),
        ("The ad uses footage of Hillary Clinton", "Hillary Clinton", "Hillary Clinton"),
        # a clause the reader ran over before a comma goes; titles after it stay
        ("he welcomed several hundred guests, Scott", "Bobby Scott", "Scott"),
        ("public ― Trump", "Donald Trump", "Trump"),
        ("Trump's running mate, Indiana Gov. Mike Pence", "Mike Pence", "Indiana Gov. Mike Pence"),
        # a noun the reader ran into the name goes, a title stays; an occasion after it goes
        ("a Bloomberg interview Trump", "Donald Trump", "Trump"),
        ("Last week Stumpf in a televised interview", "John Stumpf", "Stumpf"),
        (
            "conservative talk radio host Rush Limbaugh",
            "Rush Limbaugh",
            "conservative talk radio host Rush Limbaugh",
        ),
        ("nervous Democrats on Capitol Hill", "Democrats", "Democrats"),
        # a preposition inside a title, or after the name, stays
        ("Secretary of State John F. Kerry", "John F. Kerry", "Secretary of State John F. Kerry"),
        ("Mr. Morgan of the Sierra Club", "Peter Morgan", "Mr. Morgan of the Sierra Club"),
        (
            "Clinton campaign spokesman Brian Fallon",
            "Brian Fallon",
            "Clinton campaign spokesman Brian Fallon",
        ),
        ("Mitch McConnell, R-Ky.", "Mitch McConnell", "Mitch McConnell, R-Ky."),
        # the speaker's name is not in the mention: as it is
        ("a Homeland Security memo", "Homeland Security Department", "a Homeland Security memo"),
        # a quantifier over a joint mention is no part of either name
        ("Both Mr. King", "Larry King", "Mr. King"),
        ("all Democrats", "Democrats", "Democrats"),
        ("all of them", "Democrats", "all of them"),  # "of them" would name nobody
    ],
)
def test_an_alias_starts_where_it_names_the_speaker(mention: str, name: str, alias: str) -> None:
    assert readable_alias(mention, name) == alias


@pytest.mark.parametrize(
    ("words", "core"),
    [
        (["the", "Senate’s", "80-19"], ["Senate"]),  # the tally of a vote, then who voted
        (["the", "House's", "220–215"], ["House"]),
        (["the", "Senate"], ["Senate"]),
        (["Both", "Mr.", "King", "and", "Ed", "Schultz"], ["Mr.", "King", "and", "Ed", "Schultz"]),
        (["80-19"], ["80-19"]),
    ],
)
def test_core_mention_words(words: list[str], core: list[str]) -> None:
    assert core_mention_words(words) == core


@pytest.mark.parametrize(
    ("mention", "speaker_words"),
    [
        ("Russia’s propagandistic network RT he", "he"),  # a comma the writer left out
        ("September 27 they", "they"),
        ("at 86 she", "she"),
        ("what analysts", "analysts"),
        ("the very people they", "the very people they"),  # a clause about the people: left whole
        ("the many new social programs she", "the many new social programs she"),
        ("Trump", "Trump"),
    ],
)
def test_words_a_mention_runs_over_at_its_start(mention: str, speaker_words: str) -> None:
    opener = MENTION_OPENERS.match(mention)
    assert (mention[opener.end() :] if opener else mention) == speaker_words
