"""Posts follow alerts to Slack (``bot.ports.AlertPoster``); the dispatcher decides when."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.translate import PLATFORM, alert_message
from bot.follows import FollowAlert

log = logging.getLogger(__name__)


class SlackAlertPoster:
    platform = PLATFORM

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post_alert(self, *, alert: FollowAlert) -> str:
        """Posts to the channel that follows the speaker; returns ``"{channel}:{ts}"``."""
        posted = await self.client.chat_postMessage(
            channel=alert.channel_id,
            unfurl_links=False,
            unfurl_media=False,
            **alert_message(alert).as_kwargs(),
        )
        return f"{posted.get('channel') or alert.channel_id}:{posted['ts']}"
