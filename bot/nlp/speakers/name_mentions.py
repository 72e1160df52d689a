"""Resolving a mention that names its speaker: a name, a title, a role, an organisation, a
group or several people."""

from __future__ import annotations

import logging
import re

from bot.models import SpeakerKind
from bot.nlp.name_genders import first_name_genders, first_name_leanings, is_first_name
from bot.nlp.speakers.descriptions import Descriptions
from bot.nlp.speakers.entities import SpeakerEntity
from bot.nlp.speakers.names import (
    core_mention_words,
    country_names,
    mention_words,
    opens_sentence,
    organisation_head,
    split_title,
    tidy_name_mention,
    without_trailing_time,
)
from bot.nlp.speakers.vocabulary import (
    COMPANY_WORDS,
    DESCRIPTION_STOPPERS,
    GROUP_HEADS,
    NAME_PARTICLES,
    NEWS_OUTLETS,
    ORG_WORDS,
    PEOPLE_PRONOUNS,
    PERSON_OF,
    POSSESSIVE,
    PUBLISHED_BY,
    RELATIVES,
    ROLE_LINKS,
    ROLE_NOUNS,
    SENTENCE_OPENERS,
    SETTING_WORDS,
    SPEAKING_FOR,
    TITLE_WORDS,
)
from bot.words import GOVERNMENT_SEATS, PLACE_LABELS, PLACE_PREPOSITIONS, TIME_WORDS, US_STATES

logger = logging.getLogger(__name__)


