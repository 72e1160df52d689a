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

The modules: ``resolver`` (``SpeakerResolver``: the order above), ``name_mentions`` (names,
titles, roles, organisations, groups), ``pronouns`` (who "he" or "she" is), ``state`` (the
speakers met so far), ``entities``, ``names`` (pure helpers on the words of a name) and
``vocabulary`` (the word lists).
"""

from __future__ import annotations

from bot.nlp.speakers.entities import ResolvedSpeaker, SpeakerEntity
from bot.nlp.speakers.names import country_names, organisation_head, split_title
from bot.nlp.speakers.resolver import SpeakerResolver
from bot.nlp.speakers.vocabulary import (
    DATELINE,
    GROUP_HEADS,
    HONORIFICS,
    MATERIAL_NOUNS,
    NAME_PARTICLES,
    ORG_WORDS,
    SPEAKER_DOCUMENT_NOUNS,
    TITLE_WORDS,
)

__all__ = [
    "DATELINE",
    "GROUP_HEADS",
    "HONORIFICS",
    "MATERIAL_NOUNS",
    "NAME_PARTICLES",
    "ORG_WORDS",
    "SPEAKER_DOCUMENT_NOUNS",
    "TITLE_WORDS",
    "ResolvedSpeaker",
    "SpeakerEntity",
    "SpeakerResolver",
    "country_names",
    "organisation_head",
    "split_title",
]
