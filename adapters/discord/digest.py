"""Weekly digests on Discord: embeds from ``translate.digest_embeds`` plus the chart as an attachment."""

from __future__ import annotations

import io
import logging

import discord

from adapters.discord import translate
from bot.errors import BadInput
from bot.models import Digest
from bot.ports import DigestSchedule

log = logging.getLogger(__name__)

CHART_NAME = "claims-week.png"


def render_digest(digest: Digest, chart_png: bytes | None) -> tuple[list[discord.Embed], list[discord.File]]:
    """The embeds and files of one digest message (the chart is shown inside the first embed)."""
    attach = chart_png is not None and not digest.empty
    embeds = translate.digest_embeds(digest, image_name=CHART_NAME if attach else None)
    files = [discord.File(io.BytesIO(chart_png), filename=CHART_NAME)] if attach and chart_png else []
    return embeds, files


class DiscordDigestPoster:
    """``bot.ports.DigestPoster`` for Discord: posts to ``schedule.channel_id`` with the chart attached."""

    platform = translate.PLATFORM

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post_digest(self, *, schedule: DigestSchedule, digest: Digest, chart_png: bytes | None) -> str:
        channel_id = int(schedule.channel_id)
        channel = self._client.get_channel(channel_id) or await self._client.fetch_channel(channel_id)
        guild = getattr(channel, "guild", None)
        # a digest only ever goes to a channel of its own guild
        if guild is None or translate.tenant_for_guild(guild.id) != schedule.tenant:
            raise BadInput(f"channel {channel_id} does not belong to {schedule.tenant}")
        if digest.tenant != schedule.tenant:
            raise BadInput(f"digest of {digest.tenant} cannot be posted for {schedule.tenant}")
        if not isinstance(channel, discord.abc.Messageable):
            raise BadInput(f"channel {channel_id} cannot receive messages")
        embeds, files = render_digest(digest, chart_png)
        message = await channel.send(embeds=embeds, files=files)
        log.info(
            "posted the digest of %s to channel %s (message %s)", schedule.tenant, channel_id, message.id
        )
        return message.jump_url
