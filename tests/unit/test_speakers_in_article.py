"""Speaker resolution inside one article: text -> (statement, canonical speaker, kind) tables."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from bot.models import ClaimKind, SpeakerKind
from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.speakers import SpeakerResolver, split_title
from bot.nlp.speakers.entities import SpeakerEntity


@pytest.fixture(scope="session")
def extractor(shipped_nlp: Language) -> SpacyClaimExtractor:
    return SpacyClaimExtractor(shipped_nlp, checkworthiness=False)


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        (
            "An attorney for Pagliano, Mark MacDougall, stressed that his client was ready.",
            "An attorney for Pagliano, Mark MacDougall",
            "Mark MacDougall",
        ),
        (
            "Michael Flynn, a top Trump surrogate, said the deal was bad.",
            "Michael Flynn, a top Trump surrogate",
            "Michael Flynn",
        ),
        (
            "Rep. Jason Chaffetz (R-Utah) said the vote was fair.",
            "Rep. Jason Chaffetz (R-Utah)",
            "Jason Chaffetz",
        ),
        (
            "At a rally, he welcomed several hundred guests, Bobby Scott said.",
            "he welcomed several hundred guests, Bobby Scott",
            "Bobby Scott",
        ),
        (
            "Apple's chief executive, Tim Cook, said the company would appeal.",
            "Apple's chief executive, Tim Cook",
            "Tim Cook",
        ),
        (
            "At the rally, he welcomed several hundred guests, Scott (D-Va.) said.",
            "he welcomed several hundred guests, Scott (D-Va.)",
            "Scott",
        ),
        (
            "BRUSSELS - European leaders said the bloc would hold.",
            "BRUSSELS - European leaders",
            "European leaders",
        ),
        (
            "WASHINGTON (AP) — Senate Democrats said the vote was close.",
            "WASHINGTON (AP) — Senate Democrats",
            "Senate Democrats",
        ),
        (
            "WASHINGTON, June 24 (UPI) — Democratic nominee Hillary Clinton said the ad would run.",
            "WASHINGTON, June 24 (UPI) — Democratic nominee Hillary Clinton",
            "Hillary Clinton",
        ),
        (
            "He worked with former Representative Ron Paul of Texas, who said the bank must be audited.",
            "former Representative Ron Paul of Texas, who",
            "Ron Paul",
        ),
        (
            "The change will placate nervous Democrats on Capitol Hill, who have argued that it helps.",
            "nervous Democrats on Capitol Hill, who",
            "Democrats",
        ),
        (
            "LONDON, Sept. 3 — Senate Democrats said the vote was close.",
            "LONDON, Sept. 3 — Senate Democrats",
            "Senate Democrats",
        ),
        (
            "Jeff Merkley, Sherrod Brown and Robert Menendez all said the claims were grounds for a case.",
            "Jeff Merkley, Sherrod Brown and Robert Menendez all",
            "Jeff Merkley and Sherrod Brown and Robert Menendez",
        ),
    ],
)
def test_mention_as_another_reader_marks_it(
    extractor: SpacyClaimExtractor, text: str, mention: str, name: str
) -> None:
    """Mentions as the span tagger marks them, wider than the rules' ones."""
    resolver = SpeakerResolver(extractor.nlp(text))
    start = text.index(mention)
    resolved = resolver.resolve(start, start + len(mention))
    assert resolved is not None
    assert resolved.name == name


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "mention",
    ["The leader of the march in La", "the head of Al", "a spokesman for De la", "Le"],
)
def test_a_capitalised_name_particle_alone_ends_resolution(
    extractor: SpacyClaimExtractor, mention: str
) -> None:
    """A particle with no name after it once looped forever, eating all memory."""
    text = f"{mention} said that the route was safe."
    resolver = SpeakerResolver(extractor.nlp(text))
    resolver.resolve(0, len(mention))


_MENTION_WORDS = [
    "the", "a", "of", "and", ",", "--", "(R-Utah)", "La", "De", "la", "van", "Al", "Mr.", "Sen.",
    "Prime", "Minister", "National", "figures", "published", "by", "report", "IMF", "Ana", "Lopez",
    "Chamber", "Commerce", "who", "which", "all", "both", "86", "she", "I", "what", "Demonstrators",
    "South", "Korea", "last", "month", "on", "Tuesday", "to", "Reclaim", "Schools", "PENCE", "'s",
]  # fmt: skip


@pytest.mark.timeout(120)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(_MENTION_WORDS), min_size=1, max_size=12))
def test_any_mention_resolves_or_names_nobody(extractor: SpacyClaimExtractor, words: list[str]) -> None:
    """Whatever a reader marks as a speaker, resolution ends, and a name it gives comes from the mention."""
    mention = " ".join(words)
    text = f"Ana Lopez spoke first. {mention} said that the route was safe. She added that it was open."
    resolver = SpeakerResolver(extractor.nlp(text))
    for start, end in ((0, 9), (text.index(mention), text.index(mention) + len(mention))):
        resolved = resolver.resolve(start, end)
        if resolved is not None:
            assert resolved.name.strip()


@pytest.mark.parametrize(
    ("words", "titles", "name"),
    [
        ("Russian Defence Minister Olga Berg", "Russian Defence Minister", "Olga Berg"),
        ("Prime Minister Tom Berg", "Prime Minister", "Tom Berg"),
        ("Mayor Ana Lopez", "Mayor", "Ana Lopez"),
        ("Ana Lopez", "", "Ana Lopez"),
        ("the prime minister", "", "the prime minister"),
    ],
)
def test_split_title(words: str, titles: str, name: str) -> None:
    got_titles, got_name = split_title(words.split())
    assert (" ".join(got_titles), " ".join(got_name)) == (titles, name)


