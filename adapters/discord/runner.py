"""``claimbot run discord`` and ``claimbot discord sync``.

``python -m adapters.discord.runner`` runs the bot too (same settings, from the
environment or ``.env``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from adapters.bootstrap import App, bootstrap
from adapters.discord.client import MESSAGE_CONTENT_SETUP, ClaimBot
from adapters.discord.digest import make_digest_builder
from bot.errors import BadInput
from bot.settings import PLATFORM_FIELDS, Settings, load_settings

log = logging.getLogger(__name__)


def configure_api(settings: Settings) -> None:
    """Points discord.py at ``settings.discord_api_base_url`` (Discord itself, unless a test says so)."""
    discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")


def run(settings: Settings) -> None:
    """Runs the bot until interrupted (SIGINT/SIGTERM close the gateway cleanly)."""
    settings.require_valid(skip=PLATFORM_FIELDS["slack"])  # a bot reads nearly every setting
    token = settings.require_secret("discord_token", "DISCORD_TOKEN")
    configure_api(settings)
    app = bootstrap(settings)
    try:
        asyncio.run(_serve(app, settings, token))
    finally:
        app.close()


async def _serve(app: App, settings: Settings, token: str) -> None:
    bot = ClaimBot(
        app=app, settings=settings, digest_builder=make_digest_builder(app), warm=True, run_scheduler=True
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        try:
            await bot.start(token)
        except discord.LoginFailure as exc:
            raise BadInput("DISCORD_TOKEN was refused by Discord: check the bot token") from exc
        except discord.PrivilegedIntentsRequired as exc:
            raise BadInput(MESSAGE_CONTENT_SETUP) from exc


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
    bot = ClaimBot(app=app, settings=settings, sync_on_start=False)
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
