"""``FakeDiscord``: the facade a test holds. It serves REST + gateway on 127.0.0.1 and lets the
test act as people do (post, edit, delete, react, start threads, use commands and buttons)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web

from .gateway import GUILD_MEMBERS, MESSAGE_CONTENT, GatewayHub
from .interactions import FakeInteraction, Interactions
from .model import (
    BOT_DEFAULT,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeUser,
)
from .people import People
from .ratelimit import RateLimiter, RateLimits
from .rest import Rest
from .routes_channels import Context
from .state import Failure, FakeState, RequestRecord

T = TypeVar("T")
Person = FakeMember | FakeUser


class FakeDiscord(People):
    def __init__(
        self,
        *,
        token: str | None = None,
        bot_name: str = "ideabot",
        clock: Callable[[], datetime] | None = None,
        interaction_deadline: float | None = None,
        privileged_intents: int = GUILD_MEMBERS | (1 << 8) | MESSAGE_CONTENT,
        rate_limits: RateLimits | None = None,
    ) -> None:
        """``token``: if set, REST and IDENTIFY must use it (else 401 / close 4004).
        ``rate_limits``: Discord's REST rate limits, headers and 429s (off when None).
        ``interaction_deadline``: seconds the bot has for the first callback (Discord: 3);
        off by default, as a busy test machine can miss any wall-clock limit: how fast the
        bot answers is a speed, measured in bench/, not asserted in tests.
        ``privileged_intents``: the ones enabled for the app (others: close 4014)."""
        self.state = FakeState(clock, bot_name)
        self._interactions = Interactions(self.state, interaction_deadline)
        self.gateway = GatewayHub(self.state, token, privileged_intents)
        self.state.gateway = self.gateway
        context = Context(self.state, self._interactions, lambda: self.gateway_url)
        self.rest = Rest(self.state, token, context)
        self.set_rate_limits(rate_limits)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{aid}/{name}", self._attachment)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.gateway.url = self.gateway_url
        self.state.cdn_base = f"http://127.0.0.1:{self.port}"

    async def close(self) -> None:
        self.gateway.open.set()
        await self.gateway.disconnect(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- the world ------------------------------------------------------------------------------

    @property
    def bot_user(self) -> FakeUser:
        return self.state.bot_user

    @property
    def application_id(self) -> int:
        return self.state.application_id

    @property
    def guilds(self) -> list[FakeGuild]:
        return list(self.state.guilds.values())

    def add_guild(
        self,
        name: str,
        *,
        owner: str = "owner",
        bot_permissions: int = BOT_DEFAULT,
        shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        """A guild the bot is in; its owner and the bot (with a managed role) are members.
        With ``shard`` (id, count) its id is one Discord sends to that shard."""
        guild_id = self.state.ids.next()
        if shard is not None:
            shard_id, count = shard
            # Move the timestamp part of the snowflake to the next one on that shard.
            guild_id += ((shard_id - (guild_id >> 22)) % count) << 22
        guild = FakeGuild(self.state, guild_id, name, owner, bot_permissions)
        self.state.guilds[guild.id] = guild
        self.state.dispatch("GUILD_CREATE", self.state.payloads.guild_create(guild))
        return guild

    def messages(self, channel: FakeChannel, *, deleted: bool = False) -> list[FakeMessage]:
        """Messages in a channel or thread, oldest first (the bot's too, not ephemeral ones)."""
        if deleted:
            return [
                m for m in self.state.messages.values() if m.channel is channel and not m.ephemeral
            ]
        return list(self.state.channel_messages[channel.id])

    def message(self, message_id: int | str) -> FakeMessage:
        return self.state.messages[int(message_id)]

    def channel(self, channel_id: int | str) -> FakeChannel:
        """A channel, forum or thread by id (e.g. a thread the bot created)."""
        return self.state.channels[int(channel_id)]

    def commands(self, guild: FakeGuild | None = None) -> list[dict[str, Any]]:
        """Application commands the bot registered (global, or for ``guild``)."""
        return list(self.state.commands.get(guild.id if guild else None, []))

    @property
    def interactions(self) -> list[FakeInteraction]:
        return list(self.state.interactions.values())

    @property
    def requests(self) -> list[RequestRecord]:
        """Every REST request, in order: ``.method``, ``.path`` (after /api/v10), ``.json``,
        ``.query``, ``.status``."""
        return self.state.requests

    @property
    def unhandled(self) -> list[RequestRecord]:
        """Requests to endpoints the fake does not implement (answered 404)."""
        return self.state.unhandled

    @property
    def dispatched(self) -> list[tuple[str, dict[str, Any]]]:
        """Gateway events delivered to at least one bot session: ``(name, data)``."""
        return self.state.dispatched

    @property
    def connected(self) -> bool:
        return self.gateway.connected

    @property
    def identifies(self) -> int:
        """Sessions started with a fresh IDENTIFY (READY sent); a RESUME does not count."""
        return self.gateway.identifies

    # -- waiting --------------------------------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 120.0, what: str | None = None
    ) -> T:
        """Re-check ``predicate`` on every state change; return its first truthy value. Raises
        TimeoutError naming what was awaited, or at once if a watched bot task died."""
        return await self.state.wait_for(predicate, timeout, what)

    async def wait_until_connected(self, timeout: float = 120.0) -> None:
        await self.wait_for(lambda: self.gateway.connected, timeout, "a bot session to connect")

    def watch(self, task: asyncio.Task[Any]) -> None:
        """Make every wait fail fast with the task's exception if it stops (the bot client)."""
        self.state.watched.append(task)

    def unwatch(self, task: asyncio.Task[Any]) -> None:
        if task in self.state.watched:
            self.state.watched.remove(task)

    @property
    def bot_errors(self) -> list[BaseException]:
        return self.state.bot_errors

    # -- failures and outages -------------------------------------------------------------------

    async def redeliver(self, event: str) -> None:
        """Send the last ``event`` dispatched once more, as a gateway may deliver it twice."""
        data = next(d for e, d in reversed(self.state.dispatched) if e == event)
        self.state.dispatch(event, data)
        await self.gateway.flush()

    def allow_command(self, guild: FakeGuild, name: str, target: Any) -> None:
        """Let ``target`` (a member, a role, or the guild for everyone) use command ``name``
        whatever its default permissions, as a server admin can in Integrations settings."""
        self.state.command_overrides.add((guild.id, name, target.id))

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 429,
        retry_after: float = 0.01,
        times: int = 1,
        *,
        is_global: bool = False,
        after: int = 0,
    ) -> None:
        """The next ``times`` matching requests fail: 429 with Discord's headers and
        ``{"retry_after", "global"}`` body, or the given 5xx/4xx status. ``after``: let that
        many matching requests through first. Note discord.py sleeps 1 s before retrying a
        500/502/504."""
        failure = Failure(
            method.upper(), re.compile(path_regex), status, retry_after, times, is_global, after
        )
        self.state.failures.append(failure)

    def set_rate_limits(self, limits: RateLimits | None) -> None:
        """Switch Discord's REST rate limits on (fresh budgets) or off (``None``)."""
        self.rest.limiter = None if limits is None else RateLimiter(limits)

    @property
    def rate_limited(self) -> int:
        """How many requests the rate limits refused with 429 (injected failures not counted)."""
        return 0 if self.rest.limiter is None else self.rest.limiter.refused

    async def invalidate_session(self, *, stay_offline: bool = False) -> None:
        """Send INVALID_SESSION (op 9, not resumable): the client re-identifies (discord.py
        first sleeps 5 s) and events meanwhile never reach it. With ``stay_offline`` it
        hangs before HELLO until ``allow_reconnect()``, so a test can change things between."""
        if stay_offline:
            self.gateway.open.clear()
        await self.gateway.invalidate()
        await self.wait_for(
            lambda: not any(s.identified for s in self.gateway.sessions),
            5.0,
            "the bot sessions to be invalidated",
        )

    def archive_thread(self, thread: FakeChannel) -> None:
        """Archive a thread as Discord does after its inactivity period (THREAD_UPDATE); its
        messages stay readable over REST, and a message posted in it unarchives it."""
        thread.archived = True
        self.state.dispatch("THREAD_UPDATE", self.state.payloads.thread(thread))

    async def disconnect_bot(
        self, *, stay_offline: bool = False, resumable: bool = True, code: int = 4000
    ) -> None:
        """Close the bot's gateway session(s), as a network drop would. A running client
        reconnects at once, unless ``stay_offline``: then it hangs before HELLO until
        ``allow_reconnect()``. If ``resumable``, events meanwhile wait and its RESUME replays
        them (as Discord does); if not, it must re-identify (discord.py first sleeps 5 s) and
        they are lost to it, like events while no client runs at all."""
        if stay_offline:
            self.gateway.open.clear()
        await self.gateway.disconnect(code=code, resumable=resumable)
        await self.wait_for(lambda: not self.gateway.sessions, 120.0, "the bot sessions to close")

    def allow_reconnect(self) -> None:
        self.gateway.open.set()

    # -- internals ------------------------------------------------------------------------------

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        for message in self.state.messages.values():
            for attachment in message.attachments:
                if str(attachment.id) == request.match_info["aid"]:
                    return web.Response(body=attachment.data)
        return web.Response(status=404)
