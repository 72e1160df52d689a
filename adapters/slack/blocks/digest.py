"""A weekly digest → Block Kit, in the shared wording of ``bot.digest_text``."""

from __future__ import annotations

from adapters.slack.blocks.base import (
    MAX_FALLBACK_CHARS,
    Block,
    BlockBudget,
    SlackMessage,
    context,
    divider,
    header,
    section,
)
from adapters.slack.mrkdwn import escape_mrkdwn, link
from bot import digest_text as words
from bot.models import Digest
from bot.summary import truncate


def digest_message(digest: Digest, *, top_speakers: int = 10) -> SlackMessage:
    """A weekly digest → Block Kit, using the shared wording of ``bot.digest_text``.

    An empty week is one line, not silence.
    """
    zone = digest.start.tzinfo
    if digest.empty:
        line = words.empty_line(digest)
        return SlackMessage(blocks=[section(escape_mrkdwn(line))], text=line, response_type="in_channel")
    blocks: list[Block] = [header(words.title(digest)), context(escape_mrkdwn(words.counts_line(digest)))]
    fact_checked = words.fact_checked_line(digest)
    if fact_checked:
        blocks.append(context(":mag: " + escape_mrkdwn(fact_checked)))
    budget = BlockBudget(blocks)
    hidden = 0
    if digest.by_speaker:
        lines = [f"• {escape_mrkdwn(words.speaker_line(a))}" for a in digest.by_speaker[:top_speakers]]
        more = len(digest.by_speaker) - top_speakers
        if more > 0:
            lines.append(f"… and {more} more speakers")
        blocks.append(section("*New claims by speaker*\n" + "\n".join(lines)))
    sections: list[tuple[str, list[str]]] = [
        (
            "*Most repeated*",
            [
                escape_mrkdwn(words.repeat_line(item, zone))
                + (f" · {link(item.link, 'first seen')}" if item.link else "")
                for item in digest.repeated
            ],
        ),
        ("*Changed*", [escape_mrkdwn(words.changed_line(item, zone)) for item in digest.changed]),
    ]
    for heading, lines in sections:
        if not lines:
            continue
        if not budget.fits(3):
            hidden += len(lines)
            continue
        blocks += [divider(), section(heading)]
        for i, line in enumerate(lines):
            if not budget.fits(1):
                hidden += len(lines) - i
                break
            blocks.append(section(line))
    budget.close(hidden)
    return SlackMessage(
        blocks=blocks,
        text=truncate(words.render_plain(digest), MAX_FALLBACK_CHARS),
        response_type="in_channel",
    )
