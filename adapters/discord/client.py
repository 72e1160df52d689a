"""The Discord bot: intents, message-content detection, per-guild command sync.

``ClaimBot`` is an ``AutoShardedBot``: one process runs as many shards as Discord asks
for (``GET /gateway/bot``); several processes can split shards with ``shard_ids``.
It knows nothing of its commands, the digest scheduler or the follow-alert dispatcher:
``adapters.discord.runner`` wires them in (``create_bot``), as the Slack runner does, so
nothing here imports the cog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from adapters.bootstrap import App
from adapters.discord import translate
from adapters.follow_alerts import FollowAlertDispatcher
from adapters.retry import connect_attempts
from adapters.scheduler import DigestScheduler
from bot.digest import DigestBuilder
from bot.settings import Settings

log = logging.getLogger(__name__)

CONNECT_ATTEMPT_TIMEOUT_S = 10.0

MESSAGE_CONTENT_SETUP = (
    "Channel watch is DISABLED: the Message Content intent is not enabled for this application. "
    "Enable it in the Discord Developer Portal → your application → Bot → Privileged Gateway "
    "Intents → Message Content Intent, then restart. Slash commands and the 'Check claims' "
    "message menu keep working."
)


async def wait_until_reachable(url: str, what: str) -> None:
    """Returns once ``url``'s host accepts a TCP connection, retrying with back-off.

    discord.py fails at once when the API cannot be reached, and retries the gateway every 5 s
    logging a full traceback each time. Here: one line per failed attempt, a longer wait after
    each (``adapters.retry``: the same schedule as Slack's), and a task that a
    signal can cancel at any moment.
    """
    parsed = yarl.URL(url)
    host = parsed.host or ""
    port = parsed.port or (443 if parsed.scheme in ("https", "wss") else 80)
    for attempt, delay in connect_attempts():
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_ATTEMPT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            reason = (
                f"no answer within {CONNECT_ATTEMPT_TIMEOUT_S:.0f} s"
                if isinstance(exc, TimeoutError)
                else f"{type(exc).__name__}: {exc}"
            )
            log.warning(
                "could not reach %s at %s:%s (attempt %d: %s); retrying in %.0f s",
                what,
                host,
                port,
                attempt,
                reason,
                delay,
            )
            await asyncio.sleep(delay)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        if attempt > 1:
            log.info("%s at %s:%s answers again (attempt %d)", what, host, port, attempt)
        return


def wanted_intents() -> discord.Intents:
    """Guild events, guild messages and their content; no members or presences (not needed)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    return intents


def message_content_allowed(flags: discord.ApplicationFlags | None) -> bool:
    """The application's flags say whether the privileged intent is switched on in the portal."""
    if flags is None:
        return False
    return bool(flags.gateway_message_content or flags.gateway_message_content_limited)


class ClaimTree(app_commands.CommandTree["ClaimBot"]):
    async def on_error(
        self, interaction: discord.Interaction[ClaimBot], error: app_commands.AppCommandError
    ) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "unhandled error in /%s (guild %s, user %s)",
            command,
            interaction.guild_id,
            interaction.user.id,
            exc_info=original,
        )
        await send_error(interaction, original)


async def send_error(interaction: discord.Interaction[Any], exc: BaseException) -> None:
    """Answers an interaction with the ephemeral message ``translate.error_reply`` chose."""
    reply = translate.error_reply(exc)
    try:
        if interaction.response.is_done():
            # a public "thinking…" placeholder cannot turn ephemeral: remove it, then whisper
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.debug("could not delete the deferred response", exc_info=True)
            await interaction.followup.send(reply.text, ephemeral=True)
        else:
            await interaction.response.send_message(reply.text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply to interaction %s", interaction.id, exc_info=True)


class ClaimBot(commands.AutoShardedBot):
    def __init__(
        self,
        *,
        app: App,
        settings: Settings,
        digest_builder: DigestBuilder | None = None,
        sync_on_start: bool = True,
        warm: bool = False,
        retry_connect: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: only app commands
            help_command=None,
            intents=wanted_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=ClaimTree,
            **options,
        )
        self.app = app
        self.settings = settings
        self.digest_builder = digest_builder
        self.sync_on_start = sync_on_start
        self.warm = warm
        self.watch_available = True
        # set by the runner: added once logged in (the cogs), started once ready (the scheduler
        # and the follow alerts' dispatcher)
        self.claim_cogs: list[commands.Cog] = []
        self.scheduler: DigestScheduler | None = None
        self.alerts: FollowAlertDispatcher | None = None
        # a long-running bot waits for Discord to be reachable; `discord sync` fails at once
        self.retry_connect = retry_connect

    async def login(self, token: str) -> None:
        if self.retry_connect:
            await wait_until_reachable(self.settings.discord_api_base_url, "the Discord API")
        await super().login(token)

    async def launch_shard(self, gateway: yarl.URL, shard_id: int, *, initial: bool = False) -> None:
        # discord.py calls this again for each retry of its own, so each goes through the check
        if self.retry_connect:
            await wait_until_reachable(str(gateway), "the Discord gateway")
        await super().launch_shard(gateway, shard_id, initial=initial)

    async def setup_hook(self) -> None:
        # login() has fetched the application, so its flags are known before IDENTIFY.
        if not message_content_allowed(self.application_flags):
            log.error(MESSAGE_CONTENT_SETUP)
            self.watch_available = False
            # Identifying with a privileged intent the portal has not granted gets the
            # connection closed (4014): ask only for what we may have.
            self._connection._intents.message_content = False
        for cog in self.claim_cogs:
            await self.add_cog(cog)
        if self.warm:
            # a daemon thread, not the executor: shutting down never waits for a model load
            threading.Thread(target=self._warm_models, name="claimbot-warm", daemon=True).start()
        if self.sync_on_start:
            for guild_id in self.settings.discord_guild_ids:
                await self.sync_guild(discord.Object(id=guild_id))

    async def sync_guild(self, guild: discord.abc.Snowflake) -> int:
        """Registers the commands in one guild: instant, unlike a global sync."""
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands to guild %s", len(synced), guild.id)
        return len(synced)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        try:
            await self.sync_guild(guild)
        except discord.HTTPException:
            log.exception("could not sync commands to new guild %s", guild.id)

    async def on_ready(self) -> None:
        if self.scheduler is not None:
            self.scheduler.start()  # idempotent: on_ready fires again after a full reconnect
        if self.alerts is not None:
            self.alerts.start()  # idempotent too
        log.info(
            "connected as %s (%s guilds, %s shards); channel watch %s",
            self.user,
            len(self.guilds),
            self.shard_count,
            "available" if self.watch_available else "UNAVAILABLE",
        )

    async def close(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.alerts is not None:
            await self.alerts.stop()
        await super().close()

    async def on_message(self, message: discord.Message) -> None:
        # No prefix commands: the channel watch lives in the cog's listener.
        return

    def _warm_models(self) -> None:
        """Loads the NLP models now so the first check is not slow."""
        try:
            self.app.warm()
        except Exception:
            log.exception("could not load the models; checks will retry on first use")
