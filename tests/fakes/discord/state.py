"""The fake's state and the operations that change it, shared by REST (the bot) and the
facade (people). Every change bumps a version that ``wait_for`` awaits, and is dispatched
to connected bot sessions through the gateway hub."""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .model import (
    PUBLIC_THREAD,
    TEXT,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMessage,
    FakeUser,
    Snowflakes,
    emoji_payload,
    utcnow,
)
from .payloads import Payloads

if TYPE_CHECKING:
    from .gateway import GatewayHub
    from .interactions import FakeInteraction

T = TypeVar("T")
MISSING: Any = object()
THREAD_CREATED, REPLY = 18, 19


@dataclass
class RequestRecord:
    """One REST request the bot made: ``json`` is the parsed body (``payload_json`` for
    multipart), ``status`` the status the fake answered."""

    method: str
    path: str
    json: Any
    query: dict[str, str] = field(default_factory=dict)
    status: int = 0


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    retry_after: float
    times: int
    is_global: bool
    after: int = 0  # matching requests let through before failing


class FakeState:
    def __init__(self, clock: Callable[[], datetime] | None, bot_name: str) -> None:
        self.now: Callable[[], datetime] = clock or utcnow
        self.ids = Snowflakes(self.now)
        self.payloads = Payloads(self)
        self.cdn_base = "http://127.0.0.1"
        self.users: dict[int, FakeUser] = {}
        self.bot_user = self.new_user(bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.application_flags = (1 << 12) | (1 << 14) | (1 << 18)
        self.app_owner = self.new_user("app-owner")
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}  # every message ever, deleted ones included
        self.channel_messages: dict[int, list[FakeMessage]] = {}  # live, oldest first
        self.commands: dict[int | None, list[dict[str, Any]]] = {
            None: []
        }  # guild id (None: global)
        self.interactions: dict[int, FakeInteraction] = {}
        self.requests: list[RequestRecord] = []
        self.unhandled: list[RequestRecord] = []
        self.failures: list[Failure] = []
        self.dispatched: list[tuple[str, dict[str, Any]]] = []
        self.gateway: GatewayHub | None = None
        self.watched: list[asyncio.Task[Any]] = []
        self.bot_errors: list[BaseException] = []
        self.fail_on_bot_errors = True
        # (guild id, command name, user/role/guild id) a server admin allowed in
        # Server Settings > Integrations, overriding default_member_permissions.
        self.command_overrides: set[tuple[int, str, int]] = set()
        self._changed = asyncio.Event()

    # -- change notification -------------------------------------------------------------------

    def bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        if self.gateway is not None:
            self.gateway.dispatch(event, data)
        self.bump()

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 120.0, what: str | None = None
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self.raise_bot_failures()
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"fake Discord: timed out after {timeout}s waiting for "
                    f"{what or _describe(predicate)}"
                )
            changed = asyncio.ensure_future(self._changed.wait())
            live = [t for t in self.watched if not t.done()]
            try:
                # Also re-check every 50 ms: predicates may look at the bot's own state too.
                await asyncio.wait(
                    [changed, *live], timeout=min(remaining, 0.05), return_when="FIRST_COMPLETED"
                )
            finally:
                changed.cancel()

    def raise_bot_failures(self) -> None:
        for task in self.watched:
            if task.done():
                exc = None if task.cancelled() else task.exception()
                raise RuntimeError(f"the bot client task stopped: {exc!r}") from exc
        if self.fail_on_bot_errors and self.bot_errors:
            error = self.bot_errors[0]
            raise RuntimeError(f"a bot event handler raised {error!r}") from error

    # -- registry -------------------------------------------------------------------------------

    def new_user(self, name: str, *, bot: bool = False) -> FakeUser:
        user = FakeUser(id=self.ids.next(), name=name, bot=bot)
        self.users[user.id] = user
        return user

    def add_channel(self, channel: FakeChannel) -> None:
        self.channels[channel.id] = channel
        channel.guild.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        self.bump()

    # -- messages -------------------------------------------------------------------------------

    def create_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        content: str = "",
        *,
        id: int | None = None,
        type: int | None = None,
        embeds: list[dict[str, Any]] | None = None,
        components: list[dict[str, Any]] | None = None,
        attachments: list[FakeAttachment] | None = None,
        allowed_mentions: dict[str, Any] | None = None,
        flags: int = 0,
        tts: bool = False,
        reference: FakeMessage | None = None,
        webhook_id: int | None = None,
        interaction_metadata: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> FakeMessage:
        message = FakeMessage(
            id=id or self.ids.next(),
            channel=channel,
            author=author,
            content=content,
            created_at=self.now(),
            type=type if type is not None else (REPLY if reference is not None else 0),
            embeds=embeds or [],
            components=components or [],
            attachments=attachments or [],
            allowed_mentions=allowed_mentions,
            flags=flags,
            tts=tts,
            reference=reference,
            webhook_id=webhook_id,
            application_id=self.application_id if author is self.bot_user else None,
            interaction_metadata=interaction_metadata,
            body=body,
        )
        self._set_mentions(message)
        self.messages[message.id] = message
        if not message.ephemeral:
            self.channel_messages[channel.id].append(message)
            channel.last_message_id = message.id
            if channel.is_thread:
                channel.message_count += 1
                channel.total_message_sent += 1
                channel.member_ids.add(author.id)
                channel.archived = False
            self.dispatch("MESSAGE_CREATE", self.payloads.message(message, gateway=True))
        else:
            self.bump()
        return message

    def edit_message(self, message: FakeMessage, **changes: Any) -> FakeMessage:
        for key, value in changes.items():
            if value is not MISSING:
                setattr(message, key, value)
        message.edited_at = self.now()
        self._set_mentions(message)
        if message.ephemeral:
            self.bump()
        else:
            self.dispatch("MESSAGE_UPDATE", self.payloads.message(message, gateway=True))
        return message

    def delete_message(self, message: FakeMessage) -> None:
        message.deleted = True
        live = self.channel_messages[message.channel.id]
        if message in live:
            live.remove(message)
        if message.channel.is_thread:
            message.channel.message_count = max(0, message.channel.message_count - 1)
        if message.ephemeral:
            self.bump()
            return
        self.dispatch(
            "MESSAGE_DELETE",
            {
                "id": str(message.id),
                "channel_id": str(message.channel.id),
                "guild_id": str(message.guild.id),
            },
        )

    def history(
        self,
        channel: FakeChannel,
        *,
        limit: int = 50,
        before: int | None = None,
        after: int | None = None,
        around: int | None = None,
    ) -> list[FakeMessage]:
        """Discord's order: newest first; with ``after``, the oldest ``limit`` after it."""
        live = self.channel_messages[channel.id]
        if around is not None:
            older = [m for m in live if m.id < around][::-1][: limit // 2]
            newer = [m for m in live if m.id >= around][: limit - len(older)]
            return (older[::-1] + newer)[::-1]
        picked = [
            m for m in live if (before is None or m.id < before) and (after is None or m.id > after)
        ]
        if after is not None and before is None:
            return picked[:limit][::-1]
        return picked[::-1][:limit]

    def _set_mentions(self, message: FakeMessage) -> None:
        guild = message.guild
        allowed = message.allowed_mentions
        if allowed is None:
            parse, users, roles, replied = {"users", "roles", "everyone"}, set(), set(), True
        else:
            parse = set(allowed.get("parse") or [])
            users = {int(u) for u in allowed.get("users") or []}
            roles = {int(r) for r in allowed.get("roles") or []}
            replied = bool(allowed.get("replied_user", False))
        content = message.content
        mentioned = [int(u) for u in re.findall(r"<@!?(\d+)>", content) if int(u) in self.users]
        message.mentions = list(
            dict.fromkeys(u for u in mentioned if "users" in parse or u in users)
        )
        ref = message.reference
        if ref is not None and replied and ref.author.id != message.author.id:
            message.mentions = list(dict.fromkeys([*message.mentions, ref.author.id]))
        role_ids = [int(r) for r in re.findall(r"<@&(\d+)>", content) if int(r) in guild.roles]
        message.mention_roles = list(
            dict.fromkeys(r for r in role_ids if "roles" in parse or r in roles)
        )
        message.mention_everyone = "everyone" in parse and bool(
            re.search(r"@(everyone|here)", content)
        )

    # -- reactions ------------------------------------------------------------------------------

    def add_reaction(
        self, message: FakeMessage, user: FakeUser, key: str, *, burst: bool = False
    ) -> bool:
        users = message.reactions.setdefault(key, [])
        if user.id in users:
            return False
        users.append(user.id)
        if burst:
            message.burst.add((key, user.id))
        data = self._reaction_event(message, user, key, burst)
        data["message_author_id"] = str(message.author.id)
        data["burst_colors"] = []
        member = message.guild.member(user.id)
        if member is not None:
            data["member"] = self.payloads.member(member)
        self.dispatch("MESSAGE_REACTION_ADD", data)
        return True

    def remove_reaction(self, message: FakeMessage, user: FakeUser, key: str) -> bool:
        users = message.reactions.get(key, [])
        if user.id not in users:
            return False
        users.remove(user.id)
        burst = (key, user.id) in message.burst
        message.burst.discard((key, user.id))
        if not users:
            del message.reactions[key]
        self.dispatch("MESSAGE_REACTION_REMOVE", self._reaction_event(message, user, key, burst))
        return True

    def clear_reactions(self, message: FakeMessage, key: str | None = None) -> None:
        base = {
            "message_id": str(message.id),
            "channel_id": str(message.channel.id),
            "guild_id": str(message.guild.id),
        }
        if key is None:
            message.reactions.clear()
            message.burst.clear()
            self.dispatch("MESSAGE_REACTION_REMOVE_ALL", base)
        else:
            message.reactions.pop(key, None)
            message.burst = {b for b in message.burst if b[0] != key}
            self.dispatch("MESSAGE_REACTION_REMOVE_EMOJI", base | {"emoji": emoji_payload(key)})

    def _reaction_event(
        self, message: FakeMessage, user: FakeUser, key: str, burst: bool
    ) -> dict[str, Any]:
        return {
            "user_id": str(user.id),
            "type": 1 if burst else 0,
            "message_id": str(message.id),
            "channel_id": str(message.channel.id),
            "guild_id": str(message.guild.id),
            "emoji": emoji_payload(key),
            "burst": burst,
        }

    # -- threads --------------------------------------------------------------------------------

    def create_thread(
        self,
        parent: FakeChannel,
        owner: FakeUser,
        name: str,
        *,
        message: FakeMessage | None = None,
        type: int = PUBLIC_THREAD,
        auto_archive_duration: int = 1440,
        applied_tags: list[int] | None = None,
    ) -> FakeChannel:
        thread = FakeChannel(
            id=message.id if message is not None else self.ids.next(),
            guild=parent.guild,
            name=name,
            type=type,
            parent=parent,
            owner_id=owner.id,
            created_at=self.now(),
            auto_archive_duration=auto_archive_duration,
            applied_tags=list(applied_tags or []),
            member_ids={owner.id},
        )
        self.add_channel(thread)
        if message is not None:
            message.thread = thread
        self.dispatch("THREAD_CREATE", self.payloads.thread(thread) | {"newly_created": True})
        if message is None and parent.type == TEXT:
            # Discord announces a thread started without a message in its parent channel.
            self.create_message(parent, owner, name, type=THREAD_CREATED)
        return thread


def _describe(predicate: Callable[[], object]) -> str:
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)
