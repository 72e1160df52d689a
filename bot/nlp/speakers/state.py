"""What one article's resolver keeps (its speakers, in order) and the look-ups every
resolution step shares."""

from __future__ import annotations

import logging
import re

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from bot.models import SpeakerKind
from bot.nlp.name_genders import PronounGender, is_first_name
from bot.nlp.speakers.entities import ResolvedSpeaker, SpeakerEntity
from bot.nlp.speakers.names import mention_words, same_first_name, split_title, title_case_line
from bot.nlp.speakers.vocabulary import (
    DATA_NOUNS,
    DETERMINERS,
    GROUP_HEADS,
    ORG_WORDS,
    POSSESSIVE,
    ROLE_SYNONYMS,
    SPEAKER_DOCUMENT_NOUNS,
    TITLE_WORDS,
    WORDS_A_ROLE_MAY_SKIP,
)

logger = logging.getLogger(__name__)

# what ends a description in a heading ("Black Lawmakers", "New Poll", "Retired General")
_DESCRIPTION_HEADS = TITLE_WORDS | GROUP_HEADS | ORG_WORDS | SPEAKER_DOCUMENT_NOUNS | DATA_NOUNS


class ResolverState:
    """Speakers met so far in one article, and how to find one again."""

    def __init__(
        self,
        doc: Doc,
        *,
        person_labels: frozenset[str] = frozenset({"PER", "PERSON"}),
        org_labels: frozenset[str] = frozenset({"ORG", "NORP", "GPE"}),
    ) -> None:
        self.doc = doc
        self.person_labels = person_labels
        self.org_labels = org_labels
        self.ents = list(doc.ents)  # Doc.ents rebuilds its tuple on every access
        self.text = doc.text  # and so does Doc.text
        self.entities: list[SpeakerEntity] = []
        self.history: list[SpeakerEntity] = []  # resolved speakers, most recent last
        self._last_seen: dict[int, int] = {}  # id(entity) -> where it was last a speaker
        self._surname_genders: dict[str, PronounGender | None] = {}
        self._people: list[Span] | None = None

    def _entity_label(self, start: int, end: int) -> str | None:
        for ent in self.ents:
            if ent.start_char < end and start < ent.end_char:
                return str(ent.label_)
        return None

    def _people_whose_name_ends(self, words: list[str]) -> list[SpeakerEntity]:
        """The people of the article (no joint speakers), latest first, whose full name ends
        with ``words``: "Michael Mulgrew" for "Mulgrew", "Bill de Blasio" for "De Blasio"."""
        tail = " " + " ".join(words).lower()
        return [
            e
            for e in reversed(self.entities)
            if e.kind is SpeakerKind.PERSON and not e.members and f" {e.canonical.lower()}".endswith(tail)
        ]

    def _find_by_surname(self, name_words: list[str]) -> SpeakerEntity | None:
        if not name_words:
            return None
        wanted = name_words[-1].lower()
        full = " ".join(name_words).lower()
        candidates = []
        for entity in reversed(self.entities):
            if entity.members:
                continue
            if entity.canonical.lower() == full:
                return entity
            if (
                entity.kind in {SpeakerKind.PERSON, SpeakerKind.UNKNOWN}
                and entity.surname == wanted
                and same_first_name(name_words, entity.canonical.split())
            ):
                candidates.append(entity)
        # a bare "Clinton" after both Hillary and Bill Clinton: the one quoted most so far
        return max(candidates, key=lambda e: self.history.count(e), default=None)

    def _find_by_role(self, role_words: list[str]) -> SpeakerEntity | None:
        role = " ".join(
            ROLE_SYNONYMS.get(w.lower(), w.lower()) for w in role_words if w.lower() not in DETERMINERS
        )
        if not role:
            return None
        for entity in reversed(self.entities):
            titles = [" ".join(ROLE_SYNONYMS.get(w, w) for w in t.split()) for t in entity.titles]
            if any(
                (role == t or t.endswith(" " + role) or role in t.split() or _shortened(role, t))
                and not _another_rank(role, t)
                for t in titles
            ):
                return entity
        return None

    def _title_of_person_in_text(self, role: str, before: int) -> str | None:
        """Looks for "<Role> <Name>" in the article before ``before`` ("Prime Minister Boris Johnson")."""
        # "Republican nominee" is also said "Republican presidential nominee" and "GOP nominee"
        # (but "Democratic vice presidential nominee" is someone else)
        between = r"(?:\s+(?i:" + "|".join(WORDS_A_ROLE_MAY_SKIP) + r"))?\s+"
        role_pattern = between.join(_alternatives(w) for w in role.split())
        pattern = re.compile(r"\b(?i:" + role_pattern + r")\s+((?:[A-Z][\w'.-]*[\w.](?:\s|$)){1,3})")
        best: str | None = None
        for match in pattern.finditer(self.text, 0, before):
            name = POSSESSIVE.sub("", match.group(1).strip())
            named = name and name[0].isupper() and not self._heading_words_only(*match.span(1))
            if named and not self._of_another_rank(role, match.start()):
                best = name
        if best is None:
            # a description used before the article names the person in that role ("the
            # Republican presidential nominee said …", later "Republican presidential nominee
            # Donald Trump"): the first such naming after it
            for match in pattern.finditer(self.text, before):
                name = POSSESSIVE.sub("", match.group(1).strip())
                named = name and name[0].isupper() and not self._heading_words_only(*match.span(1))
                if named and not self._of_another_rank(role, match.start()):
                    return name
        return best

    def _of_another_rank(self, role: str, at: int) -> bool:
        """Whether the title found at ``at`` is another office ("Vice | President Joe Biden"
        for "the president")."""
        before = self.text[max(0, at - 15) : at].lower().split()
        return bool(before) and _another_rank(role.lower(), before[-1])

    def _heading_words_only(self, start: int, end: int) -> bool:
        """A mention in a title-case heading that reads as no name ("New Poll Shows Minor
        Post-Debate Bump For Clinton", "Washington Post Hit Piece Exploits Trump Supporter"):
        in a heading every word is capitalised, so capitals are no sign of a name, and the
        reader took verbs and nouns for one ("Shows Minor Post-Debate"). It is a name all the
        same when the article uses its last word capitalised outside the heading ("De Blasio
        says ..." then "De Blasio said") or it opens with a first name ("Mayor Bill de
        Blasio")."""
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        line_end = len(self.text) if line_end < 0 else line_end
        if not title_case_line(self.text[line_start:line_end]):
            return False
        words = [w for w in mention_words(self.text[start:end]) if w.lower() not in DETERMINERS]
        _, name = split_title(words)
        capitalised = [w for w in name if w[:1].isupper()]
        if not capitalised or is_first_name(capitalised[0]):
            return False
        head = capitalised[-1].lower()
        if {head, head.removesuffix("s")} & _DESCRIPTION_HEADS:
            return False  # a description ("Black Lawmakers", "New Poll"), not a misread name
        if head in STOP_WORDS:
            return True  # "Shows Bias When": a heading's function word ends no name
        outside = self.text[:line_start] + "\n" + self.text[line_end:]
        return re.search(r"\b" + re.escape(capitalised[-1]) + r"\b", outside) is None

    def _last(self, kinds: set[SpeakerKind]) -> SpeakerEntity | None:
        for entity in reversed(self.history):
            if entity.kind in kinds:
                return entity
        return None

    def _remember(self, entity: SpeakerEntity) -> ResolvedSpeaker:
        if entity not in self.entities:
            self.entities.append(entity)
        self.history.append(entity)
        return ResolvedSpeaker(entity.canonical, entity.kind, tuple(entity.aliases), entity)

    def _resolve_name_mention(self, text: str, start: int, end: int) -> SpeakerEntity:
        raise NotImplementedError  # NameMentions resolves names; pronouns need it too


def _alternatives(word: str) -> str:
    lower = word.lower()
    same = {lower} | {k for k, v in ROLE_SYNONYMS.items() if v == lower} | {ROLE_SYNONYMS.get(lower, lower)}
    return "(?:" + "|".join(re.escape(w) for w in sorted(same)) + ")"


# words that make a title another office than its head ("vice president" is not "the president")
RANKS = frozenset({"vice", "deputy", "assistant", "associate", "under", "lieutenant", "acting"})


def _another_rank(role: str, title: str) -> bool:
    """ "the president" against the title "vice president": another office, not a shorter name
    for the same one."""
    return bool((RANKS & set(title.split())) - set(role.split()))


def _shortened(role: str, title: str) -> bool:
    """ "republican nominee" shortens "republican presidential nominee": the role's words are the
    title's, in order, with the same head."""
    wanted, words = role.split(), title.split()
    if len(wanted) < 2 or wanted[-1] != words[-1]:
        return False
    found = iter(words)
    return all(w in found for w in wanted)
