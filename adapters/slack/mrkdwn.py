"""Slack's mrkdwn, both ways: payload text → the plain text a reader sees, and user text → safe
mrkdwn (escaped, links that cannot end early).

Shared by the parsing of what Slack sends (``commands``, ``events``) and the Block Kit that
goes back (``blocks``).
"""

from __future__ import annotations

import re

_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SLACK_MENTION = re.compile(r"<([@#!])([^|>]+)(?:\|([^>]*))?>")


def slack_to_plain(text: str) -> str:
    """Slack mrkdwn as sent in payloads → the plain text a reader sees.

    Links arrive as ``<https://x|label>``; for an article the URL is what matters, so the
    URL is kept and the label dropped. Mentions keep their visible name. ``&amp;``,
    ``&lt;`` and ``&gt;`` are the only entities Slack escapes.
    """
    plain = _SLACK_LINK.sub(lambda m: m.group(1), text)

    def mention(m: re.Match[str]) -> str:
        sigil, ident, label = m.group(1), m.group(2), m.group(3)
        if sigil == "!":
            return "@" + (label or ident.split("^", 1)[0])
        return sigil + (label or ident)

    plain = _SLACK_MENTION.sub(mention, plain)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape_mrkdwn(text: str) -> str:
    """User text placed inside mrkdwn: the three control characters Slack asks us to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    # "|" and ">" would end the link early; a URL with them is shown plain instead, and so is
    # a source that is no web link (a file check's "file:budget.txt")
    if any(ch in url for ch in "|<> ") or not url.startswith(("https://", "http://")):
        return escape_mrkdwn(f"{label}: {url}")
    return f"<{url}|{escape_mrkdwn(label)}>"
