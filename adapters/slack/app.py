"""Bolt app factory and handlers: thin glue between Slack and the core.

Every handler acknowledges first (Slack wants an answer within 3 seconds) and then does
the work: CPU-heavy core calls go through the shared ``CheckQueue`` (worker threads), the
small configuration reads and writes through ``asyncio.to_thread``, so the event loop
that answers Slack and keeps the Socket Mode connection alive never blocks.

What Slack sends is turned into core inputs, and core results into Block Kit, by
``adapters.slack.translate`` only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.bootstrap import App
from adapters.slack.digest import SlackDigestPoster
from adapters.slack.translate import (
    PLATFORM,
    CheckCommand,
    Command,
    CompareCommand,
    DigestCommand,
    FollowCommand,
    FollowingCommand,
    HelpCommand,
    SearchCommand,
    SlackMessage,
    SpeakerCommand,
    UnfollowCommand,
    WatchCommand,
    WatchedMessage,
    comparison_message,
    error_text,
    following_message,
    help_message,
    message_text,
    parse_command,
    report_message,
    search_message,
    tenant_for,
    timeline_message,
    watched_message,
    without_self_matches,
)
from bot.digest import DigestBuilder, schedule_for_channel
from bot.errors import BadInput
from bot.follows import followed_line, unfollowed_line
from bot.links import article_source
from bot.models import CheckReport, Origin
from bot.ports import DigestSchedule

log = logging.getLogger(__name__)

SEARCH_RESULTS = 10
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOT_ADMIN = (
    "Sorry, only workspace admins and owners{group} can change claimbot's settings. "
    "Everyone can use check, search, speaker and compare."
)


class SlackClaimsBot:
    """The handlers, bound to one core ``App`` and one Web API client."""

    def __init__(
        self,
        core: App,
        *,
        poster: SlackDigestPoster,
        digest_builder: DigestBuilder | None = None,
    ) -> None:
        self.core = core
        self.settings = core.settings
        self.poster = poster
        self.digest_builder = digest_builder
        self._tasks: set[asyncio.Task[Any]] = set()

    def register(self, bolt: AsyncApp) -> None:
        bolt.command("/claims")(self.on_command)
        bolt.event("message")(self.on_message)

    # ------------------------------------------------------------------ bookkeeping
    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Waits until every handler started so far has finished (tests and shutdown)."""
        me = asyncio.current_task()
        while pending := [t for t in self._tasks if t is not me and not t.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    # ------------------------------------------------------------------ slash command
    async def on_command(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        respond: Callable[..., Awaitable[Any]],
        client: AsyncWebClient,
    ) -> None:
        command = parse_command(body.get("text") or "")
        if isinstance(command, HelpCommand):
            await ack(**help_message(command.problem).as_kwargs())
            return
        if isinstance(command, CheckCommand):
            await ack(text=":hourglass_flowing_sand: Checking that article; the result will appear here.")
        else:
            await ack()
        self._track()
        team_id = body.get("team_id") or ""
        channel = body.get("channel_id") or ""
        user = body.get("user_id") or ""
        try:
            message = await self._run_command(
                command, tenant=tenant_for(team_id), channel=channel, user=user, client=client
            )
        except Exception as exc:
            message = self._failure(exc, what=type(command).__name__, team=team_id, channel=channel)
        try:
            await respond(**message.as_kwargs(), response_type=message.response_type)
        except Exception:
            log.exception("could not answer /claims in %s/%s", team_id, channel)

    async def _run_command(
        self, command: Command, *, tenant: str, channel: str, user: str, client: AsyncWebClient
    ) -> SlackMessage:
        service, queue = self.core.service, self.core.queue
        match command:
            case CheckCommand(source=source):
                origin = Origin(platform=PLATFORM, channel_id=channel)
                report = await queue.run(self._check, tenant, source, origin, False)
                return report_message(report)
            case SearchCommand(query=query):
                hits = await queue.run(service.search, tenant=tenant, query=query, top_k=SEARCH_RESULTS)
                return search_message(query, hits)
            case SpeakerCommand(name=name):
                found = await queue.run(service.speaker_timeline, tenant=tenant, name=name)
                return timeline_message(name, found)
            case CompareCommand(first=first, second=second):
                comparison = await queue.run(service.compare, first, second)
                return comparison_message(first, second, comparison)
            case FollowCommand(name=name):
                follows = service.follows
                speaker = await queue.run(
                    follows.follow, tenant=tenant, platform=PLATFORM, channel_id=channel, name=name
                )
                return message_text(followed_line(speaker), response_type="in_channel")
            case UnfollowCommand(name=name):
                speaker = await queue.run(
                    service.follows.unfollow, tenant=tenant, channel_id=channel, name=name
                )
                return message_text(unfollowed_line(speaker), response_type="in_channel")
            case FollowingCommand():
                return following_message(await queue.run(service.follows.following, tenant=tenant))
            case WatchCommand() | DigestCommand():
                if not await self.is_admin(client, user):
                    return message_text(self._refusal())
                if isinstance(command, WatchCommand):
                    return await self._set_watch(tenant=tenant, channel=channel, enabled=command.enabled)
                return await self._digest(command, tenant=tenant, channel=channel)
        return help_message()

    def _check(self, tenant: str, source: str, origin: Origin, dry_run: bool) -> CheckReport:
        """Runs in a worker thread: fetch (for links), extract, compare, store."""
        return self.core.service.check_source(tenant=tenant, source=source, origin=origin, dry_run=dry_run)

    # ------------------------------------------------------------------ admin
    def _refusal(self) -> str:
        group = " (and members of the claimbot admin group)" if self.settings.slack_admin_group else ""
        return NOT_ADMIN.format(group=group)

    async def is_admin(self, client: AsyncWebClient, user: str) -> bool:
        """Workspace admins and owners, or members of the configured user group."""
        if not user:
            return False
        try:
            info = await client.users_info(user=user)
            profile = info.get("user") or {}
            if profile.get("is_admin") or profile.get("is_owner") or profile.get("is_primary_owner"):
                return True
            group = self.settings.slack_admin_group
            if group:
                members = await client.usergroups_users_list(usergroup=group)
                return user in (members.get("users") or [])
        except SlackApiError as exc:
            log.warning("could not check whether %s is an admin: %s", user, exc.response.get("error"))
        return False

    async def _set_watch(self, *, tenant: str, channel: str, enabled: bool) -> SlackMessage:
        await asyncio.to_thread(
            self.core.config.set_watch, tenant=tenant, channel_id=channel, enabled=enabled
        )
        if enabled:
            return message_text(
                "Watching this channel: articles and links posted here get a summary in their thread. "
                "Invite me to the channel (`/invite @claimbot`) if I am not in it yet.",
                response_type="in_channel",
            )
        return message_text("No longer watching this channel.", response_type="in_channel")

    # ------------------------------------------------------------------ digests
    async def _digest(self, command: DigestCommand, *, tenant: str, channel: str) -> SlackMessage:
        config = self.core.config
        existing = await asyncio.to_thread(config.get_digest, tenant=tenant)
        if command.action == "here":
            schedule = schedule_for_channel(
                tenant=tenant, platform=PLATFORM, channel_id=channel, current=existing, defaults=self.settings
            )
            await asyncio.to_thread(config.set_digest, schedule=schedule)
            return message_text(
                f"The weekly digest will be posted in this channel every {WEEKDAYS[schedule.weekday]} "
                f"at {schedule.hour:02d}:00 ({schedule.timezone}).",
                response_type="in_channel",
            )
        if command.action == "off":
            if existing is None or not existing.enabled:
                return message_text("No weekly digest is set up for this workspace.")
            await asyncio.to_thread(config.set_digest, schedule=replace(existing, enabled=False))
            return message_text("The weekly digest is turned off.", response_type="in_channel")
        ref = await self.post_digest_now(tenant=tenant, channel=channel, schedule=existing)
        log.info("digest posted on request for %s: %s", tenant, ref)
        return message_text("Posted this week's digest so far.")

    async def post_digest_now(
        self, *, tenant: str, channel: str, schedule: DigestSchedule | None = None
    ) -> str:
        """Builds the digest of the current period and posts it to ``channel`` right away."""
        if self.digest_builder is None:
            raise DigestUnavailableError
        target = schedule_for_channel(
            tenant=tenant, platform=PLATFORM, channel_id=channel, current=schedule, defaults=self.settings
        )
        digest, chart = await self.core.queue.run(self.digest_builder, tenant)
        return await self.poster.post_digest(schedule=target, digest=digest, chart_png=chart)

    # ------------------------------------------------------------------ channel watch
    async def on_message(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        self._track()
        message = watched_message(event)
        if message is None:
            return
        team_id = body.get("team_id") or event.get("team") or ""
        tenant = tenant_for(team_id)
        config = self.core.config
        if not await asyncio.to_thread(config.is_watched, tenant=tenant, channel_id=message.channel):
            return
        source = article_source(message.text, min_chars=self.settings.watch_min_chars)
        if source is None:
            return  # chatter
        # the event id stops Slack's retries; the message key stops a second reply to the same
        # message whatever the route (retry, replay, a second process behind a load balancer)
        event_id = body.get("event_id")
        if event_id and not await asyncio.to_thread(
            config.first_delivery, tenant=tenant, key=f"event:{event_id}"
        ):
            log.info("event %s already handled", event_id)
            return
        if not await asyncio.to_thread(config.first_delivery, tenant=tenant, key=message.delivery_key):
            log.info("message %s already answered", message.delivery_key)
            return
        # an edit of a message we already counted is checked without storing it again
        recheck = message.edited and not await asyncio.to_thread(
            config.first_delivery, tenant=tenant, key=message.original_key
        )
        try:
            reply = await self._check_message(message, source, tenant=tenant, client=client, recheck=recheck)
        except Exception as exc:
            reply = self._failure(exc, what="channel watch", team=team_id, channel=message.channel)
        try:
            await client.chat_postMessage(
                channel=message.channel,
                thread_ts=message.reply_thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                **reply.as_kwargs(),
            )
        except SlackApiError as exc:
            log.error("could not reply in %s/%s: %s", team_id, message.channel, exc.response.get("error"))

    async def _check_message(
        self, message: WatchedMessage, source: str, *, tenant: str, client: AsyncWebClient, recheck: bool
    ) -> SlackMessage:
        permalink = await self._permalink(client, message.channel, message.ts)
        origin = Origin(
            platform=PLATFORM, channel_id=message.channel, message_id=message.ts, permalink=permalink
        )
        report = await self.core.queue.run(self._check, tenant, source, origin, recheck)
        if not recheck:
            return report_message(report)
        report, unchanged = without_self_matches(report, permalink)
        intro = "Re-checked after an edit (not counted again)"
        if unchanged:
            intro += f"; {unchanged} statement{'s' if unchanged != 1 else ''} unchanged from the original"
        return report_message(report, intro=intro + ".")

    async def _permalink(self, client: AsyncWebClient, channel: str, ts: str) -> str | None:
        try:
            response = await client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as exc:
            log.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
            return None
        permalink = response.get("permalink")
        return permalink if isinstance(permalink, str) else None

    # ------------------------------------------------------------------ errors
    def _failure(self, exc: Exception, *, what: str, team: str, channel: str) -> SlackMessage:
        text = error_text(exc)
        if text is None:
            log.exception("%s failed in team %s channel %s", what, team, channel, exc_info=exc)
            text = "Sorry, something went wrong on my side. It has been logged; please try again later."
        return message_text(text)


class DigestUnavailableError(BadInput):
    """This deployment has no digest builder wired in."""

    def __init__(self) -> None:
        super().__init__("Digests are not available in this deployment (no digest builder is installed).")


def create_slack_app(
    core: App,
    *,
    token: str,
    signing_secret: str | None,
    api_base_url: str,
    digest_builder: DigestBuilder | None = None,
) -> tuple[AsyncApp, SlackClaimsBot]:
    """The Bolt app with claimbot's handlers; Web API calls go to ``api_base_url``."""
    client = AsyncWebClient(token=token, base_url=_with_slash(api_base_url))
    bolt = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        # Socket Mode has no signatures to check; HTTP mode always verifies them
        request_verification_enabled=signing_secret is not None,
        process_before_response=False,
        logger=logging.getLogger("adapters.slack.bolt"),
    )
    bot = SlackClaimsBot(core, poster=SlackDigestPoster(client), digest_builder=digest_builder)
    bot.register(bolt)
    return bolt, bot


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
