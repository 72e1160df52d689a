"""A description that stands for the person the story is about: "Trump, appearing after
Clinton, cited problems in the Middle East. “We need change,” the New York businessman said."

News writing names a person once, then calls them by what they are ("the Vermont senator",
"the Republican nominee") without ever writing the role beside the name. The description
is read as that person only when

* it is definite and its words are a role of a person that such epithets use, with only
  places, parties and a few neutral words before it ("the former Indiana governor"), so
  "the FBI director" or "the Senate majority leader" (offices whose holder is introduced
  that way) stay descriptions;
* the nearest sentence before it that has a subject has a person as its subject, named
  (or a description of a person resolved before): "He said …" or "The commission says …"
  in between leave it unresolved, since the description may then introduce someone new;
* no other person is named in that sentence or the one before it, nor before the
  description in its own sentence ("Mr. Trump took on Hillary Clinton after the Democratic
  front-runner said …" is about Clinton);
* a gendered role ("businessman", "congresswoman") does not contradict the person's first
  name.
"""

from __future__ import annotations

import functools
import logging

from spacy.tokens import Span, Token

from bot.models import SpeakerKind
from bot.nlp.name_genders import gender_of_first_name, gender_of_words, is_first_name
from bot.nlp.speakers.entities import SpeakerEntity
from bot.nlp.speakers.names import country_names, split_title
from bot.nlp.speakers.state import RANKS, ResolverState
from bot.nlp.speakers.vocabulary import POSSESSIVE
from bot.words import US_STATES

logger = logging.getLogger(__name__)

# what such epithets call a person
EPITHET_HEADS = frozenset(
    {
        "nominee", "candidate", "contender", "hopeful", "front-runner", "frontrunner",
        "senator", "governor", "congressman", "congresswoman", "mayor", "lawmaker",
        "businessman", "businesswoman", "billionaire", "mogul", "developer", "president",
        "president-elect", "incumbent", "challenger", "chancellor", "premier",
    }
)  # fmt: skip

# words an epithet may hold before its head besides places and parties
_EPITHET_MODIFIERS = frozenset(
    {
        "former", "presidential", "vice", "current", "longtime", "two-term", "one-term",
        "first-term", "outgoing", "incoming", "junior", "senior", "real-estate", "real",
        "estate", "wealthy", "billionaire", "democratic", "republican", "gop", "democrat",
        "libertarian", "green", "party", "party's", "u.s.", "american", "state",
    }
)  # fmt: skip

# how far back the subject is looked for: the sentence before and two more with no subject
_SENTENCES_BACK = 3


@functools.cache
def _places() -> frozenset[str]:
    return US_STATES | country_names()  # both lower-case


def _is_epithet(words: list[str]) -> bool:
    """ "New York businessman", "former Indiana governor", "Republican presidential nominee"."""
    if not words or words[-1].lower() not in EPITHET_HEADS:
        return False
    before = words[:-1]
    places = _places()
    k = 0
    while k < len(before):
        word = before[k].lower().rstrip(",")
        if word in _EPITHET_MODIFIERS:
            k += 1
            continue
        # the longest place name starting here ("New York", "South Carolina")
        for length in (3, 2, 1):
            if " ".join(w.lower() for w in before[k : k + length]) in places:
                k += length
                break
        else:
            return False
    return True


def _subject(sentence: Span) -> Token | None:
    root = sentence.root
    if root.pos_ in {"PROPN", "NOUN", "PRON"}:
        return root  # a parse that made the subject the root ("Trump, appearing after …, cited")
    return next((c for c in root.children if c.dep_.startswith("nsubj")), None)


