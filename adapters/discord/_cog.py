"""Thin discord.py glue: the ``/claims`` group, the "Check claims" message menu, the channel watch.

Every handler answers or defers at once (Discord wants a response within 3 seconds),
runs the core in the check queue (``app.queue.run``: a worker thread, so heartbeats keep
flowing) and follows up. What to say and how to lay it out lives in ``translate``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord import translate
from adapters.discord.client import send_error
from adapters.discord.digest import render_digest
from bot.digest import schedule_for_channel
from bot.errors import BadInput
from bot.links import article_source
from bot.models import CheckReport

if TYPE_CHECKING:
    from adapters.discord.client import ClaimBot

log = logging.getLogger(__name__)

T = TypeVar("T")
Interaction = discord.Interaction["ClaimBot"]

MANAGE_SERVER_NEEDED = "Only members with the **Manage Server** permission can change this."


def _tenant(interaction: Interaction) -> str:
    if interaction.guild_id is None:  # guild_only commands: Discord never sends these from DMs
        raise BadInput("use this command in a server, not in direct messages")
    return translate.tenant_for_guild(interaction.guild_id)


class ClaimsCog(commands.Cog):
    claims = app_commands.Group(
        name="claims",
        description="Track who said what: new, repeated and changed statements",
        guild_only=True,
    )

    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Check claims", callback=self.check_message_menu)
        self.menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    # ------------------------------------------------------------------ helpers
    async def _work(
        self,
        interaction: Interaction,
        job: Callable[[], T],
        render: Callable[[T], Sequence[discord.Embed]],
        *,
        what: str,
    ) -> None:
        """Defer, run ``job`` in the check queue, follow up with its embeds (or an error)."""
        if not interaction.response.is_done():
            await interaction.response.defer(thinking=True)
        try:
            result = await self.bot.app.queue.run(job)
            embeds = list(render(result))
        except Exception as exc:
            await self._fail(interaction, exc, what=what)
            return
        await interaction.followup.send(embeds=embeds)

    async def _fail(self, interaction: Interaction, exc: Exception, *, what: str) -> None:
        reply = translate.error_reply(exc)
        if reply.internal:
            log.exception(
                "%s failed (guild %s, channel %s, user %s)",
                what,
                interaction.guild_id,
                interaction.channel_id,
                interaction.user.id,
                exc_info=exc,
            )
        else:
            log.info("%s refused for guild %s: %s", what, interaction.guild_id, reply.text)
        await send_error(interaction, exc)

    async def _may_configure(self, interaction: Interaction) -> bool:
        # Discord can only set default permissions on the top-level /claims, not per
        # subcommand, so configuration is checked here at run time.
        if interaction.permissions.manage_guild:
            return True
        await interaction.response.send_message(MANAGE_SERVER_NEEDED, ephemeral=True)
        return False

    def _check_job(
        self, *, tenant: str, source: str, channel_id: int, message_id: int | None, jump_url: str | None
    ) -> Callable[[], CheckReport]:
        service = self.bot.app.service
        origin = translate.message_origin(channel_id=channel_id, message_id=message_id, jump_url=jump_url)
        return lambda: service.check_source(tenant=tenant, source=source, origin=origin)

    # ------------------------------------------------------------------ /claims check
    @claims.command(name="check", description="Check an article: paste its text or give a link")
    @app_commands.describe(text="the article text", link="a link to the article")
    async def check(self, interaction: Interaction, text: str | None = None, link: str | None = None) -> None:
        try:
            tenant = _tenant(interaction)
            source = translate.check_source(text=text, link=link)
        except BadInput as exc:
            await self._fail(interaction, exc, what="/claims check")
            return
        job = self._check_job(
            tenant=tenant,
            source=source,
            channel_id=interaction.channel_id or 0,
            message_id=None,
            jump_url=None,
        )
        await self._work(interaction, job, _render_report, what="/claims check")

    async def check_message_menu(self, interaction: Interaction, message: discord.Message) -> None:
        try:
            tenant = _tenant(interaction)
            source = translate.message_source(message.content, min_chars=self.bot.settings.watch_min_chars)
        except BadInput as exc:
            await self._fail(interaction, exc, what="Check claims")
            return
        job = self._check_job(
            tenant=tenant,
            source=source,
            channel_id=message.channel.id,
            message_id=message.id,
            jump_url=message.jump_url,
        )
        await self._work(interaction, job, _render_report, what="Check claims")

    # ------------------------------------------------------------------ queries
    @claims.command(name="search", description="Find stored statements (semantic and full text)")
    @app_commands.describe(query="what was said", speaker="only this speaker", top="how many results")
    async def search(
        self,
        interaction: Interaction,
        query: str,
        speaker: str | None = None,
        top: app_commands.Range[int, 1, 20] = 5,
    ) -> None:
        tenant = _tenant(interaction)
        service = self.bot.app.service
        await self._work(
            interaction,
            lambda: service.search(tenant=tenant, query=query, top_k=top, speaker=speaker),
            lambda hits: translate.search_embeds(query, hits),
            what="/claims search",
        )

    @claims.command(name="speaker", description="A speaker's statements over time")
    @app_commands.describe(name="the speaker's name (aliases work too)")
    async def speaker(self, interaction: Interaction, name: str) -> None:
        tenant = _tenant(interaction)
        service = self.bot.app.service

        def job() -> list[discord.Embed]:
            found = service.speaker_timeline(tenant=tenant, name=name)
            if found is None:
                return [translate.unknown_speaker_embed(name, service.speakers(tenant=tenant))]
            return translate.timeline_embeds(*found)

        await self._work(interaction, job, lambda embeds: embeds, what="/claims speaker")

    @claims.command(name="compare", description="Is the second statement a repeat or a change of the first?")
    @app_commands.describe(first="a statement", second="another statement")
    async def compare(self, interaction: Interaction, first: str, second: str) -> None:
        service = self.bot.app.service
        await self._work(
            interaction,
            lambda: service.compare(first, second),
            lambda result: [translate.compare_embed(first, second, result)],
            what="/claims compare",
        )

    # ------------------------------------------------------------------ follows
    @claims.command(name="follow", description="Alert this channel when a speaker changes a statement")
    @app_commands.describe(speaker="the speaker's name (aliases work too)")
    async def follow(self, interaction: Interaction, speaker: str) -> None:
        tenant, channel = _tenant(interaction), str(interaction.channel_id)
        follows = self.bot.app.service.follows
        await self._say(
            interaction,
            lambda: translate.followed_text(
                follows.follow(tenant=tenant, platform=translate.PLATFORM, channel_id=channel, name=speaker)
            ),
            what="/claims follow",
        )

    @claims.command(name="unfollow", description="Stop the alerts about a speaker in this channel")
    @app_commands.describe(speaker="the speaker's name (aliases work too)")
    async def unfollow(self, interaction: Interaction, speaker: str) -> None:
        tenant, channel = _tenant(interaction), str(interaction.channel_id)
        follows = self.bot.app.service.follows
        await self._say(
            interaction,
            lambda: translate.unfollowed_text(
                follows.unfollow(tenant=tenant, channel_id=channel, name=speaker)
            ),
            what="/claims unfollow",
        )

    @claims.command(name="following", description="Which speakers are followed, and in which channel")
    async def following(self, interaction: Interaction) -> None:
        tenant = _tenant(interaction)
        follows = self.bot.app.service.follows
        await self._work(
            interaction,
            lambda: follows.following(tenant=tenant),
            lambda found: [translate.following_embed(found)],
            what="/claims following",
        )

    async def _say(self, interaction: Interaction, job: Callable[[], str], *, what: str) -> None:
        """Defer, run ``job`` in the check queue, answer with its one line for the channel to see."""
        await interaction.response.defer(thinking=True)
        try:
            text = await self.bot.app.queue.run(job)
        except Exception as exc:
            await self._fail(interaction, exc, what=what)
            return
        await interaction.followup.send(content=text)

    @claims.command(name="help", description="What this bot does and how to use it")
    async def help(self, interaction: Interaction) -> None:
        embed = translate.help_embed(watch_available=self.bot.watch_available)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # ------------------------------------------------------------------ configuration
    @claims.command(name="watch", description="Check every article or link pasted in a channel")
    @app_commands.describe(state="on or off", channel="the channel (default: this one)")
    async def watch(
        self,
        interaction: Interaction,
        state: Literal["on", "off"],
        channel: discord.TextChannel | None = None,
    ) -> None:
        if not await self._may_configure(interaction):
            return
        enabled = state == "on"
        if enabled and not self.bot.watch_available:
            await interaction.response.send_message(translate.WATCH_UNAVAILABLE, ephemeral=True)
            return
        tenant = _tenant(interaction)
        channel_id = channel.id if channel else interaction.channel_id
        if channel_id is None:
            raise BadInput("pick a channel")
        try:
            await asyncio.to_thread(
                self.bot.app.config.set_watch, tenant=tenant, channel_id=str(channel_id), enabled=enabled
            )
        except Exception as exc:
            await self._fail(interaction, exc, what="/claims watch")
            return
        text = (
            f"Watching <#{channel_id}>: articles and links pasted there get a summary in a thread."
            if enabled
            else f"No longer watching <#{channel_id}>."
        )
        await interaction.response.send_message(text)

    @claims.command(name="digest", description="Weekly digest: post here, turn off, or send one now")
    @app_commands.describe(action="here: weekly in this channel · off: stop · now: post this week's digest")
    async def digest(self, interaction: Interaction, action: Literal["here", "off", "now"]) -> None:
        if not await self._may_configure(interaction):
            return
        tenant = _tenant(interaction)
        if action == "now":
            await self._digest_now(interaction, tenant)
            return
        config = self.bot.app.config
        settings = self.bot.settings
        try:
            current = await asyncio.to_thread(config.get_digest, tenant=tenant)
            schedule = schedule_for_channel(
                tenant=tenant,
                platform=translate.PLATFORM,
                channel_id=str(
                    interaction.channel_id if action == "here" or current is None else current.channel_id
                ),
                current=current,
                defaults=settings,
                enabled=action == "here",
            )
            await asyncio.to_thread(config.set_digest, schedule=schedule)
        except Exception as exc:
            await self._fail(interaction, exc, what="/claims digest")
            return
        if action == "here":
            text = (
                f"The weekly digest will be posted in <#{schedule.channel_id}> every "
                f"{WEEKDAYS[schedule.weekday]} at {schedule.hour:02d}:00 ({schedule.timezone})."
            )
        else:
            text = "The weekly digest is off."
        await interaction.response.send_message(text)

    async def _digest_now(self, interaction: Interaction, tenant: str) -> None:
        builder = self.bot.digest_builder
        if builder is None:
            await interaction.response.send_message(
                "Digests are not available in this deployment (the digest module is not installed).",
                ephemeral=True,
            )
            return
        await interaction.response.defer(thinking=True)
        try:
            digest, chart = await self.bot.app.queue.run(builder, tenant)
            embeds, files = render_digest(digest, chart)
        except Exception as exc:
            await self._fail(interaction, exc, what="/claims digest now")
            return
        await interaction.followup.send(embeds=embeds, files=files)

    # ------------------------------------------------------------------ channel watch
    @commands.Cog.listener("on_message")
    async def watch_channel(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or not self.bot.watch_available:
            return
        source = article_source(message.content, min_chars=self.bot.settings.watch_min_chars)
        if source is None:
            return
        tenant = translate.tenant_for_guild(message.guild.id)
        config = self.bot.app.config
        try:
            if not await asyncio.to_thread(
                config.is_watched, tenant=tenant, channel_id=str(message.channel.id)
            ):
                return
            first = await asyncio.to_thread(
                config.first_delivery, tenant=tenant, key=translate.delivery_key(message.id)
            )
        except Exception:
            log.exception("channel watch: cannot read configuration (guild %s)", message.guild.id)
            return
        if not first:
            log.info("message %s already handled (gateway replay); ignoring", message.id)
            return
        job = self._check_job(
            tenant=tenant,
            source=source,
            channel_id=message.channel.id,
            message_id=message.id,
            jump_url=message.jump_url,
        )
        try:
            report = await self.bot.app.queue.run(job)
        except Exception as exc:
            reply = translate.error_reply(exc)
            if reply.internal:
                log.exception(
                    "channel watch check failed (guild %s, message %s)", message.guild.id, message.id
                )
            await self._answer_in_thread(message, name="Claims", content=reply.text, embeds=[])
            return
        if not report.claims and report.article.duplicate_of is None:
            # a long chat message is not an article: no thread full of "nothing found" noise
            log.info("watched message %s: no statements found; not answering", message.id)
            return
        await self._answer_in_thread(
            message,
            name=translate.thread_name(report),
            content=None,
            embeds=translate.report_embeds(report),
        )

    async def _answer_in_thread(
        self, message: discord.Message, *, name: str, content: str | None, embeds: list[discord.Embed]
    ) -> None:
        """A thread on the pasted message keeps the channel readable; a reply where threads are refused."""
        target: discord.abc.Messageable
        try:
            target = await message.create_thread(name=name, auto_archive_duration=1440)
        except (discord.HTTPException, ValueError, TypeError) as exc:
            log.info("no thread for message %s (%s); replying instead", message.id, exc)
            await message.reply(content=content, embeds=embeds, mention_author=False)
            return
        await target.send(content=content, embeds=embeds)


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _render_report(report: CheckReport) -> list[discord.Embed]:
    return translate.report_embeds(report)
