"""Slack payloads other than command text: whose workspace a payload belongs to (its tenant), and
which ``message`` events carry something for the channel watch to read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.mrkdwn import slack_to_plain

PLATFORM = "slack"


def tenant_for(team_id: str) -> str:
    """Each Slack workspace is its own tenant."""
    if not team_id:
        raise ValueError("a Slack payload without a team id cannot be attributed to a workspace")
    return f"{PLATFORM}:{team_id}"


@dataclass(frozen=True, slots=True)
class WatchedMessage:
    """A channel message that may carry an article, reduced to what the watch needs."""

    channel: str
    ts: str  # the message's own timestamp (its id)
    reply_thread_ts: str  # where our reply goes: the message's thread, or a new one under it
    text: str  # plain text
    edited: bool = False
    user: str | None = None

    @property
    def delivery_key(self) -> str:
        """Durable dedupe key: one reply per message, and one per distinct edited text."""
        base = f"message:{self.channel}:{self.ts}"
        if not self.edited:
            return base
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]
        return f"{base}:edit:{digest}"

    @property
    def original_key(self) -> str:
        return f"message:{self.channel}:{self.ts}"


_PLAIN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})


def watched_message(event: Mapping[str, Any]) -> WatchedMessage | None:
    """A ``message`` event → the message to consider, or None for everything we ignore.

    Ignored: bot messages (ours included), joins and other system subtypes, deletions
    (stored statements stay: see README), and edits that did not change the text (link
    unfurls arrive as edits too).
    """
    subtype = event.get("subtype")
    channel = event.get("channel")
    if not channel:
        return None
    if subtype == "message_changed":
        new = event.get("message") or {}
        old = event.get("previous_message") or {}
        if _from_bot(new) or not new.get("ts"):
            return None
        new_text, old_text = slack_to_plain(new.get("text") or ""), slack_to_plain(old.get("text") or "")
        if new_text.strip() == old_text.strip():
            return None
        return WatchedMessage(
            channel=channel,
            ts=new["ts"],
            reply_thread_ts=new.get("thread_ts") or new["ts"],
            text=new_text,
            edited=True,
            user=new.get("user"),
        )
    if subtype not in _PLAIN_SUBTYPES or _from_bot(event) or not event.get("ts"):
        return None
    return WatchedMessage(
        channel=channel,
        ts=event["ts"],
        reply_thread_ts=event.get("thread_ts") or event["ts"],
        text=slack_to_plain(event.get("text") or ""),
        user=event.get("user"),
    )


def _from_bot(message: Mapping[str, Any]) -> bool:
    return (
        bool(message.get("bot_id") or message.get("bot_profile")) or message.get("subtype") == "bot_message"
    )
