"""Following a speaker: which statements of a check deserve an alert, and what the alert says.

Pure functions only. ``bot.follow_service`` runs the use case (follow, unfollow, list, record
the alerts of a check, hand them to a poster exactly once); the adapters lay the words out
in Block Kit, embeds or the terminal.

An alert is due when a followed speaker's statement in a newly stored article

* **changed** against an earlier statement *of the same speaker* (numbers, negation, stance), or
* matches a claim that a fact-checker reviewed (an imported ClaimReview's verdict), whether
  as a repeat or as a change.

One alert per statement, article and channel: the channel is where the follow was set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from bot.known_speakers import names_to_show, normalise_name
from bot.models import CheckedClaim, CheckReport, FactCheck, Speaker, Stance, Status
from bot.summary import fact_check_words, stance_prefix, truncate

ALERT_STATEMENT_CHARS = 500  # a quote longer than this is cut on a word boundary


class AlertReason(StrEnum):
    CHANGED = "changed"  # changed against the speaker's own earlier statement
    FACT_CHECKED = "fact_checked"  # repeats (or changes) a claim a fact-checker reviewed


@dataclass(frozen=True, slots=True)
class Follow:
    """A channel follows a speaker (the canonical one, with every other name it goes by)."""

    tenant: str
    speaker: Speaker
    platform: str  # "slack", "discord", "console": whose poster delivers the alerts
    channel_id: str
    created_at: datetime

    def names(self) -> set[str]:
        return {normalise_name(n) for n in (self.speaker.name, *self.speaker.aliases)} - {""}


@dataclass(frozen=True, slots=True)
class Statement:
    """One side of an alert: what was said, by whom, when and where."""

    text: str
    speaker: str | None
    stance: Stance
    when: date | None
    link: str | None  # article url, chat permalink, fact-check archive source, or None
    title: str | None = None  # the article's (or imported fact-check's) headline


@dataclass(frozen=True, slots=True)
class FollowAlert:
    tenant: str
    platform: str
    channel_id: str
    speaker: str  # the followed speaker's canonical name
    claim_id: str  # the stored statement said now (for a repeat: the claim it repeats)
    article_id: str  # the article it was said in: one alert per statement, article and channel
    reasons: tuple[AlertReason, ...]
    now: Statement
    before: Statement
    why: tuple[str, ...] = ()  # the comparison's reasons ("numbers differ: 61 vs 48")
    fact_check: FactCheck | None = None
    id: str | None = None  # the delivery row, once stored


# ------------------------------------------------------------------------------ selection
def may_alert(checked: CheckedClaim) -> bool:
    """Could this statement raise an alert for someone following its speaker?"""
    match = checked.match
    if not checked.claim.speaker or checked.id is None or match is None:
        return False
    if checked.status is Status.CHANGED and match.same_speaker:
        return True
    return checked.status in (Status.CHANGED, Status.REPEAT) and match.claim.fact_check is not None


def alert_candidates(report: CheckReport) -> list[CheckedClaim]:
    """The statements of a stored check that may raise alerts (none for a duplicate or a dry run)."""
    if report.article.duplicate_of is not None:
        return []
    return [c for c in report.claims if may_alert(c)]


def select_alerts(report: CheckReport, follows: Sequence[Follow]) -> list[FollowAlert]:
    """Every alert this check owes the tenant's follows: one per statement and channel."""
    if not follows:
        return []
    by_name: dict[str, list[Follow]] = {}
    for follow in follows:
        if follow.tenant != report.article.tenant:
            continue  # never across tenants, whatever the caller passed
        for name in follow.names():
            by_name.setdefault(name, []).append(follow)
    alerts: dict[tuple[str, str, str], FollowAlert] = {}
    for checked in alert_candidates(report):
        for follow in by_name.get(normalise_name(checked.claim.speaker or ""), ()):
            alert = _alert(report, checked, follow)
            alerts.setdefault((alert.channel_id, alert.article_id, alert.claim_id), alert)
    return list(alerts.values())


