"""Follows → Block Kit: an alert (who, now, before, why) and the ``following`` list."""

from __future__ import annotations

import re
from collections.abc import Sequence

from adapters.slack.blocks.base import (
    MAX_FALLBACK_CHARS,
    Block,
    SlackMessage,
    fallback,
    message_text,
    section,
)
from adapters.slack.mrkdwn import escape_mrkdwn, link
from bot.follows import NO_FOLLOWS, Follow, FollowAlert, alert_plain, alert_text, follow_parts, sorted_follows
from bot.summary import truncate
from bot.words import plural


def alert_message(alert: FollowAlert) -> SlackMessage:
    """A follow alert → Block Kit: who, what they said now, what before, and why (``bot.follows``)."""
    text = alert_text(alert)
    now = escape_mrkdwn(text.now) + (f"\n{link(text.now_link, 'source')}" if text.now_link else "")
    before = escape_mrkdwn(text.before) + (
        f"\n{link(text.before_link, 'source')}" if text.before_link else ""
    )
    blocks: list[Block] = [section(f":bell: *{escape_mrkdwn(text.title)}*"), section(now), section(before)]
    if text.why:
        why = "*Why:* " + escape_mrkdwn(" · ".join(text.why))
        if text.fact_check_link:
            why += f" — {link(text.fact_check_link, 'read the fact-check')}"
        blocks.append(section(why))
    return SlackMessage(
        blocks=blocks, text=truncate(alert_plain(alert), MAX_FALLBACK_CHARS), response_type="in_channel"
    )


def following_message(follows: Sequence[Follow]) -> SlackMessage:
    """``/claims following``: every follow of the workspace, with the channel its alerts go to."""
    if not follows:
        return message_text(NO_FOLLOWS)
    lines = []
    for follow in sorted_follows(follows):
        who, since = follow_parts(follow)
        where = f"<#{follow.channel_id}>" if _CHANNEL_ID.fullmatch(follow.channel_id) else follow.channel_id
        lines.append(f"• {escape_mrkdwn(who)} → {where}, {since}")
    title = f"Following {plural(len(follows), 'speaker')}"
    return SlackMessage(blocks=[section(f"*{title}*\n" + "\n".join(lines))], text=fallback(title))


_CHANNEL_ID = re.compile(r"[A-Z0-9]+")
