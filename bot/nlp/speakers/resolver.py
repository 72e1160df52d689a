"""``SpeakerResolver``: a mention in, a speaker of the article out."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from bot.models import SpeakerKind
from bot.nlp.name_genders import PRONOUN_GENDERS
from bot.nlp.speakers.entities import ResolvedSpeaker, SpeakerEntity
from bot.nlp.speakers.final_names import FinalNames
from bot.nlp.speakers.name_mentions import NameMentions
from bot.nlp.speakers.names import body_of_material, mention_words, opens_sentence
from bot.nlp.speakers.pronouns import PronounAntecedents
from bot.nlp.speakers.vocabulary import (
    DATELINE,
    DETERMINERS,
    GROUP_PRONOUNS,
    INDEFINITE_PEOPLE,
    INDEFINITE_THINGS,
    MENTION_OPENERS,
    NAME_GROUP,
    NAMING_TAGS,
    PEOPLE_PRONOUNS,
    PERSON_PRONOUNS,
    QUANTITY_PRONOUNS,
    RELATIVE_CLAUSE_LABELS,
    SPEAKER_DOCUMENT_NOUNS,
    THING_PRONOUNS,
    TRAILING_POSSESSIVE,
    WRITER_AND_READER,
)
from bot.words import TIME_NOUNS

logger = logging.getLogger(__name__)


class SpeakerResolver(NameMentions, PronounAntecedents, FinalNames):
    """Resolves speaker mentions of one article, in text order."""

    def observe(self, start: int, end: int) -> None:
        """Registers a name the article uses outside any statement (so roles can find it)."""
        if self._heading_words_only(start, end):
            return
        self._resolve_name_mention(self.text[start:end], start, end)

    def resolve(
        self,
        start: int,
        end: int,
        head: tuple[int, int] | None = None,
        *,
        statement: Sequence[tuple[int, int]] = (),
    ) -> ResolvedSpeaker | None:
        """Resolves the speaker mention ``doc.text[start:end]``; None for a pronoun with no
        compatible speaker before it (we do not name a speaker we cannot tell).
        ``statement`` is what the mention said (character fragments): a pronoun never finds a
        person named inside it ("“I love Larry,” he said" is not Larry)."""
        resolved = self._resolve_mention(start, end, tuple(statement))
        if resolved is not None:
            self._last_seen[id(resolved.entity)] = start
        return resolved

    def _resolve_mention(
        self, start: int, end: int, statement: tuple[tuple[int, int], ...] = ()
    ) -> ResolvedSpeaker | None:
        text = self.text[start:end]
        opener = MENTION_OPENERS.match(text)
        if opener is not None and opener.end() < len(text):
            # the reader ran the mention over a clause's first words: "what analysts", "at 86 she"
            start += opener.end()
            text = self.text[start:end]
        dateline = DATELINE.match(text)
        if dateline is not None and dateline.end() < len(text):
            start += dateline.end()  # "BRUSSELS - European leaders"
            text = self.text[start:end]
        possessor = TRAILING_POSSESSIVE.sub("", text)
        if possessor and possessor != text:
            # "Stumpf's repeated emphasis", "Mr. Obama's bet": the possessor; "He's claiming": he
            if possessor.strip().lower() in {"let", "here", "there", "that", "what"}:
                return None  # "Let's", "Here's": no possessor, a contraction
            end = start + len(possessor)
            text = possessor
        lower = text.strip().lower()
        if lower in {"who", "whom"}:
            # "Donald Trump, who had talked about ...": the noun the clause is about
            antecedent = self._antecedent_of_relative(start, end)
            return self._resolve_mention(*antecedent, statement) if antecedent is not None else None
        if self._names_nobody(start, end) or self._heading_words_only(start, end):
            return None
        if (
            re.sub(r"\s+(?:who|whom|that)$", "", lower) in INDEFINITE_PEOPLE
            or lower.split(" ", 1)[0] in INDEFINITE_THINGS
        ):
            # "Everyone said", "Someone who said": nobody we could name; "Everything Trump says
            # is a lie": a thing said of, not a speaker
            return None
        if lower in WRITER_AND_READER:
            return None  # the article's own "I" (an op-ed's author) or "you": nobody to name
        if lower in PERSON_PRONOUNS:
            entity = self._antecedent(PRONOUN_GENDERS.get(lower), start, statement)
            return self._remember(entity) if entity is not None else None
        if lower in THING_PRONOUNS:
            entity = self._last({SpeakerKind.ORGANISATION})  # "it" is never a plural group
            return self._remember(entity) if entity is not None else None
        if lower in GROUP_PRONOUNS:
            entity = self._last({SpeakerKind.GROUP, SpeakerKind.ORGANISATION})
            return self._remember(entity) if entity is not None else None
        words = [w.lower() for w in mention_words(text)]
        nouns = [
            w for w in words if w not in DETERMINERS and w not in {"joint", "new", "official", "written"}
        ]
        body = body_of_material(mention_words(text))
        if body is not None:
            # "the IMF report", "a Pew Research Center survey", "Trump's statement": the body
            at = text.find(body)
            entity = self._resolve_name_mention(body, start + at, start + at + len(body))
            entity.add_alias(text)
            return self._remember(entity)
        names_no_one = not any(w[:1].isupper() for w in mention_words(text)[1:])
        if nouns and nouns[-1] in SPEAKER_DOCUMENT_NOUNS and names_no_one:
            issuer = self._issuer_of_document(nouns[-1], start)
            if issuer is None:
                issuer = self.history[-1] if self.history else None
            if issuer is not None:
                issuer.add_alias(text)
                return self._remember(issuer)
        entity = self._resolve_name_mention(text, start, end)
        return self._remember(entity)

    def _antecedent_of_relative(self, start: int, end: int) -> tuple[int, int] | None:
        """The characters of the noun phrase a relative pronoun's clause modifies, up to its
        head ("Mr. Obama, who understood ..." -> "Mr. Obama"); None if the parse has none."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return None
        clause = span[0].head
        if clause.dep_ not in RELATIVE_CLAUSE_LABELS or clause.head.i == clause.i:
            return None
        noun = clause.head
        if noun.idx >= start or not (noun.pos_ == "PROPN" or noun.tag_ in {"NNS", "NNPS"}):
            return None  # "support, who ...", "someone who ...": nobody to name
        # "Donald Trump" keeps its "Trump" whichever of the two the parser made the head
        last = noun.i
        while last + 1 < clause.left_edge.i and self.doc[last + 1].head.i == noun.i:
            if self.doc[last + 1].dep_.split(":")[0] not in {"flat", "compound"}:
                break
            last += 1
        words = [t for t in self.doc[noun.left_edge.i : last + 1] if not t.is_space]
        while words and (words[0].pos_ in {"CCONJ", "ADP", "ADV", "SCONJ"} or words[0].is_punct):
            words.pop(0)  # "as well as many centrist Democrats"
        if not words or any(t.is_quote for t in words):
            return None
        return words[0].idx, words[-1].idx + len(words[-1].text)

    def _names_nobody(self, start: int, end: int) -> bool:
        """A mention with no noun or pronoun but dates and numbers ("June", "Monday night",
        "2001", "Following", "Let's"): the reader misread a clause, and no speaker is shown
        rather than a date."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return False
        for token in span:
            if token.lower_ in {"'s", "’s", "us"} and token.i > span.start:
                continue  # "Let's", "Here's"
            if token.tag_ in NAMING_TAGS and token.lower_ not in TIME_NOUNS:
                return False
            if token.lower_ in QUANTITY_PRONOUNS or token.lower_ in PEOPLE_PRONOUNS:
                return False  # "some say", "His promises"
            if token.text[:1].isupper() and not opens_sentence(token) and token.lower_ not in TIME_NOUNS:
                return False  # a name the tagger misread ("Husted/VBN said")
        return True

    def _issuer_of_document(self, noun: str, before: int) -> SpeakerEntity | None:
        """ "the statement added" -> who "issued a (joint) statement" earlier in the article:
        the names that open the sentence mentioning it ("Lopez and Berg issued a statement")."""
        text = self.text
        for match in reversed(list(re.finditer(r"\b" + re.escape(noun) + r"\b", text[:before], re.I))):
            period = text.rfind(". ", 0, match.start())
            line = text.rfind("\n", 0, match.start())
            sentence_start = max(period + 2 if period >= 0 else 0, line + 1)
            prefix = text[sentence_start : match.start()]
            names = NAME_GROUP.search(prefix)
            if names is None:
                continue
            chosen = names.group(0).strip()
            start = sentence_start + names.start()
            if self._names_nobody(start, start + len(chosen)):
                continue  # "In a statement ..." opens with a capital, not a name
            return self._resolve_name_mention(chosen, start, start + len(chosen))
        return None
