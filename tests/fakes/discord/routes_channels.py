"""REST endpoints for the bot's identity, guilds, channels, messages, reactions and threads.

Permission checks use the bot member's guild-level permissions (no channel overwrites)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from .interactions import message_changes
from .model import (
    FORUM,
    PRIVATE_THREAD,
    TEXT,
    FakeChannel,
    FakeGuild,
    FakeMessage,
    normalize_emoji,
)
from .validate import MISSING_PERMISSIONS, DiscordError, check_message, invalid_form, unknown

if TYPE_CHECKING:
    from .interactions import Interactions
    from .rest import Call, Route
    from .state import FakeState


@dataclass
class Context:
    state: FakeState
    interactions: Interactions
    gateway_url: Callable[[], str]


def require(channel: FakeChannel, *names: str) -> None:
    guild = channel.guild
    have = guild.permissions_for(guild.bot_member)
    for name in ("view_channel", *names):
        if not have & getattr(discord.Permissions, name).flag:
            raise DiscordError(*MISSING_PERMISSIONS)


def channel_routes(ctx: Context) -> list[Route]:
    state = ctx.state
    payloads = state.payloads

    def guild_of(call: Call) -> FakeGuild:
        guild = state.guilds.get(call.id("gid"))
        if guild is None:
            raise unknown("Guild")
        return guild

    def channel_of(call: Call) -> FakeChannel:
        channel = state.channels.get(call.id("cid"))
        if channel is None:
            raise unknown("Channel")
        return channel

    def message_of(call: Call, channel: FakeChannel) -> FakeMessage:
        message = state.messages.get(call.id("mid"))
        if (
            message is None
            or message.deleted
            or message.channel is not channel
            or message.ephemeral
        ):
            raise unknown("Message")
        return message

    def emoji_of(call: Call) -> str:
        key = normalize_emoji(call.args["emoji"])
        if ":" not in key and (len(key) > 16 or re.search(r"[A-Za-z\s]", key)):
            raise unknown("Emoji")
        return key

    def send_permission(channel: FakeChannel) -> None:
        if channel.is_forum:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        require(channel, "send_messages_in_threads" if channel.is_thread else "send_messages")

    def new_message(
        channel: FakeChannel, body: dict[str, Any], call: Call, *, id: int | None = None
    ) -> FakeMessage:
        check_message(body, attachments=len(call.uploads))
        reference = None
        ref = body.get("message_reference")
        if ref:
            reference = state.messages.get(int(ref.get("message_id") or 0))
            if reference is None or reference.deleted:
                if ref.get("fail_if_not_exists", True):
                    raise invalid_form(
                        [
                            (
                                ("message_reference",),
                                "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                "Unknown message",
                            )
                        ]
                    )
                reference = None
        return state.create_message(
            channel,
            state.bot_user,
            body.get("content") or "",
            id=id,
            embeds=body.get("embeds"),
            components=body.get("components"),
            attachments=call.uploads,
            allowed_mentions=body.get("allowed_mentions"),
            flags=int(body.get("flags") or 0),
            tts=bool(body.get("tts")),
            reference=reference,
            body=body,
        )

    # -- identity -------------------------------------------------------------------------------

    async def get_me(call: Call) -> Any:
        return payloads.me()

    async def get_application(call: Call) -> Any:
        return payloads.application()

    async def get_gateway(call: Call) -> Any:
        return {"url": ctx.gateway_url()}

    async def get_gateway_bot(call: Call) -> Any:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return {"url": ctx.gateway_url(), "shards": 1, "session_start_limit": limit}

    async def get_user(call: Call) -> Any:
        user = state.users.get(call.id("uid"))
        if user is None:
            raise unknown("User")
        return payloads.user(user)

    # -- guilds ---------------------------------------------------------------------------------

    async def get_guild(call: Call) -> Any:
        guild = guild_of(call)
        count = len(guild.members)
        return payloads.guild(guild) | {
            "approximate_member_count": count,
            "approximate_presence_count": 0,
        }

    async def get_guild_channels(call: Call) -> Any:
        return [payloads.channel(c) for c in guild_of(call).text_channels]

    async def get_roles(call: Call) -> Any:
        return [payloads.role(r) for r in guild_of(call).roles.values()]

    async def get_member(call: Call) -> Any:
        member = guild_of(call).member(call.id("uid"))
        if member is None:
            raise unknown("Member")
        return payloads.member(member)

    async def list_members(call: Call) -> Any:
        after = call.int_query("after", 0) or 0
        limit = call.int_query("limit", 1) or 1
        members = sorted(guild_of(call).members.values(), key=lambda m: m.id)
        return [payloads.member(m) for m in members if m.id > after][:limit]

    async def active_threads(call: Call) -> Any:
        threads = [t for t in guild_of(call).threads if not t.archived]
        return {"threads": [payloads.thread(t) for t in threads], "members": []}

    # -- channels and messages ------------------------------------------------------------------

    async def get_channel(call: Call) -> Any:
        return payloads.channel(channel_of(call))

    async def edit_channel(call: Call) -> Any:
        channel = channel_of(call)
        body = call.body
        if channel.is_thread:
            if channel.owner_id != state.bot_user.id:
                require(channel, "manage_threads")
            channel.name = body.get("name", channel.name)
            channel.archived = bool(body.get("archived", channel.archived))
            channel.locked = bool(body.get("locked", channel.locked))
            if "applied_tags" in body:
                channel.applied_tags = [int(t) for t in body["applied_tags"]]
            state.dispatch("THREAD_UPDATE", payloads.thread(channel))
        else:
            require(channel, "manage_channels")
            channel.name = body.get("name", channel.name)
            channel.topic = body.get("topic", channel.topic)
            state.dispatch("CHANNEL_UPDATE", payloads.channel(channel))
        return payloads.channel(channel)

    async def post_message(call: Call) -> Any:
        channel = channel_of(call)
        send_permission(channel)
        if channel.is_thread and channel.locked:
            require(channel, "manage_threads")
        return payloads.message(new_message(channel, call.body, call))

    async def get_messages(call: Call) -> Any:
        channel = channel_of(call)
        require(channel, "read_message_history")
        limit = call.int_query("limit", 50) or 50
        if not 1 <= limit <= 100:
            raise invalid_form(
                [(("limit",), "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")]
            )
        found = state.history(
            channel,
            limit=limit,
            before=call.int_query("before"),
            after=call.int_query("after"),
            around=call.int_query("around"),
        )
        return [payloads.message(m) for m in found]

    async def get_message(call: Call) -> Any:
        channel = channel_of(call)
        require(channel, "read_message_history")
        return payloads.message(message_of(call, channel))

    async def edit_message(call: Call) -> Any:
        channel = channel_of(call)
        message = message_of(call, channel)
        if message.author is not state.bot_user:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        check_message(call.body, edit=True)
        state.edit_message(message, **message_changes(message, call.body, call.uploads))
        return payloads.message(message)

    async def delete_message(call: Call) -> Any:
        channel = channel_of(call)
        message = message_of(call, channel)
        if message.author is not state.bot_user:
            require(channel, "manage_messages")
        state.delete_message(message)

    async def typing(call: Call) -> Any:
        send_permission(channel_of(call))

    async def pin(call: Call) -> Any:
        channel = channel_of(call)
        require(channel, "manage_messages")
        message_of(call, channel).pinned = call.method == "PUT"
        state.bump()

    # -- reactions ------------------------------------------------------------------------------

    async def add_own_reaction(call: Call) -> Any:
        channel = channel_of(call)
        message = message_of(call, channel)
        key = emoji_of(call)
        require(channel, "read_message_history")
        if key not in message.reactions:
            require(channel, "add_reactions")
        state.add_reaction(message, state.bot_user, key)

    async def remove_reaction(call: Call) -> Any:
        channel = channel_of(call)
        message = message_of(call, channel)
        key = emoji_of(call)
        uid = call.args["uid"]
        if uid == "@me":
            user = state.bot_user
        else:
            require(channel, "manage_messages")
            found = state.users.get(call.id("uid"))
            if found is None:
                raise unknown("User")
            user = found
        state.remove_reaction(message, user, key)

    async def reaction_users(call: Call) -> Any:
        channel = channel_of(call)
        message = message_of(call, channel)
        key = emoji_of(call)
        limit = call.int_query("limit", 25) or 25
        if not 1 <= limit <= 100:
            raise invalid_form(
                [(("limit",), "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")]
            )
        after = call.int_query("after", 0) or 0
        burst = call.int_query("type", 0) == 1
        ids = sorted(
            u for u in message.reactions.get(key, []) if ((key, u) in message.burst) == burst
        )
        return [payloads.user(state.users[u]) for u in ids if u > after][:limit]

    async def clear_reactions(call: Call) -> Any:
        channel = channel_of(call)
        require(channel, "manage_messages")
        message = message_of(call, channel)
        state.clear_reactions(message, emoji_of(call) if "emoji" in call.args else None)

    # -- threads --------------------------------------------------------------------------------

    def thread_name(body: dict[str, Any]) -> str:
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise invalid_form(
                [(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")]
            )
        return name

    async def thread_from_message(call: Call) -> Any:
        channel = channel_of(call)
        message = message_of(call, channel)
        if channel.type != TEXT:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        if message.thread is not None:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        require(channel, "create_public_threads")
        body = call.body
        thread = state.create_thread(
            channel,
            state.bot_user,
            thread_name(body),
            message=message,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        return 201, payloads.thread(thread)

    async def thread_without_message(call: Call) -> Any:
        channel = channel_of(call)
        body = call.body
        name = thread_name(body)
        archive = int(body.get("auto_archive_duration") or 1440)
        if channel.type == FORUM:
            require(channel, "send_messages")
            first = body.get("message")
            if not isinstance(first, dict):
                raise invalid_form([(("message",), "BASE_TYPE_REQUIRED", "This field is required")])
            check_message(first, attachments=len(call.uploads))
            tags = [int(t) for t in body.get("applied_tags") or []]
            thread = state.create_thread(
                channel, state.bot_user, name, auto_archive_duration=archive, applied_tags=tags
            )
            starter = new_message(thread, first, call, id=thread.id)
            return 201, payloads.thread(thread) | {"message": payloads.message(starter)}
        if channel.type != TEXT:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        kind = int(body.get("type") or PRIVATE_THREAD)
        require(
            channel, "create_private_threads" if kind == PRIVATE_THREAD else "create_public_threads"
        )
        thread = state.create_thread(
            channel, state.bot_user, name, type=kind, auto_archive_duration=archive
        )
        return 201, payloads.thread(thread)

    async def join_thread(call: Call) -> Any:
        thread = channel_of(call)
        if not thread.is_thread:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        if call.method == "PUT":
            thread.member_ids.add(state.bot_user.id)
        else:
            thread.member_ids.discard(state.bot_user.id)
        state.bump()

    channel = "/channels/{cid}"
    message = channel + "/messages/{mid}"
    return [
        ("GET", "/users/@me", get_me),
        ("GET", "/oauth2/applications/@me", get_application),
        ("GET", "/applications/@me", get_application),
        ("GET", "/gateway", get_gateway),
        ("GET", "/gateway/bot", get_gateway_bot),
        ("GET", "/users/{uid}", get_user),
        ("GET", "/guilds/{gid}", get_guild),
        ("GET", "/guilds/{gid}/channels", get_guild_channels),
        ("GET", "/guilds/{gid}/roles", get_roles),
        ("GET", "/guilds/{gid}/members", list_members),
        ("GET", "/guilds/{gid}/members/{uid}", get_member),
        ("GET", "/guilds/{gid}/threads/active", active_threads),
        ("GET", channel, get_channel),
        ("PATCH", channel, edit_channel),
        ("POST", channel + "/typing", typing),
        ("PUT", channel + "/pins/{mid}", pin),
        ("DELETE", channel + "/pins/{mid}", pin),
        ("PUT", channel + "/messages/pins/{mid}", pin),
        ("DELETE", channel + "/messages/pins/{mid}", pin),
        ("POST", channel + "/messages", post_message),
        ("GET", channel + "/messages", get_messages),
        ("GET", message, get_message),
        ("PATCH", message, edit_message),
        ("DELETE", message, delete_message),
        ("PUT", message + "/reactions/{emoji}/@me", add_own_reaction),
        ("DELETE", message + "/reactions/{emoji}/{uid}", remove_reaction),
        ("GET", message + "/reactions/{emoji}", reaction_users),
        ("DELETE", message + "/reactions/{emoji}", clear_reactions),
        ("DELETE", message + "/reactions", clear_reactions),
        ("POST", message + "/threads", thread_from_message),
        ("POST", channel + "/threads", thread_without_message),
        ("PUT", channel + "/thread-members/@me", join_thread),
        ("DELETE", channel + "/thread-members/@me", join_thread),
    ]