def _speakers(extractor: SpacyClaimExtractor, text: str) -> list[tuple[str, str | None, str]]:
    return [
        (c.cue.text if c.cue else "", c.speaker, c.speaker_kind.value)
        for c in extractor.extract(text)
        if c.kind is not ClaimKind.UNATTRIBUTED
    ]


RESOLUTION = [
    pytest.param(
        "The billionaire said on Monday that the economy was a disaster.\n\n"
        "Billionaire Tom Steyer has made the economy the centre of his campaign.",
        [("said", "Tom Steyer", "person")],
        id="description-named-later-in-that-role",
    ),
    pytest.param(
        "Billionaire Tom Steyer has made the economy the centre of his campaign.\n\n"
        "The billionaire said on Monday that the economy was a disaster.",
        [("said", "Tom Steyer", "person")],
        id="description-of-a-person-named-in-that-role-not-a-title",
    ),
    pytest.param(
        "Transport Minister Ana Lopez said the bridge was safe. Lopez added that tolls would fall.",
        [("said", "Ana Lopez", "person"), ("added", "Ana Lopez", "person")],
        id="surname-to-full-name-title-stripped",
    ),
    pytest.param(
        "Ana Lopez said the bridge was safe. She added that it would open in May.",
        [("said", "Ana Lopez", "person"), ("added", "Ana Lopez", "person")],
        id="pronoun-she",
    ),
    pytest.param(
        "Prime Minister Tom Berg met union leaders on Monday. "
        "The prime minister said that wages would rise next year.",
        [("said", "Tom Berg", "person")],
        id="role-the-prime-minister",
    ),
    pytest.param(
        "Health Minister Olga Berg visited the hospital. The minister said that waiting lists had halved.",
        [("said", "Olga Berg", "person")],
        id="role-the-minister",
    ),
    pytest.param(
        "He said that the plan would fail.",
        [("said", None, "unknown")],
        id="pronoun-with-nobody-before-it-stays-unnamed",
    ),
    pytest.param(
        "The Foreign Office denied the report.",
        [("denied", "Foreign Office", "organisation")],
        id="organisation",
    ),
    pytest.param(
        "European health officials claim that infections have doubled since March.",
        [("claim", "European health officials", "group")],
        id="group-of-officials",
    ),
    pytest.param(
        "Ana Lopez and Tom Berg issued a joint statement on Friday. "
        "Funding is secured for the next five years, the statement said.",
        [("said", "Ana Lopez and Tom Berg", "group")],
        id="joint-statement",
    ),
    pytest.param(
        "Priya Natarajan of the Chamber of Commerce said delivery times would not change much.",
        [("said", "Priya Natarajan", "person")],
        id="person-of-organisation",
    ),
    pytest.param(
        "Tom Berg of the Fishermen's Association warned that quotas would fall. "
        "Berg added that prices would rise.",
        [("warned", "Tom Berg", "person"), ("added", "Tom Berg", "person")],
        id="person-of-organisation-then-surname",
    ),
    pytest.param(
        "Professor Jane Hill of Oxford University said that the vaccine works.",
        [("said", "Jane Hill", "person")],
        id="titled-person-of-organisation",
    ),
    pytest.param(
        "Rents rose by a tenth last year, according to figures published by the housing agency.",
        [("according to", "housing agency", "organisation")],
        id="figures-published-by-the-body-that-published-them",
    ),
    pytest.param(
        "A survey published by the Office for National Statistics found that rents had risen.",
        [("found", "Office for National Statistics", "organisation")],
        id="survey-published-by-organisation",
    ),
    pytest.param(
        "According to data from the Labor Department, unemployment fell to 4 percent in May.",
        [("According to", "Labor Department", "organisation")],
        id="according-to-data-from-organisation",
    ),
    pytest.param(
        "A statement from the Foreign Office said that the embassy would reopen.",
        [("said", "Foreign Office", "organisation")],
        id="statement-from-organisation",
    ),
    pytest.param(
        "According to the Portmere Chamber of Commerce, shops near the bridge lost trade.",
        [("According to", "Portmere Chamber of Commerce", "organisation")],
        id="chamber-of-commerce-is-an-organisation",
    ),
    pytest.param(
        "Scott Trust chairman Ole Jacob Sunde said the paper would survive.",
        [("said", "Ole Jacob Sunde", "person")],
        id="titled-person-of-named-trust",
    ),
    pytest.param(
        'we rate it Mostly True.">Sanders said that the real unemployment rate is 51 percent.',
        [("said", "Sanders", "person")],
        id="markup-left-before-a-name-is-not-part-of-it",
    ),
    pytest.param(
        '"This is a waste of time," said Del. Stacey Plaskett of the Virgin Islands.',
        [("said", "Stacey Plaskett", "person")],
        id="title-abbreviation-does-not-end-the-sentence",
    ),
    pytest.param(
        '"Subpoenas are not optional," said panel chairman Jason Chaffetz. Chaffetz added that it was fair.',
        [("said", "Jason Chaffetz", "person"), ("added", "Jason Chaffetz", "person")],
        id="inverted-said-the-tagger-read-as-participle",
    ),
    pytest.param(
        "At least 40 journalists were jailed, according to the Committee to Protect Journalists.",
        [("according to", "Committee to Protect Journalists", "organisation")],
        id="organisation-name-with-to-and-a-verb",
    ),
    pytest.param(
        "“We will win,” said Ana Lopez to Reuters.",
        [("said", "Ana Lopez", "person")],
        id="said-x-to-an-outlet-is-not-one-name",
    ),
    pytest.param(
        "More than 100,000 people took part, according to the event organizer Alliance to Reclaim "
        "Our Schools (AROS).",
        [("according to", "Alliance to Reclaim Our Schools", "organisation")],
        id="described-organisation-named-without-its-description-and-acronym",
    ),
    pytest.param(
        "Hillary Clinton said the plan would work. Clinton added that taxes would fall. Former President "
        "Bill Clinton said the law was a crazy system. Clinton said that she would win.",
        [
            ("said", "Hillary Clinton", "person"),
            ("added", "Hillary Clinton", "person"),
            ("said", "Bill Clinton", "person"),
            ("said", "Hillary Clinton", "person"),
        ],
        # a bare surname goes to the one of them quoted most so far
        id="two-people-sharing-a-surname-stay-two",
    ),
    pytest.param(
        "South Korea accused the North of recklessness. North Korea said that the test was a success. "
        "He added that more tests would follow.",
        [
            ("accused", "South Korea", "organisation"),
            ("said", "North Korea", "organisation"),
            ("added", None, "unknown"),
        ],
        id="countries-speak-as-governments-and-are-not-he",
    ),
    pytest.param(
        "Rep. Jim Jordan said the deal was bad. Jordan added that the FBI had failed.",
        [("said", "Jim Jordan", "person"), ("added", "Jim Jordan", "person")],
        id="a-surname-that-is-also-a-country",
    ),
    pytest.param(
        "“Turnout makes a difference,” said Charlie King, a New York Democrat. Mr. King said that it "
        "was all about enthusiasm.",
        [("said", "Charlie King", "person"), ("said", "Charlie King", "person")],
        id="honorific-before-a-surname-that-is-a-title-word",
    ),
    pytest.param(
        "Mayor Bill de Blasio said the blast was intentional. De Blasio added that there was no link.",
        [("said", "Bill de Blasio", "person"), ("added", "Bill de Blasio", "person")],
        id="surname-with-a-particle",
    ),
    pytest.param(
        "The IMF report said that the impact of the shock remains uncertain. "
        "The IMF said that growth would slow.",
        [("said", "IMF", "organisation"), ("said", "IMF", "organisation")],
        id="report-named-after-its-body-and-an-acronym-is-a-body",
    ),
    pytest.param(
        "A Pew Research Center survey found that most voters distrust both candidates.",
        [("found", "Pew Research Center", "organisation")],
        id="survey-named-after-its-body",
    ),
    pytest.param(
        "Ana Lopez said the bridge was safe. I believe that the council will choose well.",
        [("said", "Ana Lopez", "person"), ("believe", None, "unknown")],
        id="the-writer's-own-i-is-not-the-last-person-quoted",
    ),
    pytest.param(
        "Aaron Kall said that the format was fair. Kall -- co-editor of a book on debates -- said the "
        "candidate tended to make announcements.",
        [("said", "Aaron Kall", "person"), ("said", "Aaron Kall", "person")],
        id="dash-apposition-after-a-surname",
    ),
    pytest.param(
        "Demonstrators said they want justice. Tom Berg said he was troubled by the situation. "
        "He added that the officer should be punished.",
        [("said", "Demonstrators", "group"), ("said", "Tom Berg", "person"), ("added", "Tom Berg", "person")],
        id="capitalised-plural-opening-a-sentence-is-a-group",
    ),
    pytest.param(
        "The ministry said the plan was sound. Officials said that costs would fall. "
        "It added that the plan would be published.",
        [
            ("said", "ministry", "organisation"),
            ("said", "Officials", "group"),
            ("added", "ministry", "organisation"),
        ],
        id="it-is-an-organisation-not-a-plural-group",
    ),
    pytest.param(
        "The Bank of England said that rates would stay at five percent.",
        [("said", "Bank of England", "organisation")],
        id="organisation-with-of-stays-whole",
    ),
    pytest.param(
        "Secretary of State Mike Pompeo said that talks would resume.",
        [("said", "Mike Pompeo", "person")],
        id="title-with-of-before-name",
    ),
    pytest.param(
        "Portmere City Council said that the bridge would close in May. "
        "Engineers found cracks in the deck, the council said in a statement.",
        [
            ("said", "Portmere City Council", "organisation"),
            ("said", "Portmere City Council", "organisation"),
        ],
        id="the-council-after-its-full-name",
    ),
    pytest.param(
        "The Ministry of Defence said that 300 troops would leave. "
        "The ministry added that the base would close.",
        [("said", "Ministry of Defence", "organisation"), ("added", "Ministry of Defence", "organisation")],
        id="the-ministry-after-ministry-of-x",
    ),
    pytest.param(
        "The council said that rents would rise. Later, Dunmore Town Council said that rents would fall.",
        [("said", "Dunmore Town Council", "organisation"), ("said", "Dunmore Town Council", "organisation")],
        id="bare-body-named-later",
    ),
    pytest.param(
        "Mayor Ana Lopez said the ferry terminal would open in June. "
        "The vote was a setback for Lopez, who said the budget would be cut. "
        "Lopez added that fares would stay the same.",
        [("said", "Ana Lopez", "person"), ("said", "Ana Lopez", "person"), ("added", "Ana Lopez", "person")],
        id="relative-who-after-a-wide-phrase-keeps-the-name",
    ),
    pytest.param(
        "Ana Lopez, the mayor, opened the terminal. "
        'The film shows footage of Ana Lopez saying, "We will finish the bridge by May." '
        "Lopez later said that the bridge would cost more.",
        [("said", "Ana Lopez", "person")],
        id="known-person-at-the-end-of-a-wide-mention",
    ),
    pytest.param(
        "Radio host Tom Berg said that the strike would end soon. Berg added that talks went well.",
        [("said", "Tom Berg", "person"), ("added", "Tom Berg", "person")],
        id="profession-before-a-name-is-a-title",
    ),
    pytest.param(
        "Tom Berg this week said that the strike would end soon.",
        [("said", "Tom Berg", "person")],
        id="person-then-when",
    ),
    pytest.param(
        "Both Ana Lopez and Tom Berg said that the plan would work.",
        [("said", "Ana Lopez and Tom Berg", "group")],
        id="both-is-not-part-of-a-joint-speaker",
    ),
    pytest.param(
        "Some economists said that prices would rise.",
        [("said", "Some economists", "group")],
        id="some-stays-some",
    ),
    pytest.param(
        "The nurses' union met on Monday. In a long statement, the union said the pay offer was "
        "too low. The statement also said that strikes would follow.",
        [("said", "union", "organisation"), ("said", "union", "organisation")],
        id="the-statement-is-not-issued-by-a-sentence-opening-capital",
    ),
    pytest.param(
        "Mayor Karen Holt backed the toll. Spokesman Brian Fallon said the vote was close. "
        "She said that the bridge would reopen in May.",
        [("said", "Brian Fallon", "person"), ("said", "Karen Holt", "person")],
        # the last person quoted has a man's first name: "she" is the woman quoted before him
        # or, as here, named since
        id="she-looks-past-a-man-quoted-last",
    ),
    pytest.param(
        "Tina Houchins said the pension was cut. Barack Obama said that the fund was safe. "
        "She said that her son had served twice.",
        [
            ("said", "Tina Houchins", "person"),
            ("said", "Barack Obama", "person"),
            ("said", "Tina Houchins", "person"),
        ],
        id="she-finds-the-woman-quoted-before",
    ),
    pytest.param(
        "Mrs. Lindqvist said the pension was cut. Mr. Okafor said that the fund was safe. "
        "She added that the board had met twice.",
        [("said", "Lindqvist", "person"), ("said", "Okafor", "person"), ("added", "Lindqvist", "person")],
        # no first name the table knows: the honorifics tell
        id="honorifics-tell-when-first-names-do-not",
    ),
    pytest.param(
        "Hillary Clinton spoke in Ohio. Donald Trump said the debate was rigged. "
        "Clinton said taxes would rise. She added that the plan was fair.",
        [
            ("said", "Donald Trump", "person"),
            ("said", "Hillary Clinton", "person"),
            ("added", "Hillary Clinton", "person"),
        ],
        # quoted only by surname, but the article names her in full elsewhere: she is shown so
        id="a-bare-surname-takes-the-first-name-the-article-gives",
    ),
    pytest.param(
        "Chris Novak said the pension was cut. She added that the fund was empty.",
        [("said", "Chris Novak", "person"), ("added", "Chris Novak", "person")],
        # a first name given to both (Chris, Jordan, Kim) rules nobody out
        id="an-unsure-first-name-rules-nobody-out",
    ),
    pytest.param(
        "Mayor Ana Lopez opened the bridge. Mrs. Berg has held rallies in the town ever since. "
        "Tom Reyes said the toll was fair. She said that the toll would fall.",
        # (the recognizer splits "Tom | Reyes": the two halves are one man)
        [("said", "Tom Reyes", "person"), ("said", "Berg", "person")],
        # an honorific names a person even where the recognizer saw none
        id="she-finds-an-honorific-name-in-the-narrative",
    ),
    pytest.param(
        "The vote went ahead, and Ana Lopez, who had warned that the bridge was unsafe, was vindicated.",
        [("warned", "Ana Lopez", "person")],
        id="relative-who-names-the-person-it-is-about",
    ),
    pytest.param(
        "Tom Reyes said the toll was fair. He's claiming that the toll funds repairs.",
        [("said", "Tom Reyes", "person"), ("claiming", "Tom Reyes", "person")],
        id="a-contracted-pronoun-is-the-pronoun",
    ),
    pytest.param(
        "Donald Trump and Ivanka Trump toured the plant, Donald Trump met the workers and Donald Trump "
        "thanked the mayor. Maria Lopez said wages were low. Trump said the plant would grow. She "
        "added that taxes would fall.",
        [
            ("said", "Maria Lopez", "person"),
            ("said", "Trump", "person"),
            ("added", "Maria Lopez", "person"),
        ],
        # "Trump" alone: the article names Donald three times as often as Ivanka
        id="a-shared-surname-takes-the-first-name-named-most",
    ),
    pytest.param(
        "Maria Lopez said the camp was crowded. Pope Francis said that the camp was a disgrace. "
        "She added that families had waited for weeks.",
        [
            ("said", "Maria Lopez", "person"),
            ("said", "Francis", "person"),
            ("added", "Maria Lopez", "person"),
        ],
        # a pope, a king or a queen is named by a first name alone
        id="a-first-name-under-a-title-tells",
    ),
    pytest.param(
        "A new ad from the mayor's re-election campaign says that the bridge is safe.",
        [("says", "mayor's re-election campaign", "organisation")],
        # an ad speaks for who made it
        id="campaign-ad-from-its-campaign",
    ),
    pytest.param(
        "The Lopez campaign's new ad says that the bridge is safe.",
        [("says", "Lopez campaign", "organisation")],
        id="campaign-ad-named-by-its-campaign",
    ),
    pytest.param(
        "Mary Lopez met the hosts. The Mary Lopez Show reported that the toll was illegal. "
        "She added that the mayor had known.",
        [
            ("reported", "Mary Lopez Show", "organisation"),
            ("added", "Mary Lopez", "person"),
        ],
        # a show is no person, whatever the recognizer says, and "she" is its host
        id="a-show-named-after-its-host-is-an-organisation",
    ),
    pytest.param(
        "Hillary Clinton said taxes would rise. Bernie Sanders said that the banks were too big. "
        "She added that her plan was fair.",
        [
            ("said", "Hillary Clinton", "person"),
            ("said", "Bernie Sanders", "person"),
            ("added", "Hillary Clinton", "person"),
        ],
        # "Bernie" is only mostly a man's name (15 % female in the table's data): enough to look
        # back to the woman quoted before him
        id="a-leaning-first-name-yields-to-a-sure-one",
    ),
    pytest.param(
        "Bernie Sanders said that the banks were too big. She added that the plan was fair.",
        [("said", "Bernie Sanders", "person"), ("added", "Bernie Sanders", "person")],
        # with nobody sure before him, a leaning name rules nobody out
        id="a-leaning-first-name-alone-rules-nobody-out",
    ),
    pytest.param(
        "Senator Tom Reyes spoke in Santa Fe on Monday. “You know, I love Larry Moss,” he said.",
        [("said", "Tom Reyes", "person")],
        # the one spoken of is not the speaker
        id="a-pronoun-never-finds-a-person-named-in-its-own-quote",
    ),
    pytest.param(
        "Governor Mark Jones met donors on Friday. “I respect Hillary Clinton a great deal,” she said.",
        [("said", None, "unknown")],
        id="she-finds-nobody-rather-than-the-woman-she-spoke-of",
    ),
    pytest.param(
        "Donald Trump said the debate was rigged. She said that the plan was fair.",
        [("said", "Donald Trump", "person"), ("said", None, "unknown")],
        # nobody she could be: unnamed rather than a man
        id="she-with-only-a-man-before-it-stays-unnamed",
    ),
    pytest.param(
        "Republican presidential nominee Donald Trump spoke in Ohio on Monday.\n\n"
        "Later, the Republican nominee said that he would cut taxes for everyone.",
        [("said", "Donald Trump", "person")],
        id="a-shortened-title-is-the-person-named-with-it",
    ),
    pytest.param(
        "Republican presidential nominee Donald Trump spoke in Ohio on Monday.\n\n"
        "The GOP nominee told reporters that the polls were rigged against him.",
        [("told", "Donald Trump", "person")],
        id="gop-is-republican-in-a-title",
    ),
    pytest.param(
        "Vermont Sen. Bernie Sanders spoke first.\n\nThe Vermont senator added that wages were too low.",
        [("added", "Bernie Sanders", "person")],
        id="an-abbreviated-title-is-the-same-title",
    ),
    pytest.param(
        "The poll asked 1,000 voters. Another 19 percent said they would not pick either candidate.",
        [("said", "Another 19 percent", "group")],
        id="a-polls-share-of-those-asked-is-a-group",
    ),
    pytest.param(
        "A spokeswoman for Hillary Clinton said the campaign would release more records this week.",
        [("said", "spokeswoman for Hillary Clinton", "person")],
        id="who-speaks-for-a-person-is-not-that-person",
    ),
    # news outlets and fact-checkers speak as bodies, whatever the recognizer says
    pytest.param(
        "PolitiFact said that the claim was false.",
        [("said", "PolitiFact", "organisation")],
        id="a-fact-checker-is-no-person",
    ),
    pytest.param(
        "According to a new report by Politico, party insiders are trying to mobilize voters.",
        [("According to", "Politico", "organisation")],
        id="an-outlet-is-no-person",
    ),
    pytest.param(
        "Twitter announced that the debate drew 17 million tweets.",
        [("announced", "Twitter", "organisation")],
        id="a-platform-is-no-person",
    ),
    pytest.param(
        "Citizens for Tax Justice said that companies keep $2.5 trillion offshore.",
        [("said", "Citizens for Tax Justice", "organisation")],
        id="a-name-with-for-names-a-body",
    ),
    # a person quoted by surname alone is named by the one full name the article gives them
    pytest.param(
        "Tom Clarke, a nursing home owner, bought three coal mines last year.\n\n"
        "“Coal isn't the villain,” Mr. Clarke said.",
        [("said", "Tom Clarke", "person")],
        id="a-surname-takes-the-full-name-given-elsewhere",
    ),
    pytest.param(
        "President Obama arrived in Hanoi on Monday.\n\n“We will keep our word,” Obama said.",
        [("said", "Obama", "person")],
        id="a-title-before-a-surname-is-no-first-name",
    ),
    pytest.param(
        "The library in Little Rock honours Bill Clinton.\n\n“We will win this state,” Mrs. Clinton said.",
        [("said", "Clinton", "person")],
        id="no-full-name-of-the-other-gender",
    ),
    pytest.param(
        "Prime Minister Jean-Marc Ayrault arrived late.\n\nAyrault said that France would act.",
        [("said", "Ayrault", "person")],
        id="no-first-name-cut-from-a-hyphenated-one",
    ),
    pytest.param(
        "Rival Hillary Clinton had mocked the complaint, saying anybody who complains about a "
        "microphone “is not having a good night.”",
        [("saying", "Hillary Clinton", "person")],
        id="a-capitalised-word-before-a-first-name-is-no-name",
    ),
    # kinds the rest of the article corrects
    pytest.param(
        "De Blasio says the explosion was an intentional act\n\n"
        "An explosion that Mayor Bill de Blasio described as intentional injured 29 people. "
        "De Blasio said that there did not appear to be any link to other explosions.",
        [("says", "Bill de Blasio", "person"), ("said", "Bill de Blasio", "person")],
        id="a-heading-surname-read-as-a-body-is-the-person-named-later",
    ),
    pytest.param(
        "Senator Elizabeth Warren questioned Wells Fargo CEO John Stumpf on Tuesday. "
        "Wells Fargo announced that it would end the sales targets in January.",
        [("announced", "Wells Fargo", "organisation")],
        id="whose-officer-a-person-is-names-a-company",
    ),
    pytest.param(
        "Many Mexicans felt betrayed when the president invited Mr. Trump to a meeting.",
        [("felt", "Many Mexicans", "group")],
        id="many-of-a-people-are-a-group",
    ),
    # a person's role in a body is a description of a person, not the body
    pytest.param(
        "The chair of the DNC said that a special meeting would be called to pick a nominee.",
        [("said", "chair of the DNC", "unknown")],
        id="a-role-of-a-body-is-no-body",
    ),
    pytest.param(
        "A Homeland Security Department official said that the visas had been checked.",
        [("said", "Homeland Security Department official", "unknown")],
        id="a-body-s-official-is-no-body",
    ),
    # a lone surname the recognizer takes for a body, after the article named the person
    pytest.param(
        "Michael Mulgrew, president of the United Federation of Teachers, said that parents were "
        "angry. “Let’s get back to saying our schools are something we support,” said Mulgrew.",
        [("said", "Michael Mulgrew", "person"), ("said", "Michael Mulgrew", "person")],
        id="a-surname-after-the-full-name-is-the-person",
    ),
    pytest.param(
        "Mehmet Oz is a TV doctor.\n\nEVEN OZ’S BOSS THINKS HE’S FULL OF YOU-KNOW-WHAT — The head "
        "of Sony Pictures Television indicated as much in an email.",
        [("THINKS", "Oz's Boss", "person")],
        id="a-headline-in-capitals-keeps-its-possessive",
    ),
    # a company called by the first word of its name after the article named it in full
    pytest.param(
        "The loan came from Patriot Coal, which went bankrupt last year. "
        "Patriot said that the mines would stay open.",
        [("said", "Patriot Coal", "organisation")],
        id="a-company-by-its-first-word",
    ),
    pytest.param(
        "Rooms at Trump Corp. towers cost more this year. "
        "Donald Trump said the rooms were worth it. Trump said they were the best.",
        [("said", "Donald Trump", "person"), ("said", "Donald Trump", "person")],
        id="a-persons-surname-that-opens-a-company-name-stays-the-person",
    ),
    # a parse run wide by a comma the writer left out, or by what opens the sentence
    pytest.param(
        "Donald Trump said that he would win. In a March meeting with the editorial board of "
        "the Washington Post Trump said that the alliance may need to be diminished.",
        [("said", "Donald Trump", "person"), ("said", "Donald Trump", "person")],
        id="a-surname-run-on-after-an-outlet",
    ),
    pytest.param(
        "Donald Trump’s gains in the polls may not last. In a March meeting with the editorial "
        "board of the Washington Post Trump said that the alliance may need to be diminished.",
        [("said", "Donald Trump", "person")],
        id="a-surname-run-on-after-an-outlet-named-in-full-only-before",
    ),
    pytest.param(
        "Donald Trump said that he would win. Melania Trump said that she would vote.",
        [("said", "Donald Trump", "person"), ("said", "Melania Trump", "person")],
        id="another-person-with-the-surname-stays-apart",
    ),
    pytest.param(
        "Donald Trump spoke in Ohio on Monday. In an interview on Russia’s network RT he said "
        "that the media were dishonest.",
        [("said", "Donald Trump", "person")],
        id="a-phrase-run-into-the-pronoun",
    ),
    pytest.param(
        "Say Mexico demanded that the United States prove that a migrant was Mexican.",
        [("demanded", "Mexico", "organisation")],
        id="say-as-for-example-is-no-name",
    ),
    pytest.param(
        "Candidates must raise far more than the minimum $20 million experts say it costs to run.",
        [("say", "experts", "group")],
        id="a-sum-of-money-is-no-part-of-a-group",
    ),
    # a definite description of a person's role, right after a sentence about that person
    pytest.param(
        "Trump, appearing after Clinton at the forum, cited problems in the Middle East. "
        '"We need change," the New York businessman said.',
        [("cited", "Trump", "person"), ("said", "Trump", "person")],
        id="an-epithet-after-a-sentence-about-the-person",
    ),
    pytest.param(
        "Lindsey Graham has been critical of Trump since the primary. "
        "In June, the South Carolina senator said that Republicans should unite.",
        [("said", "Lindsey Graham", "person")],
        id="an-epithet-with-a-state",
    ),
    pytest.param(
        "Donald Trump isn't saying much about debate preparation. Baiting the moderators. "
        "The Republican presidential nominee has repeatedly said that the moderators are unfair.",
        [("said", "Donald Trump", "person")],
        id="an-epithet-past-a-sentence-with-no-subject",
    ),
    pytest.param(
        "Donald Trump linked the hacking to the email server. He said that her experience was thin. "
        "The FBI director said that she should not be charged.",
        [("said", "Donald Trump", "person"), ("said", "FBI director", "unknown")],
        id="an-office-introduces-its-holder",
    ),
    pytest.param(
        "Hillary Clinton spoke in Ohio on Monday. The commission says there was a problem with the "
        "microphone. The Republican nominee said that his microphone was broken.",
        [("says", "commission", "organisation"), ("said", "Republican nominee", "unknown")],
        id="an-epithet-after-a-sentence-about-something-else",
    ),
    pytest.param(
        "Donald Trump spoke on Sunday. Mr. Trump took on Hillary Clinton after the Democratic "
        "front-runner had said that he was becoming a recruiter for the group.",
        [("said", "Democratic front-runner", "unknown")],
        id="an-epithet-in-a-sentence-naming-other-people",
    ),
    pytest.param(
        "Jeb Bush brought his older brother, George W. Bush, and his mother, Barbara Bush, to vouch "
        "for him. The former president said that labels are for soup cans.",
        [("said", "former president", "unknown")],
        id="an-epithet-after-a-sentence-naming-several-people",
    ),
    pytest.param(
        "Jeb Bush, facing pressure in the state, on Monday brought his older brother, George W. Bush, "
        "and his mother, Barbara Bush, to vouch for his judgment in a race that has been driven by "
        "insults. “There is a lot of name-calling going on, but labels are for soup cans,” the "
        "former president told a crowd.",
        [("told", "former president", "unknown")],
        id="an-epithet-after-a-list-of-names-a-parse-split",
    ),
    pytest.param(
        "Laura Bush said the family was united. The rally drew a big crowd. Jeb Bush thanked the "
        "crowd in Columbia. The former governor said that labels are for soup cans.",
        [("said", "Laura Bush", "person"), ("said", "Jeb Bush", "person")],
        id="an-epithet-after-someone-sharing-a-surname-with-a-speaker",
    ),
    # "vice president" is another office than "the president"
    pytest.param(
        "President Barack Obama said he was not taking away guns. Vice President Joe Biden said the "
        "rules were lawful. The president said that he taught constitutional law.",
        [
            ("said", "Barack Obama", "person"),
            ("said", "Joe Biden", "person"),
            ("said", "Barack Obama", "person"),
        ],
        id="the-president-is-not-the-vice-president-met-since",
    ),
    pytest.param(
        "Vice President Joe Biden said the rules were lawful. "
        "The vice president added that the law was clear.",
        [("said", "Joe Biden", "person"), ("added", "Joe Biden", "person")],
        id="the-vice-president-is-the-vice-president",
    ),
    pytest.param(
        "Vice President Joe Biden spoke in Ohio on Monday. The president said that his actions were lawful.",
        [("said", "president", "unknown")],
        id="the-president-is-not-a-vice-president-named-before",
    ),
    pytest.param(
        "Melania Trump spoke at the convention. The New York businessman said the speech was great.",
        [("said", "New York businessman", "unknown")],
        id="an-epithet-of-another-gender",
    ),
    # a relative is a person "he" or "she" can find; a name people invoke ("Thank God") is no one
    pytest.param(
        '"We live in Satan’s kingdom," my father often said. '
        'He also told his friends that "the end is near."',
        [("said", "my father", "person"), ("told", "my father", "person")],
        id="a-relative-is-a-person",
    ),
    pytest.param(
        'At home, my mother said that the devil was real. "Thank God you still believe," she said. '
        'Even now she says things such as, "We are not all meant to be equal."',
        [("said", "my mother", "person"), ("said", "my mother", "person"), ("says", "my mother", "person")],
        id="no-one-invoked-is-a-speaker",
    ),
    # a state speaks through its government, like a country; never a person
    pytest.param(
        "Florida said that the new rules were unfair to small farmers.",
        [("said", "Florida", "organisation")],
        id="a-state-is-no-person",
    ),
    pytest.param(
        "Pyongyang denied that it had tested a new missile.",
        [("denied", "Pyongyang", "organisation")],
        id="a-capital-speaks-for-its-government",
    ),
    pytest.param(
        "Sen. Patty Washington said that the clinic would close. "
        "Washington added that the clinic would stay open.",
        [("said", "Patty Washington", "person"), ("added", "Patty Washington", "person")],
        id="a-surname-that-is-a-state",
    ),
    pytest.param(
        "The message was aimed at nervous Democrats on Capitol Hill, who said that the polls were close.",
        [("said", "Democrats", "group")],
        id="people-of-a-place-are-a-group",
    ),
    # plural nouns capitalised at the start of a sentence: the tagger reads a name
    pytest.param(
        "Delegates questioned how Cruz could turn back on his pledge to support the nominee.",
        [("questioned", "Delegates", "group")],
        id="capitalised-plural-delegates",
    ),
    pytest.param(
        "Demonstrators said that they wanted justice for Terrence.",
        [("said", "Demonstrators", "group")],
        id="capitalised-plural-demonstrators",
    ),
    # a title-case heading capitalises every word: verbs and nouns in it are no name
    pytest.param(
        "Washington Post Hit Piece Exploits Trump Supporter.\n\n"
        "The piece said that the woman had been in a hospital for weeks.",
        [("said", "piece", "unknown")],
        id="heading-words-are-no-name",
    ),
    pytest.param(
        "Popular Website Shows Bias When It Comes To Fact-Checking.\n\n"
        "When the site checked the claim, it was labeled true.\n\n"
        "The website noted that both candidates were referring to studies.",
        [("noted", "website", "unknown")],
        id="heading-function-word-is-no-name",
    ),
    pytest.param(
        "Mayor Bill de Blasio Says Chelsea Blast Was Intentional.\n\n"
        "The mayor said that there was no link to the New Jersey blasts.",
        [("said", "Bill de Blasio", "person")],
        id="heading-name-with-a-first-name",
    ),
    pytest.param(
        "Stumpf Says Bank Will Repay Customers.\n\nStumpf said that the bank would repay every customer.",
        [("Says", "Stumpf", "person"), ("said", "Stumpf", "person")],
        id="heading-name-the-body-uses-too",
    ),
]


