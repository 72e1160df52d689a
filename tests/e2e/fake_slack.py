"""A fake Slack for end-to-end tests, on real sockets on 127.0.0.1.

* ``FakeSlack``: the Web API (reached through ``SLACK_API_BASE_URL``), ``response_url``
  endpoints, the file-upload URL of ``files_upload_v2``, and a Socket Mode websocket
  (``hello``, envelopes, recorded acks). Every call is recorded. Like the real Slack,
  it refuses messages with more than 50 blocks or a section text over 3,000 characters.
* ``SlackPlatform``: sends slash commands and Events API requests to the bot over HTTP,
  signed the way Slack signs them (``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession, WSMsgType, web

from adapters.bootstrap import App
from adapters.slack.runner import SlackRuntime
from bot.digest import DigestBuilder
from bot.settings import Settings

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"


@dataclass
class ApiCall:
    method: str  # "chat.postMessage", "response_url", "file_upload"...
    args: dict[str, Any]
    token: str | None = None
    raw: bytes = b""
    at: float = field(default_factory=time.monotonic)


@dataclass
class SocketAck:
    envelope_id: str
    payload: dict[str, Any] | None
    at: float


def block_problems(blocks: list[dict[str, Any]]) -> list[str]:
    """What real Slack would reject in a ``blocks`` list (the subset of rules we rely on)."""
    problems = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks > {MAX_BLOCKS}")
    for i, block in enumerate(blocks):
        text = (block.get("text") or {}).get("text", "")
        if block.get("type") == "section" and not 1 <= len(text) <= MAX_SECTION_CHARS:
            problems.append(f"block {i}: section text of {len(text)} characters")
        if block.get("type") == "header" and not 1 <= len(text) <= 150:
            problems.append(f"block {i}: header text of {len(text)} characters")
        for element in block.get("elements", []) if block.get("type") == "context" else []:
            if not 1 <= len(element.get("text", "")) <= MAX_SECTION_CHARS:
                problems.append(f"block {i}: context text of {len(element.get('text', ''))} characters")
    return problems


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self.socket_acks: dict[str, SocketAck] = {}
        self.socket_connected = asyncio.Event()
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.auth_team_id = "T1"
        self.channels_without_bot: set[str] = set()
        self.refuse_file_uploads = False
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base}/respond/{key}"

    def add_user(self, user_id: str, *, admin: bool = False, owner: bool = False) -> None:
        self.users[user_id] = {"id": user_id, "name": user_id.lower(), "is_admin": admin, "is_owner": owner}

    # ------------------------------------------------------------------ queries
    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def responses(self, key: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == "response_url" and c.args.get("_key") == key]

    async def wait_for(
        self, method: str, count: int = 1, *, key: str | None = None, timeout: float = 20.0
    ) -> list[ApiCall]:
        """Waits until ``count`` calls of ``method`` (for ``key``: response_url posts) arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.responses(key) if key is not None else self.calls_to(method)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------------ web API
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        args: dict[str, Any] = dict(request.query)
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key in ("blocks", "files"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        self.calls.append(ApiCall(method=method, args=args, token=token, raw=raw))
        return web.json_response(self._answer(method, args, token))

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token:
            return {"ok": False, "error": "not_authed"}
        if method == "apps.connections.open":
            if not token.startswith("xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if not token.startswith("xoxb-"):
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "claimbot",
                "team_id": self.auth_team_id,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            if not args.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if args["channel"] in self.channels_without_bot:
                return {"ok": False, "error": "not_in_channel"}
            if not args.get("text") and not args.get("blocks"):
                return {"ok": False, "error": "no_text"}
            if args.get("blocks") and block_problems(args["blocks"]):
                return {"ok": False, "error": "invalid_blocks"}
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": args["channel"], "ts": ts, "message": {"text": args.get("text")}}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            return {"ok": True, "permalink": f"https://fake.slack.test/archives/{args.get('channel')}/p{ts}"}
        if method == "conversations.replies":
            replies = [
                {"ts": c.args.get("thread_ts"), "text": c.args.get("text")}
                for c in self.calls_to("chat.postMessage")
                if c.args.get("channel") == args.get("channel") and c.args.get("thread_ts") == args.get("ts")
            ]
            return {"ok": True, "messages": replies, "has_more": False}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "usergroups.users.list":
            group = self.usergroups.get(str(args.get("usergroup")))
            return (
                {"ok": True, "users": group}
                if group is not None
                else {"ok": False, "error": "no_such_subteam"}
            )
        if method == "files.getUploadURLExternal":
            if self.refuse_file_uploads:
                return {"ok": False, "error": "ratelimited"}
            if not args.get("filename") or not int(args.get("length") or 0):
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._files)}"
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            uploaded = {c.args["_file_id"] for c in self.calls_to("file_upload")}
            if not files or any(f.get("id") not in uploaded for f in files):
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        raw = await request.read()
        payload = json.loads(raw)
        if payload.get("blocks") and block_problems(payload["blocks"]):
            return web.Response(status=400, text="invalid_blocks")
        payload["_key"] = request.match_info["key"]
        self.calls.append(ApiCall(method="response_url", args=payload, raw=raw))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.calls.append(
            ApiCall(method="file_upload", args={"_file_id": request.match_info["file_id"]}, raw=raw)
        )
        return web.Response(text="OK - " + str(len(raw)))

    # ------------------------------------------------------------------ Socket Mode
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake"},
                "connection_info": {"app_id": "A1"},
            }
        )
        self.socket_connected.set()
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "envelope_id" in data:
                self.socket_acks[data["envelope_id"]] = SocketAck(
                    envelope_id=data["envelope_id"], payload=data.get("payload"), at=time.monotonic()
                )
        return ws

    async def send_envelope(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Sends one Socket Mode envelope (``slash_commands``, ``events_api``); returns its id."""
        assert self._ws is not None, "no Socket Mode connection"
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason="timeout" if retry_attempt else "")
        await self._ws.send_json(envelope)
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 20.0) -> SocketAck | None:
        deadline = time.monotonic() + timeout
        while envelope_id not in self.socket_acks and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return self.socket_acks.get(envelope_id)


# ====================================================================== signed requests
def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def command_payload(
    text: str, *, team_id: str, channel_id: str, user_id: str, response_url: str
) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "team_domain": team_id.lower(),
        "channel_id": channel_id,
        "channel_name": "news",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": "/claims",
        "text": text,
        "api_app_id": "A1",
        "response_url": response_url,
        "trigger_id": f"trigger-{uuid.uuid4().hex[:8]}",
    }


def event_payload(event: dict[str, Any], *, team_id: str, event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True}],
        "is_ext_shared_channel": False,
    }


@dataclass
class Delivery:
    status: int
    body: str
    elapsed_s: float  # from sending the request to receiving the response (the ack)

    def json(self) -> Any:
        return json.loads(self.body)


class SlackPlatform:
    """Plays Slack's side of HTTP mode: signed POSTs to the bot's ``/slack/events``."""

    def __init__(self, url: str, signing_secret: str, session: ClientSession) -> None:
        self.url = url
        self.signing_secret = signing_secret
        self.session = session

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Delivery:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": slack_signature(secret or self.signing_secret, ts, body),
            **(headers or {}),
        }
        started = time.monotonic()
        async with self.session.post(self.url, data=body, headers=sent) as response:
            text = await response.text()
            return Delivery(status=response.status, body=text, elapsed_s=time.monotonic() - started)

    async def command(
        self,
        text: str,
        *,
        team_id: str = "T1",
        channel_id: str = "C1",
        user_id: str = "U1",
        response_url: str,
        **kwargs: Any,
    ) -> Delivery:
        form = command_payload(
            text, team_id=team_id, channel_id=channel_id, user_id=user_id, response_url=response_url
        )
        return await self.post(urlencode(form).encode(), "application/x-www-form-urlencoded", **kwargs)

    async def event(
        self,
        event: dict[str, Any],
        *,
        team_id: str = "T1",
        event_id: str | None = None,
        retry_num: int | None = None,
        **kwargs: Any,
    ) -> Delivery:
        body = event_payload(event, team_id=team_id, event_id=event_id or f"Ev{uuid.uuid4().hex[:10]}")
        headers = dict(kwargs.pop("headers", None) or {})
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
        return await self.post(json.dumps(body).encode(), "application/json", headers=headers, **kwargs)


def message_event(
    text: str, *, channel: str = "C1", ts: str = "1699999999.000100", user: str = "U1", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "channel_type": "channel",
        **extra,
    }


@asynccontextmanager
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


# ====================================================================== the bot under test
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-1-test-app-token"


def bot_settings(fake: FakeSlack, data_dir: Path, *, socket_mode: bool = False, **overrides: Any) -> Settings:
    """Settings for a bot that talks to ``fake``; port 0 lets the OS pick a free port."""
    values: dict[str, Any] = {
        "_env_file": None,
        "data_dir": data_dir,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_app_token": APP_TOKEN if socket_mode else None,
        "slack_api_base_url": fake.api_url,
        "http_host": "127.0.0.1",
        "http_port": 0,
        **overrides,
    }
    return Settings(**values)


@dataclass
class Harness:
    fake: FakeSlack
    runtime: SlackRuntime
    session: ClientSession
    platform: SlackPlatform

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.runtime.port}"

    async def settle(self) -> None:
        """Waits for every handler started so far (ack already sent) to finish its work."""
        await self.runtime.bot.idle()


@asynccontextmanager
async def running_bot(
    fake: FakeSlack,
    settings: Settings,
    *,
    core: App,
    digest_builder: DigestBuilder | None = None,
    run_scheduler: bool = False,
) -> AsyncIterator[Harness]:
    runtime = SlackRuntime(
        settings, core=core, digest_builder=digest_builder, warm_models=False, run_scheduler=run_scheduler
    )
    await runtime.start()
    try:
        async with ClientSession() as session:
            url = f"http://127.0.0.1:{runtime.port}/slack/events"
            yield Harness(fake, runtime, session, SlackPlatform(url, SIGNING_SECRET, session))
    finally:
        await runtime.stop()
        core.close()
