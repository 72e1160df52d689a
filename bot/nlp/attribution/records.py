"""What the attribution rules return (``Attribution``) and pass between their steps."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NewType

from spacy.tokens import Doc

from bot.models import ClaimKind
from bot.nlp.attribution.lexicon import AttributionModels
from bot.nlp.quotes import Quote

logger = logging.getLogger(__name__)


# Character offsets into the article text, [start, end): what statements are made of.
CharSpan = NewType("CharSpan", tuple[int, int])
# Token indices into the parsed Doc, [start, end): what the rules find speakers and contents as.
TokenRange = NewType("TokenRange", tuple[int, int])
Fragment = CharSpan  # the name callers outside the package know


@dataclass(frozen=True, slots=True)
class Attribution:
    """One statement found in a Doc. Offsets are character offsets into ``doc.text``."""

    kind: ClaimKind
    content: tuple[CharSpan, ...]
    cue: CharSpan | None
    source: CharSpan | None  # the mention as written ("Flynn, a top Trump surrogate,")
    source_head: CharSpan | None = None  # the naming part of it ("Flynn")
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
    lexicon: AttributionModels
    token_starts: list[int] = field(default_factory=list)  # token.idx by token index (bisect)
    text: str = ""  # doc.text, built once (Doc.text joins every token on each access)


@dataclass(slots=True)
class Candidate:
    cue: int
    cue_end: int
    source: TokenRange | None
    content: list[CharSpan]
    inherited: bool = False
