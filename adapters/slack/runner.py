"""``claimbot run slack``: Socket Mode when ``SLACK_APP_TOKEN`` is set, else HTTP mode.

HTTP mode serves Slack's requests (slash commands and events alike) at ``/slack/events``
with Bolt's signature verification, and ``/healthz`` for load balancers. Socket Mode
needs no public URL; ``/healthz`` is served on the same host/port all the same so a
container's liveness probe works in both modes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from adapters.bootstrap import App, bootstrap
from adapters.scheduler import DigestScheduler
from adapters.slack.app import DigestBuilder, SlackClaimsBot, core_digest_builder, create_slack_app
from bot.settings import PLATFORM_FIELDS, Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_web_app(bolt: AsyncApp | None, *, health: Any) -> web.Application:
    """aiohttp app: Slack requests at ``/slack/events`` (HTTP mode only) and ``/healthz``."""

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt is not None
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        state = await health()
        return web.json_response(state, status=200 if state.get("ok") else 503)

    app = web.Application()
    app.router.add_get(HEALTH_PATH, healthz)
    if bolt is not None:
        app.router.add_post(EVENTS_PATH, slack_events)
    return app


class SlackRuntime:
    """Starts and stops the Slack bot inside a running event loop."""

    def __init__(
        self,
        settings: Settings,
        *,
        core: App | None = None,
        digest_builder: DigestBuilder | None = None,
        warm_models: bool = True,
        run_scheduler: bool = True,
    ) -> None:
        # refuse to start before anything is opened when a token is missing or a placeholder
        self.token = settings.require_secret("slack_bot_token", "SLACK_BOT_TOKEN")
        app_token = settings.slack_app_token
        self.socket_mode = bool(app_token and app_token.get_secret_value().strip())
        self.app_token: str | None = None
        signing_secret: str | None = None
        if self.socket_mode:
            self.app_token = settings.require_secret("slack_app_token", "SLACK_APP_TOKEN")
        else:
            signing_secret = settings.require_secret("slack_signing_secret", "SLACK_SIGNING_SECRET")
        self.settings = settings
        self.core = core or bootstrap(settings)
        self.bolt: AsyncApp
        self.bot: SlackClaimsBot
        self.bolt, self.bot = create_slack_app(
            self.core,
            token=self.token,
            signing_secret=signing_secret,
            api_base_url=settings.slack_api_base_url,
            digest_builder=digest_builder or core_digest_builder(self.core),
        )
        self.warm_models = warm_models
        # weekly digests of this process's Slack tenants; exactly-once comes from the database
        self.scheduler: DigestScheduler | None = (
            DigestScheduler(
                store=self.core.service.store, config=self.core.config, posters={"slack": self.bot.poster}
            )
            if run_scheduler
            else None
        )
        self.handler: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    @property
    def mode(self) -> str:
        return "socket" if self.socket_mode else "http"

    @property
    def port(self) -> int:
        """The port actually bound (useful with ``http_port=0``)."""
        assert self._runner is not None, "start() first"
        for address in self._runner.addresses:
            return int(address[1])
        raise RuntimeError("the web server is not listening")

    async def health(self) -> dict[str, Any]:
        stats = self.core.queue.stats()
        state: dict[str, Any] = {
            "ok": True,
            "mode": self.mode,
            "queue": {"pending": stats.pending, "capacity": stats.capacity},
        }
        if self.handler is not None:
            connected = await self.handler.client.is_connected()
            state["socket_connected"] = connected
            state["ok"] = connected
        return state

    async def start(self) -> None:
        web_app = build_web_app(None if self.socket_mode else self.bolt, health=self.health)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.settings.http_host, self.settings.http_port)
        await self._site.start()
        if self.socket_mode:
            assert self.app_token is not None
            self.handler = AsyncSocketModeHandler(self.bolt, self.app_token)
            await self.handler.connect_async()
        log.info(
            "claimbot for Slack running in %s mode; health at http://%s:%s%s",
            self.mode,
            self.settings.http_host,
            self.port,
            HEALTH_PATH,
        )
        if self.scheduler is not None:
            self.scheduler.start()
        if self.warm_models:
            # load spaCy and MiniLM now, off the event loop, so the first article is not slow
            self.core.queue.submit(self.core.warm)

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.handler is not None:
            await self.handler.close_async()
            self.handler = None
        await self.bot.idle()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def run_slack(settings: Settings, *, digest_builder: DigestBuilder | None = None) -> None:
    """Runs until SIGINT/SIGTERM."""
    runtime = SlackRuntime(settings, digest_builder=digest_builder)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await runtime.start()
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runtime.stop()
        runtime.core.close()


def run(settings: Settings) -> None:
    """Entry point for ``claimbot run slack``."""
    settings.require_valid(skip=PLATFORM_FIELDS["discord"])  # a bot reads nearly every setting
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    asyncio.run(run_slack(settings))