class Descriptions(ResolverState):
    """Finds the person a definite role description stands for (see the module's doc)."""

    def _person_described(self, text: str, words: list[str], start: int) -> SpeakerEntity | None:
        if not text.lower().startswith("the ") or not _is_epithet(words):
            return None
        span = self.doc.char_span(start, min(start + 3, len(self.text)), alignment_mode="expand")
        if span is None:
            return None
        sentence = span[0].sent
        if self._people_named(self.doc[sentence.start : span[0].i]):
            return None  # "Mr. Trump took on Hillary Clinton after the Democratic front-runner said"
        checked = 0
        while checked < _SENTENCES_BACK and sentence.start > 0:
            sentence = self.doc[sentence.start - 1].sent
            checked += 1
            subject = _subject(sentence)
            if subject is None:
                continue
            # "Jeb Bush brought his brother, George W. Bush, and Laura Bush": several people (the
            # sentence before too, as a parse may end a sentence inside a list of names)
            window_start = self.doc[sentence.start - 1].sent.start if sentence.start > 0 else 0
            if len(self._people_named(self.doc[window_start : sentence.end])) > 1:
                return None
            person = self._person_named_by(subject)
            if person is None:
                return None
            name = person.canonical.split() if isinstance(person, SpeakerEntity) else person
            described = gender_of_words(words)  # "businessman", "congresswoman"
            named = gender_of_first_name(name)
            if described is not None and named is not None and named is not described:
                return None
            if isinstance(person, SpeakerEntity):
                return person
            entity = SpeakerEntity(" ".join(person), SpeakerKind.PERSON)
            self.entities.append(entity)
            return entity
        return None

    def _people_named(self, span: Span) -> list[tuple[str, ...]]:
        """The people named in ``span``: runs of proper nouns the recognizer tags as a person,
        or that end in the surname of a person met before; "Trump" after "Donald Trump" is the
        same person, "Jeb Bush" and "George W. Bush" are two."""
        runs: list[tuple[str, ...]] = []
        run: list[Token] = []
        for token in [*span, None]:
            if token is not None and token.pos_ == "PROPN":
                run.append(token)
                continue
            if run:
                words = tuple(POSSESSIVE.sub("", t.text) for t in run)
                label = self._entity_label(run[-1].idx, run[-1].idx + len(run[-1].text))
                known = self._find_by_surname([words[-1]])
                if label in self.person_labels or (known is not None and known.kind is SpeakerKind.PERSON):
                    runs.append(words)
                run = []
        people: list[tuple[str, ...]] = []
        for words in sorted(runs, key=len, reverse=True):
            if not any(other[-len(words) :] == words for other in people):
                people.append(words)
        return people

    def _person_named_by(self, subject: Token) -> SpeakerEntity | list[str] | None:
        """The person a sentence's subject names: one met before, or the words of a name the
        recognizer tags as a person's, or a description already read as a person; None for
        anything else (a pronoun, a body, a thing, a surname shared by another first name)."""
        if subject.pos_ == "PROPN":
            # the name's run of proper nouns around its head ("Mike" ← "Pence" in UD's flat)
            first = last = subject.i
            while first > subject.sent.start and self.doc[first - 1].pos_ == "PROPN":
                first -= 1
            while last + 1 < subject.sent.end and self.doc[last + 1].pos_ == "PROPN":
                last += 1
            run = [POSSESSIVE.sub("", t.text) for t in self.doc[max(first - 1, 0) : last + 1]]
            if any(w.lower() in RANKS for w in run):
                return None  # "Vice President Joe Biden" is not "the president"
            run = run[1:] if first > 0 else run
            _, words = split_title(run)
            words = words[-3:]
            if not words:
                return None
            known = self._find_by_surname(words)
            if known is not None:
                known_words = known.canonical.split()
                other_first_name = (
                    len(words) > 1
                    and len(known_words) > 1
                    and is_first_name(words[0])
                    and known_words[0] != words[0]
                )
                if known.kind is not SpeakerKind.PERSON or other_first_name:
                    return None  # "Jeb Bush" is not the "Laura Bush" met before
                return known
            label = self._entity_label(subject.idx, subject.idx + len(subject.text))
            return words if label in self.person_labels and len(words) > 1 else None
        if subject.pos_ == "NOUN":
            phrase = self.text[subject.left_edge.idx : subject.idx + len(subject.text)]
            for entity in self.entities:
                aliases = {a.lower() for a in entity.aliases}
                if entity.kind is SpeakerKind.PERSON and phrase.lower() in aliases:
                    return entity
        return None
