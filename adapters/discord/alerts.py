"""Posts follow alerts to Discord (``bot.ports.AlertPoster``); the dispatcher decides when."""

from __future__ import annotations

import logging

import discord

from adapters.discord import translate
from bot.errors import BadInput
from bot.follows import FollowAlert

log = logging.getLogger(__name__)


class DiscordAlertPoster:
    platform = translate.PLATFORM

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post_alert(self, *, alert: FollowAlert) -> str:
        """Posts to the channel that follows the speaker; returns the message's link."""
        channel_id = int(alert.channel_id)
        channel = self._client.get_channel(channel_id) or await self._client.fetch_channel(channel_id)
        guild = getattr(channel, "guild", None)
        # an alert only ever goes to a channel of its own guild
        if guild is None or translate.tenant_for_guild(guild.id) != alert.tenant:
            raise BadInput(f"channel {channel_id} does not belong to {alert.tenant}")
        if not isinstance(channel, discord.abc.Messageable):
            raise BadInput(f"channel {channel_id} cannot receive messages")
        message = await channel.send(embed=translate.alert_embed(alert))
        return message.jump_url
