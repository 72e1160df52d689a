"""What the attribution rules return (``Attribution``) and pass between their steps."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from spacy.tokens import Doc

from bot.models import ClaimKind
from bot.nlp.attribution.lexicon import CueLexicon
from bot.nlp.quotes import Quote

logger = logging.getLogger(__name__)


Fragment = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Attribution:
    """One statement found in a Doc. Offsets are character offsets into ``doc.text``."""

    kind: ClaimKind
    content: tuple[Fragment, ...]
    cue: Fragment | None
    source: Fragment | None  # the mention as written ("Flynn, a top Trump surrogate,")
    source_head: Fragment | None = None  # the naming part of it ("Flynn")
    inherited: bool = False  # source taken from a previous statement (pronoun-less)

    @property
    def start(self) -> int:
        return self.content[0][0]

    @property
    def end(self) -> int:
        return self.content[-1][1]


@dataclass(frozen=True, slots=True)
class SentenceUnit:
    """A sentence, cut at paragraph breaks (no statement runs across a blank line)."""

    start: int  # token index
    end: int
    paragraph: int


@dataclass(slots=True)
class ArticleContext:
    doc: Doc
    quotes: list[Quote]
    units: list[SentenceUnit]
    lexicon: CueLexicon
    token_starts: list[int] = field(default_factory=list)  # token.idx by token index (bisect)
    text: str = ""  # doc.text, built once (Doc.text joins every token on each access)


@dataclass(slots=True)
class Candidate:
    cue: int
    cue_end: int
    source: tuple[int, int] | None
    content: list[Fragment]
    inherited: bool = False
