"""The digest's wording, decided once: every adapter builds its post from these lines.

Slack and Discord wrap the lines in Block Kit or embeds; the CLI prints ``render_markdown``,
``render_plain`` or ``digest_to_dict``. Dates are shown in the period's own timezone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.models import ChangedStatement, Digest, RepeatedStatement, SpeakerActivity
from bot.summary import (
    STANCE_PAST,
    STANCE_VERBS,
    attributed,
    fact_check_words,
    stored_claim_to_dict,
    truncate,
)
from bot.words import plural

STATEMENT_CHARS = 280  # long quotes are cut on a word boundary


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def _quote(text: str) -> str:
    return f"“{truncate(text, STATEMENT_CHARS)}”"


def period_label(digest: Digest) -> str:
    """ "16 Nov 2026 – 23 Nov 2026" (the end is exclusive: the last moment shown is just before it)."""
    last = digest.end - timedelta(microseconds=1)
    return f"{_day(digest.start)} – {_day(last.astimezone(digest.start.tzinfo))}"


def empty_line(digest: Digest) -> str:
    return f"An empty week: no claims were checked between {_day(digest.start)} and {_day(digest.end)}."


def title(digest: Digest) -> str:
    return f"Claims digest, {period_label(digest)}"


def counts_line(digest: Digest) -> str:
    """ "3 articles checked, 59 statements: 53 new, 3 changed, 3 seen before; 5 of them repeated".

    new + changed + seen before = statements (each statement is one of the three: first seen
    in the period, first seen in it as a change of an earlier one, or first seen before it);
    "repeated" counts those among them mentioned again in the period, whatever their kind.
    """
    changed = digest.changed_claims
    fresh = digest.new_claims - changed
    earlier = digest.claims - digest.new_claims
    return (
        f"{plural(digest.articles, 'article')} checked, {plural(digest.claims, 'statement')}: "
        f"{fresh} new, {changed} changed, {earlier} seen before; {digest.repeated_claims} of them repeated"
    )


def fact_checked_line(digest: Digest) -> str | None:
    """ "3 statements this week matched published fact-checks", or None when none did."""
    n = digest.fact_checked
    if not n:
        return None
    if n == 1:
        return "1 statement this week matched a published fact-check"
    return f"{n} statements this week matched published fact-checks"


def speaker_line(activity: SpeakerActivity) -> str:
    return (
        f"{activity.speaker}: {plural(activity.new_claims, 'new claim')}, "
        f"{plural(activity.mentions, 'mention')}"
    )


def repeat_line(item: RepeatedStatement, zone: tzinfo | None = None) -> str:
    """ "Ben Wallace: “…” — 3 times this week, first seen 2 Nov 2026"; the link is separate."""
    who = attributed(item.claim.speaker or "Unattributed", item.claim.stance)
    seen = _day(item.first_seen.astimezone(zone))
    line = f"{who}: {_quote(item.claim.text)} — {plural(item.times, 'time')} this week, first seen {seen}"
    if item.claim.fact_check:
        line += f" ({fact_check_words(item.claim.fact_check)})"
    return line


def changed_line(item: ChangedStatement, zone: tzinfo | None = None) -> str:
    """ "Speaker said X on date A, now says Y (numbers differ: 20 vs 30)"; dates in ``zone``."""
    who = item.speaker or "An unattributed source"
    said = STANCE_PAST[item.before.stance]
    says = STANCE_VERBS[item.after.stance] or "says"
    line = (
        f"{who} {said} {_quote(item.before.text)} on {_day(item.before.first_seen.astimezone(zone))}, "
        f"now {says} {_quote(item.after.text)}"
    )
    if item.reasons:
        line += f" ({'; '.join(item.reasons)})"
    return line


def render_markdown(digest: Digest, *, speakers: int = 10) -> str:
    """Markdown for the CLI (and any platform that renders Markdown)."""
    if digest.empty:
        return empty_line(digest) + "\n"
    zone = digest.start.tzinfo
    lines = [f"# {title(digest)}", "", counts_line(digest)]
    fact_checked = fact_checked_line(digest)
    if fact_checked:
        lines += ["", fact_checked]
    if digest.by_speaker:
        lines += ["", "## New claims by speaker", ""]
        lines += [f"- {speaker_line(a)}" for a in digest.by_speaker[:speakers]]
        if len(digest.by_speaker) > speakers:
            lines.append(f"- … and {len(digest.by_speaker) - speakers} more speakers")
    if digest.repeated:
        lines += ["", "## Most repeated", ""]
        for item in digest.repeated:
            link = ""
            if item.link and item.link.startswith(("https://", "http://")):
                link = f" ([first seen]({item.link}))"
            elif item.link:  # a file check's "file:budget.txt" is no link
                link = f" (first seen in {item.link})"
            lines.append(f"- {repeat_line(item, zone)}{link}")
    if digest.changed:
        lines += ["", "## Changed", ""]
        lines += [f"- {changed_line(item, zone)}" for item in digest.changed]
    return "\n".join(lines) + "\n"


def render_plain(digest: Digest, *, speakers: int = 10) -> str:
    """Plain text: the notification fallback of chat posts."""
    if digest.empty:
        return empty_line(digest)
    parts = [f"{title(digest)}: {counts_line(digest)}."]
    fact_checked = fact_checked_line(digest)
    if fact_checked:
        parts.append(f"{fact_checked}.")
    if digest.by_speaker:
        top = "; ".join(speaker_line(a) for a in digest.by_speaker[:speakers])
        parts.append(f"Top speakers: {top}.")
    return " ".join(parts)


def digest_to_dict(digest: Digest) -> dict[str, Any]:
    """The documented ``claimbot digest --json`` object."""
    return {
        "tenant": digest.tenant,
        "start": digest.start.isoformat(),
        "end": digest.end.isoformat(),
        "empty": digest.empty,
        "articles": digest.articles,
        "claims": digest.claims,
        "new_claims": digest.new_claims,
        "fact_checked": digest.fact_checked,
        "changed_claims": digest.changed_claims,
        "repeated_claims": digest.repeated_claims,
        "by_speaker": [
            {"speaker": a.speaker, "new_claims": a.new_claims, "mentions": a.mentions}
            for a in digest.by_speaker
        ],
        "repeated": [
            {
                "claim": stored_claim_to_dict(r.claim),
                "times": r.times,
                "first_seen": r.first_seen.isoformat(),
                "link": r.link,
            }
            for r in digest.repeated
        ],
        "changed": [
            {
                "speaker": c.speaker,
                "before": stored_claim_to_dict(c.before),
                "after": stored_claim_to_dict(c.after),
                "reasons": list(c.reasons),
                "text": changed_line(c, digest.start.tzinfo),
            }
            for c in digest.changed
        ],
        "daily": [
            {
                "day": d.day.isoformat(),
                "speaker": d.speaker,
                "claims": d.claims,
                "repeats": d.repeats,
                "changes": d.changes,
            }
            for d in digest.daily
        ],
    }


__all__ = [
    "changed_line",
    "counts_line",
    "digest_to_dict",
    "empty_line",
    "fact_checked_line",
    "period_label",
    "render_markdown",
    "render_plain",
    "repeat_line",
    "speaker_line",
    "title",
]
