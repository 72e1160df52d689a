"""Platform-neutral views of results: what every adapter shows, before its own formatting.

Adapters turn a ``ReportView`` into Block Kit, embeds or a rich table; the wording of
statuses, links and reasons is decided here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.models import (
    ArticleRecord,
    CheckReport,
    ClaimKind,
    Comparison,
    FactCheck,
    SearchHit,
    Stance,
    Status,
    StoredClaim,
)
from bot.words import plural

STATUS_ORDER = (Status.CHANGED, Status.REPEAT, Status.NEW)
STATUS_HEADINGS = {
    Status.CHANGED: "Changed",
    Status.REPEAT: "Repeated",
    Status.NEW: "New",
}


# How each surface says what the speaker did: "Anna Whitfield denies: the council had delayed ..."
STANCE_VERBS: dict[Stance, str | None] = {
    Stance.ASSERTS: None,
    Stance.DENIES: "denies",
    Stance.DECLINES: "declines to say",
    Stance.ASKS: "asks",
    Stance.CONDITIONAL: "would say",
}
STANCE_PAST = {
    Stance.ASSERTS: "said",
    Stance.DENIES: "denied",
    Stance.DECLINES: "declined to say",
    Stance.ASKS: "asked",
    Stance.CONDITIONAL: "would have said",
}


def attributed(speaker: str, stance: Stance) -> str:
    """The speaker with the stance in words when it is not a plain assertion ("X denies")."""
    verb = STANCE_VERBS[stance]
    return f"{speaker} {verb}" if verb else speaker


def stance_prefix(stance: Stance) -> str:
    """For lists under one speaker's name (timelines): "denies: " before the statement, or ""."""
    verb = STANCE_VERBS[stance]
    return f"{verb}: " if verb else ""


def _rating_number(value: float) -> str:
    return f"{value:g}"


def verdict_words(fact_check: FactCheck) -> str | None:
    """The verdict as the fact-checker worded it ("Mostly false"); a bare rating as "rated 2 of 5"."""
    if fact_check.verdict:
        return fact_check.verdict
    if fact_check.rating is None:
        return None
    said = f"rated {_rating_number(fact_check.rating)}"
    if fact_check.best_rating is not None:
        said += f" of {_rating_number(fact_check.best_rating)}"
        if fact_check.worst_rating is not None and fact_check.worst_rating not in (0, 1):
            said += f" (worst {_rating_number(fact_check.worst_rating)})"
    return said


def fact_check_words(fact_check: FactCheck) -> str:
    """ "Fact-checked by PolitiFact: False" — every surface's verdict line, before its link."""
    by = f" by {fact_check.by}" if fact_check.by else ""
    verdict = verdict_words(fact_check)
    return f"Fact-checked{by}: {verdict}" if verdict else f"Fact-checked{by}"


def fact_check_line(fact_check: FactCheck) -> str:
    """ "Fact-checked by PolitiFact: False — https://..." for plain-text surfaces."""
    words = fact_check_words(fact_check)
    return f"{words} — {fact_check.url}" if fact_check.url else words


def fact_check_to_dict(fact_check: FactCheck | None) -> dict[str, Any] | None:
    """The documented ``fact_check`` object of ``--json`` output (``match.fact_check``, search)."""
    if fact_check is None:
        return None
    return {
        "verdict": verdict_words(fact_check),
        "by": fact_check.by,
        "url": fact_check.url,
        "date": fact_check.date.isoformat() if fact_check.date else None,
        "rating": None
        if fact_check.rating is None
        else {"value": fact_check.rating, "best": fact_check.best_rating, "worst": fact_check.worst_rating},
    }


@dataclass(frozen=True, slots=True)
class SummaryItem:
    status: Status
    speaker: str | None
    text: str
    kind: ClaimKind
    mentions: int
    similarity: float | None = None
    match_text: str | None = None
    match_speaker: str | None = None
    same_speaker: bool = False
    first_seen: datetime | None = None
    link: str | None = None
    reasons: tuple[str, ...] = ()
    stance: Stance = Stance.ASSERTS
    match_stance: Stance = Stance.ASSERTS
    fact_check: FactCheck | None = None  # the matched claim's published verdict

    @property
    def who(self) -> str:
        """The speaker and, unless they simply assert it, what they do: "Anna Whitfield denies"."""
        return attributed(self.speaker or "(the article)", self.stance)

    def quoted(self) -> str:
        return f"“{self.text}”" if self.kind is ClaimKind.DIRECT else self.text

    def context_line(self) -> str | None:
        """ "repeats X (first seen 2026-11-20)" / "changed: numbers differ: ..." or None for new."""
        if self.status is Status.NEW or self.match_text is None:
            return None
        when = f"first seen {self.first_seen:%Y-%m-%d}" if self.first_seen else "seen before"
        who = self.match_speaker or "an unattributed source"
        said = stance_prefix(self.match_stance)
        if self.status is Status.REPEAT:
            by = "the same speaker" if self.same_speaker else who
            return f"repeats {by} ({when}): {said}{self.match_text}"
        why = "; ".join(self.reasons) if self.reasons else "differs"
        return f"changed from {who} ({when}): {said}{self.match_text} — {why}"


@dataclass(frozen=True, slots=True)
class ReportView:
    title: str
    counts_line: str
    items: tuple[SummaryItem, ...]  # changed first, then repeats, then new
    notes: tuple[str, ...]
    article_link: str | None
    duplicate_of: str | None

    def by_status(self, status: Status) -> list[SummaryItem]:
        return [i for i in self.items if i.status is status]


