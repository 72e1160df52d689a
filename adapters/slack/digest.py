"""Posts weekly digests to Slack: Block Kit message, chart PNG uploaded in its thread.

Implements ``bot.ports.DigestPoster``; the scheduler (or ``/claims digest now``) decides
when, this only posts.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.translate import PLATFORM, digest_message
from bot.models import Digest
from bot.ports import DigestSchedule

log = logging.getLogger(__name__)

CHART_FILENAME = "claims-per-speaker.png"


class SlackDigestPoster:
    platform = PLATFORM

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post_digest(self, *, schedule: DigestSchedule, digest: Digest, chart_png: bytes | None) -> str:
        """Posts to ``schedule.channel_id``; returns ``"{channel}:{ts}"`` of the digest message.

        The chart goes into the message's thread (``files_upload_v2`` cannot attach to an
        existing message); an empty week posts its one line and no chart.
        """
        message = digest_message(digest)
        posted = await self.client.chat_postMessage(
            channel=schedule.channel_id, unfurl_links=False, unfurl_media=False, **message.as_kwargs()
        )
        ts = str(posted["ts"])
        channel = str(posted.get("channel") or schedule.channel_id)
        if chart_png and not digest.empty:
            # The digest text is already posted: raising now would make the scheduler
            # release the week and post the text a second time. A missing chart is logged.
            try:
                await self.client.files_upload_v2(
                    channel=channel,
                    thread_ts=ts,
                    file=chart_png,
                    filename=CHART_FILENAME,
                    title=f"Claims per speaker per day, {digest.start:%d %b} – {digest.end:%d %b}",
                    alt_txt="Bar chart of statements per speaker per day; repeats highlighted",
                )
            except Exception:
                log.exception(
                    "digest for %s posted at %s:%s but its chart upload failed", digest.tenant, channel, ts
                )
        log.info("digest for %s posted to %s at %s", digest.tenant, channel, ts)
        return f"{channel}:{ts}"
