"""Words and patterns the speaker resolver reads: titles, organisations, groups, pronouns and
the shapes of a mention."""

from __future__ import annotations

import logging
import re

from bot.words import DATA_NOUNS, DOCUMENT_NOUNS, PUBLISH_FORMS

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


# people named by their work, besides the titles a name may follow: "a tech staffer at the State
# Department", "a Homeland Security Department official", "a campaign aide"
ROLE_NOUNS = frozenset(
    {"staffer", "aide", "official", "member", "doctor", "physician", "consultant", "operative",
     "lawmaker", "employee", "insider", "negotiator", "researcher", "scientist", "expert"}
)  # fmt: skip
# what ties a role to the body it serves: "chair | of the DNC", "staffer | at the State Department"
ROLE_LINKS = frozenset({"of", "at", "for", "from", "with", "in"})


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


# news outlets, fact-checkers and online platforms, which speak as bodies ("according to
# Politico", "PolitiFact rated it false", "Twitter announced"); the recognizer often reads a
# one-word outlet as a person
NEWS_OUTLETS = frozenset(
    {
        "politico", "politifact", "reuters", "associated press", "ap", "cnn", "msnbc", "fox news",
        "nbc", "nbc news", "abc news", "cbs news", "npr", "breitbart", "breitbart news",
        "huffington post", "huffpost", "axios", "vox", "buzzfeed", "buzzfeed news", "the hill",
        "bbc", "al jazeera", "guardian", "new york times", "washington post", "wall street journal",
        "usa today", "los angeles times", "newsweek", "zero hedge", "drudge report", "daily beast",
        "daily mail", "bloomberg news", "factcheck.org", "snopes", "gallup", "pew research center",
        "quinnipiac", "rasmussen reports", "yougov", "ipsos", "morning consult",
        "twitter", "facebook", "youtube", "instagram", "tiktok", "reddit", "wikileaks",
    }
)  # fmt: skip


# the last word of a company's name ("Patriot Coal", "Peabody Energy"): after it the article
# often calls the company by its first word alone ("Patriot agreed to ..."), which the
# recognizer reads as a person or a place
COMPANY_WORDS = frozenset(
    {
        "coal", "energy", "oil", "gas", "petroleum", "mining", "steel", "motors", "airlines",
        "airways", "pharmaceuticals", "pharma", "holdings", "group", "industries", "capital",
        "partners", "technologies", "systems", "communications", "media", "entertainment",
        "foods", "brands", "financial", "insurance", "securities", "investments", "ventures",
        "labs", "co.", "co", "corp", "inc", "llc", "ltd", "plc", "company", "corporation",
    }
)  # fmt: skip


# imperatives that open a supposition ("Say Mexico demanded that ...", "Suppose the board
# ruled ..."): capitalised before a name, they are no part of it
SENTENCE_OPENERS = frozenset({"Say", "Suppose", "Imagine", "Consider", "Picture"})


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
        "demonstrators",
        "delegates",
        "citizens",
        "observers",
        "scholars",
        "historians",
        "academics",
        # a poll's share of those asked: "63 percent said …", "Another 19 percent said …"
        "percent",
    ]
)


# documents that speak for who issued them ("the statement added", "the readout said")
SPEAKER_DOCUMENT_NOUNS = DOCUMENT_NOUNS | frozenset(
    {"communiqué", "document", "filing", "announcement", "readout"}
)


# "Everything Trump says is a lie": a thing said of, not a speaker
INDEFINITE_THINGS = frozenset({"everything", "anything", "something", "nothing"})

# names people invoke, not people the article quotes: never who "he" or "she" is
NAMED_IN_OATHS = frozenset({"god", "satan", "jesus", "jesus christ", "christ", "allah", "the lord", "lord"})

# "my father", "her mother": a relative is a person (and "he" or "she" may find them)
RELATIVES = frozenset(
    {"father", "mother", "son", "daughter", "wife", "husband", "brother", "sister", "grandmother",
     "grandfather", "uncle", "aunt"}
)  # fmt: skip


INDEFINITE_PEOPLE = frozenset(
    {"someone", "somebody", "anyone", "anybody", "everyone", "everybody", "nobody", "no one"}
)


# "OSLO (Reuters) —", "WASHINGTON --", "WASHINGTON, June 24 (UPI) —": where and when the story
# was filed (a place in capitals, a date, an agency, a dash), never who speaks
DATELINE = re.compile(
    r"^[A-Z][A-Z .,'-]{2,40}(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([^)]{1,30}\))?\s*[—–-]{1,2}\s*"
)


# the article's own first and second person: the writer, the reader
WRITER_AND_READER = frozenset({"i", "me", "you", "we", "us"})


