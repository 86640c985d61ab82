"""The fake's world: users, guilds, roles, members, channels, threads, messages.

Plain objects that tests hold on to and inspect. Changes made through a guild's
``add_*`` methods are announced to a connected bot (CHANNEL_CREATE, ...) through
the ``FakeState`` the guild belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from .state import FakeState

DISCORD_EPOCH_MS = 1420070400000

TEXT, PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 0, 11, 12, 15
EPHEMERAL, LOADING = 1 << 6, 1 << 7

ALL_PERMISSIONS = discord.Permissions.all().value
EVERYONE_DEFAULT = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_application_commands=True,
    use_external_emojis=True,
).value
BOT_DEFAULT = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    manage_threads=True,
    manage_messages=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_external_emojis=True,
).value


class Snowflakes:
    """Real, time-based snowflakes (so ``created_at`` and ``history(after=datetime)`` work),
    strictly increasing even when many are made in the same millisecond."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._last = 0

    def next(self) -> int:
        ms = int(self._clock().timestamp() * 1000) - DISCORD_EPOCH_MS
        self._last = max(self._last + 1, ms << 22)
        return self._last


@dataclass(eq=False)
class FakeUser:
    id: int
    name: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(eq=False)
class FakeRole:
    id: int
    name: str
    permissions: int
    guild: FakeGuild
    position: int = 1
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass(eq=False)
class FakeMember:
    user: FakeUser
    guild: FakeGuild
    roles: list[FakeRole]
    joined_at: datetime
    nick: str | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def bot(self) -> bool:
        return self.user.bot

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def permissions(self) -> int:
        return self.guild.permissions_for(self)


@dataclass(eq=False)
class FakeChannel:
    """A text channel (type 0), forum (15) or thread (11 public, 12 private)."""

    id: int
    guild: FakeGuild
    name: str
    type: int
    position: int = 0
    topic: str | None = None
    parent: FakeChannel | None = None
    owner_id: int | None = None
    created_at: datetime | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    applied_tags: list[int] = field(default_factory=list)
    message_count: int = 0
    total_message_sent: int = 0
    member_ids: set[int] = field(default_factory=set)
    last_message_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in (PUBLIC_THREAD, PRIVATE_THREAD)

    @property
    def is_forum(self) -> bool:
        return self.type == FORUM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass(eq=False)
class FakeAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None


@dataclass(eq=False)
class FakeMessage:
    id: int
    channel: FakeChannel
    author: FakeUser
    content: str
    created_at: datetime
    type: int = 0
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None  # as sent by the bot; None when absent
    flags: int = 0
    tts: bool = False
    edited_at: datetime | None = None
    reference: FakeMessage | None = None  # the message replied to
    pinned: bool = False
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    thread: FakeChannel | None = None  # the thread started from this message
    mentions: list[int] = field(default_factory=list)  # users actually notified
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    # emoji key ("👍" or "name:id") -> user ids in the order they reacted, and burst ones
    reactions: dict[str, list[int]] = field(default_factory=dict)
    burst: set[tuple[str, int]] = field(default_factory=set)
    deleted: bool = False
    body: dict[str, Any] | None = None  # the JSON the bot sent to create it (None for people)

    @property
    def guild(self) -> FakeGuild:
        return self.channel.guild

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def pings(self) -> bool:
        """Whether posting this message notified anyone (users, roles, @everyone/@here)."""
        return bool(self.mentions or self.mention_roles or self.mention_everyone)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    @property
    def jump_url(self) -> str:
        return f"https://discord.com/channels/{self.guild.id}/{self.channel.id}/{self.id}"

    def reaction_users(self, emoji: str) -> list[int]:
        return list(self.reactions.get(normalize_emoji(emoji), []))

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        return next(
            (c for c in walk_components(self.components) if c.get("custom_id") == custom_id), None
        )


