"""``claimbot run discord`` and ``claimbot discord sync``.

``python -m adapters.discord.runner`` runs the bot too (same settings, from the
environment or ``.env``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

import discord

from adapters.bootstrap import App, bootstrap, configure_bot_logging
from adapters.discord import translate
from adapters.discord._cog import ClaimsCog
from adapters.discord.alerts import DiscordAlertPoster
from adapters.discord.client import MESSAGE_CONTENT_SETUP, ClaimBot
from adapters.discord.digest import DiscordDigestPoster
from adapters.follow_alerts import FollowAlertDispatcher
from adapters.scheduler import DigestScheduler
from bot.digest import DigestBuilder
from bot.errors import BadInput
from bot.settings import PLATFORM_FIELDS, Settings, load_settings

log = logging.getLogger(__name__)

STOP_GRACE_S = 2.0  # for closing the gateway after a signal; then the run is cancelled


def configure_api(settings: Settings) -> None:
    """Points discord.py at ``settings.discord_api_base_url`` (Discord itself, unless a test says so)."""
    discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")
    # the bot has no voice: two start-up warnings about voice libraries are noise
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


def create_bot(
    *,
    app: App,
    settings: Settings,
    digest_builder: DigestBuilder | None = None,
    run_scheduler: bool = False,
    scheduler_options: dict[str, Any] | None = None,
    **options: Any,
) -> ClaimBot:
    """The bot with its ``/claims`` commands and, with ``run_scheduler``, the weekly digest
    scheduler and the follow alerts' dispatcher posting through it (both started once the
    bot is ready)."""
    bot = ClaimBot(app=app, settings=settings, digest_builder=digest_builder, **options)
    bot.claim_cogs.append(ClaimsCog(bot))
    if run_scheduler:
        bot.scheduler = DigestScheduler(
            store=app.service.store,
            config=app.config,
            posters={translate.PLATFORM: DiscordDigestPoster(bot)},
            **(scheduler_options or {}),
        )
        # follow alerts of this process's guilds; exactly once comes from the database too
        bot.alerts = FollowAlertDispatcher(
            follows=app.service.follows, queue=app.queue, poster=DiscordAlertPoster(bot)
        )
    return bot


def run(settings: Settings) -> None:
    """Runs the bot until interrupted (SIGINT/SIGTERM close the gateway cleanly)."""
    settings.require_valid(skip=PLATFORM_FIELDS["slack"])  # a bot reads nearly every setting
    token = settings.require_secret("discord_token", "DISCORD_TOKEN")
    configure_bot_logging(settings)
    configure_api(settings)
    app = bootstrap(settings)
    try:
        asyncio.run(_serve(app, settings, token))
    finally:
        app.close()


async def _serve(app: App, settings: Settings, token: str) -> None:
    """Runs until SIGINT/SIGTERM, which stop it at any stage, connecting included."""
    bot = create_bot(
        app=app,
        settings=settings,
        digest_builder=app.digests.with_chart,
        warm=True,
        run_scheduler=True,
        retry_connect=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    guilds = settings.discord_guild_ids
    log.info(
        "claimbot for Discord starting: gateway mode, connecting to %s; commands synced %s",
        settings.discord_api_base_url,
        f"to {len(guilds)} guild(s) from DISCORD_GUILD_IDS" if guilds else "globally (no DISCORD_GUILD_IDS)",
    )
    async with bot:
        running = asyncio.create_task(bot.start(token), name="discord-bot")
        stopping = asyncio.create_task(stop.wait(), name="discord-stop")
        try:
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if running.done():
                running.result()
        except discord.LoginFailure as exc:
            raise BadInput("DISCORD_TOKEN was refused by Discord: check the bot token") from exc
        except discord.PrivilegedIntentsRequired as exc:
            raise BadInput(MESSAGE_CONTENT_SETUP) from exc
        finally:
            if not running.done():
                log.info("shutting down")
            stopping.cancel()
            # close the gateway politely if it is open, but never wait on a connection attempt
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bot.close(), STOP_GRACE_S)
            running.cancel()
            await asyncio.gather(running, stopping, return_exceptions=True)


def sync(settings: Settings) -> None:
    """Registers the commands: per guild in ``DISCORD_GUILD_IDS`` (instant), else globally."""
    settings.require_valid(skip=PLATFORM_FIELDS["slack"])
    token = settings.require_secret("discord_token", "DISCORD_TOKEN")
    configure_api(settings)
    app = bootstrap(settings)
    try:
        for line in asyncio.run(_sync(app, settings, token)):
            print(line)
    finally:
        app.close()


async def _sync(app: App, settings: Settings, token: str) -> list[str]:
    bot = create_bot(app=app, settings=settings, sync_on_start=False)
    out: list[str] = []
    async with bot:
        try:
            await bot.login(token)
        except discord.LoginFailure as exc:
            raise BadInput("DISCORD_TOKEN was refused by Discord: check the bot token") from exc
        if settings.discord_guild_ids:
            for guild_id in settings.discord_guild_ids:
                count = await bot.sync_guild(discord.Object(id=guild_id))
                out.append(f"synced {count} commands to guild {guild_id} (available now)")
        else:
            synced = await bot.tree.sync()
            out.append(f"synced {len(synced)} commands globally (Discord may take a while to show them)")
    return out


def main() -> None:
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        run(settings)
    except BadInput as exc:
        print(f"claimbot: {exc.reason}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
