"""Who "he" or "she" is: the last person quoted, unless what the article says of their name rules them out."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence

from spacy.tokens import Span

from bot.models import SpeakerKind
from bot.nlp.name_genders import (
    PronounGender,
    gender_of_first_name,
    gender_of_words,
    leaning_of_first_name,
    words_of,
)
from bot.nlp.speakers.entities import SpeakerEntity
from bot.nlp.speakers.names import mention_words, split_title
from bot.nlp.speakers.state import ResolverState
from bot.nlp.speakers.vocabulary import (
    FIRST_NAME_TITLES,
    HONORIFIC_NAME,
    NAMED_IN_OATHS,
    POSSESSIVE,
    RELATIVE_CLAUSE_LABELS,
    SUBJECT_LABELS,
)

logger = logging.getLogger(__name__)


class PronounAntecedents(ResolverState):
    """Finds the person a personal pronoun stands for."""

    def _antecedent(
        self, gender: PronounGender | None, before: int, statement: tuple[tuple[int, int], ...] = ()
    ) -> SpeakerEntity | None:
        """Who "he" or "she" at ``before`` is: the last person quoted, unless what we know of
        their name says the article would not call them so ("she said" after Donald Trump
        was quoted); then whichever comes later of the last compatible person quoted and
        the nearest compatible person named. Nobody compatible: nobody. When we know nothing
        of the last person quoted, a person the article has since made the subject of a
        clause, and whom we know it calls so, is nearer."""
        last = self._last({SpeakerKind.PERSON})
        if last is None:
            return self._nearest_named_person(before, gender, outside=statement)
        known = self._gender(last)
        if gender is None or known is gender:
            return last
        if known is None:
            # "Stevie Wonder, who joked ... Ms. LaBelle got a roar when she added": the subject
            # of a clause since, whom we know the article calls so, is nearer than one we know
            # nothing of (a name in passing, "campaigned for Donald Trump", is not)
            named = self._nearest_named_person(
                before,
                gender,
                after=self._last_seen.get(id(last), -1),
                salient=True,
                outside=statement,
            )
            if named is not None:
                return named
            if self._first_name_hint(last, leaning_of_first_name) not in {None, gender}:
                # "Bernie" is mostly a man's name: a "her" after Sanders is the woman quoted
                # before him, when we know one
                sure = self._last_quoted_person({gender})
                if sure is not None:
                    return sure
            return last
        quoted = self._last_quoted_person({None, gender})
        after = self._last_seen.get(id(quoted), -1) if quoted is not None else -1
        named = self._nearest_named_person(before, gender, after=after, outside=statement)
        return named if named is not None else quoted

    def _gender(self, entity: SpeakerEntity) -> PronounGender | None:
        """The pronoun gender an entity's honorifics, titles or first name point to, if any."""
        if entity.kind is not SpeakerKind.PERSON or entity.members:
            return None
        names = [entity.canonical, *entity.aliases]
        evidence = [word for title in entity.titles for word in title.split()]
        for name in names:
            words = words_of(name)
            if not words:
                continue
            if any(w[:1].isupper() for w in words[1:]):
                evidence.append(words[0])  # "Mrs. Clinton": the honorific before a name
            else:
                evidence.extend(words)  # "the spokeswoman": a role alone
        gender = gender_of_words(evidence) or self._first_name_hint(entity, gender_of_first_name)
        if gender is not None:
            return gender
        if " " not in entity.canonical:
            # quoted only as "Trump": the article may name him in full outside any statement
            gender = self._first_name_gender_in_text(entity.canonical)
            if gender is not None:
                return gender
        return None

    def _last_quoted_person(self, genders: set[PronounGender | None]) -> SpeakerEntity | None:
        """The person quoted most recently whose gender, as far as we know it, is one of ``genders``."""
        for entity in reversed(self.history):
            if entity.kind is SpeakerKind.PERSON and self._gender(entity) in genders:
                return entity
        return None

    @staticmethod
    def _first_name_hint(
        entity: SpeakerEntity, lookup: Callable[[list[str]], PronounGender | None]
    ) -> PronounGender | None:
        """What ``lookup`` (sure or leaning) says of the first name in any of a person's names."""
        if entity.kind is not SpeakerKind.PERSON or entity.members:
            return None
        for name in (entity.canonical, *entity.aliases):
            gender = lookup(split_title(mention_words(name))[1])
            if gender is not None:
                return gender
        return None

    def _named_gender(self, name: str, start: int) -> PronounGender | None:
        """What a name in the text, with any honorific before it, says of its gender, or the
        person it would resolve to."""
        honorific = words_of(self.text[max(0, start - 6) : start])[-1:]
        words = split_title(mention_words(POSSESSIVE.sub("", name)))[1]  # "Stumpf's"
        said = gender_of_words(honorific) or gender_of_first_name(words)
        if said is None and words:
            known = self._find_by_surname(words)
            if known is not None:
                said = self._gender(known)
            elif len(words) == 1:
                said = self._first_name_gender_in_text(words[0])
        return said

    def _first_name_gender_in_text(self, surname: str) -> PronounGender | None:
        """The gender of the first names the article puts before a bare surname ("Hillary
        Clinton" ... "Clinton"), by the text: the recognizer may not have tagged the name."""
        if surname not in self._surname_genders:
            before = re.finditer(r"\b([A-Z][a-z]+)\s+" + re.escape(surname) + r"\b", self.text)
            # "Governor Clinton" is a title: split_title leaves the surname alone
            found = Counter(gender_of_first_name(split_title([m.group(1), surname])[1]) for m in before)
            del found[None]
            ranked = found.most_common()
            if not ranked:
                # never given a first name: under a title that goes with first names ("Pope
                # Francis", "Queen Rania") it is one; otherwise it may be a surname that is also
                # a first name ("Clinton", "Warren") and tells nothing
                regnal = re.search(FIRST_NAME_TITLES + re.escape(surname) + r"\b", self.text)
                gender = gender_of_first_name([surname, surname]) if regnal else None
            elif len(ranked) == 1 or ranked[0][1] >= 3 * ranked[1][1]:
                # two people share it ("Donald", "Ivanka"): the one the article names far more
                # often ("Trump" in a piece on the campaign)
                gender = ranked[0][0]
            else:
                gender = None  # the surname alone tells nothing
            self._surname_genders[surname] = gender
        return self._surname_genders[surname]

    def _named_people(self) -> list[Span]:
        """The people the article names, in text order: those the recognizer tagged, and an
        honorific's name it missed ("Mrs. Clinton has held rallies ...")."""
        if self._people is None:
            people: list[Span] = []
            for ent in self.ents:
                if ent.label_ not in self.person_labels:
                    continue
                if people and people[-1].end == ent.start:
                    # the recognizer split one name ("Tom | Reyes"): one person
                    people[-1] = self.doc[people[-1].start : ent.end]
                else:
                    people.append(ent)
            # an honorific says person whatever label the recognizer gave ("Mrs. Clinton/LOC")
            taken = [(ent.start_char, ent.end_char) for ent in people]
            for match in HONORIFIC_NAME.finditer(self.text):
                start, end = match.span(1)
                if any(s < end and start < e for s, e in taken):
                    continue
                span = self.doc.char_span(start, end, alignment_mode="contract")
                if span is not None and len(span):
                    people.append(span)
            self._people = sorted(people, key=lambda span: span.start_char)
        return self._people

    def _nearest_named_person(
        self,
        before: int,
        gender: PronounGender | None = None,
        *,
        after: int = -1,
        salient: bool = False,
        outside: Sequence[tuple[int, int]] = (),
    ) -> SpeakerEntity | None:
        """The nearest person named between ``after`` and ``before``, and not inside one of the
        ``outside`` fragments, whose honorific or first name does not rule out ``gender``; with
        ``salient``, only the subject of a clause (not a relative one) whose honorific or
        first name says ``gender``."""
        wanted = {gender} if salient else {None, gender}
        for ent in reversed(self._named_people()):
            if ent.start_char <= after:
                break
            if ent.end_char > before:
                continue
            if any(s < ent.end_char and ent.start_char < e for s, e in outside):
                continue  # named in what the speaker said: the one spoken of, not the speaker
            if ent.text.lower() in NAMED_IN_OATHS:
                continue  # "Thank God ...", "Satan's kingdom": no one the article quotes
            if salient and (
                ent.root.dep_ not in SUBJECT_LABELS or ent.root.head.dep_ in RELATIVE_CLAUSE_LABELS
            ):
                continue
            if gender is not None and self._named_gender(ent.text, ent.start_char) not in wanted:
                continue
            entity = self._resolve_name_mention(ent.text, ent.start_char, ent.end_char)
            if entity.kind is SpeakerKind.PERSON:
                return entity  # not "Ivy League", however the recognizer labelled it
        return None
