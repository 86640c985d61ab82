"""``FakeSlack``: the facade a test holds. Serves the Web API, response URLs and Socket Mode on
127.0.0.1, holds the workspace's state, builds and delivers what Slack sends an app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from . import delivery
from .model import ApiCall, Ephemeral, Failure, FakeChannel, FakeMessage, FakeUser, FakeView
from .payloads import ChannelRef, UserRef, kind_of
from .people import People
from .socket import Envelope, SocketConnection, SocketHub
from .state import Interaction, ResponsePost, SlackError, SlackState
from .tiers import SlackTiers, TierLimiter
from .validate import check_message
from .webapi import WebApi, flag

T = TypeVar("T")


class FakeSlack(People):
    def __init__(
        self,
        *,
        team_name: str = "Trailmix",
        bot_name: str = "ideabot",
        clock: Callable[[], datetime] | None = None,
        tiers: SlackTiers | None = None,
    ) -> None:
        """``clock``: message ts follow it (never going back); default: a counter from
        1700000000.000100 in 100 µs steps. ``tiers``: Slack's per-method rate limits
        (429 + Retry-After), off when None."""
        self.state = SlackState(clock, team_name, bot_name)
        self.socket = SocketHub(self.state)
        self.web = WebApi(self.state, self.socket.new_url)
        self.set_tiers(tiers)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.base_url = ""

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.web.handle)
        app.router.add_post("/response/{id}", self._response)
        app.router.add_get("/socket", self.socket.handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.socket.base_url = f"ws://127.0.0.1:{self.port}"

    async def close(self) -> None:
        """Close the app's Socket Mode handler first, or it will try to reconnect."""
        await self.socket.drop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- identity -------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """For ``AsyncWebClient(base_url=...)`` (ends with a slash, like slack_sdk's default)."""
        return f"{self.base_url}/api/"

    @property
    def bot_token(self) -> str:
        return self.state.bot_token

    @property
    def app_token(self) -> str:
        return self.state.app_token

    @property
    def signing_secret(self) -> str:
        return self.state.signing_secret

    @property
    def team_id(self) -> str:
        return self.state.team_id

    @property
    def api_app_id(self) -> str:
        return self.state.api_app_id

    @property
    def bot_user_id(self) -> str:
        return self.state.bot.id

    @property
    def bot_id(self) -> str:
        return str(self.state.bot.bot_id)

    # -- the workspace --------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        *,
        admin: bool = False,
        owner: bool = False,
        bot: bool = False,
        real_name: str | None = None,
        display_name: str | None = None,
    ) -> FakeUser:
        """A member of every existing channel. ``owner`` implies ``admin``; ``bot`` makes
        another app's bot user (with ``bot_id``)."""
        user = self.state.new_user(
            name, admin=admin, owner=owner, bot=bot, real_name=real_name, display_name=display_name
        )
        for channel in self.state.channels.values():
            channel.members.add(user.id)
        return user

    def add_channel(
        self, name: str, *, private: bool = False, bot_member: bool = True
    ) -> FakeChannel:
        """Every non-bot user so far is a member; the bot too unless ``bot_member=False``."""
        return self.state.new_channel(name, private=private, bot_member=bot_member)

    @property
    def users(self) -> list[FakeUser]:
        return list(self.state.users.values())

    @property
    def channels(self) -> list[FakeChannel]:
        return list(self.state.channels.values())

    def user(self, user_id: str) -> FakeUser:
        return self.state.users[user_id]

    def channel(self, ref: str) -> FakeChannel:
        """By id or name."""
        return self.state.channel(ref)

    def messages(self, channel: ChannelRef, *, replies: bool = False) -> list[FakeMessage]:
        """Live messages, oldest first: top-level only (thread parents included), or all."""
        found = self.state.channel_messages[self._c(channel).id]
        return [m for m in found if not m.deleted and (replies or not m.is_reply)]

    def message(self, channel: ChannelRef, ts: str) -> FakeMessage:
        return self.state.find(self._c(channel), ts)

    def replies(self, message: FakeMessage) -> list[FakeMessage]:
        return [r for r in message.replies if not r.deleted]

    def bot_messages(self, channel: ChannelRef) -> list[FakeMessage]:
        """The bot's live messages in a channel, replies included, oldest first."""
        return [m for m in self.messages(channel, replies=True) if m.user is self.state.bot]

    def ephemerals(self, user: UserRef | None = None) -> list[Ephemeral]:
        """Ephemeral messages (chat.postEphemeral and response_url ones), to one user or all."""
        if user is None:
            return list(self.state.ephemerals)
        u = self._u(user)
        return [e for e in self.state.ephemerals if e.user is u]

    @property
    def response_posts(self) -> list[ResponsePost]:
        return [p for i in self.state.interactions.values() for p in i.posts]

    def interaction(self, response_url: str) -> Interaction:
        """The command / shortcut / button a response URL was issued for, with its ``posts``."""
        return self.state.interactions[response_url.rstrip("/").rsplit("/", 1)[-1]]

    @property
    def views(self) -> list[FakeView]:
        return list(self.state.views)

    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API request in order (failed and unknown ones too)."""
        return list(self.state.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.state.calls if c.method == method]

    @property
    def unhandled(self) -> list[ApiCall]:
        """Calls to methods the fake does not implement (answered ``unknown_method``)."""
        return list(self.state.unhandled)

    # -- failures -------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int | None = None,
        *,
        retry_after: int = 0,
        times: int = 1,
        error: str | None = None,
        after: int = 0,
    ) -> None:
        """The next ``times`` calls to ``method`` fail. Default: HTTP 429 with ``Retry-After:
        {retry_after}`` and ``{"ok": false, "error": "ratelimited"}``. ``status=500`` etc.:
        that status. Only ``error``: HTTP 200 ``{"ok": false, "error": error}``.
        ``after``: let that many calls through first.
        slack_sdk parses Retry-After with ``int()`` and sleeps it plus random() (< 1 s)."""
        if status is None:
            status = 200 if error else 429
        if error is None:
            error = "ratelimited" if status == 429 else "internal_error"
        self.state.failures.append(Failure(method, status, int(retry_after), times, error, after))

    def set_tiers(self, tiers: SlackTiers | None) -> None:
        """Switch Slack's method tiers on (fresh budgets) or off (``None``)."""
        self.web.limiter = None if tiers is None else TierLimiter(tiers)

    @property
    def rate_limited(self) -> int:
        """Calls the tiers refused with 429 (injected failures not counted)."""
        return 0 if self.web.limiter is None else self.web.limiter.refused

    # -- waiting --------------------------------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 120.0, what: str | None = None
    ) -> T:
        """Re-check ``predicate`` on every state change (and every 50 ms); return its first
        truthy value, or raise TimeoutError naming what was awaited."""
        return await self.state.wait_for(predicate, timeout, what)

    async def wait_for_call(self, method: str, count: int = 1, timeout: float = 120.0) -> ApiCall:
        """The ``count``-th call to ``method``."""
        calls = await self.wait_for(
            lambda: self.calls_to(method)[count - 1 :], timeout, f"{count} call(s) to {method}"
        )
        return calls[0]

    # -- delivery -------------------------------------------------------------------------------

    def encode(self, body: dict[str, Any] | str) -> tuple[str, dict[str, str]]:
        """(raw body, signed headers) as Slack would POST ``body``."""
        raw, content_type = delivery.encode_body(body)
        return raw, delivery.signed_headers(raw, self.signing_secret, content_type=content_type)

    def signed_headers(
        self, body: str, *, secret: str | None = None, timestamp: int | str | None = None
    ) -> dict[str, str]:
        return delivery.signed_headers(body, secret or self.signing_secret, timestamp=timestamp)

    async def dispatch(
        self, app: AsyncApp, body: dict[str, Any] | str, headers: dict[str, str] | None = None
    ) -> BoltResponse:
        """Deliver ``body`` to ``app`` in-process (HTTP mode), signed unless ``headers``."""
        raw, signed = self.encode(body)
        return await delivery.dispatch(app, raw, headers if headers is not None else signed)

    async def post_http(
        self, url: str, body: dict[str, Any] | str, headers: dict[str, str] | None = None
    ) -> BoltResponse:
        """Deliver ``body`` over real HTTP (e.g. to ``delivery.serve_app(app)``)."""
        raw, signed = self.encode(body)
        return await delivery.post_http(url, raw, headers if headers is not None else signed)

    # -- Socket Mode ----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return bool(self.socket.open)

    @property
    def connections(self) -> list[SocketConnection]:
        return list(self.socket.connections)

    @property
    def envelopes(self) -> list[Envelope]:
        return list(self.socket.envelopes)

    async def wait_until_connected(self, timeout: float = 120.0) -> None:
        await self.wait_for(lambda: self.connected, timeout, "a Socket Mode connection")

    async def socket_send(
        self,
        kind: str | None,
        payload: dict[str, Any],
        *,
        timeout: float = 120.0,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict[str, Any]:
        """Send an envelope on the newest open connection; return the app's ack message
        (``{"envelope_id", "payload"?}``). ``kind`` None: inferred from the body."""
        return await self.socket.send(
            kind or kind_of(payload),
            payload,
            timeout=timeout,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send ``disconnect``: slack_sdk calls apps.connections.open again and reconnects."""
        await self.socket.send_disconnect(reason)

    async def socket_drop(self) -> None:
        """Close the connections from the server side (slack_sdk reconnects)."""
        await self.socket.drop()

    # -- response_url ---------------------------------------------------------------------------

    async def _response(self, request: web.Request) -> web.Response:
        interaction = self.state.interactions.get(request.match_info["id"])
        if interaction is None:
            return web.Response(status=404, text="no_service")
        if len(interaction.posts) >= 5:  # Slack: up to 5 responses within 30 minutes
            return web.Response(status=404, text="used_url")
        if request.content_type == "application/json":
            body = await request.json()
        else:
            body = dict(await request.post())
        interaction.posts.append(ResponsePost(interaction.id, body))
        self.state.bump()
        try:
            self._apply_response(interaction, body)
        except SlackError as e:
            return web.Response(status=400, text=e.error)
        return web.Response(text="ok")

    def _apply_response(self, interaction: Interaction, body: dict[str, Any]) -> None:
        s, original = self.state, interaction.message
        if flag(body.get("delete_original")):
            if original is not None and original.user is s.bot and not original.deleted:
                s.delete_message(original)
            return
        text, blocks = check_message(body.get("text"), body.get("blocks"), body.get("attachments"))
        channel = interaction.channel
        if flag(body.get("replace_original")) and original is not None and original.user is s.bot:
            s.edit_message(original, s.bot, text, blocks)
        elif channel is None:
            return
        elif body.get("response_type") == "in_channel":
            s.add_message(channel, s.bot, text, blocks=blocks, thread_ts=body.get("thread_ts"))
        else:
            ts = s.ts.next()
            thread_ts = body.get("thread_ts")
            s.add_ephemeral(
                Ephemeral(channel, interaction.user, text, blocks, ts, thread_ts, "response_url")
            )
