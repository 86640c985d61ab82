"""Gateway events into the core's one event flow (``bot.flow``): translation only.

What a message, reaction, edit or delete does is decided in the core; this module
turns discord.py's payloads into core values and hands the core the Discord port.
"""

from __future__ import annotations

import discord

from adapters.discord import convert
from adapters.discord.chat import NO_PINGS, DiscordChat, chat_message
from bot.app import App
from bot.domain import MessageDeleted, MessageEdited, ReactionChange
from bot.results import Deleted, Edited, Ignored, ReactResult, SubmitResult

__all__ = ["NO_PINGS", "Events"]


class Events:
    """What the bot does when something happens in a server."""

    def __init__(self, app: App, client: discord.Client) -> None:
        self.app = app
        self.flow = app.flow
        self.client = client
        self.port = DiscordChat(client)

    async def on_message(self, message: discord.Message) -> SubmitResult | None:
        chat = chat_message(message)
        return None if chat is None else await self.flow.message(self.port, chat)

    async def capture(self, message: discord.Message, *, source: str) -> SubmitResult | None:
        """Make any message an idea ("Save as idea"); None when it was refused."""
        chat = chat_message(message)
        return None if chat is None else await self.flow.capture(self.port, chat, source=source)

    async def on_reaction(
        self, payload: discord.RawReactionActionEvent, added: bool
    ) -> ReactResult | None:
        if payload.guild_id is None or (
            self.client.user and payload.user_id == self.client.user.id
        ):
            return None
        member = payload.member
        person = (
            convert.person(member)
            if member is not None
            else convert.Person(platform=convert.PLATFORM, user_id=str(payload.user_id), name="")
        )
        return await self.flow.reaction(
            ReactionChange(
                where=convert.where(payload.guild_id, payload.channel_id),
                message_id=str(payload.message_id),
                person=person,
                emoji=convert.emoji_key(payload.emoji),
                added=added,
                at=discord.utils.utcnow(),
            )
        )

    async def on_edit(self, payload: discord.RawMessageUpdateEvent) -> Edited | Ignored | None:
        if payload.guild_id is None or "content" not in payload.data:
            return None
        return await self.flow.edited(
            MessageEdited(
                where=convert.where(payload.guild_id, payload.channel_id),
                message_id=str(payload.message_id),
                text=str(payload.data["content"]),
                at=discord.utils.utcnow(),
            )
        )

    async def on_delete(self, payload: discord.RawMessageDeleteEvent) -> Deleted | Ignored | None:
        if payload.guild_id is None:
            return None
        return await self.flow.deleted(
            MessageDeleted(
                where=convert.where(payload.guild_id, payload.channel_id),
                message_id=str(payload.message_id),
                at=discord.utils.utcnow(),
            )
        )

    async def catch_up(self) -> None:
        """After a fresh session (start, or a reconnect that could not resume): read what
        was posted while away, then re-read the votes of open ideas in the background."""
        workspaces = [convert.where(guild) for guild in self.client.guilds]
        await self.flow.catch_up(self.port, workspaces)
        self.app.reconciler.request(self.port, workspaces)
