"""A check report → Block Kit: header, counts, notes, then changed / repeated / new statements;
and the trimming of an edited message's report to what the edit changed.
"""

from __future__ import annotations

from dataclasses import replace

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
from adapters.slack.mrkdwn import escape_mrkdwn, link
from bot.models import CheckReport, Status
from bot.service import summarise
from bot.summary import STATUS_HEADINGS, STATUS_ORDER, SummaryItem, build_report_view

_STATUS_EMOJI = {Status.NEW: ":new:", Status.REPEAT: ":repeat:", Status.CHANGED: ":warning:"}


def _item_text(item: SummaryItem) -> str:
    lines = [f"*{escape_mrkdwn(item.who)}*: {escape_mrkdwn(item.quoted())}"]
    context_line = item.context_line()  # not `context`: that is the block builder
    if context_line:
        lines.append(f"_{escape_mrkdwn(context_line)}_")
    if item.fact_check:
        lines.append(fact_check_text(item.fact_check))
    if item.link and item.status is not Status.NEW:
        when = f"{item.first_seen:%Y-%m-%d}" if item.first_seen else "before"
        lines.append(link(item.link, f"first seen {when}"))
    return "\n".join(lines)


def report_message(report: CheckReport, *, intro: str | None = None) -> SlackMessage:
    """A check report → header, counts, then changed / repeated / new sections."""
    view = build_report_view(report)
    counts = view.counts_line
    context_bits = [escape_mrkdwn(counts)]
    if view.article_link:
        context_bits.append(link(view.article_link, "source"))
    blocks: list[Block] = [header(view.title), context(" · ".join(context_bits))]
    if intro:
        blocks.append(context(escape_mrkdwn(intro)))
    for note in view.notes:
        blocks.append(context(f":information_source: {escape_mrkdwn(note)}"))
    budget = BlockBudget(blocks)
    shown = 0
    for status in STATUS_ORDER:
        items = view.by_status(status)
        if not items:
            continue
        # a heading is only worth its slot if at least one item fits under it
        if not budget.fits(2):
            break
        blocks.append(section(f"{_STATUS_EMOJI[status]} *{STATUS_HEADINGS[status]}* ({len(items)})"))
        for item in items:
            if not budget.fits(1):
                break
            blocks.append(section(_item_text(item)))
            shown += 1
    budget.close(len(view.items) - shown)
    title = view.title
    return SlackMessage(blocks=blocks, text=fallback(title, counts), response_type="in_channel")


def without_self_matches(report: CheckReport, permalink: str | None) -> tuple[CheckReport, int]:
    """Drops statements whose only news is that this same message said them before.

    Used for edited messages: comparing the edit with its own earlier version would
    report every unchanged statement as "repeated"; only what the edit changed is news.
    """
    if not permalink:
        return report, 0
    kept = tuple(c for c in report.claims if not (c.match is not None and c.match.claim.source == permalink))
    dropped = len(report.claims) - len(kept)
    return replace(report, claims=kept, summary=summarise(kept)), dropped