# words a mention can run over at its start: "what analysts describe", "at 86 she said"
MENTION_OPENERS = re.compile(
    r"^(?:(?:what|lest|as|if|when|while|because|and|but|so)\s+)+|^(?:at\s+)?\d[\d,.]*\s+(?=(?:he|she|they|we)$)"
    # a phrase run into the subject where the writer left out a comma: "In an interview on
    # Russia's network RT he blasted ...", "On September 27 they rated ...": the pronoun, after
    # a name or a number ("the very people they define" is a clause about the people)
    r"|^(?:.*\s)?(?-i:[A-Z0-9])\S*\s+(?=(?-i:he|she|they|we)$)",
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


PEOPLE_PRONOUNS = PERSON_PRONOUNS | GROUP_PRONOUNS


DETERMINERS = frozenset({"the", "a", "an", "this", "that", "its", "their", "his", "her"})


DEMONYM = re.compile(
    r"^(?:[A-Z][a-z]+(?:ian|ese|ish|ch|an|i)|U\.S\.|US|UK|U\.K\.|EU|American|British|French|Greek|Thai|Dutch|Swiss)$"
)


SPACES = re.compile(r"\s+")


# lower-case words that belong inside personal names ("Ludwig van Beethoven", "Osama bin Laden")
NAME_PARTICLES = frozenset(
    {"al", "bin", "da", "de", "del", "della", "der", "di", "dos", "du", "ibn", "la", "le", "van", "von"}
)


# words that open a mention without changing who it names ("Both Mr. King and ..."); "some"
# or "many" stay, as "some Democrats" are not the Democrats
QUANTIFIERS = frozenset({"both", "all"})


QUANTITY_PRONOUNS = frozenset({"some", "many", "others", "most", "few", "several", "both", "all"})


NAMING_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "PRP", "WP"})


# a relative pronoun the mention ran into: "the Chicago Police Department which"
RELATIVE_WORDS = frozenset({"which", "who", "whom", "whose", "that"})


# words after a name that say when or where they spoke: "Trump this week", "Axelrod on Wednesday"
SETTING_WORDS = frozenset({"on", "in", "at", "during", "this", "last", "earlier", "today", "yesterday"})


POSSESSIVE = re.compile(r"['’]s?$")


TRAILING_POSSESSIVE = re.compile(r"\s*['’]s$")


RELATIVE_CLAUSE_LABELS = frozenset({"acl:relcl", "relcl"})  # UD, ClearNLP


SUBJECT_LABELS = frozenset({"nsubj", "nsubj:pass", "nsubjpass"})


# titles followed by a first name alone
FIRST_NAME_TITLES = r"\b(?:Pope|King|Queen|Prince|Princess|Saint|St\.|Sister|Brother|Father)\s+"


HONORIFIC_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss)\.?\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")


NAME_PATTERN = r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*"


# "<Name> of/from/at <organisation>": the capitalised words before the first preposition
PERSON_OF = re.compile(r"^([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){1,4})\s+(?:of|from|at)\s+\S")


# "figures published by the transport authority", "a poll conducted by Gallup", "a statement
# from the White House": the body behind the material speaks. Not "documents obtained by" or
# "seen by" an outlet, which only relays them.
PUBLISHED_MATERIAL = DATA_NOUNS | CAMPAIGN_MATERIAL | {"stats", "studies", "statement", "statements"}


PUBLISHED_BY = re.compile(
    r"^(?:(?:the|a|an|new|latest|recent|official|its|their)\s+)*(?:[\w'.-]+\s+){0,2}?"
    r"(?:" + "|".join(sorted(PUBLISHED_MATERIAL)) + r")\s+"
    r"(?:(?:" + "|".join(sorted(PUBLISH_FORMS)) + r")\s+)?(?:by|from)\s+",
    re.I,
)


# words that make a lower-case start of a mention something other than a description of the
# named organisation after it
DESCRIPTION_STOPPERS = QUANTITY_PRONOUNS | frozenset(
    {"at", "of", "for", "by", "in", "from", "with", "on", "to"}
)


DASH_APPOSITION = re.compile(r"\s+(?:--|—|–)\s+")


PARENTHETICAL = re.compile(r"\s*\([^()]{1,40}\)")


NAME_GROUP = re.compile(
    NAME_PATTERN + r"(?:\s*,\s*" + NAME_PATTERN + r")*(?:\s+(?:and|&)\s+" + NAME_PATTERN + r")?"
)


# who speaks for, or about, the person named after them: "a spokeswoman for Hillary Clinton",
# "an aide to Mr. Obama", "critics of Trump" are not that person
SPEAKING_FOR = frozenset(
    [
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "spokesmen",
        "spokeswomen",
        "aide",
        "aides",
        "lawyer",
        "lawyers",
        "attorney",
        "attorneys",
        "adviser",
        "advisers",
        "advisor",
        "advisors",
        "representative",
        "representatives",
        "friend",
        "friends",
        "ally",
        "allies",
        "surrogate",
        "surrogates",
        "critic",
        "critics",
        "supporter",
        "supporters",
        "opponent",
        "opponents",
    ]
)

# words a shortened title may leave out: "the Republican nominee" of "Republican presidential nominee"
WORDS_A_ROLE_MAY_SKIP = ("presidential", "party", "gubernatorial", "mayoral", "senate", "congressional")
# words a role is also called by: "the GOP nominee" is "Republican presidential nominee Donald Trump"
ROLE_SYNONYMS = {"gop": "republican", "dem": "democratic", "gov.": "governor", "sen.": "senator"}