def build_report_view(report: CheckReport) -> ReportView:
    items = []
    for checked in report.claims:
        claim, match = checked.claim, checked.match
        items.append(
            SummaryItem(
                status=checked.status,
                speaker=claim.speaker,
                text=claim.text,
                kind=claim.kind,
                mentions=claim.mentions,
                similarity=match.similarity if match else None,
                match_text=match.claim.text if match else None,
                match_speaker=match.claim.speaker if match else None,
                same_speaker=match.same_speaker if match else False,
                first_seen=match.claim.first_seen if match else None,
                link=match.claim.source if match else None,
                reasons=match.reasons if match else (),
                stance=claim.stance,
                match_stance=match.claim.stance if match else Stance.ASSERTS,
                fact_check=match.claim.fact_check if match else None,
            )
        )
    items.sort(key=lambda i: STATUS_ORDER.index(i.status))
    s = report.summary
    title = report.article.title or _first_words(report.claims[0].claim.text if report.claims else "")
    counts = f"{plural(s.claims, 'statement')}: {s.new} new, {s.repeat} repeated, {s.changed} changed" + (
        f" · {plural(len(s.speakers), 'speaker')}" if s.speakers else ""
    )
    return ReportView(
        title=title or "Article",
        counts_line=counts,
        items=tuple(items),
        notes=report.notes,
        article_link=report.article.url or report.article.permalink,
        duplicate_of=report.article.duplicate_of,
    )


def truncate(text: str, limit: int) -> str:
    """Cuts ``text`` to at most ``limit`` characters, on a word boundary when possible."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _first_words(text: str, n: int = 8) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


# ---------------------------------------------------------------------------- JSON
def report_to_dict(report: CheckReport) -> dict[str, Any]:
    """The documented ``claimbot check --json`` object."""
    a = report.article
    return {
        "article": {
            "id": a.id,
            "title": a.title,
            "url": a.url,
            "published": a.published.isoformat() if a.published else None,
            "tenant": a.tenant,
            "duplicate_of": a.duplicate_of,
        },
        "claims": [
            {
                "id": c.id,
                "text": c.claim.text,
                "kind": c.claim.kind.value,
                "stance": c.claim.stance.value,
                "speaker": c.claim.speaker,
                "speaker_mention": _span(c.claim.speaker_mention),
                "cue": _span(c.claim.cue),
                "content": {
                    "start": c.claim.content.start,
                    "end": c.claim.content.end,
                    "pieces": [{"start": p.start, "end": p.end} for p in c.claim.content_pieces],
                },
                "mentions": c.claim.mentions,
                "status": c.status.value,
                "match": None
                if c.match is None
                else {
                    "claim_id": c.match.claim.id,
                    "text": c.match.claim.text,
                    "stance": c.match.claim.stance.value,
                    "speaker": c.match.claim.speaker,
                    "similarity": round(c.match.similarity, 4),
                    "same_speaker": c.match.same_speaker,
                    "first_seen": c.match.claim.first_seen.isoformat(),
                    "source": c.match.claim.source,
                    "reasons": list(c.match.reasons),
                    "fact_check": fact_check_to_dict(c.match.claim.fact_check),
                },
            }
            for c in report.claims
        ],
        "summary": {
            "claims": report.summary.claims,
            "new": report.summary.new,
            "repeat": report.summary.repeat,
            "changed": report.summary.changed,
            "speakers": list(report.summary.speakers),
        },
        "notes": list(report.notes),
    }


def _span(span: Any) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"text": span.text, "start": span.start, "end": span.end}


def stored_claim_to_dict(claim: StoredClaim) -> dict[str, Any]:
    return {
        "claim_id": claim.id,
        "external_id": claim.external_id,
        "text": claim.text,
        "stance": claim.stance.value,
        "speaker": claim.speaker,
        "kind": claim.kind.value,
        "first_seen": claim.first_seen.isoformat(),
        "source": claim.source,
        "mentions": claim.mentions,
        "title": claim.title,
        "fact_check": fact_check_to_dict(claim.fact_check),
        "article_id": claim.article_id,
    }


def export_row(claim: StoredClaim, article: ArticleRecord | None) -> dict[str, Any]:
    """One ``claimbot export`` row: the claim and the article it was first seen in.

    ``article_source`` is the article's link, chat permalink or ``file:NAME``; ``article_date``
    its publication date, else the day it was checked. An imported claim has no article.
    """
    return {
        **stored_claim_to_dict(claim),
        "article_title": article.title if article else None,
        "article_source": (article.url or article.permalink) if article else None,
        "article_date": (article.published or article.created_at.date()).isoformat() if article else None,
    }


def search_hits_to_dict(hits: list[SearchHit]) -> dict[str, Any]:
    return {
        "results": [
            {
                "claim_id": h.claim.id,
                "external_id": h.claim.external_id,
                "text": h.claim.text,
                "stance": h.claim.stance.value,
                "speaker": h.claim.speaker,
                "score": round(h.score, 4),
                "close": h.close,
                "first_seen": h.claim.first_seen.isoformat(),
                "source": h.claim.source,
                "title": h.claim.title,
                "fact_check": fact_check_to_dict(h.claim.fact_check),
            }
            for h in hits
        ],
        # results are kept in rank order either way; this says none of them is close
        "nothing_close": bool(hits) and not any(h.close for h in hits),
    }


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    out: dict[str, Any] = {
        "similarity": round(comparison.similarity, 4),
        "verdict": comparison.verdict.value,
        "reasons": list(comparison.reasons),
    }
    if comparison.judge is not None:
        out["judge"] = round(comparison.judge, 4)
    return out
