"""Domain types shared by the core, storage and adapters.

Plain frozen dataclasses: no ORM, no chat objects. Character offsets are always into
the article text *as read* (after decoding, before any cleaning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ClaimKind(StrEnum):
    DIRECT = "direct"
    INDIRECT = "indirect"
    UNATTRIBUTED = "unattributed"


class Status(StrEnum):
    NEW = "new"
    REPEAT = "repeat"
    CHANGED = "changed"


class Verdict(StrEnum):
    """Outcome of comparing two statements (``claimbot compare``)."""

    REPEAT = "repeat"
    CHANGED = "changed"
    DIFFERENT = "different"


class Stance(StrEnum):
    """What the speaker does with the statement's proposition (read from the cue's grammar)."""

    ASSERTS = "asserts"
    DENIES = "denies"  # "denied that P", "rejected claims that P"
    DECLINES = "declines"  # "refused to say whether P", "would not confirm P"
    ASKS = "asks"  # "asked whether P", a quoted question
    CONDITIONAL = "conditional"  # "would argue that P", "might say P"


class SpeakerKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    GROUP = "group"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One statement found in one article, before it is compared with the store."""

    text: str  # the proposition, quote marks stripped, whitespace normalised
    kind: ClaimKind
    content: Span
    cue: Span | None = None
    speaker_mention: Span | None = None
    speaker: str | None = None  # resolved within the article ("Wallace" -> "Ben Wallace")
    speaker_kind: SpeakerKind = SpeakerKind.UNKNOWN
    # further restatements of the same claim inside the same article (content spans)
    restatements: tuple[Span, ...] = ()
    # other names the article uses for the speaker ("the prime minister", "Johnson")
    speaker_aliases: tuple[str, ...] = ()
    # the pieces of a statement the writer interrupts ("“X,” he said, “Y.”": the two quotes);
    # empty when ``content`` is one piece. ``content`` runs from the first piece to the last.
    content_fragments: tuple[Span, ...] = ()
    stance: Stance = Stance.ASSERTS

    @property
    def mentions(self) -> int:
        return 1 + len(self.restatements)

    @property
    def content_pieces(self) -> tuple[Span, ...]:
        """The statement's own text, without the writer's words that interrupt it."""
        return self.content_fragments or (self.content,)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an article came from in chat (all optional: the CLI has none)."""

    platform: str  # "discord", "slack", "console"
    channel_id: str | None = None
    message_id: str | None = None
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleInput:
    text: str
    title: str | None = None
    url: str | None = None
    published: date | None = None
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    id: str
    tenant: str
    title: str | None
    url: str | None
    published: date | None
    content_hash: str
    created_at: datetime
    duplicate_of: str | None = None
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class Speaker:
    id: str
    tenant: str
    name: str
    kind: SpeakerKind
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FactCheck:
    """A published fact-check's verdict on a claim (schema.org ``ClaimReview``)."""

    verdict: str | None = None  # in words: "False", "Mostly true" (``reviewRating.alternateName``)
    by: str | None = None  # the fact-checker ("PolitiFact")
    url: str | None = None  # the fact-check article
    date: date | None = None  # when the fact-check was published
    rating: float | None = None  # ``reviewRating.ratingValue``, when given
    best_rating: float | None = None
    worst_rating: float | None = None


@dataclass(frozen=True, slots=True)
class StoredClaim:
    id: str
    tenant: str
    text: str
    speaker: str | None
    speaker_id: str | None
    kind: ClaimKind
    first_seen: datetime
    source: str | None  # article URL or chat permalink where it was first seen
    external_id: str | None = None
    article_id: str | None = None
    mentions: int = 1
    changed_from: str | None = None  # id of the earlier claim this one changed (digests)
    title: str | None = None  # an imported fact-check's headline; search ranks by it too
    stance: Stance = Stance.ASSERTS
    fact_check: FactCheck | None = None  # the verdict of an imported ClaimReview


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored claim returned by the index for a query embedding."""

    claim: StoredClaim
    cosine: float
    lexical: float = 0.0  # full-text / token-overlap evidence in [0, 1], 0 when unknown


@dataclass(frozen=True, slots=True)
class Comparison:
    similarity: float
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    judge: float | None = None  # the pair judge's score, when it read the pair (bot.inference.judge)
    # on a "different" verdict of a same-topic pair: the figures both statements give ("4.2
    # percent"), which let the pair judge find the same statement reworded (matching.compare)
    shared_figures: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    claim: StoredClaim
    similarity: float
    same_speaker: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckedClaim:
    claim: ExtractedClaim
    status: Status
    id: str | None = None  # stored claim id (None on --dry-run for new claims)
    match: Match | None = None


@dataclass(frozen=True, slots=True)
class CheckSummary:
    claims: int
    new: int
    repeat: int
    changed: int
    speakers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckReport:
    article: ArticleRecord
    claims: tuple[CheckedClaim, ...]
    summary: CheckSummary
    notes: tuple[str, ...] = ()  # things the user should know ("nothing check-worthy found")


@dataclass(frozen=True, slots=True)
class SearchHit:
    claim: StoredClaim
    score: float  # the query's meaning similarity to the claim, the same scale for every query
    close: bool = True  # close enough to count as found (bot.search_score.is_close)


@dataclass(frozen=True, slots=True)
class KnownClaim:
    """One line of a fact-check archive for ``claimbot import``."""

    external_id: str
    text: str
    speaker: str | None = None
    date: date | None = None
    source: str | None = None
    title: str | None = None  # the fact-check's headline ("Did 122 Prisoners ... Return?")
    fact_check: FactCheck | None = None  # a ClaimReview's verdict; re-importing its url updates it


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: int
    skipped_duplicates: int
    errors: tuple[str, ...] = field(default_factory=tuple)
    updated: int = 0  # fact-checks already stored whose verdict was refreshed


# ---------------------------------------------------------------------------- digests
@dataclass(frozen=True, slots=True)
class SpeakerActivity:
    speaker: str
    new_claims: int
    mentions: int


@dataclass(frozen=True, slots=True)
class RepeatedStatement:
    claim: StoredClaim
    times: int  # mentions inside the digest period
    first_seen: datetime
    link: str | None


@dataclass(frozen=True, slots=True)
class ChangedStatement:
    speaker: str | None
    before: StoredClaim
    after: StoredClaim
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DailyCount:
    day: date
    speaker: str
    claims: int
    repeats: int
    changes: int = 0  # statements first seen that day that changed an earlier one (marked in the chart)


@dataclass(frozen=True, slots=True)
class Digest:
    tenant: str
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware
    articles: int
    claims: int
    new_claims: int
    by_speaker: tuple[SpeakerActivity, ...]
    repeated: tuple[RepeatedStatement, ...]
    changed: tuple[ChangedStatement, ...]
    daily: tuple[DailyCount, ...] = ()
    fact_checked: int = 0  # statements in the period that matched a published fact-check
    # every statement of the period, not only the listed ones: new + changed + seen before = claims
    changed_claims: int = 0  # first seen in the period and changed an earlier statement
    repeated_claims: int = 0  # mentioned again in the period (a repeat of any of the three kinds)

    @property
    def empty(self) -> bool:
        return self.claims == 0 and self.articles == 0
