"""Answers to the lookup commands → Block Kit: ``search``, ``speaker`` (a timeline),
``compare``, and ``help``.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.slack.blocks.base import (
    Block,
    BlockBudget,
    SlackMessage,
    context,
    fact_check_text,
    fallback,
    header,
    section,
)
from adapters.slack.commands import USAGE
from adapters.slack.mrkdwn import escape_mrkdwn, link
from bot.known_speakers import names_to_show
from bot.models import Comparison, SearchHit, Speaker, StoredClaim, Verdict
from bot.search_score import close_hits, nothing_close_line
from bot.summary import attributed, truncate


def _claim_line(claim: StoredClaim, extra: str | None = None) -> str:
    who = escape_mrkdwn(attributed(claim.speaker or "(unattributed)", claim.stance))
    bits = [f"first seen {claim.first_seen:%Y-%m-%d}"]
    if claim.mentions > 1:
        bits.append(f"{claim.mentions} mentions")
    if extra:
        bits.append(extra)
    tail = " · ".join(bits)
    if claim.source:
        tail += " · " + link(claim.source, "source")
    if claim.fact_check:
        tail += "\n" + fact_check_text(claim.fact_check)
    return f"*{who}*: {escape_mrkdwn(claim.text)}\n{tail}"


def search_message(query: str, hits: Sequence[SearchHit]) -> SlackMessage:
    title = f"Search: {query}"
    if not hits:
        return SlackMessage(
            blocks=[header(title), section(f"Nothing found for _{escape_mrkdwn(truncate(query, 200))}_.")],
            text=fallback(title, "nothing found"),
        )
    nothing = nothing_close_line(query, hits)
    if nothing:
        return SlackMessage(
            blocks=[header(title), section(escape_mrkdwn(nothing))],
            text=fallback(title, "nothing close found"),
        )
    hits = close_hits(hits)
    blocks: list[Block] = [header(title), context(f"{len(hits)} result{'s' if len(hits) != 1 else ''}")]
    budget = BlockBudget(blocks)
    shown = 0
    for hit in hits:
        if not budget.fits(1):
            break
        blocks.append(section(_claim_line(hit.claim, f"similarity {hit.score:.2f}")))
        shown += 1
    budget.close(len(hits) - shown)
    return SlackMessage(blocks=blocks, text=fallback(title, f"{len(hits)} results"))


def timeline_message(name: str, found: tuple[Speaker, Sequence[StoredClaim]] | None) -> SlackMessage:
    if found is None:
        return SlackMessage(
            blocks=[
                section(f"No statements by _{escape_mrkdwn(truncate(name, 200))}_ have been seen here yet.")
            ],
            text=f"No statements by {truncate(name, 200)} yet",
        )
    speaker, claims = found
    title = f"{speaker.name}: {len(claims)} statement{'s' if len(claims) != 1 else ''}"
    blocks: list[Block] = [header(title)]
    if also := names_to_show(speaker):
        blocks.append(context("Also called: " + escape_mrkdwn(", ".join(also[:10]))))
    budget = BlockBudget(blocks)
    shown = 0
    for claim in claims:
        if not budget.fits(1):
            break
        blocks.append(section(_claim_line(claim)))
        shown += 1
    budget.close(len(claims) - shown)
    return SlackMessage(blocks=blocks, text=fallback(title))


_VERDICT_WORDS = {
    Verdict.REPEAT: ":repeat: Same claim (a repeat)",
    Verdict.CHANGED: ":warning: Same topic, changed claim",
    Verdict.DIFFERENT: ":heavy_minus_sign: Different claims",
}


def comparison_message(first: str, second: str, comparison: Comparison) -> SlackMessage:
    verdict = _VERDICT_WORDS[comparison.verdict]
    lines = [
        f"*{verdict}* · similarity {comparison.similarity:.2f}",
        f"1. {escape_mrkdwn(truncate(first, 1000))}",
        f"2. {escape_mrkdwn(truncate(second, 1000))}",
    ]
    blocks = [section("\n".join(lines))]
    if comparison.reasons:
        blocks.append(context(escape_mrkdwn("; ".join(comparison.reasons))))
    return SlackMessage(
        blocks=blocks, text=fallback(verdict.split(" ", 1)[1], f"{comparison.similarity:.2f}")
    )


def help_message(problem: str | None = None) -> SlackMessage:
    lines = [f"`/claims {usage}` — {what}" for usage, what in USAGE]
    blocks: list[Block] = []
    if problem:
        blocks.append(section(problem))
    blocks.append(
        section("*claimbot* tracks who said what in the articles shared here.\n" + "\n".join(lines))
    )
    return SlackMessage(
        blocks=blocks,
        text=fallback(
            problem or "",
            "claimbot help: /claims check, search, speaker, compare, watch, digest, follow, following",
        ),
    )