class NameMentions(Descriptions):
    """Turns a naming mention into a speaker of the article, new or met before."""

    def _resolve_name_mention(self, text: str, start: int, end: int) -> SpeakerEntity:
        """The speaker a naming mention ``self.text[start:end]`` (as ``text``) stands for: the
        body behind published material, several people, an apposed name, a person of an
        organisation, a group or organisation, a role, else a person."""
        text = tidy_name_mention(text)
        publisher = PUBLISHED_BY.match(text)
        if publisher is not None and publisher.end() < len(text):
            return self._resolve_publisher(text, publisher.end(), start, end)
        text = re.sub(r"\s+(?:all|both)$", "", text)  # "Merkley, Brown and Menendez all"
        joint = self._resolve_joint_mention(text, start, end)
        if joint is not None:
            return joint
        words = mention_words(text)
        # cut appositions / relative clauses: "Flynn, a top Trump surrogate"
        if "," in text:
            apposed = self._resolve_apposed_name(text, start, end)
            if apposed is not None:
                return apposed
            head = text.split(",")[0]
            if head.strip():
                words = mention_words(head)
        words = core_mention_words(words)
        if len(words) > 1 and words[0] in SENTENCE_OPENERS:
            # "Say Mexico demanded that ...": "say" as in "for example"
            text = text[text.index(words[0]) + len(words[0]) :].strip()
            words = words[1:]
        run_on = self._person_run_on(words)
        if run_on is not None:
            return self._resolve_person(words[-1], run_on, [], SpeakerKind.PERSON, False)
        person = self._person_of_organisation(text, start)
        if person is not None:
            return person
        titles, name = split_title(words)
        name = self._naming_words(name, start, end)
        kind, transcript_label = self._kind_of_mention(text, words, titles, name, start, end)
        if kind in {SpeakerKind.GROUP, SpeakerKind.ORGANISATION}:
            if words[-1].lower() not in GROUP_HEADS and name and name[-1].lower() in GROUP_HEADS:
                words = name  # "Democrats" of "nervous Democrats on Capitol Hill, who"
            return self._resolve_body(text, words, kind)
        if (
            not name
            or not any(w[:1].isupper() for w in name)
            or _ends_in_a_role(name)
            or (kind is SpeakerKind.UNKNOWN and _headed_by_a_role(words))
        ):
            # "the Republican nominee", "the New York businessman": a role, not a name
            return self._resolve_role(text, words, start, end)
        if not titles and (company := self._company_named_by(name)) is not None:
            return self._resolve_body(text, company, SpeakerKind.ORGANISATION)
        if (described := self._person_described(text, words, start)) is not None:
            described.add_alias(text)  # "the New York businessman": capitals, but no name
            return described
        return self._resolve_person(text, name, titles, kind, transcript_label)

    def _resolve_publisher(self, text: str, publisher_end: int, start: int, end: int) -> SpeakerEntity:
        """ "figures published by the transport authority": the body that published them."""
        body = without_trailing_time(text[publisher_end:])  # "... Affairs last month"
        at = self.text.find(body, start, end + 1)
        at = at if at >= 0 else start
        entity = self._resolve_name_mention(body, at, at + len(body))
        entity.add_alias(text)
        return entity

    def _resolve_joint_mention(self, text: str, start: int, end: int) -> SpeakerEntity | None:
        """ "Wallace and Rezhnikov", "Merkley, Brown and Menendez": a group of the people named,
        each resolved too; None unless every part is capitalised."""
        if not re.search(r"\s(?:and|&)\s", text):
            return None
        parts = [p.strip(" ,") for p in re.split(r"\s*,\s*|\s+(?:and|&)\s+", text) if p.strip(" ,")]
        capitalised = [p for p in parts if p[:1].isupper()]
        if len(parts) < 2 or len(capitalised) != len(parts):
            return None
        members = []
        offset = start
        for part in parts:
            at = self.text.find(part, offset, end + 1)
            at = at if at >= 0 else start
            members.append(self._resolve_name_mention(part, at, at + len(part)))
            offset = at + len(part)
        canonical = " and ".join(m.canonical for m in members)
        for entity in self.entities:
            if entity.canonical == canonical:
                return entity
        joint = SpeakerEntity(canonical, SpeakerKind.GROUP, members=tuple(members))
        joint.add_alias(text)
        self.entities.append(joint)
        return joint

    def _resolve_apposed_name(self, text: str, start: int, end: int) -> SpeakerEntity | None:
        """ "An attorney for Pagliano, Mark MacDougall": the name after a description (or after a
        clause the reader ran over: "he welcomed several hundred guests, Scott") is the speaker."""
        head, tail = text.split(",")[:2]
        tail_words = mention_words(tail)
        head_words = mention_words(head)
        described = any(w.islower() and w not in NAME_PARTICLES for w in head_words)
        clause = bool(head_words) and head_words[0].lower() in PEOPLE_PRONOUNS
        proper_tail = bool(tail_words) and all(w[:1].isupper() for w in tail_words)
        if not (described and proper_tail):
            return None
        if not (len(tail_words) >= 2 or clause or self._find_by_surname(tail_words) is not None):
            return None  # a single word, neither after a clause nor a surname met before
        apposed = self._resolve_name_mention(tail, start + text.find(tail), end)
        apposed.add_alias(text)
        return apposed

    def _kind_of_mention(
        self, text: str, words: list[str], titles: list[str], name: list[str], start: int, end: int
    ) -> tuple[SpeakerKind, bool]:
        """What a mention names (a person, an organisation, a group, or we cannot tell), and
        whether it is a transcript's speaker label ("PENCE:")."""
        # the label of the name itself, not of a title before it ("Prime Minister" as ORG)
        raw = self.text[start:end]
        name_end = start + len(raw.split(",")[0].rstrip())
        label = self._entity_label(max(start, name_end - 1), name_end)
        lower_words = [w.lower() for w in words]
        proper = [w for w in name if w[:1].isupper()]
        # "the Kremlin", "The Pentagon": people are not named with an article; roles with one
        # ("the prime minister") are lower-case and handled below
        definite_proper = (
            text.lower().startswith("the ")
            and bool(words)
            and all(w[:1].isupper() for w in words)
            and not titles
        )
        # a country speaks through its government ("South Korea accused ..."): the recognizer
        # tags countries as places, and a place is no person for "he" to find later (unless
        # the article named a person so: "Jim Jordan" ... "Jordan")
        place = " ".join(lower_words)
        government = place in country_names() or place in US_STATES or place in GOVERNMENT_SEATS
        country = government and self._find_by_surname(name) is None
        # an acronym alone ("IMF", "CNS") names a body, whatever the recognizer says; a
        # transcript's speaker label ("PENCE:") is a person
        transcript_label = self.text[end : end + 1] == ":"
        acronym = (
            len(words) == 1
            and words[0].isupper()
            and 2 <= len(words[0].replace(".", "")) <= 6
            and not transcript_label
        )
        outlet = " ".join(w for w in lower_words if w != "the") in NEWS_OUTLETS
        org_word = (
            country or acronym or outlet or _body_name(words) or any(w in ORG_WORDS for w in lower_words)
        )
        is_org = (
            org_word
            or definite_proper
            or bool(label and label in self.org_labels and label not in self.person_labels)
        )
        is_group = bool(lower_words) and (
            lower_words[-1] in GROUP_HEADS or self._plural_common_noun_ends(start, end, words[-1])
        )
        # the naming words of a mention that runs on past them ("Democrats | on Capitol Hill, who")
        is_group = is_group or (bool(name) and name[-1].lower() in GROUP_HEADS)
        # "Prime Minister Erik Dahl": a personal title before a name outweighs an ORG label
        titled_person = bool(titles) and bool(proper) and not any(w.lower() in ORG_WORDS for w in name)
        # "Mulgrew" after "Michael Mulgrew, president of the United Federation of Teachers": a
        # lone surname the recognizer calls an organisation is the person the article named
        named_person = len(name) == 1 and not org_word and bool(self._people_whose_name_ends(name))
        if is_group:
            kind = SpeakerKind.GROUP
        elif titled_person or named_person:
            kind = SpeakerKind.PERSON
        elif is_org and (org_word or definite_proper or label not in self.person_labels):
            # "the Senate majority leader", "chair of the DNC": a person's role in a body, a
            # description of a person, not the body
            kind = SpeakerKind.UNKNOWN if _headed_by_a_role(words) else SpeakerKind.ORGANISATION
        elif label in self.person_labels or (proper and len(proper) == len(name) and titles != words):
            kind = SpeakerKind.PERSON if proper else SpeakerKind.UNKNOWN
        else:
            kind = SpeakerKind.UNKNOWN
        return kind, transcript_label

    def _resolve_body(self, text: str, words: list[str], kind: SpeakerKind) -> SpeakerEntity:
        """A group or an organisation: the one met before under this name (or, for an
        organisation, its head noun), else a new one."""
        money = [k for k, w in enumerate(words[:-1]) if w.startswith("$") or w in _AMOUNTS]
        if (
            kind is SpeakerKind.GROUP
            and money
            and any(w.startswith("$") for w in words[: money[-1] + 1])
            and len(words) - money[-1] - 1 <= 2
            and words[-1].lower() in GROUP_HEADS
        ):
            words = words[money[-1] + 1 :]  # "the minimum $20 million experts say it costs"
        named_from = next((k for k, w in enumerate(words) if w[:1].isupper()), 0)
        if (
            kind is SpeakerKind.ORGANISATION
            and named_from
            and all(w.isalpha() and w.lower() not in DESCRIPTION_STOPPERS for w in words[:named_from])
            and all(w[:1].isupper() or w in NAME_PARTICLES | {"to", "for"} for w in words[named_from:])
        ):
            # "the event organizer Alliance to Reclaim Our Schools", "the nonpartisan
            # Congressional Budget Office" (not "a tech staffer at the State Department")
            words = words[named_from:]
        canonical = " ".join(words)
        existing = next((e for e in self.entities if e.canonical.lower() == canonical.lower()), None)
        if existing is None and kind is SpeakerKind.ORGANISATION:
            existing = self._same_organisation(canonical)
        if existing is not None:
            existing.add_alias(text)
            return existing
        entity = SpeakerEntity(canonical, kind)
        entity.add_alias(text)
        self.entities.append(entity)
        return entity

    def _resolve_role(self, text: str, words: list[str], start: int, end: int) -> SpeakerEntity:
        """A role with no name ("the prime minister", "the minister"): the speaker the article
        gave that title, or the person it names in that role, else an unknown speaker."""
        role_words = words
        entity_or_none = self._find_by_role(role_words)
        if entity_or_none is None and role_words:
            named = self._title_of_person_in_text(" ".join(role_words), start)
            if named:
                entity_or_none = self._resolve_name_mention(" ".join(role_words) + " " + named, start, end)
                if entity_or_none.canonical[:1].islower():
                    # a role that is no title ("billionaire Tom Steyer"): the name alone
                    entity_or_none = self._resolve_name_mention(named, start, end)
        if entity_or_none is None:
            entity_or_none = self._person_described(text, words, start)
        if entity_or_none is not None:
            entity_or_none.add_alias(text)
            return entity_or_none
        canonical = " ".join(words) or text
        # "my father", "her mother": a relative is a person (and "he" or "she" may find them)
        kind = SpeakerKind.PERSON if words and words[-1].lower() in RELATIVES else SpeakerKind.UNKNOWN
        entity = SpeakerEntity(canonical, kind)
        self.entities.append(entity)
        return entity

    def _resolve_person(
        self, text: str, name: list[str], titles: list[str], kind: SpeakerKind, transcript_label: bool
    ) -> SpeakerEntity:
        """A named person: the one met before with this surname (renamed to the fuller name),
        else a new speaker."""
        if (
            kind is SpeakerKind.PERSON
            and (transcript_label or len(name) > 1)
            and all(w.isupper() and len(w) > 1 for w in name)
        ):
            # a transcript's speaker label ("PENCE:", "JOHN KERRY:") names the person as "Pence";
            # a lone acronym ("VA", "CNS") keeps its capitals
            name = [_title_case(w) for w in name]
        name = _without_a_word_before_the_first_name(name)
        existing = self._find_by_surname(name)
        if existing is not None:
            if len(" ".join(name)) > len(existing.canonical) and name[-1].lower() == existing.surname:
                existing.add_alias(existing.canonical)
                existing.canonical = " ".join(name)
            existing.add_alias(text)
            if titles:
                existing.titles.append(" ".join(t.lower() for t in titles))
            return existing
        entity = SpeakerEntity(" ".join(name), SpeakerKind.PERSON if kind != SpeakerKind.UNKNOWN else kind)
        entity.add_alias(text)
        if titles:
            entity.titles.append(" ".join(t.lower() for t in titles))
        self.entities.append(entity)
        return entity

    def _naming_words(self, name: list[str], start: int, end: int) -> list[str]:
        """The words that name a person in a mention the parser ran too wide.

        A personal name has no lower-case words but particles. A mention with some is cut to
        a person's capitalised run in two shapes only:

        * the run ends the mention and is a person (tagged so, or met before in the article),
          or the mention ends in ", who": "risky for Cruz, who", "The ad uses footage of
          Hillary Clinton", "MSNBC host Chris Matthews";
        * a person's run is followed by when or where they spoke: "Trump this week", "David
          Axelrod on Wednesday".

        Without this, one such mention renames everybody's "Cruz" to "risky for Cruz" through
        the surname match. Other shapes name something else after all ("New York judge",
        "Trump's running mate", "Citizens for Tax Justice") and are left as they are.
        """
        lower = [w.lower() for w in name]
        proper = all(w[:1].isupper() or w.lower() in NAME_PARTICLES for w in name)
        if proper or "and" in lower or "&" in lower:
            return name  # a proper name, or several people ("Barack Obama and his wife Michelle")
        runs: list[tuple[int, int]] = []  # [first, last] word indices of capitalised runs
        i = 0
        while i < len(name):
            if not name[i][:1].isupper():
                i += 1
                continue
            j = i
            while j + 1 < len(name) and (name[j + 1][:1].isupper() or name[j + 1].lower() in NAME_PARTICLES):
                j += 1
            while j > i and name[j].lower() in NAME_PARTICLES:
                j -= 1
            if name[j].lower() not in NAME_PARTICLES:  # a capitalised particle alone ("La") is no run
                runs.append((i, j))
            i = j + 1
        raw = self.text[start:end]
        relative = re.search(r",\s*(?:who|which)\s*$", raw) is not None
        if runs and _speaks_for_another(name, runs[-1][0]):
            return name  # "a spokeswoman for Hillary Clinton" speaks, not Hillary Clinton
        if relative and runs and self._place_after_people(name, runs[-1], raw, start):
            # "Ron Paul of Texas, who", "Democrats on Capitol Hill, who": "who" is the people
            return self._naming_words(name[: runs[-1][0] - 1], start, end)
        for first, last in reversed(runs):
            run = name[first : last + 1]
            if all(w.lower() in TIME_WORDS for w in run) or any(POSSESSIVE.search(w) for w in run):
                continue
            at = raw.rfind(run[-1])
            label = self._entity_label(start + at, start + at + len(run[-1])) if at >= 0 else None
            known = self._find_by_surname(run)
            # the recognizer misses people ("Hillary Clinton" as LOC); one met before counts
            person = label in self.person_labels or (known is not None and known.kind is SpeakerKind.PERSON)
            ends_mention = last == len(name) - 1
            if (ends_mention and (person or relative)) or (
                person and not ends_mention and name[last + 1].lower() in SETTING_WORDS
            ):
                return run
        return name

    def _place_after_people(self, name: list[str], run: tuple[int, int], raw: str, start: int) -> bool:
        """Whether the capitalised run that ends a mention is a place after a preposition, with
        words before it that name who is there ("Ron Paul | of | Texas")."""
        first, last = run
        if last != len(name) - 1 or first < 2 or name[first - 1].lower() not in PLACE_PREPOSITIONS:
            return False
        at = raw.rfind(name[last])
        return at >= 0 and self._entity_label(start + at, start + at + len(name[last])) in PLACE_LABELS

    def _plural_common_noun_ends(self, start: int, end: int, last: str) -> bool:
        """Whether the mention ends in a plural common noun ("Demonstrators", "Several cast
        members"): a group, even capitalised at the start of a sentence, and never "he".
        The tagger reads such a word as a name ("Demonstrators/NNPS") and the recognizer as a
        person; a plural lemma ("Demonstrator") tells it from a name ending in s ("Sanders")."""
        at = self.text.rfind(last, start, end)
        span = self.doc.char_span(at, at + len(last), alignment_mode="expand") if at >= 0 else None
        if span is None or len(span) != 1:
            return False
        token = span[0]
        if token.text[:1].isupper() and (not opens_sentence(token) or self._find_by_surname([token.text])):
            return False  # part of a name ("Reclaim Our Schools"), or one met before ("Stumpf")
        return token.tag_ in {"NNS", "NNPS"} and token.lemma_.lower() != token.lower_

    def _person_run_on(self, words: list[str]) -> list[str] | None:
        """ "the editorial board of the Washington Post Trump said": the surname of a person the
        article names in full, run on after an outlet's or organisation's name (a comma the
        writer left out), is who speaks, not the board. The person's full name, else None."""
        if len(words) < 3 or not words[-1][:1].isupper():
            return None
        full = self._full_person_name(words[-1])
        if full is None:
            return None
        k = len(words) - 1
        while k > 0 and words[k - 1][:1].isupper():
            k -= 1
        before = [w.lower() for w in words[k:-1] if w.lower() != "the"]
        if k == 0 or not before or any(w in {n.lower() for n in full} for w in before):
            return None
        body = " ".join(before) in NEWS_OUTLETS or before[-1] in ORG_WORDS | COMPANY_WORDS
        return full if body else None

    def _full_person_name(self, surname: str) -> list[str] | None:
        """The words of the person with this surname met before, or named in full in the
        article ("Donald Trump’s recent gains ..."); None when there is none."""
        known = self._find_by_surname([surname])
        if known is not None:
            return known.canonical.split() if known.kind is SpeakerKind.PERSON else None
        for ent in self.ents:
            names = [POSSESSIVE.sub("", w) for w in ent.text.split()]
            if str(ent.label_) in self.person_labels and len(names) > 1 and names[-1] == surname:
                return names
        return None

    def _company_named_by(self, name: list[str]) -> list[str] | None:
        """ "Patriot" after "Patriot Coal": the words of the company a one-word name opens, where
        the article names one so and no person has that name ("Trump" after "Trump
        Organization" stays the person the article calls Donald Trump)."""
        if len(name) != 1 or self._find_by_surname(name) is not None:
            return None
        word = name[0]
        company: list[str] | None = None
        for ent in self.ents:
            words = ent.text.split()
            if str(ent.label_) in self.person_labels and len(words) > 1 and word in words:
                return None
            if (
                company is None
                and str(ent.label_) in self.org_labels
                and len(words) > 1
                and words[0] == word
                and words[-1].lower().rstrip(",") in COMPANY_WORDS
            ):
                company = [w.rstrip(",") for w in words]
        return company

    def _same_organisation(self, canonical: str) -> SpeakerEntity | None:
        """ "the council" after "Portmere City Council" -> that organisation; and a full name
        after a bare "council" (a headline) names the organisation seen before."""
        head = organisation_head(canonical)
        described = not any(w[:1].isupper() for w in canonical.split())
        for entity in reversed([*self.history, *self.entities]):
            if entity.kind is not SpeakerKind.ORGANISATION or organisation_head(entity.canonical) != head:
                continue
            other_described = not any(w[:1].isupper() for w in entity.canonical.split())
            if described and not other_described:
                return entity
            if other_described and not described:
                previous, entity.canonical = entity.canonical, canonical
                entity.add_alias(previous)
                return entity
        return None

    def _person_of_organisation(self, text: str, start: int) -> SpeakerEntity | None:
        """ "Priya Natarajan of the Chamber of Commerce" -> the person, the long form an alias.

        Only when the part before "of"/"from"/"at" is a personal name: two or more
        capitalised words, no organisation word, not only titles, and tagged as a person by
        the pipeline ("Bank of England", "Secretary of State", "Chamber of Commerce" stay).
        """
        match = PERSON_OF.match(text)
        if match is None:
            return None
        left = match.group(1)
        words = mention_words(left)
        lower = [w.lower() for w in words]
        if (
            len(words) < 2
            or not all(w[:1].isupper() for w in words)
            or any(w in ORG_WORDS for w in lower)
            or all(w in TITLE_WORDS for w in lower)
        ):
            return None
        # the tagger must see a person there: "Royal College of Nursing" has no organisation
        # word this module knows, but it is not "Royal College" of something
        label = self._entity_label(start, start + len(left))
        if label is None or label not in self.person_labels:
            return None
        entity = self._resolve_name_mention(left, start, start + len(left))
        if entity.kind is not SpeakerKind.PERSON:
            return None
        entity.add_alias(text)
        return entity


