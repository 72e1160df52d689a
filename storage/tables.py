"""SQLModel tables: a ``*Base`` model with the data columns, a ``table=True`` subclass with keys.

Integer primary keys are internal (they are the usearch keys); the public ids handed to the
core are prefixed strings (``a12``, ``c345``, ``s6``) made by :mod:`storage.ids`.
Every datetime is stored as UTC (:class:`UTCDateTime`) so SQLite and PostgreSQL agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from bot.clock import utc_now


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no time zones: SQLAlchemy would store an aware value's wall-clock fields
    as they are, so a +02:00 time would sort wrongly against UTC ones. We convert first.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Named constraints let later migrations (SQLite batch mode included) address them by name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return utc_now()


def _ts(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


# --------------------------------------------------------------------------- tenants
class TenantBase(SQLModel):
    key: str = Field(max_length=200, unique=True)  # "discord:123", "slack:T123", "local"
    settings_json: str = Field(default="{}", sa_type=sa.Text)  # per-tenant overrides (thresholds...)


class Tenant(TenantBase, table=True):
    __tablename__ = "tenants"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _ts()


# --------------------------------------------------------------------------- articles
class ArticleBase(SQLModel):
    title: str | None = Field(default=None, sa_type=sa.Text)
    url: str | None = Field(default=None, sa_type=sa.Text)
    url_norm: str | None = Field(default=None, max_length=2000)
    published: date | None = None
    content_hash: str = Field(max_length=128)
    text: str = Field(sa_type=sa.Text)
    origin_platform: str | None = Field(default=None, max_length=32)
    origin_channel_id: str | None = Field(default=None, max_length=128)
    origin_message_id: str | None = Field(default=None, max_length=128)
    permalink: str | None = Field(default=None, sa_type=sa.Text)


class Article(ArticleBase, table=True):
    __tablename__ = "articles"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "content_hash", name="uq_articles_tenant_hash"),
        sa.Index("ix_articles_tenant_url", "tenant_id", "url_norm"),
        sa.Index("ix_articles_tenant_created", "tenant_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    created_at: datetime = _ts()


# --------------------------------------------------------------------------- speakers
class SpeakerBase(SQLModel):
    name: str = Field(max_length=300)
    kind: str = Field(default="unknown", max_length=16)  # person / organisation / group / unknown


class SpeakerRow(SpeakerBase, table=True):
    __tablename__ = "speakers"
    __table_args__ = (sa.Index("ix_speakers_tenant", "tenant_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    created_at: datetime = _ts()


class SpeakerAliasBase(SQLModel):
    alias: str = Field(max_length=300)
    alias_norm: str = Field(max_length=300)  # casefolded, whitespace collapsed: the lookup key


class SpeakerAlias(SpeakerAliasBase, table=True):
    __tablename__ = "speaker_aliases"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "alias_norm", name="uq_speaker_aliases_tenant_alias"),
        sa.Index("ix_speaker_aliases_speaker", "speaker_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    speaker_id: int = Field(foreign_key="speakers.id", ondelete="CASCADE")


# --------------------------------------------------------------------------- claims
class ClaimBase(SQLModel):
    text: str = Field(sa_type=sa.Text)
    kind: str = Field(max_length=16)  # direct / indirect / unattributed
    # asserts / denies / declines / asks / conditional (bot.models.Stance)
    stance: str = Field(default="asserts", max_length=16, sa_column_kwargs={"server_default": "asserts"})
    embedding: bytes = Field(sa_type=sa.LargeBinary)  # float16, little endian, L2-normalised
    source_url: str | None = Field(default=None, sa_type=sa.Text)
    source_permalink: str | None = Field(default=None, sa_type=sa.Text)
    external_id: str | None = Field(default=None, max_length=300)
    title: str | None = Field(default=None, sa_type=sa.Text)  # imported fact-checks' headlines
    mentions: int = Field(default=1)
    # migration 0007: an imported ClaimReview's verdict (its url is source_url); all null for
    # claims that no fact-checker reviewed
    fact_check_verdict: str | None = Field(default=None, sa_type=sa.Text)
    fact_check_by: str | None = Field(default=None, max_length=300)
    fact_check_date: date | None = None
    fact_check_rating: float | None = None
    fact_check_best: float | None = None
    fact_check_worst: float | None = None


class Claim(ClaimBase, table=True):
    __tablename__ = "claims"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "external_id", name="uq_claims_tenant_external_id"),
        # the watermark sync reads "this tenant's claims with id > N" through this index
        sa.Index("ix_claims_tenant_id_id", "tenant_id", "id"),
        sa.Index("ix_claims_speaker", "speaker_id"),
        sa.Index("ix_claims_tenant_first_seen", "tenant_id", "first_seen"),
        # never reuse an id, even of a deleted last row: the index watermark relies on it
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    speaker_id: int | None = Field(default=None, foreign_key="speakers.id", ondelete="SET NULL")
    article_id: int | None = Field(default=None, foreign_key="articles.id", ondelete="SET NULL")
    changed_from_id: int | None = Field(default=None, foreign_key="claims.id", ondelete="SET NULL")
    first_seen: datetime = _ts()


class MentionBase(SQLModel):
    content_start: int
    content_end: int
    cue_start: int | None = None
    cue_end: int | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    restatement: bool = False  # a further restatement of the claim inside the same article


class Mention(MentionBase, table=True):
    __tablename__ = "mentions"
    __table_args__ = (
        sa.Index("ix_mentions_claim", "claim_id"),
        sa.Index("ix_mentions_article", "article_id"),
        sa.Index("ix_mentions_tenant_created", "tenant_id", "created_at"),
        sa.Index("ix_mentions_speaker", "speaker_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    claim_id: int = Field(foreign_key="claims.id", ondelete="CASCADE")
    article_id: int = Field(foreign_key="articles.id", ondelete="CASCADE")
    speaker_id: int | None = Field(default=None, foreign_key="speakers.id", ondelete="SET NULL")
    created_at: datetime = _ts()


# --------------------------------------------------------------------------- chat configuration
class ChannelWatch(SQLModel, table=True):
    __tablename__ = "channel_watch"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "channel_id", name="uq_channel_watch"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    channel_id: str = Field(max_length=128)
    enabled: bool = True


class Delivery(SQLModel, table=True):
    """One row per event/message already answered: the unique key makes replays no-ops."""

    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "key", name="uq_deliveries"),
        sa.Index("ix_deliveries_created", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    key: str = Field(max_length=300)
    created_at: datetime = _ts()


class DigestScheduleBase(SQLModel):
    platform: str = Field(max_length=32)
    channel_id: str = Field(max_length=128)
    weekday: int = 0
    hour: int = 9
    timezone: str = Field(default="UTC", max_length=64)
    enabled: bool = True


class DigestScheduleRow(DigestScheduleBase, table=True):
    __tablename__ = "digest_schedules"
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE", unique=True)
    updated_at: datetime = _ts()


class DigestPost(SQLModel, table=True):
    """Claims a digest period before posting: the unique row is the cross-process lock."""

    __tablename__ = "digest_posts"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "period_key", name="uq_digest_posts"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    period_key: str = Field(max_length=32)
    owner: str = Field(max_length=200)
    claimed_at: datetime = _ts()
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_ref: str | None = Field(default=None, sa_type=sa.Text)
    # migration 0002 (digests): set just before the post goes out; a row with sending_at and
    # no posted_at is never taken over (the post may have gone out), see adapters/scheduler.py
    sending_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


# migration 0008 (follows): a channel follows a speaker; each alert owed is one unique row
class FollowRow(SQLModel, table=True):
    """A channel follows a speaker (its alerts go to that channel)."""

    __tablename__ = "follows"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "speaker_id", "channel_id", name="uq_follows"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    speaker_id: int = Field(foreign_key="speakers.id", ondelete="CASCADE")
    platform: str = Field(max_length=32)
    channel_id: str = Field(max_length=128)
    created_at: datetime = _ts()


class FollowAlertRow(SQLModel, table=True):
    """One alert owed to one channel; the unique key is the exactly-once guarantee
    (see storage/follows.py)."""

    __tablename__ = "follow_alerts"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "channel_id", "article_id", "claim_id", name="uq_follow_alerts"),
        # what a poster scans: its platform's alerts not posted yet
        sa.Index("ix_follow_alerts_pending", "platform", "posted_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE")
    platform: str = Field(max_length=32)
    channel_id: str = Field(max_length=128)
    article_id: int = Field(foreign_key="articles.id", ondelete="CASCADE")
    claim_id: int = Field(foreign_key="claims.id", ondelete="CASCADE")
    payload_json: str = Field(sa_type=sa.Text)  # bot.follows.alert_to_dict: rendered without re-judging
    created_at: datetime = _ts()
    owner: str | None = Field(default=None, max_length=200)  # set once taken for posting
    sending_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_ref: str | None = Field(default=None, sa_type=sa.Text)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    retry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


metadata = SQLModel.metadata


# Core table objects: the repositories (storage/*_repo.py and friends) query with SQLAlchemy Core
T_TENANTS: sa.Table = Tenant.__table__  # type: ignore[attr-defined]
T_ARTICLES: sa.Table = Article.__table__  # type: ignore[attr-defined]
T_SPEAKERS: sa.Table = SpeakerRow.__table__  # type: ignore[attr-defined]
T_ALIASES: sa.Table = SpeakerAlias.__table__  # type: ignore[attr-defined]
T_CLAIMS: sa.Table = Claim.__table__  # type: ignore[attr-defined]
T_MENTIONS: sa.Table = Mention.__table__  # type: ignore[attr-defined]
T_WATCH: sa.Table = ChannelWatch.__table__  # type: ignore[attr-defined]
T_DELIVERIES: sa.Table = Delivery.__table__  # type: ignore[attr-defined]
T_SCHEDULES: sa.Table = DigestScheduleRow.__table__  # type: ignore[attr-defined]
T_POSTS: sa.Table = DigestPost.__table__  # type: ignore[attr-defined]
T_FOLLOWS: sa.Table = FollowRow.__table__  # type: ignore[attr-defined]
T_FOLLOW_ALERTS: sa.Table = FollowAlertRow.__table__  # type: ignore[attr-defined]

__all__ = [
    "T_ALIASES",
    "T_ARTICLES",
    "T_CLAIMS",
    "T_DELIVERIES",
    "T_FOLLOWS",
    "T_FOLLOW_ALERTS",
    "T_MENTIONS",
    "T_POSTS",
    "T_SCHEDULES",
    "T_SPEAKERS",
    "T_TENANTS",
    "T_WATCH",
    "Article",
    "ChannelWatch",
    "Claim",
    "Delivery",
    "DigestPost",
    "DigestScheduleRow",
    "FollowAlertRow",
    "FollowRow",
    "Mention",
    "SpeakerAlias",
    "SpeakerRow",
    "Tenant",
    "UTCDateTime",
    "metadata",
    "utcnow",
]
