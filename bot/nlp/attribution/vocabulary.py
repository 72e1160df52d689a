"""Word lists the attribution rules read: cue forms, tags and dependency labels."""

from __future__ import annotations

import logging

from bot.words import DOCUMENT_NOUNS, TIME_WORDS

logger = logging.getLogger(__name__)


# Cues that work even without the learned lexicon (and are never filtered out by it).
SEED_CUES = frozenset(
    {
        "say",
        "said",
        "says",
        "saying",
        "tell",
        "told",
        "tells",
        "telling",
        "add",
        "added",
        "adds",
        "adding",
        "warn",
        "warned",
        "warns",
        "warning",
        "claim",
        "claimed",
        "claims",
        "claiming",
        "deny",
        "denied",
        "denies",
        "denying",
        "accuse",
        "accused",
        "accuses",
        "accusing",
        "insist",
        "insisted",
        "insists",
        "insisting",
        "state",
        "stated",
        "states",
        "announce",
        "announced",
        "announces",
        "argue",
        "argued",
        "argues",
        "arguing",
        "note",
        "noted",
        "notes",
        "noting",
        "explain",
        "explained",
        "explains",
        "assert",
        "asserted",
        "declare",
        "declared",
        "wrote",
        "writes",
        "write",
        "tweeted",
        "report",
        "reported",
        "reports",
        "suggest",
        "suggested",
        "suggests",
        "stress",
        "stressed",
        "confirm",
        "confirmed",
        "confirms",
        "admit",
        "admitted",
        "admits",
        "predicted",
        "promised",
        "vowed",
        "urged",
        "acknowledged",
        "estimated",
        "estimates",
        "expressing",
        "expressed",
        "reiterated",
        "reaffirming",
        "reaffirmed",
        "conceded",
        "replied",
        "responded",
        "emphasised",
        "emphasized",
        "maintained",
        "maintains",
        "believes",
        "believe",
    }
)


# Verbs whose first object is the addressee, not the content ("told Putin that ...").
ADDRESSEE_VERBS = frozenset(
    {
        "tell",
        "told",
        "tells",
        "telling",
        "warn",
        "warned",
        "warns",
        "warning",
        "assured",
        "assure",
        "reminded",
        "remind",
        "informed",
        "inform",
        "urged",
        "urge",
        "promised",
        "asked",
        "ask",
    }
)


# Cues whose "subject" is rarely the speaker when nothing precedes them ("When asked if …").
SUBJECTLESS_FORMS = frozenset({"asked", "told", "quoted", "reported", "expected", "cited"})


NP_TAGS = frozenset(
    {
        "NNP",
        "NNPS",
        "NN",
        "NNS",
        "JJ",
        "JJR",
        "JJS",
        "DT",
        "PRP",
        "PRP$",
        "POS",
        "CD",
        "HYPH",
        "NFP",
        "FW",
        "PDT",
    }
)


NP_WORDS = frozenset({"of", "and", "&", "for", "at", "from", "'s", "'"})


SKIP_BEFORE_CUE = frozenset(
    {
        "also",
        "has",
        "have",
        "had",
        "will",
        "would",
        "then",
        "later",
        "previously",
        "again",
        "repeatedly",
        "once",
        "recently",
        "did",
        "does",
        "do",
        "may",
        "might",
        "could",
        "can",
        "further",
        "reportedly",
        "publicly",
        "privately",
        "often",
        "never",
        "just",
        "shall",
        "should",
        "must",
        "already",
        "first",
        "separately",
        "too",
        "subsequently",
    }
)


# auxiliaries and light verbs: inside many annotated cue phrases ("had said"), never the cue
FUNCTION_VERBS = frozenset(
    {"be", "is", "are", "was", "were", "been", "being", "am", "'s", "'re", "have", "has", "had",
     "having", "'ve", "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may",
     "might", "must", "get", "got", "gets", "make", "made", "makes", "take", "took", "go", "went",
     "come", "came", "put", "let", "seem", "seems", "seemed", "become", "became", "began", "begin"}
)  # fmt: skip


SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "nsubj:pass"})
# "Trump’s claim": the owner of a noun (UD, and the older English label)
POSSESSOR_DEPS = frozenset({"nmod:poss", "poss"})


CONTENT_STARTERS = frozenset({"that", ":", ","})


QUOTE_TOKENS = frozenset({'"', "''", "”", "“", "``", "'"})


PARTICLE_DEPS = frozenset({"compound:prt", "prt"})


BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been", "'s", "'re", "am"})


CLAUSE_CUTTERS = frozenset({"but", "which", "although", "though"})


ADJUNCT_STARTERS = frozenset(
    {
        "in",
        "during",
        "on",
        "at",
        "after",
        "before",
        "since",
        "when",
        "while",
        "with",
        "from",
        "by",
        "because",
        "but",
        "amid",
        "to",
        "into",
        "where",
        "which",
        "who",
        "despite",
        "following",
    }
)


CIRCUMSTANCE_OPENERS = frozenset({"during", "while", "when", "amid", "despite", "following"})


CLAUSE_PREPOSITIONS = frozenset({"that", "about", "whether", "if", "of", "on", "because", "as", "for"})


# words that open a time adverbial right after a cue ("said yesterday that", "said last week")
TIME_ADVERB_OPENERS = TIME_WORDS | frozenset({"tomorrow", "late"})


# dependents of a cue that are circumstances of the saying, not what was said
ADVERBIAL_DEPS = frozenset(
    {"obl", "obl:tmod", "obl:npmod", "nmod:tmod", "npadvmod", "advmod", "prep", "tmod", "punct", "nmod"}
)


# what a complement may start with; an adverbial opener is any other preposition or adverb
NOT_ADJUNCT_OPENERS = frozenset({"that", "whether", "if", "not", "n't", "never"})


SUBJECT_TAGS = frozenset({"DT", "NNP", "NNPS", "NN", "NNS", "PRP", "PRP$", "JJ", "POS"})


NOMINATIVE_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it"})


PHRASE_TAGS = frozenset(
    {"IN", "DT", "JJ", "JJS", "JJR", "NN", "NNS", "NNP", "NNPS", "CD", "POS", "PRP$", "HYPH"}
)


# documents a speaker issues and a cue relays ("issued a statement expressing ...")
CUE_DOCUMENT_NOUNS = DOCUMENT_NOUNS | frozenset(
    {"statements", "video", "ad", "advertisement", "message", "op-ed", "appeal"}
)


READ_FORMS = frozenset({"read", "reads"})


# what "reads" quotes: “…,” the letter reads / the sign read: “…”
READABLE_NOUNS = CUE_DOCUMENT_NOUNS | frozenset(
    {"sign", "signs", "banner", "caption", "headline", "email", "placard", "petition",
     "inscription", "text", "notice", "label", "order", "ruling", "article", "story",
     "editorial", "column", "book", "passage", "document", "filing", "complaint", "opinion",
     "resolution", "bill"}
)  # fmt: skip


ISSUE_FORMS = frozenset(
    {"issued", "issues", "issue", "issuing", "released", "releases", "release", "releasing",
     "published", "publishes", "publish", "posted", "posts", "sent", "sends", "put", "puts"}
)  # fmt: skip