class FakeGuild:
    def __init__(
        self, state: FakeState, id: int, name: str, owner_name: str, bot_permissions: int
    ) -> None:
        self._state = state
        self.id = id
        self.name = name
        self.roles: dict[int, FakeRole] = {}
        self.channels: dict[int, FakeChannel] = {}  # text channels, forums and threads
        self.members: dict[int, FakeMember] = {}
        self.everyone = FakeRole(id, "@everyone", EVERYONE_DEFAULT, self, position=0)
        self.roles[id] = self.everyone
        bot = state.bot_user
        bot_role = self._new_role(bot.name, bot_permissions, managed=True, bot_id=bot.id)
        self.bot_member = self._new_member(bot, [bot_role])
        self.owner = self._new_member(state.new_user(owner_name), [])

    # -- building the guild (announced to a connected bot) ---------------------------------

    def add_channel(
        self, name: str, *, forum: bool = False, topic: str | None = None
    ) -> FakeChannel:
        channel = FakeChannel(
            id=self._state.ids.next(),
            guild=self,
            name=name,
            type=FORUM if forum else TEXT,
            position=len([c for c in self.channels.values() if not c.is_thread]),
            topic=topic,
            created_at=self._state.now(),
        )
        self._state.add_channel(channel)
        self._state.dispatch("CHANNEL_CREATE", self._state.payloads.channel(channel))
        return channel

    def add_role(self, name: str, *, permissions: int = 0) -> FakeRole:
        role = self._new_role(name, permissions)
        self._state.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": self._state.payloads.role(role)}
        )
        return role

    def add_member(
        self, name: str, *, roles: Iterable[FakeRole] = (), bot: bool = False
    ) -> FakeMember:
        member = self._new_member(self._state.new_user(name, bot=bot), list(roles))
        payload = self._state.payloads.member(member) | {"guild_id": str(self.id)}
        self._state.dispatch("GUILD_MEMBER_ADD", payload)
        return member

    # -- queries ---------------------------------------------------------------------------

    @property
    def text_channels(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if not c.is_thread]

    @property
    def threads(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if c.is_thread]

    def permissions_for(self, member: FakeMember) -> int:
        """Guild-level permissions (no channel overwrites): owner and administrators get all."""
        if member is self.owner:
            return ALL_PERMISSIONS
        value = self.everyone.permissions
        for role in member.roles:
            value |= role.permissions
        if value & discord.Permissions.administrator.flag:
            return ALL_PERMISSIONS
        return value

    def member(self, user_id: int) -> FakeMember | None:
        return self.members.get(user_id)

    def __repr__(self) -> str:
        return f"<FakeGuild id={self.id} name={self.name!r}>"

    # -- internals -------------------------------------------------------------------------

    def _new_role(
        self, name: str, permissions: int, *, managed: bool = False, bot_id: int | None = None
    ) -> FakeRole:
        role = FakeRole(
            id=self._state.ids.next(),
            name=name,
            permissions=permissions,
            guild=self,
            position=len(self.roles),
            managed=managed,
            bot_id=bot_id,
        )
        self.roles[role.id] = role
        self._state.bump()
        return role

    def _new_member(self, user: FakeUser, roles: list[FakeRole]) -> FakeMember:
        for role in roles:
            if role.guild is not self:
                raise ValueError(f"role {role.name!r} belongs to another guild")
        member = FakeMember(user=user, guild=self, roles=roles, joined_at=self._state.now())
        self.members[user.id] = member
        self._state.bump()
        return member


def walk_components(components: Sequence[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Every component, nested ones included (action rows, sections, containers, labels)."""
    for component in components:
        yield component
        yield from walk_components(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from walk_components([component[key]])


_CUSTOM_EMOJI = re.compile(r"^:?(?:a:)?(?P<name>[\w~-]+):(?P<id>\d+)$")


def normalize_emoji(emoji: str) -> str:
    """ "👍" stays, "<:name:id>", ":name:id", "a:name:id" and "name:id" become "name:id"."""
    match = _CUSTOM_EMOJI.match(emoji.strip("<>"))
    return f"{match['name']}:{match['id']}" if match else emoji


def emoji_payload(key: str) -> dict[str, Any]:
    match = _CUSTOM_EMOJI.match(key)
    if match:
        return {"id": match["id"], "name": match["name"], "animated": False}
    return {"id": None, "name": key}


def utcnow() -> datetime:
    return datetime.now(UTC)
