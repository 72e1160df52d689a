"""The speakers of one article (``SpeakerEntity``) and a resolved mention."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.models import SpeakerKind
from bot.nlp.speakers.vocabulary import SPACES
from bot.words import family_name_index

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class SpeakerEntity:
    canonical: str
    kind: SpeakerKind
    aliases: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # lower-cased title words ("prime minister")
    members: tuple[SpeakerEntity, ...] = ()

    def add_alias(self, alias: str) -> None:
        alias = SPACES.sub(" ", alias).strip(" ,")
        if alias and alias != self.canonical and alias not in self.aliases:
            self.aliases.append(alias)

    @property
    def surname(self) -> str:
        words = self.canonical.split()
        return words[family_name_index(words)].lower() if words else ""


@dataclass(frozen=True, slots=True)
class ResolvedSpeaker:
    name: str
    kind: SpeakerKind
    aliases: tuple[str, ...]
    entity: SpeakerEntity