@pytest.mark.parametrize(("text", "expected"), RESOLUTION)
def test_resolution(
    extractor: SpacyClaimExtractor, text: str, expected: list[tuple[str, str | None, str]]
) -> None:
    got = [s for s in _speakers(extractor, text) if s[0] in {e[0] for e in expected}]
    assert got == expected


def test_aliases_list_the_other_names_the_article_used(extractor: SpacyClaimExtractor) -> None:
    text = (
        "Transport Minister Ana Lopez said the bridge was safe. "
        "Lopez added that tolls would fall. The minister said that ferries would keep running."
    )
    claims = [c for c in extractor.extract(text) if c.speaker]
    assert {c.speaker for c in claims} == {"Ana Lopez"}
    aliases = set(claims[-1].speaker_aliases)
    assert {"Transport Minister Ana Lopez", "Lopez"} <= aliases
    assert "Ana Lopez" not in aliases
    assert all(c.speaker_kind is SpeakerKind.PERSON for c in claims)


@pytest.mark.parametrize(
    ("text", "speaker", "long_form"),
    [
        (
            "Priya Natarajan of the Chamber of Commerce said delivery times would not change much.",
            "Priya Natarajan",
            "Priya Natarajan of the Chamber of Commerce",
        ),
        (
            "Omar Haddad from the Dockworkers' Union warned that strikes were likely.",
            "Omar Haddad",
            "Omar Haddad from the Dockworkers' Union",
        ),
    ],
)
def test_person_of_organisation_keeps_the_long_form_as_alias(
    extractor: SpacyClaimExtractor, text: str, speaker: str, long_form: str
) -> None:
    claims = [c for c in extractor.extract(text) if c.speaker]
    assert [c.speaker for c in claims] == [speaker]
    assert long_form in claims[0].speaker_aliases
    assert claims[0].speaker_kind is SpeakerKind.PERSON