def _alert(report: CheckReport, checked: CheckedClaim, follow: Follow) -> FollowAlert:
    claim, match = checked.claim, checked.match
    assert match is not None
    assert checked.id is not None
    article = report.article
    reasons: list[AlertReason] = []
    if checked.status is Status.CHANGED and match.same_speaker:
        reasons.append(AlertReason.CHANGED)
    if match.claim.fact_check is not None:
        reasons.append(AlertReason.FACT_CHECKED)
    before = match.claim
    return FollowAlert(
        tenant=article.tenant,
        platform=follow.platform,
        channel_id=follow.channel_id,
        speaker=follow.speaker.name,
        claim_id=checked.id,
        article_id=article.id,
        reasons=tuple(reasons),
        now=Statement(
            text=claim.text,
            speaker=claim.speaker,
            stance=claim.stance,
            when=article.published or article.created_at.astimezone(UTC).date(),
            link=article.url or article.permalink,
            title=article.title,
        ),
        before=Statement(
            text=before.text,
            speaker=before.speaker,
            stance=before.stance,
            when=before.first_seen.astimezone(UTC).date(),
            link=before.source,
            title=before.title,
        ),
        why=match.reasons,
        fact_check=before.fact_check,
    )


# ------------------------------------------------------------------------------ wording
@dataclass(frozen=True, slots=True)
class AlertText:
    """The alert in words, before each platform's layout and link syntax."""

    title: str  # "Vladimir Putin changed a statement"
    now: str  # "Now (8 Dec 2026, “Bridge bill rises”): the cost has risen to £61 million"
    now_link: str | None
    before: str  # "Before (7 Dec 2026): repairs will cost £48 million"
    before_link: str | None
    why: tuple[str, ...]  # "numbers differ: …", "Fact-checked by PolitiFact: False"
    fact_check_link: str | None


def _day(when: date | None) -> str:
    return f"{when.day} {when:%b %Y}" if when else "earlier"


def _said(statement: Statement) -> str:
    return stance_prefix(statement.stance) + f"“{truncate(statement.text, ALERT_STATEMENT_CHARS)}”"


def alert_title(alert: FollowAlert) -> str:
    changed = AlertReason.CHANGED in alert.reasons
    checked = AlertReason.FACT_CHECKED in alert.reasons
    if changed and checked:
        return f"{alert.speaker} changed a fact-checked claim"
    if changed:
        return f"{alert.speaker} changed a statement"
    return f"{alert.speaker} repeated a fact-checked claim"


def alert_text(alert: FollowAlert) -> AlertText:
    now_where = f", “{truncate(alert.now.title, 120)}”" if alert.now.title else ""
    before = alert.before
    by = ""
    if before.speaker and normalise_name(before.speaker) != normalise_name(alert.now.speaker or ""):
        by = f", {before.speaker}"
    elif not before.speaker:
        by = ", unattributed"
    label = "Before" if AlertReason.CHANGED in alert.reasons else "Fact-checked claim"
    why: list[str] = []
    if AlertReason.CHANGED in alert.reasons:
        why.append("; ".join(alert.why) if alert.why else "the statement differs from the earlier one")
    elif alert.why:
        why.append("; ".join(alert.why))
    if alert.fact_check is not None:
        why.append(fact_check_words(alert.fact_check))
    fact_check_link = alert.fact_check.url if alert.fact_check else None
    return AlertText(
        title=alert_title(alert),
        now=f"Now ({_day(alert.now.when)}{now_where}): {_said(alert.now)}",
        now_link=alert.now.link,
        before=f"{label} ({_day(before.when)}{by}): {_said(before)}",
        # an imported fact-check's source is the fact-check itself: linked once, as such
        before_link=None if before.link == fact_check_link else before.link,
        why=tuple(why),
        fact_check_link=fact_check_link,
    )


def alert_plain(alert: FollowAlert) -> str:
    """The alert as plain text lines (the console; the notification fallback of chat posts)."""
    text = alert_text(alert)
    lines = [f"🔔 {text.title}", text.now]
    if text.now_link:
        lines.append(f"  {text.now_link}")
    lines.append(text.before)
    if text.before_link:
        lines.append(f"  {text.before_link}")
    if text.why:
        lines.append("Why: " + " · ".join(text.why))
    if text.fact_check_link:
        lines.append(f"  {text.fact_check_link}")
    return "\n".join(lines)