# what ends a sum of money that a parse can run into a group's name
_AMOUNTS = frozenset({"million", "billion", "trillion"})


def _speaks_for_another(name: list[str], run_start: int) -> bool:
    return (
        run_start >= 2
        and name[run_start - 1].lower() in {"for", "to", "of"}
        and name[run_start - 2].lower() in SPEAKING_FOR
    )


def _ends_in_a_role(name: list[str]) -> bool:
    """A description whose head is a title word in lower case ("Republican nominee", "Vermont
    senator"): a person's name never ends so."""
    return len(name) > 1 and name[-1].islower() and name[-1] in TITLE_WORDS


def _without_a_word_before_the_first_name(name: list[str]) -> list[str]:
    """ "Rival Hillary Clinton had mocked …", "NBC's Dante Chinni": a capitalised word before a
    known first name, in a name of capitalised words only, that no one is named by (not even
    rarely: "Cornell William Brooks") describes the person."""
    if (
        len(name) >= 3
        and all(w[:1].isupper() for w in name)
        and is_first_name(name[1])
        and name[0].lower() not in first_name_genders()
        and name[0].lower() not in first_name_leanings()
    ):
        return name[1:]
    return name


def _headed_by_a_role(words: list[str]) -> bool:
    """Whether a mention's head, before any "of"/"at" it runs on with, is a person's role in
    lower case: "Senate majority leader", "chair | of the DNC", "tech staffer | at the State
    Department", "Homeland Security Department official" (not "Bank of England")."""
    cut = next((k for k, w in enumerate(words) if k > 0 and w in ROLE_LINKS), len(words))
    head = words[cut - 1] if cut else ""
    return head.islower() and (head in TITLE_WORDS or head in ROLE_NOUNS)


# "for" or "against" between capitalised words: "Citizens for Tax Justice", "Mothers Against
# Drunk Driving" name a body; a person's name never has them
_BODY_NAME_LINKS = frozenset({"for", "against"})
_BODY_NAME_SMALL_WORDS = _BODY_NAME_LINKS | {"of", "the", "and", "to", "on", "in"}


def _body_name(words: list[str]) -> bool:
    return (
        len(words) >= 3
        and words[0][:1].isupper()
        and words[-1][:1].isupper()
        and any(w.lower() in _BODY_NAME_LINKS for w in words[1:-1])
        and all(w[:1].isupper() or w.lower() in _BODY_NAME_SMALL_WORDS for w in words)
    )


def _title_case(word: str) -> str:
    """ "PENCE" -> "Pence", and "OZ’S" -> "Oz’s" (``str.title`` gives "Oz’S")."""
    return re.sub(r"(?<=\w)(['’])S\b", r"\1s", word.title())
