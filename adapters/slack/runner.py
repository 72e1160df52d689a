"""``claimbot run slack``: Socket Mode when ``SLACK_APP_TOKEN`` is set, else HTTP mode.

HTTP mode serves Slack's requests (slash commands and events alike) at ``/slack/events``
with Bolt's signature verification, and ``/healthz`` for load balancers. Socket Mode
needs no public URL; ``/healthz`` is served on the same host/port all the same so a
container's liveness probe works in both modes.

SIGTERM and SIGINT stop it within seconds at any stage, connecting included: while Slack
cannot be reached it logs one line per failed attempt and waits longer after each
(``adapters.retry``: the same schedule as Discord's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.web.async_client import AsyncWebClient

from adapters.bootstrap import App, bootstrap, configure_bot_logging
from adapters.follow_alerts import FollowAlertDispatcher
from adapters.retry import connect_attempts
from adapters.scheduler import DigestScheduler
from adapters.slack.alerts import SlackAlertPoster
from adapters.slack.app import SlackClaimsBot, create_slack_app
from bot.digest import DigestBuilder
from bot.errors import BadInput
from bot.settings import PLATFORM_FIELDS, Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
CONNECT_ATTEMPT_TIMEOUT_S = 20.0  # one apps.connections.open and one websocket handshake
STOP_GRACE_S = 2.0  # replies still being written when a signal comes; then they are abandoned
# what Slack answers for an app-level token it will never accept: retrying cannot help
REFUSED_TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
    }
)


class OneAttemptSocketModeClient(SocketModeClient):
    """A Socket Mode client whose ``connect()`` tries once and raises what went wrong.

    slack_sdk's own ``connect()`` retries forever inside itself, logging a full traceback
    every ping interval, and a bot waiting on it cannot be stopped (issue 23). Here the
    runtime retries with back-off and one log line per attempt. Reconnects after a lost
    session go through this too (the SDK's monitor calls ``connect()`` every ping interval
    and logs one line when it fails).
    """

    async def issue_new_wss_url(self) -> str:
        response = await self.web_client.apps_connections_open(app_token=self.app_token)
        return str(response["url"])

    async def connect(self) -> None:
        self.auto_reconnect_enabled = False  # the monitor must not reconnect meanwhile
        if self.current_session is not None:
            with contextlib.suppress(Exception):
                await self.current_session.close()
        if self.aiohttp_client_session.closed and not self.closed:
            self.aiohttp_client_session = aiohttp.ClientSession()
        try:
            if self.wss_uri is None:
                self.wss_uri = await self.issue_new_wss_url()
            self.current_session = await self.aiohttp_client_session.ws_connect(
                self.wss_uri,
                autoping=False,
                heartbeat=self.ping_interval,
                proxy=self.proxy,
                ssl=self.web_client.ssl if self.web_client.ssl is not None else True,
            )
        except BaseException:
            self.wss_uri = None  # Slack's URLs are short-lived: ask for a new one next time
            raise
        self.auto_reconnect_enabled = self.default_auto_reconnect_enabled
        self.stale = False
        # slack_sdk reads the pong's payload as its own time.time(): it must be the wall clock
        await self.current_session.ping(f"sdk-ping-pong:{time.time()}".encode())  # noqa: TID251
        if self.current_session_monitor is not None:
            self.current_session_monitor.cancel()
        self.current_session_monitor = asyncio.ensure_future(self.monitor_current_session())
        if self.message_receiver is not None:
            self.message_receiver.cancel()
        self.message_receiver = asyncio.ensure_future(self.receive_messages())


class SocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler on a :class:`OneAttemptSocketModeClient`."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        # not super().__init__: it would open a client (and an HTTP session) that retries forever
        self.app = app
        self.app_token = app_token
        # its own Web API client for apps.connections.open, without the SDK's retry handler
        # (which logs a second line per failed attempt); same base URL, TLS and proxy as the app's
        web_client = AsyncWebClient(
            base_url=app.client.base_url,
            ssl=app.client.ssl,
            proxy=app.client.proxy,
            timeout=int(CONNECT_ATTEMPT_TIMEOUT_S),
            retry_handlers=[],
        )
        self.client = OneAttemptSocketModeClient(
            app_token=app_token, logger=app.logger, web_client=web_client, ping_interval=10
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]


def _why(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return f"Slack answered {exc.response.get('error') or exc.response.status_code}"
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_ATTEMPT_TIMEOUT_S:.0f} s"
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


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
            digest_builder=digest_builder or self.core.digests.with_chart,
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
        # follow alerts of this process's Slack tenants; exactly-once comes from the database too
        self.alerts: FollowAlertDispatcher | None = (
            FollowAlertDispatcher(
                follows=self.core.service.follows,
                queue=self.core.queue,
                poster=SlackAlertPoster(self.bot.poster.client),
            )
            if run_scheduler
            else None
        )
        self.handler: SocketModeHandler | None = None
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
        base = f"http://{self.settings.http_host}:{self.port}"
        if self.warm_models:
            # spaCy and MiniLM load now, off the event loop, so the first article is not slow;
            # a daemon thread, not the check queue: stopping never waits for a model load
            threading.Thread(target=self._warm, name="claimbot-warm", daemon=True).start()
        if self.socket_mode:
            log.info(
                "claimbot for Slack starting in Socket Mode (SLACK_APP_TOKEN is set): connecting to %s; "
                "health at %s%s",
                self.settings.slack_api_base_url,
                base,
                HEALTH_PATH,
            )
            await self._connect_socket_mode()
        else:
            log.info(
                "claimbot for Slack running in HTTP mode (no SLACK_APP_TOKEN): Slack requests at %s%s, "
                "health at %s%s",
                base,
                EVENTS_PATH,
                base,
                HEALTH_PATH,
            )
        if self.scheduler is not None:
            self.scheduler.start()
        if self.alerts is not None:
            self.alerts.start()

    async def _connect_socket_mode(self) -> None:
        """Connects, retrying with back-off and one line per failure, until it works or is cancelled."""
        assert self.app_token is not None
        self.handler = SocketModeHandler(self.bolt, self.app_token)
        for attempt, delay in connect_attempts():
            try:
                await asyncio.wait_for(self.handler.client.connect(), CONNECT_ATTEMPT_TIMEOUT_S)
            except SlackApiError as exc:
                if exc.response.get("error") in REFUSED_TOKEN_ERRORS:
                    raise BadInput(
                        f"SLACK_APP_TOKEN was refused by Slack ({exc.response.get('error')}): "
                        "check the app-level token (xapp-...) and its connections:write scope"
                    ) from None
                reason = _why(exc)
            except (OSError, TimeoutError, aiohttp.ClientError) as exc:
                reason = _why(exc)
            else:
                log.info("connected to Slack in Socket Mode (attempt %d)", attempt)
                return
            log.warning(
                "could not connect to Slack in Socket Mode (attempt %d: %s); retrying in %.0f s",
                attempt,
                reason,
                delay,
            )
            await asyncio.sleep(delay)

    def _warm(self) -> None:
        try:
            self.core.warm()
        except Exception:
            log.exception("could not load the models; checks will retry on first use")

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.alerts is not None:
            await self.alerts.stop()
        if self.handler is not None:
            await self.handler.close_async()
            self.handler = None
        try:
            await asyncio.wait_for(self.bot.idle(), STOP_GRACE_S)
        except TimeoutError:
            log.warning("stopping without the replies still being prepared (nothing partial is stored)")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def run_slack(settings: Settings, *, digest_builder: DigestBuilder | None = None) -> None:
    """Runs until SIGINT/SIGTERM, which stop it at any stage, connecting included."""
    runtime = SlackRuntime(settings, digest_builder=digest_builder)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    starting = asyncio.create_task(runtime.start(), name="slack-start")
    stopping = asyncio.create_task(stop.wait(), name="slack-stop")
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # a refused token ends the run here
            await stopping
    finally:
        log.info("shutting down")
        for task in (starting, stopping):
            task.cancel()
        await asyncio.gather(starting, stopping, return_exceptions=True)
        await runtime.stop()
        runtime.core.close()


def run(settings: Settings) -> None:
    """Entry point for ``claimbot run slack``."""
    settings.require_valid(skip=PLATFORM_FIELDS["discord"])  # a bot reads nearly every setting
    configure_bot_logging(settings)
    asyncio.run(run_slack(settings))
