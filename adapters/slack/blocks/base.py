"""Block Kit building blocks shared by every Slack message: the message itself, sections and
their siblings cut to Slack's limits, the block budget, and what to say about a failure.

Slack's limits that shape the rendering: at most 50 blocks per message, at most 3,000
characters in a section's text, 150 in a header; every message also carries a plain
``text`` fallback that notifications and screen readers use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from slack_sdk.errors import SlackApiError

from adapters.slack.mrkdwn import escape_mrkdwn, link
from bot.errors import STORAGE_UNAVAILABLE_REPLY, BadInput, QueueFull, StorageUnavailable
from bot.models import FactCheck
from bot.summary import fact_check_words, truncate

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_CONTEXT_CHARS = 2000  # a context element's text has the same 3,000 cap; stay well inside it
MAX_FALLBACK_CHARS = 3000
SEARCH_HINT = "`/claims search`"

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SlackMessage:
    blocks: list[Block]
    text: str  # plain fallback for notifications
    response_type: Literal["in_channel", "ephemeral"] = "ephemeral"
    extra: dict[str, Any] = field(default_factory=dict)

    def as_kwargs(self) -> dict[str, Any]:
        return {"blocks": self.blocks, "text": self.text, **self.extra}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_CHARS)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_CONTEXT_CHARS)}]}


def header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER_CHARS) or "claimbot", "emoji": True},
    }


def divider() -> Block:
    return {"type": "divider"}


def overflow(hidden: int) -> Block:
    return context(f"… and {hidden} more — {SEARCH_HINT}")


def fallback(*parts: str) -> str:
    return truncate(" — ".join(p for p in parts if p), MAX_FALLBACK_CHARS)


class BlockBudget:
    """Adds blocks while keeping one slot free for the overflow line."""

    def __init__(self, blocks: list[Block], limit: int = MAX_BLOCKS) -> None:
        self.blocks = blocks
        self.limit = limit

    def fits(self, n: int) -> bool:
        return len(self.blocks) + n <= self.limit - 1

    def close(self, hidden: int) -> list[Block]:
        if hidden:
            self.blocks.append(overflow(hidden))
        return self.blocks


def message_text(
    text: str, *, response_type: Literal["in_channel", "ephemeral"] = "ephemeral"
) -> SlackMessage:
    return SlackMessage(
        blocks=[section(escape_mrkdwn(text))],
        text=truncate(text, MAX_FALLBACK_CHARS),
        response_type=response_type,
    )


def error_text(exc: BaseException) -> str | None:
    """What to tell the user about a failure, or None for our own bugs (log, then apologise)."""
    if isinstance(exc, BadInput):
        return exc.reason
    if isinstance(exc, QueueFull):
        return "I'm busy checking other articles right now; please try again in a minute."
    if isinstance(exc, StorageUnavailable):
        return STORAGE_UNAVAILABLE_REPLY
    if isinstance(exc, SlackApiError) and exc.response.get("error") in _NOT_MEMBER_ERRORS:
        return "I can't post in this channel: invite me with `/invite @claimbot` and try again."
    return None


_NOT_MEMBER_ERRORS = frozenset({"not_in_channel", "channel_not_found"})


def fact_check_text(fact_check: FactCheck) -> str:
    """ ":mag: *Fact-checked by PolitiFact: False* — <url|read the fact-check>" """
    line = f":mag: *{escape_mrkdwn(fact_check_words(fact_check))}*"
    return line + (f" — {link(fact_check.url, 'read the fact-check')}" if fact_check.url else "")
