"""Discord objects in, core values out: nothing here decides anything."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.domain import Actor, IdeaDraft, Person, Where

PLATFORM = "discord"


def where(guild: discord.Guild | int | None, channel_id: int | None = None) -> Where:
    """The core's place for a guild (and channel)."""
    if guild is None:
        raise ValueError("ideabot works in servers, not in direct messages")
    guild_id = guild if isinstance(guild, int) else guild.id
    name = None if isinstance(guild, int) else guild.name
    return Where(
        platform=PLATFORM,
        workspace_id=str(guild_id),
        channel_id=None if channel_id is None else str(channel_id),
        workspace_name=name,
    )


def person(user: discord.abc.User) -> Person:
    return Person(platform=PLATFORM, user_id=str(user.id), name=user.display_name, is_bot=user.bot)


def emoji_key(emoji: discord.PartialEmoji | discord.Emoji | str) -> str:
    """How the core names an emoji: the character itself, or a custom emoji's name."""
    return emoji if isinstance(emoji, str) else str(emoji.name)


def actor(member: discord.Member | discord.User) -> Actor:
    """Who is asking, with Discord's facts about them: Manage Server (or Administrator)
    and their roles by id and name. The core decides what that allows."""
    if not isinstance(member, discord.Member):
        return Actor(person=person(member))
    rights = member.guild_permissions
    roles = tuple(str(r.id) for r in member.roles) + tuple(r.name for r in member.roles)
    return Actor(
        person=person(member),
        is_moderator=rights.manage_guild or rights.administrator,
        roles=roles,
    )


def message_channel(message: discord.Message) -> tuple[int, int | None]:
    """(channel the message is stored under, idea channel to check) for a message.

    A forum post's first message lives in its thread (whose id is the message's id);
    the forum is the idea channel. Other messages: the channel itself.
    """
    channel = message.channel
    if isinstance(channel, discord.Thread):
        if channel.id == message.id and isinstance(channel.parent, discord.ForumChannel):
            return channel.id, channel.parent_id
        return channel.id, None  # a reply inside a thread: discussion, not an idea
    return channel.id, channel.id


def draft(
    message: discord.Message, *, source: str, created_at: datetime | None = None
) -> IdeaDraft:
    """The idea a message would make, credited to its author."""
    stored_channel, _ = message_channel(message)
    return IdeaDraft(
        where=where(message.guild, stored_channel),
        author=person(message.author),
        text=message.content,
        created_at=created_at or message.created_at,
        message_id=str(message.id),
        permalink=message.jump_url,
        source=source,
    )
