"""The fake workspace's state and the operations that change it, shared by the Web API (the
bot) and the facade (people). Every change bumps a version that ``wait_for`` awaits."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from .model import (
    ApiCall,
    Ephemeral,
    Failure,
    FakeChannel,
    FakeMessage,
    FakeUser,
    FakeView,
    Ids,
    Timestamps,
)

T = TypeVar("T")


class SlackError(Exception):
    """A Web API error: answered as ``{"ok": false, "error": ..., **extra}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class ResponsePost:
    """One POST to a ``response_url``: ``body`` is the JSON posted (``text``, ``blocks``,
    ``response_type``, ``replace_original``, ``delete_original``, ...)."""

    interaction_id: str
    body: dict[str, Any]

    @property
    def text(self) -> str | None:
        return self.body.get("text")

    @property
    def response_type(self) -> str:
        return str(self.body.get("response_type") or "ephemeral")


@dataclass
class Interaction:
    """What a ``response_url`` was issued for (a slash command, shortcut or block action)."""

    id: str
    kind: str
    user: FakeUser
    channel: FakeChannel | None
    message: FakeMessage | None = None  # the message a shortcut / button belongs to
    posts: list[ResponsePost] = field(default_factory=list)


class SlackState:
    def __init__(self, clock: Callable[[], datetime] | None, team_name: str, bot_name: str):
        self._changed = asyncio.Event()
        self.ids = Ids()
        self.ts = Timestamps(clock)
        self.team_id = self.ids.next("T")
        self.team_name = team_name
        self.team_domain = team_name.lower().replace(" ", "-")
        self.enterprise_id: str | None = None
        self.api_app_id = self.ids.next("A")
        self.bot_token = f"xoxb-{secrets.token_hex(4)}-{secrets.token_hex(4)}-fake"
        self.app_token = f"xapp-1-{self.api_app_id}-{secrets.token_hex(6)}"
        self.signing_secret = secrets.token_hex(16)
        self.verification_token = secrets.token_hex(12)
        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.bot = self.new_user(bot_name, bot=True)
        self.bot.app_id = self.api_app_id
        self.channel_messages: dict[str, list[FakeMessage]] = {}  # all, replies too, by ts
        self.ephemerals: list[Ephemeral] = []
        self.views: list[FakeView] = []
        self.interactions: dict[str, Interaction] = {}
        self.trigger_ids: set[str] = set()
        self.calls: list[ApiCall] = []
        self.unhandled: list[ApiCall] = []
        self.failures: list[Failure] = []
        # Slack lists only some of the people of a reaction in message objects (history,
        # replies, reactions.get without full=true); the count stays whole.
        self.reaction_users_shown: int | None = 50

    # -- change notification -------------------------------------------------------------------

    def bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 120.0, what: str | None = None
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = what or _describe(predicate)
                raise TimeoutError(f"fake Slack: timed out after {timeout}s waiting for {what}")
            # Also re-check every 50 ms: predicates may look at the app's own state too.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    # -- registry -------------------------------------------------------------------------------

    def new_user(
        self,
        name: str,
        *,
        admin: bool = False,
        owner: bool = False,
        bot: bool = False,
        real_name: str | None = None,
        display_name: str | None = None,
    ) -> FakeUser:
        user = FakeUser(
            id=self.ids.next("U"),
            name=name,
            team_id=self.team_id,
            real_name=real_name if real_name is not None else name.title(),
            display_name=display_name if display_name is not None else name,
            is_admin=admin or owner,
            is_owner=owner,
            is_bot=bot,
        )
        if bot:
            user.bot_id = self.ids.next("B")
            user.app_id = self.ids.next("A")
        self.users[user.id] = user
        self.bump()
        return user

    def new_channel(
        self, name: str, *, private: bool = False, bot_member: bool = True
    ) -> FakeChannel:
        channel = FakeChannel(
            id=self.ids.next("G" if private else "C"),
            name=name,
            created=self.ts.now_seconds(),
            creator=next(iter(self.users)),
            is_private=private,
            bot_member=bot_member,
            members={u.id for u in self.users.values() if not u.is_bot},
        )
        if bot_member:
            channel.members.add(self.bot.id)
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        self.bump()
        return channel

    def channel(self, ref: str | None) -> FakeChannel:
        """By id, or by name with or without '#' (chat.postMessage accepts both)."""
        if not ref:
            raise SlackError("channel_not_found")
        if ref in self.channels:
            return self.channels[ref]
        for channel in self.channels.values():
            if channel.name == ref.lstrip("#"):
                return channel
        raise SlackError("channel_not_found")

    def user(self, ref: str | None) -> FakeUser:
        if ref in self.users:
            return self.users[ref]
        raise SlackError("user_not_found")

    def find(
        self, channel: FakeChannel, ts: str | None, *, error: str = "message_not_found"
    ) -> FakeMessage:
        for message in self.channel_messages[channel.id]:
            if message.ts == ts and not message.deleted:
                return message
        raise SlackError(error)

    # -- messages -------------------------------------------------------------------------------

    def add_message(
        self,
        channel: FakeChannel,
        user: FakeUser,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        person: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> FakeMessage:
        parent = None
        if thread_ts:
            parent = next((m for m in self.channel_messages[channel.id] if m.ts == thread_ts), None)
            if parent is not None and parent.is_reply:  # a reply's ts: Slack threads on the parent
                thread_ts = parent.thread_ts
                parent = self.find(channel, thread_ts)
        message = FakeMessage(
            channel=channel,
            ts=self.ts.next(),
            user=user,
            text=text,
            team_id=self.team_id,
            blocks=blocks,
            thread_ts=thread_ts or None,
            reply_broadcast=bool(thread_ts) and reply_broadcast,
            client_msg_id=str(uuid.uuid4()) if person else None,
            metadata=metadata,
        )
        if parent is not None:
            parent.thread_ts = parent.ts
            parent.replies.append(message)
            message.parent_user_id = parent.user.id
        self.channel_messages[channel.id].append(message)
        self.bump()
        return message

    def edit_message(
        self,
        message: FakeMessage,
        editor: FakeUser,
        text: str | None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Change a message; returns the previous ``to_api()`` (for message_changed)."""
        previous = message.to_api(with_reactions=False)
        if text is not None:
            message.text = text
        if blocks is not None:
            message.blocks = blocks
        message.edited = {"user": editor.id, "ts": self.ts.next()}
        self.bump()
        return previous

    def delete_message(self, message: FakeMessage) -> dict[str, Any]:
        """Delete a message (a parent with replies stays as a tombstone); returns its last
        ``to_api()``."""
        previous = message.to_api(with_reactions=False)
        message.deleted = True
        if not [r for r in message.replies if not r.deleted]:
            self.channel_messages[message.channel.id].remove(message)
        if message.is_reply:
            parent = next(
                (m for m in self.channel_messages[message.channel.id] if m.ts == message.thread_ts),
                None,
            )
            live = parent is not None and [r for r in parent.replies if not r.deleted]
            if parent is not None and parent.deleted and not live:
                self.channel_messages[message.channel.id].remove(parent)
        self.bump()
        return previous

    def react(self, message: FakeMessage, user: FakeUser, name: str) -> None:
        if not name or ":" in name or " " in name:
            raise SlackError("invalid_name")
        users = message.reactions.setdefault(name, [])
        if user.id in users:
            raise SlackError("already_reacted")
        users.append(user.id)
        self.bump()

    def unreact(self, message: FakeMessage, user: FakeUser, name: str) -> None:
        users = message.reactions.get(name, [])
        if user.id not in users:
            raise SlackError("no_reaction")
        users.remove(user.id)
        if not users:
            del message.reactions[name]
        self.bump()

    def add_ephemeral(self, ephemeral: Ephemeral) -> None:
        self.ephemerals.append(ephemeral)
        self.bump()

    # -- interactions ---------------------------------------------------------------------------

    def new_trigger_id(self) -> str:
        trigger_id = f"{self.ts.now_seconds()}.{self.team_id[1:]}.{secrets.token_hex(16)}"
        self.trigger_ids.add(trigger_id)
        return trigger_id

    def new_interaction(
        self,
        kind: str,
        user: FakeUser,
        channel: FakeChannel | None,
        message: FakeMessage | None = None,
    ) -> Interaction:
        interaction = Interaction(secrets.token_hex(8), kind, user, channel, message)
        self.interactions[interaction.id] = interaction
        return interaction

    def record_call(self, call: ApiCall, *, unhandled: bool = False) -> None:
        self.calls.append(call)
        if unhandled:
            self.unhandled.append(call)
        self.bump()


def _describe(predicate: Callable[..., Any]) -> str:
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)
