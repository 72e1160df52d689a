"""A local fake Discord (gateway v10 + REST) on 127.0.0.1 for end-to-end tests of the real bot.

It speaks just enough of the protocol for discord.py 2.x: HELLO/heartbeat/ACK, IDENTIFY →
READY → GUILD_CREATE, RESUME → RESUMED, zlib-stream or zstd-stream compression (whichever
the client asks for in the URL), and the REST calls the bot makes. Every REST request is
recorded so tests assert on what the bot *sent*. Replies carry Content-Type exactly
``application/json`` and leave absent keys out (discord.py is strict about both).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sys
import time
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

try:
    import zstandard
except ImportError:  # pragma: no cover - zstandard is a dependency of the discord extra
    zstandard = None  # type: ignore[assignment]

APPLICATION_ID = 700_000_000_000_000_001
BOT_USER_ID = 700_000_000_000_000_001
OWNER_ID = 700_000_000_000_000_099
FLAG_MESSAGE_CONTENT_LIMITED = 1 << 19
INTENT_MESSAGE_CONTENT = 1 << 15
MANAGE_GUILD = 1 << 5
EPHEMERAL = 1 << 6

BOT_USER: dict[str, Any] = {
    "id": str(BOT_USER_ID),
    "username": "claimbot",
    "discriminator": "0",
    "avatar": None,
    "bot": True,
    "flags": 0,
}


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None, "bot": bot}


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class FakeChannel:
    id: int
    name: str


@dataclass(frozen=True)
class FakeGuild:
    id: int
    name: str
    channels: tuple[FakeChannel, ...]


@dataclass
class Recorded:
    method: str
    path: str  # below the API base, e.g. "/channels/1/messages"
    query: dict[str, str]
    json: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field name → (filename, data)


class _Compressor:
    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        if kind == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif kind == "zstd-stream":
            assert zstandard is not None
            self._zstd = zstandard.ZstdCompressor().compressobj()

    def encode(self, payload: dict[str, Any]) -> str | bytes:
        raw = json.dumps(payload).encode()
        if self.kind == "zlib-stream":
            return self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self.kind == "zstd-stream":
            return self._zstd.compress(raw) + self._zstd.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        return raw.decode()


class FakeDiscord:
    def __init__(
        self,
        *,
        guilds: tuple[FakeGuild, ...],
        application_flags: int = FLAG_MESSAGE_CONTENT_LIMITED,
        heartbeat_interval_ms: int = 1000,
    ) -> None:
        self.guilds = guilds
        self.application_flags = application_flags
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.requests: list[Recorded] = []
        self.heartbeats: list[float] = []  # monotonic times of op 1 from the client
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.compressions: list[str | None] = []
        self.forbid_threads_in: set[int] = set()
        self.token_channels: dict[str, int] = {}  # interaction token → channel (for followups)
        self.session_id = "fake-session-1"
        self.seq = 0
        self._ids = itertools.count(800_000_000_000_000_000)
        self._ws: web.WebSocketResponse | None = None
        self._compressor = _Compressor(None)
        self._changed = asyncio.Condition()
        self._after_resume: list[tuple[str, dict[str, Any]]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway-ws", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway-ws"

    def next_id(self) -> int:
        return next(self._ids)

    # ------------------------------------------------------------------ waiting
    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        """Waits until ``predicate()`` is truthy (re-checked on every gateway or REST event)."""

        async def wait() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(wait(), timeout)

    def sent(self, method: str, path_contains: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and path_contains in r.path]

    async def wait_request(self, method: str, path_contains: str, count: int = 1) -> list[Recorded]:
        return await self.wait_for(
            lambda: (found := self.sent(method, path_contains)) and len(found) >= count and found
        )

    # ------------------------------------------------------------------ gateway
    async def _send(self, payload: dict[str, Any]) -> None:
        assert self._ws is not None
        data = self._compressor.encode(payload)
        if isinstance(data, bytes):
            await self._ws.send_bytes(data)
        else:
            await self._ws.send_str(data)

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        self.seq += 1
        await self._send({"op": 0, "t": event, "s": self.seq, "d": data})
        return self.seq

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        compress = request.query.get("compress")
        self.compressions.append(compress)
        self._compressor = _Compressor(compress)
        await self._send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            op = payload["op"]
            if op == 1:
                self.heartbeats.append(time.monotonic())
                await self._send({"op": 11})
            elif op == 2:
                self.identifies.append(payload["d"])
                await self._ready()
            elif op == 6:
                self.resumes.append(payload["d"])
                await self.dispatch("RESUMED", {})
                for event, data in self._after_resume:
                    await self.dispatch(event, data)
                self._after_resume.clear()
            await self._notify()
        return ws

    async def _ready(self) -> None:
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": BOT_USER,
                "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds],
                "session_id": self.session_id,
                "resume_gateway_url": self.gateway_url,
                "shard": [0, 1],
                "application": {"id": str(APPLICATION_ID), "flags": self.application_flags},
            },
        )
        for guild in self.guilds:
            await self.dispatch("GUILD_CREATE", self.guild_payload(guild))

    async def reconnect_and_replay(self, event: str, data: dict[str, Any]) -> None:
        """Asks the client to reconnect (op 7); after its RESUME, replays ``event`` like Discord may."""
        self._after_resume.append((event, data))
        await self._send({"op": 7, "d": None})

    def guild_payload(self, guild: FakeGuild, *, joined: bool = False) -> dict[str, Any]:
        """GUILD_CREATE: ``unavailable: false`` after READY; a guild just joined has no such key."""
        payload: dict[str, Any] = {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(OWNER_ID),
            "member_count": 2,
            "large": False,
            "joined_at": now_iso(),
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "members": [
                {
                    "user": BOT_USER,
                    "roles": [],
                    "joined_at": now_iso(),
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "roles": [
                {
                    "id": str(guild.id),
                    "name": "@everyone",
                    "permissions": str((1 << 41) - 1),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [
                {
                    "id": str(c.id),
                    "type": 0,
                    "guild_id": str(guild.id),
                    "name": c.name,
                    "position": i,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "flags": 0,
                }
                for i, c in enumerate(guild.channels)
            ],
        }
        if not joined:
            payload["unavailable"] = False
        return payload

    # ------------------------------------------------------------------ payload builders
    def message(
        self,
        *,
        guild_id: int,
        channel_id: int,
        content: str,
        author: dict[str, Any] | None = None,
        message_id: int | None = None,
        embeds: list[Any] | None = None,
    ) -> dict[str, Any]:
        return {
            "id": str(message_id or self.next_id()),
            "channel_id": str(channel_id),
            "guild_id": str(guild_id),
            "author": author or user(OWNER_ID, "owner"),
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }

    def interaction(
        self,
        *,
        guild_id: int,
        channel_id: int,
        data: dict[str, Any],
        permissions: int = MANAGE_GUILD,
        user_id: int = OWNER_ID,
    ) -> dict[str, Any]:
        interaction_id = self.next_id()
        self.token_channels[f"itoken-{interaction_id}"] = channel_id
        return {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": 2,
            "data": data,
            "guild_id": str(guild_id),
            "channel_id": str(channel_id),
            "channel": {"id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": "chan"},
            "member": {
                "user": user(user_id, "member"),
                "roles": [],
                "joined_at": now_iso(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(permissions),
            },
            "token": f"itoken-{interaction_id}",
            "version": 1,
            "app_permissions": str((1 << 41) - 1),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }

    async def slash(
        self,
        *,
        guild_id: int,
        channel_id: int,
        sub: str,
        options: dict[str, Any] | None = None,
        permissions: int = MANAGE_GUILD,
    ) -> dict[str, Any]:
        """Sends ``/claims <sub> option:value…`` and returns the interaction payload."""
        opts = [
            {"name": k, "type": 4 if isinstance(v, int) else 3, "value": v}
            for k, v in (options or {}).items()
        ]
        data = {
            "id": "1",
            "name": "claims",
            "type": 1,
            "options": [{"name": sub, "type": 1, "options": opts}],
        }
        payload = self.interaction(
            guild_id=guild_id, channel_id=channel_id, data=data, permissions=permissions
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def message_menu(
        self, *, guild_id: int, channel_id: int, message: dict[str, Any]
    ) -> dict[str, Any]:
        data = {
            "id": "2",
            "name": "Check claims",
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        payload = self.interaction(guild_id=guild_id, channel_id=channel_id, data=data)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    # ------------------------------------------------------------------ REST
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        record = Recorded(method=request.method, path=path, query=dict(request.query))
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    record.json = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    record.files[part.name or ""] = (part.filename or "", bytes(await part.read()))  # type: ignore[union-attr]
        elif request.can_read_body:
            body = await request.read()
            record.json = json.loads(body) if body else None
        self.requests.append(record)
        try:
            status, reply = self._answer(record)
        finally:
            await self._notify()
        if reply is None:
            return web.Response(status=status)
        return web.Response(
            status=status, body=json.dumps(reply).encode(), headers={"Content-Type": "application/json"}
        )

    def _answer(self, r: Recorded) -> tuple[int, Any]:
        parts = r.path.strip("/").split("/")
        if r.method == "GET" and r.path == "/users/@me":
            return 200, BOT_USER
        if r.method == "GET" and r.path == "/oauth2/applications/@me":
            return 200, {
                "id": str(APPLICATION_ID),
                "name": "claimbot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user(OWNER_ID, "owner"),
                "verify_key": "00",
                "flags": self.application_flags,
            }
        if r.method == "GET" and r.path in ("/gateway", "/gateway/bot"):
            return 200, {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        if r.method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            guild_id = parts[3] if len(parts) == 5 else None
            out = []
            for cmd in r.json or []:
                echoed = {k: v for k, v in cmd.items() if v is not None}
                echoed.update(id=str(self.next_id()), application_id=str(APPLICATION_ID), version="1")
                if guild_id:
                    echoed["guild_id"] = guild_id
                echoed.setdefault("description", "")
                out.append(echoed)
            return 200, out
        if r.method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            flags = ((r.json or {}).get("data") or {}).get("flags", 0) or 0
            return 200, {
                "interaction": {
                    "id": parts[1],
                    "type": 2,
                    "response_message_loading": r.json["type"] == 5,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                }
            }
        if parts[0] == "webhooks":
            if r.method == "DELETE":
                return 204, None
            return 200, self._echo_message(r, channel_id=self._channel_of_token(parts[2]))
        if r.method == "POST" and parts[0] == "channels" and parts[-1] == "threads":
            channel_id = int(parts[1])
            if channel_id in self.forbid_threads_in:
                return 403, {"message": "Missing Permissions", "code": 50013}
            return 201, {
                "id": str(self.next_id()),
                "guild_id": str(self._guild_of_channel(channel_id)),
                "parent_id": str(channel_id),
                "owner_id": str(BOT_USER_ID),
                "name": r.json["name"],
                "type": 11,
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "flags": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": r.json.get("auto_archive_duration", 1440),
                    "archive_timestamp": now_iso(),
                    "locked": False,
                },
            }
        if r.method == "POST" and parts[0] == "channels" and parts[-1] == "messages":
            return 200, self._echo_message(r, channel_id=int(parts[1]))
        return 404, {"message": f"fake Discord does not know {r.method} {r.path}", "code": 0}

    def _echo_message(self, r: Recorded, *, channel_id: int) -> dict[str, Any]:
        body = r.json or {}
        return self.message(
            guild_id=self._guild_of_channel(channel_id),
            channel_id=channel_id,
            content=body.get("content") or "",
            author=BOT_USER,
            embeds=body.get("embeds"),
        )

    def _guild_of_channel(self, channel_id: int) -> int:
        for g in self.guilds:
            if any(c.id == channel_id for c in g.channels):
                return g.id
        # threads we created: their parent decides
        return self.guilds[0].id

    def _channel_of_token(self, token: str) -> int:
        return self.token_channels.get(token, self.guilds[0].channels[0].id)


# ---------------------------------------------------------------------------- running the real bot
@dataclass
class BotRun:
    bot: Any  # adapters.discord.client.ClaimBot
    errors: list[BaseException]


@asynccontextmanager
async def running_bot(fake: FakeDiscord, **bot_options: Any) -> AsyncIterator[BotRun]:
    """Starts the real ``ClaimBot`` (wired by ``runner.create_bot``) against ``fake``; any
    swallowed exception fails the test."""
    import discord

    from adapters.discord.runner import create_bot

    old_base = discord.http.Route.BASE
    discord.http.Route.BASE = fake.api_base
    bot = create_bot(guild_ready_timeout=0.1, **bot_options)
    errors: list[BaseException] = []

    async def on_error(event: str, *args: Any, **kwargs: Any) -> None:
        errors.append(sys.exc_info()[1] or RuntimeError(f"error in {event}"))

    bot.on_error = on_error  # type: ignore[method-assign]
    tree_on_error = bot.tree.on_error

    async def on_tree_error(interaction: Any, error: BaseException) -> None:
        errors.append(error)
        await tree_on_error(interaction, error)  # type: ignore[arg-type]

    bot.tree.on_error = on_tree_error  # type: ignore[method-assign]

    class _Errors(logging.Handler):  # discord.py logs (and drops) errors raised in its own tasks
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(RuntimeError(f"{record.name}: {record.getMessage()}"))

    capture = _Errors(level=logging.ERROR)
    logging.getLogger("discord").addHandler(capture)
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(
        lambda _loop, ctx: errors.append(ctx.get("exception") or RuntimeError(ctx["message"]))
    )
    started = asyncio.create_task(bot.start("fake-token"))
    ready = asyncio.create_task(bot.wait_until_ready())
    try:
        done, _ = await asyncio.wait({started, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if started in done:
            exc = started.exception()
            raise AssertionError(f"the bot stopped before it was ready: {exc!r}") from exc
        if ready not in done:
            raise AssertionError("the bot did not become ready")
        yield BotRun(bot=bot, errors=errors)
    finally:
        ready.cancel()
        await bot.close()
        with suppress(Exception, asyncio.CancelledError):
            await started
        discord.http.Route.BASE = old_base
        logging.getLogger("discord").removeHandler(capture)
        loop.set_exception_handler(None)
    assert errors == [], f"swallowed exceptions: {errors!r}"
