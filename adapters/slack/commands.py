"""``/claims`` text → a command: one dataclass per subcommand, and help (with the reason) for
anything unusable. ``USAGE`` is the one list of subcommands that help shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from adapters.slack.mrkdwn import escape_mrkdwn, slack_to_plain
from bot.summary import truncate


@dataclass(frozen=True, slots=True)
class CheckCommand:
    source: str  # pasted text or a link, as plain text


@dataclass(frozen=True, slots=True)
class SearchCommand:
    query: str


@dataclass(frozen=True, slots=True)
class SpeakerCommand:
    name: str


@dataclass(frozen=True, slots=True)
class CompareCommand:
    first: str
    second: str


@dataclass(frozen=True, slots=True)
class WatchCommand:
    enabled: bool


@dataclass(frozen=True, slots=True)
class DigestCommand:
    action: Literal["here", "off", "now"]


@dataclass(frozen=True, slots=True)
class FollowCommand:
    name: str  # may be empty: the service refuses it in one line


@dataclass(frozen=True, slots=True)
class UnfollowCommand:
    name: str


@dataclass(frozen=True, slots=True)
class FollowingCommand:
    pass


@dataclass(frozen=True, slots=True)
class HelpCommand:
    problem: str | None = None  # why help is shown instead of what was asked ("unknown subcommand")


Command = (
    CheckCommand
    | SearchCommand
    | SpeakerCommand
    | CompareCommand
    | WatchCommand
    | DigestCommand
    | FollowCommand
    | UnfollowCommand
    | FollowingCommand
    | HelpCommand
)
CONFIG_COMMANDS = (WatchCommand, DigestCommand)

USAGE = (
    ("check <pasted text or link>", "find who said what and whether it is new, repeated or changed"),
    ("search <words>", "find statements seen before in this workspace"),
    ("speaker <name>", "a speaker's statements over time"),
    ("compare <statement> | <statement>", "are two statements the same claim?"),
    ("watch on|off", "summarise articles posted in this channel (admins)"),
    ("digest here|off|now", "weekly digest in this channel (admins)"),
    ("follow <speaker>", "alert this channel when they change a statement or repeat a fact-checked claim"),
    ("unfollow <speaker>", "stop those alerts"),
    ("following", "who is followed, and in which channel"),
    ("help", "this message"),
)


_HEAD = re.compile(r"(\S+)\s*(.*)", re.S)


def _split_head(text: str) -> tuple[str, str]:
    # keep the argument's own line breaks: a pasted article needs its paragraphs
    match = _HEAD.match(text)
    if match is None:
        return "", ""
    return match.group(1), match.group(2).strip()


def parse_command(text: str) -> Command:
    """``/claims`` text → a command; anything unusable becomes help with the reason."""
    plain = slack_to_plain(text).strip()
    if not plain:
        return HelpCommand()
    head, arg = _split_head(plain)
    name = head.lower()
    if name in {"help", "?"}:
        return HelpCommand()
    if name == "check":
        return CheckCommand(arg) if arg else HelpCommand("`check` needs a pasted article or a link.")
    if name == "search":
        return SearchCommand(arg) if arg else HelpCommand("`search` needs some words to look for.")
    if name == "speaker":
        return SpeakerCommand(arg) if arg else HelpCommand("`speaker` needs a name.")
    if name == "compare":
        first, bar, second = arg.partition("|")
        if not bar or not first.strip() or not second.strip():
            return HelpCommand("`compare` needs two statements separated by `|`.")
        return CompareCommand(first.strip(), second.strip())
    if name == "watch":
        if arg.lower() in {"on", "off"}:
            return WatchCommand(arg.lower() == "on")
        return HelpCommand("`watch` takes `on` or `off`.")
    if name in {"follow", "unfollow", "following"}:
        return _follow_command(name, arg)
    if name == "digest":
        match arg.lower():
            case "here":
                return DigestCommand("here")
            case "off":
                return DigestCommand("off")
            case "now":
                return DigestCommand("now")
        return HelpCommand("`digest` takes `here`, `off` or `now`.")
    return HelpCommand(f"I don't know `{escape_mrkdwn(truncate(head, 40))}`.")


def _follow_command(name: str, arg: str) -> FollowCommand | UnfollowCommand | FollowingCommand:
    """``follow <speaker>``, ``unfollow <speaker>``, ``following``: an empty name is the service's
    to refuse, in one line."""
    if name == "follow":
        return FollowCommand(arg)
    if name == "unfollow":
        return UnfollowCommand(arg)
    return FollowingCommand()
