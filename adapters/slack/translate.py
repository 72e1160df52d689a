"""The one translation module between Slack and the core.

Slack payloads (slash-command text, message events) become core inputs here, and core
results (check reports, search hits, timelines, comparisons, digests) become Block Kit
messages here. Everything is a pure function: no network, no Bolt objects, so the whole
mapping is unit-tested with plain dicts.

The code lives by concept in ``mrkdwn`` (Slack's markup both ways), ``commands`` (``/claims``
text), ``events`` (tenants and message events) and ``blocks`` (Block Kit, one module per kind
of answer); this module is the one place the rest of the adapter imports them from.
"""

from __future__ import annotations

from adapters.slack.blocks.base import (
    MAX_BLOCKS,
    MAX_CONTEXT_CHARS,
    MAX_FALLBACK_CHARS,
    MAX_HEADER_CHARS,
    MAX_SECTION_CHARS,
    SEARCH_HINT,
    Block,
    SlackMessage,
    error_text,
    message_text,
)
from adapters.slack.blocks.check import report_message, without_self_matches
from adapters.slack.blocks.digest import digest_message
from adapters.slack.blocks.follows import alert_message, following_message
from adapters.slack.blocks.lookups import comparison_message, help_message, search_message, timeline_message
from adapters.slack.commands import (
    CONFIG_COMMANDS,
    USAGE,
    CheckCommand,
    Command,
    CompareCommand,
    DigestCommand,
    FollowCommand,
    FollowingCommand,
    HelpCommand,
    SearchCommand,
    SpeakerCommand,
    UnfollowCommand,
    WatchCommand,
    parse_command,
)
from adapters.slack.events import PLATFORM, WatchedMessage, tenant_for, watched_message
from adapters.slack.mrkdwn import escape_mrkdwn, slack_to_plain

__all__ = [
    "CONFIG_COMMANDS",
    "MAX_BLOCKS",
    "MAX_CONTEXT_CHARS",
    "MAX_FALLBACK_CHARS",
    "MAX_HEADER_CHARS",
    "MAX_SECTION_CHARS",
    "PLATFORM",
    "SEARCH_HINT",
    "USAGE",
    "Block",
    "CheckCommand",
    "Command",
    "CompareCommand",
    "DigestCommand",
    "FollowCommand",
    "FollowingCommand",
    "HelpCommand",
    "SearchCommand",
    "SlackMessage",
    "SpeakerCommand",
    "UnfollowCommand",
    "WatchCommand",
    "WatchedMessage",
    "alert_message",
    "comparison_message",
    "digest_message",
    "error_text",
    "escape_mrkdwn",
    "following_message",
    "help_message",
    "message_text",
    "parse_command",
    "report_message",
    "search_message",
    "slack_to_plain",
    "tenant_for",
    "timeline_message",
    "watched_message",
    "without_self_matches",
]