def followed_line(speaker: Speaker, *, alerts: str = "an alert is posted in this channel") -> str:
    """What the bot answers to a follow (the channel is where the alerts will go)."""
    return (
        f"Following {speaker.name} here: when they change a statement or repeat a fact-checked "
        f"claim, {alerts}."
    )


def unfollowed_line(speaker: Speaker) -> str:
    return f"No longer following {speaker.name} here."


NO_FOLLOWS = "No speaker is followed here yet."


def follow_parts(follow: Follow) -> tuple[str, str]:
    """("Vladimir Putin (also Putin)", "since 8 Dec 2026"): each platform puts its channel between."""
    shown = names_to_show(follow.speaker)
    also = f" (also {', '.join(shown[:3])})" if shown else ""
    return f"{follow.speaker.name}{also}", f"since {_day(follow.created_at.date())}"


def sorted_follows(follows: Sequence[Follow]) -> list[Follow]:
    return sorted(follows, key=lambda f: (normalise_name(f.speaker.name), f.channel_id))


# ------------------------------------------------------------------------------ storage form
def alert_to_dict(alert: FollowAlert) -> dict[str, Any]:
    """The alert as JSON-ready data (what the delivery row keeps; ``claimbot check --json``)."""
    return {
        "speaker": alert.speaker,
        "claim_id": alert.claim_id,
        "article_id": alert.article_id,
        "channel_id": alert.channel_id,
        "reasons": [r.value for r in alert.reasons],
        "now": _statement_to_dict(alert.now),
        "before": _statement_to_dict(alert.before),
        "why": list(alert.why),
        "fact_check": None
        if alert.fact_check is None
        else {
            "verdict": alert.fact_check.verdict,
            "by": alert.fact_check.by,
            "url": alert.fact_check.url,
            "date": alert.fact_check.date.isoformat() if alert.fact_check.date else None,
            "rating": alert.fact_check.rating,
            "best_rating": alert.fact_check.best_rating,
            "worst_rating": alert.fact_check.worst_rating,
        },
    }


def alert_from_dict(
    data: Mapping[str, Any], *, tenant: str, platform: str, alert_id: str | None = None
) -> FollowAlert:
    fact_check = data.get("fact_check")
    return FollowAlert(
        tenant=tenant,
        platform=platform,
        channel_id=str(data["channel_id"]),
        speaker=str(data["speaker"]),
        claim_id=str(data["claim_id"]),
        article_id=str(data["article_id"]),
        reasons=tuple(AlertReason(r) for r in data.get("reasons", ())),
        now=_statement_from_dict(data["now"]),
        before=_statement_from_dict(data["before"]),
        why=tuple(str(w) for w in data.get("why", ())),
        fact_check=None
        if not fact_check
        else FactCheck(
            verdict=fact_check.get("verdict"),
            by=fact_check.get("by"),
            url=fact_check.get("url"),
            date=date.fromisoformat(fact_check["date"]) if fact_check.get("date") else None,
            rating=fact_check.get("rating"),
            best_rating=fact_check.get("best_rating"),
            worst_rating=fact_check.get("worst_rating"),
        ),
        id=alert_id,
    )


def _statement_to_dict(statement: Statement) -> dict[str, Any]:
    return {
        "text": statement.text,
        "speaker": statement.speaker,
        "stance": statement.stance.value,
        "when": statement.when.isoformat() if statement.when else None,
        "link": statement.link,
        "title": statement.title,
    }


def _statement_from_dict(data: Mapping[str, Any]) -> Statement:
    return Statement(
        text=str(data["text"]),
        speaker=data.get("speaker"),
        stance=Stance(data.get("stance") or Stance.ASSERTS),
        when=date.fromisoformat(data["when"]) if data.get("when") else None,
        link=data.get("link"),
        title=data.get("title"),
    )
