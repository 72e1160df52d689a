"""``claimbot follow``, ``unfollow`` and ``following``, and the alerts a check prints for the
console's follows (the console is one channel, ``console``, of its tenant).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer

from adapters.bootstrap import App
from adapters.console import render
from adapters.console.common import (
    CONSOLE_CHANNEL,
    CONSOLE_PLATFORM,
    DbOption,
    JsonOption,
    TenantOption,
    handles_errors,
    opened_app,
    out,
)
from bot.follows import alert_to_dict, followed_line, unfollowed_line

SpeakerArgument = Annotated[str, typer.Argument(help="speaker name or alias")]


def print_follow_alerts(app: App, *, tenant: str, json_out: bool) -> None:
    """Prints the alerts owed to this console's follows, each once (stdout keeps one JSON object
    per source with --json: the alerts then go to stderr, one JSON object per line)."""
    import uuid

    follows = app.service.follows
    owner = f"console:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    for alert in follows.take_alerts(
        platform=CONSOLE_PLATFORM, owner=owner, now=app.service.clock(), tenant=tenant
    ):
        if json_out:
            print(json.dumps({"follow_alert": alert_to_dict(alert)}, ensure_ascii=False), file=sys.stderr)
        else:
            render.print_alert(out, alert)
        follows.alert_posted(alert=alert, owner=owner, message_ref="stderr" if json_out else "stdout")


@handles_errors
def follow(name: SpeakerArgument, db: DbOption = None, tenant: TenantOption = "local") -> None:
    """Follow a speaker: `claimbot check` prints an alert when they change a statement or repeat
    a fact-checked claim."""
    with opened_app(db) as app:
        speaker = app.service.follows.follow(
            tenant=tenant, platform=CONSOLE_PLATFORM, channel_id=CONSOLE_CHANNEL, name=name
        )
    out.print(followed_line(speaker, alerts="`claimbot check` prints an alert"), highlight=False)


@handles_errors
def unfollow(name: SpeakerArgument, db: DbOption = None, tenant: TenantOption = "local") -> None:
    """Stop following a speaker."""
    with opened_app(db) as app:
        speaker = app.service.follows.unfollow(tenant=tenant, channel_id=CONSOLE_CHANNEL, name=name)
    out.print(unfollowed_line(speaker), highlight=False)


@handles_errors
def following(db: DbOption = None, tenant: TenantOption = "local", json_out: JsonOption = False) -> None:
    """The speakers followed in a tenant, and where their alerts go."""
    with opened_app(db) as app:
        found = app.service.follows.following(tenant=tenant)
    if json_out:
        payload = [
            {
                "speaker": f.speaker.name,
                "aliases": list(f.speaker.aliases),
                "platform": f.platform,
                "channel_id": f.channel_id,
                "since": f.created_at.isoformat(),
            }
            for f in found
        ]
        print(json.dumps({"follows": payload}, ensure_ascii=False))
    else:
        render.print_follows(out, found, here=CONSOLE_CHANNEL)