@pytest.mark.parametrize(
    ("text", "mention", "expected"),
    [
        ("Tom Berg spoke first. In June, the council said rents would rise.", "June", None),
        ("Tom Berg spoke first. In 2019, the council said rents would rise.", "2019", None),
        ("Tom Berg spoke first. Last week the council said rents would rise.", "Last week", None),
        # a possessive pronoun stands for a person like the others
        ("Tom Berg said rents would rise. His promises were clear.", "His", "Tom Berg"),
        # quantifiers speak for people ("some say")
        ("Tom Berg said rents would rise. Some believe the council.", "Some", "Some"),
        # a possessor is the person ("Berg's repeated emphasis was that ..."), a contracted
        # pronoun the pronoun, "Let's" nobody
        ("Tom Berg said rents would rise. Berg's emphasis was on the poor.", "Berg's", "Tom Berg"),
        ("Tom Berg said rents would rise. He's claiming that rents fell.", "He's", "Tom Berg"),
        ("Tom Berg said rents would rise. Let's be clear about rents.", "Let's", None),
        # a relative "who" is the noun its clause is about
        (
            "Tom Berg said rents would rise. Ana Lopez, who had warned that rents would fall, left.",
            "who",
            "Ana Lopez",
        ),
        ("Tom Berg said rents would rise. Critics who said rents would fall left.", "who", "Critics"),
        # an indefinite names nobody, and neither does its "who"
        ("Tom Berg said rents would rise. Everyone said they would fall.", "Everyone", None),
        ("Tom Berg said rents would rise. Someone who said they would fall left.", "Someone who", None),
        # "everything X says" is a thing said of, not a speaker
        ("Tom Berg said rents would rise. Everything Berg says is a lie.", "Everything Berg", None),
    ],
)
def test_mentions_that_name_nobody_get_no_speaker(
    extractor: SpacyClaimExtractor, text: str, mention: str, expected: str | None
) -> None:
    doc = extractor.nlp(text)
    resolver = SpeakerResolver(doc)
    resolver.resolve(0, len("Tom Berg"))
    start = text.index(mention)
    resolved = resolver.resolve(start, start + len(mention))
    assert (resolved.name if resolved else None) == expected


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("One Tweet", SpeakerKind.UNKNOWN),  # "One Tweet Sums Up …": material of no kind
        ("New Poll", SpeakerKind.ORGANISATION),  # a poll speaks for its pollster
        ("Morning Consult Poll", SpeakerKind.ORGANISATION),
        ("Scholars", SpeakerKind.GROUP),
        ("Many Mexicans", SpeakerKind.GROUP),
        ("Tom Clarke", SpeakerKind.PERSON),
        ("Emily Post", SpeakerKind.PERSON),  # a first name: a surname that is a thing stays a name
    ],
)
def test_a_person_named_by_what_speaks_is_no_person(
    shipped_nlp: Language, name: str, kind: SpeakerKind
) -> None:
    """Heading capitals make names of things: the whole article's last pass tells their kind."""
    resolver = SpeakerResolver(shipped_nlp("The article."))
    resolver.entities.append(SpeakerEntity(name, SpeakerKind.PERSON))
    resolver.settle_names()
    assert resolver.entities[-1].kind is kind
